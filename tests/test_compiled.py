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
