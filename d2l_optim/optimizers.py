"""The chapter's optimizers, each written once on the shim as a pure pair of functions.

``opt = d2l.adam(lr=0.01)`` gives an :class:`Optimizer`; ``state = opt.init(params)`` builds its
state and ``params, state = opt.update(grads, state, params)`` applies one step, returning new
tensors and leaving the old ones untouched (no in-place writes, so no ``tf.Variable.assign`` or
``p[:] -=``). ``params`` and ``grads`` are sequences of tensors of one backend. The rules are the
book's, with its hyperparameters and ε placement; the book's TensorFlow-tab bugs in Adam and Yogi
(ε added to the parameter, a step counter that never advances) are not reproduced.

Any learning rate may be a Python number or a tensor that broadcasts against the parameters, so
a whole grid of learning rates runs as one batched optimisation. ``schedule``, where accepted, is a
function of the update number t = 1, 2, ... whose value multiplies the learning rate.
"""
from typing import Callable, NamedTuple

import numpy as np

from d2l_optim import ops
from d2l_optim._checks import check_decay, check_positive, check_range


class State(NamedTuple):
    """An optimizer's state: ``t`` updates done so far, and per parameter its accumulators."""

    t: int
    slots: tuple


class Optimizer(NamedTuple):
    """A named pair ``init(params) -> State`` and ``update(grads, state, params) -> (params, state)``."""

    name: str
    init: Callable
    update: Callable
    hyperparams: dict


def _make(name, slot_names, rule, hyperparams, lr=None, schedule=None):
    """Build an Optimizer from ``rule(x, g, slots, lr_t, t) -> (x, slots)`` for one parameter."""

    def init(params):
        params = tuple(params)
        for i, p in enumerate(params):
            if not np.isfinite(ops.numpy(p)).all():
                raise ValueError(f"{name}: parameter {i} has non-finite values; start from finite ones")
        return State(0, tuple(tuple(ops.zeros_like(p) for _ in slot_names) for p in params))

    def update(grads, state, params):
        params, grads = tuple(params), tuple(grads)
        if not isinstance(state, State) or len(grads) != len(params) or len(state.slots) != len(params):
            raise ValueError(f"{name}: expected {len(params)} gradients and a State from init() for "
                             f"{len(params)} parameters, got {len(grads)} gradients and {state!r:.80}")
        t = state.t + 1
        lr_t = None if lr is None else (lr if schedule is None else lr * schedule(t))
        new_params, new_slots = [], []
        for i, (x, g, slots) in enumerate(zip(params, grads, state.slots)):
            for label, value in [("gradient", g)] + list(zip(slot_names, slots)):
                if ops.shape(value) != ops.shape(x):
                    raise ValueError(f"{name}: {label} of parameter {i} has shape "
                                     f"{ops.shape(value)} but the parameter has {ops.shape(x)}; "
                                     f"build the state with init(params)")
            x_new, slots = rule(x, g, slots, lr_t, t)
            dtype = ops.dtype(x)
            new_params.append(_as_dtype(x_new, dtype))
            new_slots.append(tuple(_as_dtype(s, dtype) for s in slots))
        return tuple(new_params), State(t, tuple(new_slots))

    return Optimizer(name, init, update, dict(hyperparams))


def _as_dtype(value, dtype):
    """``value`` in the parameter's dtype (NumPy 1.x promotes 0-d float32 by Python floats)."""
    return value if ops.dtype(value) == dtype else ops.cast(value, dtype)


def sgd(lr, schedule=None):
    """(Stochastic) gradient descent: x ← x − η_t g, with η_t = lr · schedule(t)."""
    check_positive("lr", lr)
    return _make("sgd", (), lambda x, g, slots, lr_t, t: (x - lr_t * g, ()),
                 {"lr": lr}, lr, schedule)


def momentum(lr, beta, schedule=None):
    """Momentum (heavy ball): v ← β v + g;  x ← x − η_t v  (v starts at 0)."""
    check_positive("lr", lr)
    check_decay("beta", beta)

    def rule(x, g, slots, lr_t, t):
        (v,) = slots
        v = beta * v + g
        return x - lr_t * v, (v,)

    return _make("momentum", ("v",), rule, {"lr": lr, "beta": beta}, lr, schedule)


def adagrad(lr, eps=1e-6, schedule=None):
    """Adagrad: s ← s + g²;  x ← x − η_t / √(s + ε) · g  (ε inside the root, s starts at 0)."""
    check_positive("lr", lr)
    check_positive("eps", eps)

    def rule(x, g, slots, lr_t, t):
        (s,) = slots
        s = s + g * g
        return x - lr_t / ops.sqrt(s + eps) * g, (s,)

    return _make("adagrad", ("s",), rule, {"lr": lr, "eps": eps}, lr, schedule)


