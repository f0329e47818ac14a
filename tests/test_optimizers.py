"""Optimizers: the book's rules against a float64 NumPy reference, its printed traces, bad input."""
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import d2l_optim as d2l
from d2l_optim import objectives as O


def reference(name, hyper, grads, x0):
    """The book's update rules, written independently in float64 NumPy: the trace of x (``lr``: a
    number, or a list of one rate per step)."""
    x, trace = np.array(x0, dtype=np.float64), []
    v, s, delta = np.zeros_like(x), np.zeros_like(x), np.zeros_like(x)
    for t, g in enumerate(grads, start=1):
        lr = hyper["lr"][t - 1] if isinstance(hyper.get("lr"), list) else hyper.get("lr")  # per step
        if name == "sgd":
            x = x - lr * g
        elif name == "momentum":
            v = hyper["beta"] * v + g
            x = x - lr * v
        elif name == "adagrad":
            s = s + g * g
            x = x - lr * g / np.sqrt(s + 1e-6)
        elif name == "rmsprop":
            s = hyper["gamma"] * s + (1 - hyper["gamma"]) * g * g
            x = x - lr * g / np.sqrt(s + 1e-6)
        elif name == "adadelta":
            s = 0.9 * s + 0.1 * g * g
            step = np.sqrt(delta + 1e-5) / np.sqrt(s + 1e-5) * g
            delta = 0.9 * delta + 0.1 * step * step
            x = x - step
        else:  # adam, yogi
            v = 0.9 * v + 0.1 * g
            s = 0.999 * s + 0.001 * g * g if name == "adam" else s + 0.001 * g * g * np.sign(g * g - s)
            eps = 1e-6 if name == "adam" else 1e-3
            x = x - lr * (v / (1 - 0.9**t)) / (np.sqrt(s / (1 - 0.999**t)) + eps)
        trace.append(x)
    return np.array(trace)


CASES = {
    "sgd": {"lr": 0.1}, "momentum": {"lr": 0.05, "beta": 0.9}, "adagrad": {"lr": 0.3},
    "rmsprop": {"lr": 0.01, "gamma": 0.9}, "adadelta": {}, "adam": {"lr": 0.01}, "yogi": {"lr": 0.01},
}


def make(name, hyper):
    return getattr(d2l, name)(**hyper)


