"""Schedules: the book's plotted values (spec §4.3), their formulas and their errors."""
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import d2l_optim as d2l

SQUARE_ROOT = [0.1, 0.0707107, 0.057735, 0.05, 0.0447214, 0.0408248, 0.0377964, 0.0353553, 0.0333333,
               0.0316228, 0.0301511, 0.0288675, 0.027735, 0.0267261, 0.0258199, 0.025, 0.0242536,
               0.0235702, 0.0229416, 0.0223607, 0.0218218, 0.0213201, 0.0208514, 0.0204124, 0.02,
               0.0196116, 0.019245, 0.0188982, 0.0185695, 0.0182574]
FACTOR = [1.8, 1.62, 1.458, 1.3122, 1.18098, 1.06288, 0.956594, 0.860934, 0.774841, 0.697357,
          0.627621, 0.564859, 0.508373, 0.457536, 0.411782, 0.370604, 0.333544, 0.300189, 0.27017,
          0.243153, 0.218838, 0.196954, 0.177259, 0.159533, 0.14358, 0.129222, 0.116299, 0.10467,
          0.0942026, 0.0847823, 0.0763041, 0.0686737, 0.0618063, 0.0556257, 0.0500631, 0.0450568,
          0.0405511, 0.036496, 0.0328464, 0.0295618, 0.0266056, 0.023945, 0.0215505, 0.0193955,
          0.0174559, 0.0157103, 0.0141393, 0.0127254, 0.0114528, 0.0103076]
COSINE = [0.3, 0.298215, 0.292903, 0.284196, 0.272307, 0.25753, 0.240229, 0.220829, 0.199807,
          0.177683, 0.155, 0.132317, 0.110193, 0.0891714, 0.0697711, 0.0524695, 0.0376925,
          0.0258041, 0.0170968, 0.0117852, 0.01] + [0.01] * 9
WARMUP_COSINE = [0, 0.06, 0.12, 0.18, 0.24, 0.3, 0.296831, 0.287464, 0.272307, 0.252024, 0.2275,
                 0.199807, 0.170157, 0.139843, 0.110193, 0.0825, 0.0579761, 0.0376925, 0.0225359,
                 0.0131686, 0.01] + [0.01] * 9
TABLES = {
    "square root": (lambda: d2l.SquareRootScheduler(lr=0.1), SQUARE_ROOT),
    "factor": (lambda: d2l.FactorScheduler(factor=0.9, stop_factor_lr=1e-2, base_lr=2.0), FACTOR),
    "multi-factor": (lambda: d2l.MultiFactorScheduler(step=[15, 30], factor=0.5, base_lr=0.5),
                     [0.5] * 15 + [0.25] * 15),
    "cosine": (lambda: d2l.CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01), COSINE),
    "warm-up cosine": (lambda: d2l.CosineScheduler(20, warmup_steps=5, base_lr=0.3, final_lr=0.01),
                       WARMUP_COSINE),
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_values_are_the_books(name):
    make, table = TABLES[name]
    scheduler = make()
    assert [float(f"{scheduler(t):.6g}") for t in range(len(table))] == table
    assert scheduler(3) == scheduler(3)  # pure: calling again changes nothing


def test_sgd_section_schedules_give_the_books_first_rates():
    eta = 0.1
    assert [round(d2l.exponential_lr(eta)(step) / eta, 6) for step in range(5)] == [
        0.818731, 0.740818, 0.670320, 0.606531, 0.548812]
    assert [round(d2l.polynomial_lr(eta)(step) / eta, 6) for step in range(5)] == [
        0.912871, 0.877058, 0.845154, 0.816497, 0.790569]
    assert d2l.exponential_lr(eta)(0) == eta * math.exp(-0.2)  # the rate itself, not a multiplier
    assert d2l.constant_lr(eta)(7) == eta


def test_multi_factor_milestones_from_any_iterable():
    from_generator = d2l.MultiFactorScheduler((s for s in (15, 30)), factor=0.5, base_lr=0.5)
    from_range = d2l.MultiFactorScheduler(range(15, 31, 15), factor=0.5, base_lr=0.5)
    for scheduler in (from_generator, from_range):
        assert [scheduler(t) for t in (14, 15, 29, 30)] == [0.5, 0.25, 0.25, 0.125]


