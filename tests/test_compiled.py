"""The opt-in compiled path: compile_update and train_2d(compiled=True) give the eager numbers."""
import contextlib
import io

import numpy as np
import pytest

import d2l_optim as d2l
from d2l_optim import _config, _registry
from d2l_optim import objectives as O

#: float32 rounding, the promise of the compiled path (its t and lr enter as float32 tensors)
RTOL, ATOL = 1e-5, 1e-6


def _updates(optimizer, params, grads, steps):
    state = optimizer.init(params)
    for _ in range(steps):
        params, state = optimizer.update(grads, state, params)
    return params, state


@pytest.mark.parametrize("name, make", [("sgd", lambda: d2l.sgd(0.1)),
                                        ("adam", lambda: d2l.adam(d2l.SquareRootScheduler(0.1)))])
def test_compiled_update_gives_the_eager_numbers(backend, name, make):
    rng = np.random.default_rng(0)
    params = {"w": d2l.tensor(rng.normal(size=(2, 3))), "b": d2l.tensor(rng.normal(size=3))}
    grads = {"w": d2l.tensor(rng.normal(size=(2, 3))), "b": d2l.tensor(rng.normal(size=3))}
    eager, eager_state = _updates(make(), params, grads, 4)
    compiled, state = _updates(d2l.compile_update(make()), params, grads, 4)
    assert list(compiled) == ["w", "b"] and state.t == eager_state.t == 4
    for key in params:
        assert d2l.dtype(compiled[key]) == "float32"
        np.testing.assert_allclose(d2l.numpy(compiled[key]), d2l.numpy(eager[key]), RTOL, ATOL)
    for slots, eager_slots in zip(state.slots.values(), eager_state.slots.values()):
        for slot, eager_slot in zip(slots, eager_slots):
            np.testing.assert_allclose(d2l.numpy(slot), d2l.numpy(eager_slot), RTOL, ATOL)


def test_compiled_update_checks_its_input_like_the_eager_one(backend):
    optimizer = d2l.compile_update(d2l.adam(0.01))
    assert d2l.compile_update(optimizer) is optimizer
    params = (d2l.zeros((2, 3)),)
    with pytest.raises(ValueError, match="gradient of parameter 0 has shape"):
        optimizer.update((d2l.zeros(3),), optimizer.init(params), params)
    with pytest.raises(TypeError, match="an optimizer made by d2l"):
        d2l.compile_update(d2l.Optimizer("mine", None, None, {}))


def test_compiled_update_writes_the_state_in_place(backend, monkeypatch):
    """Where the backend's compiled step writes its state in place (PyTorch, TensorFlow), the slots
    the update is given are the buffers it writes: the next State holds the same tensors."""
    monkeypatch.setattr(_config, "_open_scopes", 0)  # as after d2l.set_backend(backend)
    monkeypatch.setattr(_config, "_global_backend", backend)
    optimizer = d2l.compile_update(d2l.momentum(0.1, 0.5))
    params, grads = (d2l.ones(4),), (d2l.ones(4),)
    params, state = optimizer.update(grads, optimizer.init(params), params)
    slot = state.slots[0][0]
    params, state = optimizer.update(grads, state, params)
    assert (state.slots[0][0] is slot) == _registry.facts(backend).COMPILED_STATE_IN_PLACE
    np.testing.assert_allclose(d2l.numpy(state.slots[0][0]), [1.5] * 4)
    np.testing.assert_allclose(d2l.numpy(params[0]), [1 - 0.1 - 0.15] * 4, RTOL)


def test_train_2d_compiled_gives_the_eager_trace(backend):
    f_grad = d2l.grad(O.elongated_2d, argnums=(0, 1))
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        eager = d2l.train_2d(d2l.adam(0.1), 30, f_grad)
        compiled = d2l.train_2d(d2l.adam(0.1), 30, f_grad, compiled=True)
    lines = printed.getvalue().splitlines()
    assert lines[0] == lines[1] and len(compiled) == 31
    np.testing.assert_allclose(np.array(compiled), np.array(eager), RTOL, ATOL)