@pytest.mark.parametrize("name", sorted(CASES))
def test_update_equals_the_float64_numpy_reference(backend, name):
    rng = np.random.default_rng(3)
    x0, grads = rng.normal(size=(2, 3)), rng.normal(scale=2.0, size=(25, 2, 3))
    expected = reference(name, CASES[name], grads, x0)
    optimizer = make(name, CASES[name])
    params = (d2l.tensor(x0),)
    state = optimizer.init(params)
    for step, g in enumerate(grads):
        params, state = optimizer.update((d2l.tensor(g),), state, params)
        assert d2l.dtype(params[0]) == "float32" and state.t == step + 1
        np.testing.assert_allclose(d2l.numpy(params[0]), expected[step], rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_float64_parameters_stay_float64_and_are_not_modified(backend, name):
    optimizer = make(name, CASES[name])
    params = (d2l.tensor([1.0, -2.0], "float64"),)
    state = optimizer.init(params)
    new, state = optimizer.update((d2l.tensor([0.5, 0.5], "float64"),), state, params)
    assert d2l.dtype(new[0]) == "float64"
    assert all(d2l.dtype(slot) == "float64" for slot in state.slots[0])
    np.testing.assert_array_equal(d2l.numpy(params[0]), [1.0, -2.0])
    assert not np.array_equal(d2l.numpy(new[0]), [1.0, -2.0])


BOOK_2D = {  # spec §4.1: (optimizer, printed line), each on 0.1 x1² + 2 x2² from (-5, -2)
    "gd η=0.4": (lambda: d2l.sgd(0.4), "epoch 20, x1: -0.943467, x2: -0.000073"),
    "gd η=0.6": (lambda: d2l.sgd(0.6), "epoch 20, x1: -0.387814, x2: -1673.365109"),
    "momentum β=0.5": (lambda: d2l.momentum(0.6, 0.5), "epoch 20, x1: 0.007188, x2: 0.002553"),
    "momentum β=0.25": (lambda: d2l.momentum(0.6, 0.25), "epoch 20, x1: -0.126340, x2: -0.186632"),
    "adagrad η=0.4": (lambda: d2l.adagrad(0.4), "epoch 20, x1: -2.382563, x2: -0.158591"),
    "adagrad η=2": (lambda: d2l.adagrad(2), "epoch 20, x1: -0.002295, x2: -0.000000"),
    "rmsprop": (lambda: d2l.rmsprop(0.4, gamma=0.9), "epoch 20, x1: -0.010599, x2: 0.000000"),
}


@pytest.mark.parametrize("name", sorted(BOOK_2D))
def test_2d_traces_print_the_books_numbers(backend, name, capsys):
    make_optimizer, expected = BOOK_2D[name]
    trace = d2l.train_2d(make_optimizer(), f_grad=d2l.grad(O.elongated_2d, (0, 1)))
    assert capsys.readouterr().out.splitlines() == [expected]
    with d2l.use_backend("numpy"):
        reference_trace = d2l.train_2d(make_optimizer(), f_grad=d2l.grad(O.elongated_2d, (0, 1)))
    np.testing.assert_allclose(trace, reference_trace, rtol=1e-5, atol=1e-12)


def test_book_style_trainer_and_optimizer_give_the_same_trace(backend):
    eta, beta = 0.6, 0.5

    def momentum_2d(x1, x2, v1, v2):
        v1 = beta * v1 + 0.2 * x1
        v2 = beta * v2 + 4 * x2
        return x1 - eta * v1, x2 - eta * v2, v1, v2

    book = d2l.train_2d(momentum_2d)
    ours = d2l.train_2d(d2l.momentum(eta, beta), f_grad=d2l.grad(O.elongated_2d, (0, 1)))
    np.testing.assert_allclose(book, ours, rtol=1e-12)


# Seeded noisy SGD (spec §4.4): mean and standard deviation of the final point, per schedule.
NOISY = {  # the schedules are the sgd section's, of its η = 0.1
    "constant": (d2l.constant_lr, 50, (-0.000071, 0.1667), (0.0, 0.1250)),
    "exponential": (d2l.exponential_lr, 1000, (-0.825737, 0.0747), (-0.045026, 0.0399)),
    "polynomial": (d2l.polynomial_lr, 50, (-0.012437, 0.1053), (-0.000005, 0.0750)),
}


@pytest.mark.parametrize("name", sorted(NOISY))
def test_seeded_noisy_sgd_is_the_same_everywhere_and_in_range(backend, name):
    schedule, steps, (mean1, sd1), (mean2, sd2) = NOISY[name]

    def run():
        d2l.seed(11)
        f_grad = d2l.with_gradient_noise(d2l.grad(O.quadratic_2d, (0, 1)))
        return np.array(d2l.train_2d(d2l.sgd(schedule(0.1)), steps=steps, f_grad=f_grad))

    trace = run()
    with d2l.use_backend("numpy"):
        np.testing.assert_allclose(trace, run(), rtol=1e-9, atol=1e-12)
    assert abs(trace[-1, 0] - mean1) < 4 * sd1 and abs(trace[-1, 1] - mean2) < 4 * sd2


@pytest.mark.parametrize("call, message", [
    (lambda: d2l.sgd(-1e-9), r"lr must be a finite number >= 0, got -1e-09"),
    (lambda: d2l.adam(-0.01), r"lr must be a finite number >= 0, got -0.01"),
    (lambda: d2l.momentum(float("inf"), 0.5), r"lr must be a finite number >= 0, got inf"),
    (lambda: d2l.rmsprop(float("nan")), r"lr must be a finite number >= 0, got nan"),
    (lambda: d2l.momentum(0.1, 1.0), r"beta must be in \[0, 1\), got 1.0"),
    (lambda: d2l.momentum(0.1, -0.1), r"beta must be in \[0, 1\), got -0.1"),
    (lambda: d2l.rmsprop(0.1, gamma=1.5), r"gamma must be in \[0, 1\), got 1.5"),
    (lambda: d2l.adadelta(rho=float("nan")), r"rho must be in \[0, 1\), got nan"),
    (lambda: d2l.adam(0.1, beta2=1), r"beta2 must be in \[0, 1\), got 1"),
    (lambda: d2l.adagrad(0.1, eps=0), r"eps must be a finite number > 0, got 0"),
    (lambda: d2l.yogi(0.1, eps=-1e-3), r"eps must be a finite number > 0"),
    (lambda: d2l.sgd(d2l.tensor([0.1, -0.1])), r"lr must be a finite number >= 0"),
])
def test_invalid_hyperparameters_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("call, message", [
    (lambda: d2l.sgd("0.1"), r"lr must be a number >= 0, a tensor of them or a schedule .*got '0.1' \(str\)"),
    (lambda: d2l.adam(None), r"lr must be a number >= 0, .*got None"),
    (lambda: d2l.momentum(True, 0.5), r"lr must be a number >= 0, .*got True \(bool\)"),
    (lambda: d2l.momentum(0.1, "0.9"), r"beta must be a number or a tensor of numbers, got '0.9'"),
    (lambda: d2l.adagrad(0.1, eps="1e-6"), r"eps must be a number"),
    (lambda: d2l.adadelta(rho=[0.9]), r"rho must be a number"),
])
def test_hyperparameters_of_the_wrong_type_fail_at_construction(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_bad_start_and_state_are_named(backend):
    f_grad = d2l.grad(O.elongated_2d, (0, 1))
    with pytest.raises(ValueError, match="x0 must be finite"):
        d2l.train_2d(d2l.adam(0.1), f_grad=f_grad, x0=(float("nan"), 1.0))
    with pytest.raises(ValueError, match="needs f_grad"):
        d2l.train_2d(d2l.adam(0.1))
    optimizer = d2l.momentum(0.1, 0.9)
    with pytest.raises(ValueError, match="parameter 0 has non-finite values"):
        optimizer.init((d2l.tensor([1.0, float("inf")]),))
    params = (d2l.tensor([1.0, 2.0]),)
    state = d2l.momentum(0.1, 0.9).init((d2l.tensor([1.0, 2.0, 3.0]),))
    with pytest.raises(ValueError, match=r"v of parameter 0 has shape \(3,\) but the parameter has \(2,\)"):
        optimizer.update((d2l.tensor([1.0, 1.0]),), state, params)
    with pytest.raises(ValueError, match=r"gradient of parameter 0 has shape \(3,\)"):
        optimizer.update((d2l.tensor([1.0, 1.0, 1.0]),), optimizer.init(params), params)
    with pytest.raises(ValueError, match="a State from init"):
        optimizer.update((d2l.tensor([1.0, 1.0]),), None, params)
    with pytest.raises(ValueError, match=r"parameter 0 is a float, not a tensor .*d2l.tensor"):
        optimizer.init((1.0,))


def test_state_of_another_optimizer_is_refused(backend):
    params, grads = (d2l.tensor([1.0, 2.0]),), (d2l.tensor([0.5, 0.5]),)
    state = d2l.momentum(0.1, 0.9).init(params)
    assert state.optimizer == "momentum"
    with pytest.raises(ValueError, match="adagrad: this State was made by the momentum optimizer"):
        d2l.adagrad(0.1).update(grads, state, params)
    d2l.momentum(0.5, 0.5).update(grads, state, params)  # same rule, other hyperparameters: fine


def test_params_as_list_tuple_or_dict_come_back_in_their_structure(backend):
    optimizer = d2l.adam(0.1)
    values = {"w": d2l.tensor([1.0, -1.0]), "b": d2l.tensor(0.5)}
    grads = {"b": d2l.tensor(1.0), "w": d2l.tensor([1.0, 1.0])}  # names matter, not their order
    state = optimizer.init(values)
    new, state = optimizer.update(grads, state, values)
    assert isinstance(new, dict) and list(new) == ["w", "b"] and set(state.slots) == {"w", "b"}
    as_tuple, _ = optimizer.update((grads["w"], grads["b"]), optimizer.init(tuple(values.values())),
                                   tuple(values.values()))
    as_list, _ = optimizer.update([grads["w"], grads["b"]], optimizer.init(list(values.values())),
                                  list(values.values()))
    assert type(as_tuple) is tuple and type(as_list) is list
    for name, i in (("w", 0), ("b", 1)):
        np.testing.assert_array_equal(d2l.numpy(new[name]), d2l.numpy(as_tuple[i]))
        np.testing.assert_array_equal(d2l.numpy(new[name]), d2l.numpy(as_list[i]))
    with pytest.raises(ValueError, match=r"grads must have the structure of params \(the parameters "
                                         r"\['w', 'b'\]\), got the names \['w', 'c'\]"):
        optimizer.update({"w": grads["w"], "c": grads["b"]}, state, values)
    with pytest.raises(ValueError, match=r"grads must have the structure .* got 2 values"):
        optimizer.update((grads["w"], grads["b"]), state, values)
    with pytest.raises(ValueError, match=r"the State must have the structure of params \(2 parameters"):
        optimizer.update((grads["w"], grads["b"]), state, tuple(values.values()))
    with pytest.raises(ValueError, match=r"parameter 'b' has non-finite values"):
        optimizer.init({"b": d2l.tensor(float("nan"))})


@pytest.mark.parametrize("params, got", [
    (lambda: d2l.tensor([1.0, 2.0]), r"got a single tensor; wrap a single tensor x as \(x,\)"),
    (lambda: (p for p in [d2l.tensor(1.0)]), "got a generator"),
    (lambda: None, "got a NoneType"),
])
def test_other_params_structures_are_refused(backend, params, got):
    with pytest.raises(ValueError, match=f"params must be a tuple or list of tensors, or a dict name -> "
                                         f"tensor, {got}"):
        d2l.sgd(0.1).init(params())


@pytest.mark.parametrize("name", sorted(CASES))
def test_scalar_parameters_keep_their_state(backend, name):
    optimizer = make(name, CASES[name])
    params = (d2l.tensor(1.0), d2l.tensor([1.0, 2.0]))
    state = optimizer.init(params)
    assert all(len(slots) == len(state.slots[1]) for slots in state.slots)
    assert all(d2l.shape(slot) == () for slot in state.slots[0])
    new, state = optimizer.update((d2l.tensor(0.5), d2l.tensor([0.5, 0.5])), state, params)
    assert d2l.shape(new[0]) == () and d2l.to_float(new[0]) < 1.0
    np.testing.assert_allclose(d2l.numpy(new[1])[0], d2l.to_float(new[0]), rtol=1e-6)


def test_gradients_and_tensor_rates_are_used_in_the_parameters_dtype(backend):
    params = (d2l.tensor([1.0, 2.0], "float64"),)
    for optimizer in (d2l.adam(0.1), d2l.sgd(d2l.tensor([0.1, 0.2]))):
        new, state = optimizer.update((d2l.tensor([0.5, 0.5]),), optimizer.init(params), params)
        assert d2l.dtype(new[0]) == "float64" and all(d2l.dtype(s) == "float64" for s in state.slots[0])
    np.testing.assert_allclose(d2l.numpy(new[0]), [1.0 - 0.05, 2.0 - 0.1], rtol=1e-7)


def test_a_schedule_is_the_learning_rate_itself_from_step_0(backend):
    params, grads = (d2l.tensor([1.0], "float64"),), (d2l.tensor([1.0], "float64"),)
    schedule = d2l.SquareRootScheduler(0.1)
    optimizer = d2l.sgd(schedule)
    state = optimizer.init(params)
    for step in range(3):
        new, state = optimizer.update(grads, state, params)
        assert d2l.to_float(params[0] - new[0]) == pytest.approx(schedule(step), rel=1e-12)
        params = new
    assert d2l.to_float(params[0]) == pytest.approx(1 - 0.1 - 0.1 / 2**0.5 - 0.1 / 3**0.5)
    steps = []
    recording = d2l.adam(lambda step: steps.append(step) or 0.1)
    state = recording.init(params)
    for _ in range(3):
        params, state = recording.update(grads, state, params)
    assert steps == [0, 1, 2]


@pytest.mark.parametrize("value", [float("nan"), -1.0, -1e-300, float("inf"), "0.1", None, True, "a tensor"])
def test_a_schedule_value_that_is_not_a_rate_names_the_step(backend, value):
    value = d2l.tensor(0.1) if value == "a tensor" else value
    optimizer = d2l.momentum(lambda step: 0.1 if step < 2 else value, 0.9)
    params, grads = (d2l.tensor([1.0]),), (d2l.tensor([1.0]),)
    state = optimizer.init(params)
    for _ in range(2):
        params, state = optimizer.update(grads, state, params)
    with pytest.raises(ValueError, match=r"momentum: the learning-rate schedule gave .* at step 2; a "
                                         r"schedule must return a finite number >= 0"):
        optimizer.update(grads, state, params)


LR_OPTIMIZERS = sorted(name for name in CASES if "lr" in CASES[name])


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.just(0.0), st.floats(1e-3, 0.5)), min_size=1, max_size=6),
       st.integers(0, 2**16))
