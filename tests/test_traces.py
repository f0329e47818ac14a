"""1-D and 2-D traces: the book's printed numbers, closed forms, cross-backend agreement, errors."""
import math
import warnings

import numpy as np
import pytest

import d2l_optim as d2l
from d2l_optim import _registry
from d2l_optim import objectives as O

ETA_2D = 0.1


def gd_2d(x1, x2, s1, s2, f_grad):
    g1, g2 = f_grad(x1, x2)
    return (x1 - ETA_2D * g1, x2 - ETA_2D * g2, 0, 0)


# The book's deterministic prints (spec §4.1) for the gd section, each with the run producing it.
BOOK_RUNS = {
    "gd(0.2), x²": (lambda: d2l.gd(0.2, d2l.grad(O.square)), "epoch 10, x: 0.060466"),
    "gd(0.05), x²": (lambda: d2l.gd(0.05, d2l.grad(O.square)), "epoch 10, x: 3.486784"),
    "gd(1.1), x²": (lambda: d2l.gd(1.1, d2l.grad(O.square)), "epoch 10, x: 61.917364"),
    "gd(2), x cos(cx)": (lambda: d2l.gd(2, d2l.grad(O.x_cos)), "epoch 10, x: -1.528166"),
    "train_2d(gd_2d)": (lambda: d2l.train_2d(gd_2d, f_grad=d2l.grad(O.quadratic_2d, (0, 1))),
                        "epoch 20, x1: -0.057646, x2: -0.000073"),
    "newton(), cosh": (lambda: d2l.newton(O.cosh), "epoch 10, x: 0.000000"),
    "newton(), x cos(cx)": (lambda: d2l.newton(O.x_cos), "epoch 10, x: 26.834133"),
    "newton(0.5), x cos(cx)": (lambda: d2l.newton(O.x_cos, 0.5), "epoch 10, x: 7.269860"),
}


def _quiet(run):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the Hessian fallback notice (MXNet)
        return run()


@pytest.mark.parametrize("name", sorted(BOOK_RUNS))
def test_prints_the_books_number(backend, name, capsys):
    run, expected = BOOK_RUNS[name]
    _quiet(run)
    assert capsys.readouterr().out.splitlines() == [expected]


@pytest.mark.parametrize("name", sorted(BOOK_RUNS))
def test_traces_agree_with_the_numpy_backend(backend, name):
    run = BOOK_RUNS[name][0]
    trace = np.array(_quiet(run), dtype=float)
    with d2l.use_backend("numpy"):
        reference = np.array(run(), dtype=float)
    assert trace.shape == reference.shape
    np.testing.assert_allclose(trace, reference, rtol=1e-5, atol=1e-12)


@pytest.mark.parametrize("eta, ratio", [(0.2, 0.6), (0.05, 0.9), (1.1, -1.2)])
def test_gd_on_square_follows_the_closed_form(backend, eta, ratio):
    trace = d2l.gd(eta, d2l.grad(O.square))
    np.testing.assert_allclose(trace, 10 * ratio ** np.arange(11), rtol=1e-12)


def test_train_2d_follows_the_closed_form(backend):
    trace = np.array(d2l.train_2d(gd_2d, f_grad=d2l.grad(O.quadratic_2d, (0, 1))))
    k = np.arange(21)
    np.testing.assert_allclose(trace, np.stack([-5 * 0.8**k, -2 * 0.6**k], axis=1), rtol=1e-12)


def test_newton_books_early_iterates(backend):
    trace = _quiet(lambda: d2l.newton(O.x_cos))
    np.testing.assert_allclose(trace[:7], [10, 5.0, 24.994879, 27.783106, 26.800099, 26.834179,
                                           26.834133], atol=5e-7)


def test_newton_without_second_derivatives_says_it_uses_the_hand_written_hessian(backend):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        d2l.newton(O.cosh)
    notes = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    if not _registry.facts(backend).SECOND_DERIVATIVES:
        assert len(notes) == 1 and "hand-written Hessian of cosh" in notes[0]
    else:
        assert notes == []


def test_newton_without_a_known_hessian_reraises_without_second_derivatives(backend):
    run = lambda: d2l.newton(lambda x: x**4 + x**2)  # noqa: E731
    if not _registry.facts(backend).SECOND_DERIVATIVES:
        with pytest.raises(d2l.SecondDerivativeUnsupported, match="cannot differentiate"):
            run()
    else:
        assert abs(run()[-1]) < 1e-2