def rmsprop(lr, gamma=0.9, eps=1e-6, schedule=None, eps_in_sqrt=True):
    """RMSProp: s ← γ s + (1 − γ) g²;  x ← x − η_t / √(s + ε) · g  (ε inside the root).

    ``eps_in_sqrt=False`` puts ε outside instead, x ← x − η_t g / (√s + ε): not the book's rule, but
    the one ``torch.optim.RMSprop`` applies (see ``d2l_optim.equivalence``).
    """
    check_positive("lr", lr)
    check_decay("gamma", gamma)
    check_positive("eps", eps)

    def rule(x, g, slots, lr_t, t):
        (s,) = slots
        s = gamma * s + (1 - gamma) * g * g
        root = ops.sqrt(s + eps) if eps_in_sqrt else ops.sqrt(s) + eps
        return x - lr_t / root * g, (s,)

    hyperparams = {"lr": lr, "gamma": gamma, "eps": eps, "eps_in_sqrt": eps_in_sqrt}
    return _make("rmsprop", ("s",), rule, hyperparams, lr, schedule)


def adadelta(rho=0.9, eps=1e-5):
    """Adadelta (no learning rate): s ← ρ s + (1 − ρ) g²;  g′ = √(Δ + ε) / √(s + ε) · g;
    x ← x − g′;  Δ ← ρ Δ + (1 − ρ) g′²  (s and Δ start at 0)."""
    check_decay("rho", rho)
    check_positive("eps", eps)

    def rule(x, g, slots, lr_t, t):
        s, delta = slots
        s = rho * s + (1 - rho) * g * g
        g_rescaled = ops.sqrt(delta + eps) / ops.sqrt(s + eps) * g
        delta = rho * delta + (1 - rho) * g_rescaled * g_rescaled
        return x - g_rescaled, (s, delta)

    return _make("adadelta", ("s", "delta"), rule, {"rho": rho, "eps": eps})


def _adam_like(name, second_moment, lr, beta1, beta2, eps, schedule):
    check_positive("lr", lr)
    check_decay("beta1", beta1)
    check_decay("beta2", beta2)
    check_positive("eps", eps)

    def rule(x, g, slots, lr_t, t):
        v, s = slots
        v = beta1 * v + (1 - beta1) * g
        s = second_moment(s, g * g)
        v_hat = v / (1 - beta1**t)
        s_hat = s / (1 - beta2**t)
        return x - lr_t * v_hat / (ops.sqrt(s_hat) + eps), (v, s)

    hyperparams = {"lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps}
    return _make(name, ("v", "s"), rule, hyperparams, lr, schedule)


def adam(lr, beta1=0.9, beta2=0.999, eps=1e-6, schedule=None):
    """Adam: v ← β₁ v + (1 − β₁) g;  s ← β₂ s + (1 − β₂) g²;  v̂ = v / (1 − β₁ᵗ), ŝ = s / (1 − β₂ᵗ);
    x ← x − η_t v̂ / (√ŝ + ε)  (ε outside the root, t = 1, 2, ...)."""
    return _adam_like("adam", lambda s, g2: beta2 * s + (1 - beta2) * g2,
                      lr, beta1, beta2, eps, schedule)


def yogi(lr, beta1=0.9, beta2=0.999, eps=1e-3, schedule=None):
    """Yogi: Adam with the second moment s ← s + (1 − β₂) g² ⊙ sign(g² − s) (sign(0) = 0),
    which moves s towards g² by at most (1 − β₂) g² per step; ε = 10⁻³ by default."""
    return _adam_like("yogi", lambda s, g2: s + (1 - beta2) * g2 * ops.sign(g2 - s),
                      lr, beta1, beta2, eps, schedule)


def with_gradient_noise(f_grad, std=1.0):
    """``f_grad`` with N(0, std²) noise added to every gradient coordinate.

    The noise comes from the shared seeded generator (``d2l.seed``), so every backend sees the same
    numbers. It simulates the stochastic gradients of the book's sgd section.
    """
    check_range("std", std, 0.0, low_open=False)

    def noisy(*args):
        grads = f_grad(*args)
        many = isinstance(grads, tuple)
        noisy_grads = tuple(g + ops.normal(ops.shape(g), 0.0, std, dtype=ops.dtype(g))
                            for g in (grads if many else (grads,)))
        return noisy_grads if many else noisy_grads[0]

    return noisy