def test_a_scheduled_rate_of_0_is_a_step_that_changes_nothing(backend, rates, seed):
    """Every optimizer follows the float64 reference with each step's scheduled rate; at a rate
    of 0 the parameters stay bit for bit and the state still advances."""
    rng = np.random.default_rng(seed)
    x0, grads = rng.normal(size=3), rng.normal(scale=2.0, size=(len(rates), 3))
    for name in LR_OPTIMIZERS:
        expected = reference(name, dict(CASES[name], lr=rates), grads, x0)
        optimizer = make(name, dict(CASES[name], lr=lambda step: rates[step]))
        params = (d2l.tensor(x0, "float64"),)
        state = optimizer.init(params)
        for step, g in enumerate(grads):
            new, state = optimizer.update((d2l.tensor(g, "float64"),), state, params)
            assert state.t == step + 1
            if rates[step] == 0:
                np.testing.assert_array_equal(d2l.numpy(new[0]), d2l.numpy(params[0]))
            np.testing.assert_allclose(d2l.numpy(new[0]), expected[step], rtol=1e-10, atol=1e-12)
            params = new


def test_a_constant_rate_of_0_keeps_the_parameters_and_advances_the_state(backend, capsys):
    params, grads = (d2l.tensor([1.0, -2.0]),), (d2l.tensor([0.5, -1.5]),)
    for name in LR_OPTIMIZERS:
        still, moving = make(name, dict(CASES[name], lr=0)), make(name, CASES[name])
        new, state = params, still.init(params)
        moved, moving_state = params, moving.init(params)
        for _ in range(3):
            new, state = still.update(grads, state, new)
            moved, moving_state = moving.update(grads, moving_state, moved)
        np.testing.assert_array_equal(d2l.numpy(new[0]), [1.0, -2.0])
        assert state.t == 3 and not np.array_equal(d2l.numpy(moved[0]), [1.0, -2.0])
        for slot, moving_slot in zip(state.slots[0], moving_state.slots[0]):  # the rate is not in the state
            np.testing.assert_array_equal(d2l.numpy(slot), d2l.numpy(moving_slot))
    assert d2l.train_2d(d2l.sgd(0), steps=3, f_grad=d2l.grad(O.elongated_2d, (0, 1))) == [(-5.0, -2.0)] * 4
    assert capsys.readouterr().out == "epoch 3, x1: -5.000000, x2: -2.000000\n"