@pytest.mark.parametrize("call, message", [
    (lambda: d2l.gd(-0.1, d2l.grad(O.square)), "eta must be a finite number >= 0, got -0.1"),
    (lambda: d2l.gd(float("nan"), d2l.grad(O.square)), "eta must be a finite number >= 0, got nan"),
    (lambda: d2l.gd(float("inf"), d2l.grad(O.square)), "eta must be a finite number >= 0, got inf"),
    (lambda: d2l.gd(0.1, d2l.grad(O.square), num_epochs=0), "num_epochs must be a whole number >= 1, got 0"),
    (lambda: d2l.gd(0.1, d2l.grad(O.square), x0=float("inf")), "x0 must be finite"),
    (lambda: d2l.newton(O.cosh, eta=-1), "eta must be a finite number >= 0"),
    (lambda: d2l.train_2d(gd_2d, x0=(1.0, 2.0, 3.0)), r"x0 must be a pair \(x1, x2\)"),
    (lambda: d2l.train_2d(gd_2d, x0=(1.0, "a")), "x0 must hold 2 numbers"),
    (lambda: d2l.train_2d(gd_2d, steps=2.5), "steps must be a whole number >= 1, got 2.5"),
])
def test_bad_input_is_named(backend, call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_rate_of_0_stays_at_the_start(backend, capsys):
    assert d2l.gd(0, d2l.grad(O.square), num_epochs=3) == [10.0] * 4
    assert capsys.readouterr().out == "epoch 3, x: 10.000000\n"


def test_overflowing_run_stops_and_still_plots(backend, capsys):
    with pytest.warns(RuntimeWarning, match="diverged: step 3"):
        trace = d2l.gd(1e150, d2l.grad(O.square))
    assert trace.diverged_at == 3 and len(trace) == 3 and np.all(np.isfinite(trace))
    assert capsys.readouterr().out.startswith("diverged at epoch 3; last finite point, epoch 2, x: ")
    axes = d2l.show_trace(trace, O.square)
    assert all(np.isfinite(axes.get_xlim())) and all(np.isfinite(axes.get_ylim()))
    assert len(axes.lines[0].get_xdata()) <= 20001


@pytest.mark.parametrize("make", [
    lambda: d2l.sgd(d2l.SquareRootScheduler(0.3)), lambda: d2l.momentum(0.4, 0.5), lambda: d2l.adagrad(0.4),
    lambda: d2l.rmsprop(0.4, 0.9), lambda: d2l.adadelta(0.9), lambda: d2l.adam(0.1), lambda: d2l.yogi(0.1),
], ids=["sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam", "yogi"])
def test_train_2d_steps_the_point_as_its_two_coordinates_would_be_stepped(backend, make):
    """train_2d updates (x1, x2) as one vector: the trace is the one of updating the two scalars, to
    float64 rounding (the same bits, except on JAX, whose vector ops may differ in the last digit)."""
    f_grad = d2l.grad(O.elongated_2d, (0, 1))
    optimizer = make()
    point = (d2l.tensor(-5.0, "float64"), d2l.tensor(-2.0, "float64"))
    state, expected = optimizer.init(point), [(-5.0, -2.0)]
    for _ in range(20):
        point, state = optimizer.update(f_grad(*point), state, point)
        expected.append(tuple(d2l.to_float(x) for x in point))
    np.testing.assert_allclose(d2l.train_2d(make(), f_grad=f_grad), expected, rtol=1e-12, atol=0)


def test_train_2d_differentiates_a_d2l_gradient_along_the_point(backend, capsys):
    """d2l.grad(f, (0, 1)) says what it differentiates, so train_2d takes the gradient of
    x -> f(x[0], x[1]) (one autograd input): the trace of the same gradient called with the two
    coordinates, over more than one transfer of points (250 steps)."""
    f_grad = d2l.grad(O.elongated_2d, (0, 1))
    assert f_grad.function is O.elongated_2d and f_grad.argnums == (0, 1)
    by_coordinates = lambda x1, x2: f_grad(x1, x2)  # noqa: E731  (the same gradient, not known as d2l's)
    along = d2l.train_2d(d2l.adam(0.1), 250, f_grad)
    assert len(along) == 251
    np.testing.assert_allclose(along, d2l.train_2d(d2l.adam(0.1), 250, by_coordinates), rtol=1e-12, atol=0)


def test_a_diverging_run_ends_at_its_first_non_finite_point(backend, capsys):
    """An optimizer's points reach Python 100 steps at a time; the trace still ends where the book's
    trainer, one point at a time, ends it (the rate 30 overflows x2 after about 150 steps)."""
    f_grad = d2l.grad(O.elongated_2d, (0, 1))

    def sgd_2d(x1, x2, s1, s2, f_grad):
        g1, g2 = f_grad(x1, x2)
        return x1 - 30.0 * g1, x2 - 30.0 * g2, s1, s2

    with pytest.warns(RuntimeWarning, match="diverged"):
        ours = d2l.train_2d(d2l.sgd(30.0), 300, f_grad)
    with pytest.warns(RuntimeWarning, match="diverged"):
        book = d2l.train_2d(sgd_2d, 300, f_grad)
    assert 100 < ours.diverged_at == book.diverged_at < 200 and len(ours) == ours.diverged_at
    np.testing.assert_allclose(ours, book, rtol=1e-12, atol=0)

    def finite_points_only(x1, x2):  # a gradient function that refuses the point past divergence
        x1, x2 = d2l.to_float(x1), d2l.to_float(x2)
        if not (math.isfinite(x1) and math.isfinite(x2)):
            raise ValueError("not a finite point")
        return 0.2 * x1, 4 * x2

    with pytest.warns(RuntimeWarning, match="diverged"):
        refusing = d2l.train_2d(d2l.sgd(30.0), 300, finite_points_only)
    assert refusing.diverged_at == ours.diverged_at
    with pytest.raises(ValueError, match="not a finite point"):  # an error at a finite point is raised
        d2l.train_2d(d2l.sgd(30.0), 300, lambda x1, x2: finite_points_only(x1, x2 * math.inf))


def test_train_2d_takes_gradients_as_numbers_or_tensors_of_any_float_dtype(backend, capsys):
    exact = d2l.train_2d(d2l.adam(0.1), f_grad=lambda x1, x2: (0.2 * x1, 4 * x2))
    as_floats = lambda x1, x2: (0.2 * d2l.to_float(x1), 4 * d2l.to_float(x2))  # noqa: E731
    assert d2l.train_2d(d2l.adam(0.1), f_grad=as_floats) == exact
    single = d2l.train_2d(d2l.adam(0.1), f_grad=lambda x1, x2: (d2l.tensor(0.2 * x1, "float32"), 4 * x2))
    np.testing.assert_allclose(single, exact, rtol=1e-6)


@pytest.mark.parametrize("f_grad, message", [
    (lambda x1, x2: (x1, x2, x1), r"f_grad must return the gradient \(g1, g2\); got 3 values"),
    (lambda x1, x2: x1 + x2, r"f_grad must return the gradient \(g1, g2\); got a "),
    (lambda x1, x2: (d2l.stack([x1, x1]), x2),
     r"one number for each of x1 and x2; got 2 values \(\(2,\), \(\)\)"),
], ids=["three values", "one tensor", "a vector"])
def test_train_2d_names_a_gradient_of_the_wrong_form(backend, f_grad, message):
    with pytest.raises(ValueError, match=message):
        d2l.train_2d(d2l.adam(0.1), f_grad=f_grad)


def test_train_2d_runs_one_trace_with_one_number_per_hyperparameter(backend, capsys):
    f_grad = d2l.grad(O.elongated_2d, (0, 1))
    with pytest.raises(ValueError, match=r"momentum optimizer's beta must be one number, got a tensor of "
                                         r"shape \(2,\); d2l.sweep_traces"):
        d2l.train_2d(d2l.momentum(0.1, d2l.tensor([0.5, 0.9])), f_grad=f_grad)
    as_number = d2l.train_2d(d2l.momentum(0.1, 0.5), f_grad=f_grad)
    for beta in (d2l.tensor(0.5, "float64"), d2l.tensor([0.5], "float64")):
        assert d2l.train_2d(d2l.momentum(0.1, beta), f_grad=f_grad) == as_number