def test_factor_floor_and_cosine_past_the_end():
    assert d2l.FactorScheduler(0.5, 0.1, 1.0)(10) == 0.1
    assert d2l.CosineScheduler(20, base_lr=0.3, final_lr=0.01)(25) == 0.01  # the book raised here


@given(st.integers(0, 5_000), st.floats(1e-4, 10.0), st.floats(0.05, 0.999))
def test_schedules_are_positive_and_follow_their_formulas(t, base, factor):
    assert d2l.SquareRootScheduler(base)(t) == pytest.approx(base / math.sqrt(t + 1))
    assert d2l.FactorScheduler(factor, 1e-6, base)(t) == pytest.approx(max(1e-6, base * factor ** (t + 1)))
    multi = d2l.MultiFactorScheduler([10, 100, 1000], factor, base)(t)
    assert multi == pytest.approx(base * factor ** sum(t >= s for s in (10, 100, 1000)))
    cosine = d2l.CosineScheduler(500, base, base / 10, warmup_steps=50)(t)
    assert base / 10 - 1e-12 <= cosine <= base or t < 50
    for value in (multi, cosine if t else 1.0, d2l.exponential_lr(base)(t), d2l.polynomial_lr(base)(t)):
        assert value > 0


@pytest.mark.parametrize("call, message", [
    (lambda: d2l.SquareRootScheduler(-0.1), "lr must be a finite number >= 0, got -0.1"),
    (lambda: d2l.CosineScheduler(20, base_lr=float("inf")), "base_lr must be a finite number >= 0, got inf"),
    (lambda: d2l.MultiFactorScheduler([15], base_lr=float("nan")), "base_lr must be a finite number >= 0"),
    (lambda: d2l.FactorScheduler(0.9, -1, 2.0), "stop_factor_lr must be a finite number >= 0"),
    (lambda: d2l.MultiFactorScheduler([30, 15]), "step must be an iterable of strictly increasing whole"),
    (lambda: d2l.MultiFactorScheduler([15, 15]), r"whole numbers > 0, got \[15, 15\]"),
    (lambda: d2l.MultiFactorScheduler(x for x in [0, 15]), r"whole numbers > 0, got \[0, 15\]"),
    (lambda: d2l.MultiFactorScheduler(15), "step must be an iterable .*got 15"),
    (lambda: d2l.exponential_lr(-0.1), "lr must be a finite number >= 0"),
    (lambda: d2l.polynomial_lr(0.1)(-1), "step must be a whole number >= 0, got -1"),
    (lambda: d2l.CosineScheduler(20, warmup_steps=20), "0 <= warmup_steps < max_update"),
    (lambda: d2l.CosineScheduler(20, base_lr=0.1, final_lr=0.2), "final_lr, warmup_begin_lr <= base_lr"),
    (lambda: d2l.SquareRootScheduler()(-1), "step must be a whole number >= 0, got -1"),
])
def test_bad_scheduler_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("name", sorted(TABLES))
def test_a_schedule_is_an_optimizers_learning_rate(name):
    """Each scheduler is usable as ``lr=``; update k (from 0) moves by exactly the scheduled rate,
    which is 0 (no move) for the warm-up cosine's first step."""
    scheduler = TABLES[name][0]()
    with d2l.use_backend("numpy"):
        params, grads = (d2l.tensor([0.0], "float64"),), (d2l.tensor([-1.0], "float64"),)
        optimizer = d2l.sgd(scheduler)
        state = optimizer.init(params)
        for step in range(8):
            new, state = optimizer.update(grads, state, params)
            assert state.t == step + 1
            assert d2l.to_float(new[0] - params[0]) == pytest.approx(scheduler(step), rel=1e-12, abs=0)
            params = new
    assert any(scheduler(step) == 0 for step in range(8)) == (name == "warm-up cosine")


def test_rates_of_0_are_schedules_too():
    assert [d2l.SquareRootScheduler(0)(t) for t in range(3)] == [0.0, 0.0, 0.0]
    assert d2l.CosineScheduler(10, base_lr=0)(4) == 0 and d2l.exponential_lr(0)(5) == 0