def test_diverging_run_stops_and_still_plots(backend, capsys):
    with pytest.warns(RuntimeWarning, match="diverged"):
        trace = d2l.train_2d(d2l.sgd(30.0), steps=300, f_grad=d2l.grad(O.elongated_2d, (0, 1)))
    assert trace.diverged_at is not None and len(trace) == trace.diverged_at
    assert np.isfinite(np.array(trace)).all()
    assert capsys.readouterr().out.startswith(f"diverged at epoch {trace.diverged_at}; ")
    axes = d2l.show_trace_2d(O.elongated_2d, trace)
    assert np.isfinite(axes.get_xlim()).all() and np.isfinite(axes.get_ylim()).all()


def test_lr_sweep_batched_equals_one_run_per_rate(backend, capsys):
    lrs = [0.05, 0.3, 0.9]
    batched = d2l.lr_sweep(d2l.adam, O.elongated_2d, lrs, steps=10)
    for lr, value in zip(lrs, batched):
        x1, x2 = d2l.train_2d(d2l.adam(lr), steps=10, f_grad=d2l.grad(O.elongated_2d, (0, 1)))[-1]
        assert value == pytest.approx(0.1 * x1**2 + 2 * x2**2, rel=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflowing rate gives inf, without warnings
        values = d2l.lr_sweep(d2l.sgd, O.elongated_2d, [0.1, 1e30], steps=30)
    assert np.isfinite(values[0]) and not np.isfinite(values[1])
    for steps in (0, -1, 2.5):
        with pytest.raises(ValueError, match=f"steps must be a whole number >= 1, got {steps}"):
            d2l.lr_sweep(d2l.sgd, O.elongated_2d, lrs, steps=steps)


QUADRATIC = st.tuples(st.floats(0.2, 5.0), st.floats(0.2, 5.0),
                      st.floats(2.0, 5.0), st.floats(-5.0, -2.0))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(QUADRATIC)
def test_every_optimizer_lowers_a_convex_quadratic(backend, problem):
    a, b, x1, x2 = problem
    f = lambda u, v: a * u**2 + b * v**2  # noqa: E731
    safe = 0.5 / (2 * max(a, b))  # below 1/L for gradient descent
    optimizers = [d2l.sgd(safe), d2l.momentum(safe, 0.5), d2l.adagrad(0.01), d2l.rmsprop(0.01),
                  d2l.adadelta(), d2l.adam(0.01), d2l.yogi(0.01)]
    f_grad = d2l.grad(f, (0, 1))
    start = f(x1, x2)
    for optimizer in optimizers:
        params = (d2l.tensor(x1, "float64"), d2l.tensor(x2, "float64"))
        state = optimizer.init(params)
        for _ in range(30):
            params, state = optimizer.update(f_grad(*params), state, params)
        assert d2l.to_float(f(*params)) < start, optimizer.name