def test_train_2d_compiled_needs_an_optimizer(backend):
    with pytest.raises(ValueError, match="compiled=True needs a d2l optimizer"):
        d2l.train_2d(lambda x1, x2, s1, s2: (x1, x2, s1, s2), 2, compiled=True)


def test_the_compiled_step_checks_what_the_eager_one_checks(backend):
    """Every step of training_step(compiled=True) checks the State, the structure and shapes and
    the scheduled rate, not only its first (eager) one; where a backend has no compiler (NumPy,
    MXNet) the same step runs eagerly."""
    f_grad = d2l.grad(O.elongated_2d, argnums=(0, 1))
    params = (d2l.tensor(1.0, "float64"), d2l.tensor(-1.0, "float64"))
    adam_step = d2l.training_step(d2l.adam(0.1), f_grad, compiled=True)
    _, adam_state = adam_step(params, d2l.adam(0.1).init(params))
    step = d2l.training_step(d2l.yogi(lambda t: 0.1 if t < 3 else float("nan")), f_grad, compiled=True)
    with pytest.raises(ValueError, match="yogi: this State was made by the adam optimizer"):
        step(params, adam_state)  # a State of another optimizer, on the first step
    state = d2l.yogi(0.1).init(params)
    for _ in range(3):  # the first step eager, then compiled
        params, state = step(params, state)
    with pytest.raises(ValueError, match="yogi: this State was made by the adam optimizer"):
        step(params, adam_state)
    with pytest.raises(ValueError, match="yogi: expected a State from init"):
        step(params, state.slots)
    with pytest.raises(ValueError, match=r"the State must have the structure of params \(2 parameters\), "
                                         r"got 1 values"):
        step(params, state._replace(slots=state.slots[:1]))
    wide = state._replace(slots=(state.slots[0], (d2l.zeros(2, "float64"),) * 2))
    with pytest.raises(ValueError, match=r"yogi: v of parameter 1 has shape \(2,\) but the parameter has "):
        step(params, wide)
    with pytest.raises(ValueError, match="training_step: .* must be a tuple or list of tensors, got a dict"):
        step({"x1": params[0], "x2": params[1]}, state)
    with pytest.raises(ValueError, match="yogi: the learning-rate schedule gave nan at step 3"):
        step(params, state)


def test_new_parameter_shapes_get_a_checked_eager_step(backend):
    """The gradients are checked for every new shape of the parameters before a compiled step
    uses them: here f_grad gives a gradient of shape () whatever the parameter's shape."""
    step = d2l.training_step(d2l.sgd(0.1), lambda x: (d2l.reduce_sum(x) * 2,), compiled=True)
    params, state = (d2l.tensor(1.0),), d2l.sgd(0.1).init((d2l.tensor(1.0),))
    for _ in range(2):
        params, state = step(params, state)
    np.testing.assert_allclose(d2l.to_float(params[0]), 0.64, RTOL)
    with pytest.raises(ValueError, match=r"sgd: gradient of parameter 0 has shape \(\) but the parameter "
                                         r"has \(2,\)"):
        step((d2l.tensor([1.0, 2.0]),), state)  # SGD's State (no slots) fits any shape


def test_a_scheduled_rate_of_0_keeps_the_parameters_on_the_compiled_path(backend):
    f_grad = d2l.grad(O.elongated_2d, argnums=(0, 1))
    optimizer = d2l.adam(lambda t: 0.0 if t == 1 else 0.1)
    step = d2l.training_step(optimizer, f_grad, compiled=True)
    params = (d2l.tensor(1.0, "float64"), d2l.tensor(-1.0, "float64"))
    params, state = step(params, optimizer.init(params))  # eager, at 0.1
    still, state = step(params, state)  # compiled, at 0
    assert state.t == 2
    assert [d2l.to_float(x) for x in still] == [d2l.to_float(x) for x in params]
    moved, state = step(still, state)
    assert all(d2l.to_float(a) != d2l.to_float(b) for a, b in zip(moved, still))
