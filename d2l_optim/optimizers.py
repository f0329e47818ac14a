"""The chapter's optimizers, each written once on the shim as a pure pair of functions.

``opt = d2l.adam(lr=0.01)`` gives an :class:`Optimizer`; ``state = opt.init(params)`` builds its
state and ``params, state = opt.update(grads, state, params)`` applies one step, returning new
tensors and leaving the old ones untouched (no in-place writes, so no ``tf.Variable.assign`` or
``p[:] -=``). The rules are the book's, with its hyperparameters and ε placement; the book's
TensorFlow-tab bugs in Adam and Yogi (ε added to the parameter, a step counter that never
advances) are not reproduced.

``params`` is a tuple or a list of float tensors of the active backend, or a dict name -> tensor;
``update`` takes ``grads`` in the same structure (same length, or same names) and returns the new
parameters in it. Anything else (a single tensor, a generator, ...) raises ``ValueError``. A
``State`` records the optimizer that made it; another optimizer refuses it.

One learning-rate convention, as in optax: ``lr`` is a number >= 0, a tensor of them that
broadcasts against the parameters (so a whole grid of learning rates runs as one batched
optimisation), or a *schedule*: a function of the step returning the learning rate itself. The
step a schedule receives is the number of updates done before this one: 0, 1, 2, ... (so the
first update uses ``lr(0)``); ``d2l.SquareRootScheduler(0.1)`` and the other schedules of
:mod:`d2l_optim.schedules` are such functions. One domain for every rate, constant or scheduled:
a rate of 0 is a step that leaves the parameters as they are (the state still advances, as in
every framework: a warm-up may start at 0); a scheduled value that is not a finite number >= 0
raises ``ValueError`` naming the step. Gradients are used in the parameter's dtype, and the new
parameters and state keep it.
"""
import math
import numbers
from typing import Callable, NamedTuple

import numpy as np

from d2l_optim import _config, ops
from d2l_optim._checks import (
    check_decay,
    check_learning_rate,
    check_positive,
    check_range,
    is_rate,
    is_schedule,
)

PARAMS_ACCEPTED = "a tuple or list of tensors, or a dict name -> tensor"


class State(NamedTuple):
    """An optimizer's state: ``t`` updates done so far, per parameter its accumulators (``slots``:
    a tuple of per-parameter tuples, or a dict name -> tuple for dict parameters) and the name of
    the ``optimizer`` that made it."""

    t: int
    slots: object
    optimizer: str


class Optimizer(NamedTuple):
    """A named pair ``init(params) -> State`` and ``update(grads, state, params) -> (params, state)``."""

    name: str
    init: Callable
    update: Callable
    hyperparams: dict


def _entries(params, what, name):
    """``(names, values)`` of a tuple/list (names None) or a dict of tensors; else ValueError."""
    if type(params) is tuple:
        return None, params
    if isinstance(params, dict):
        return tuple(params), tuple(params.values())
    if isinstance(params, (tuple, list)):
        return None, tuple(params)
    kind = "a single tensor" if ops.family(params) is not None else f"a {type(params).__name__}"
    hint = "; wrap a single tensor x as (x,)" if ops.family(params) is not None else ""
    raise ValueError(f"{name}: {what} must be {PARAMS_ACCEPTED}, got {kind}{hint}")


def _aligned(tree, names, count, what, name):
    """The values of ``tree`` in the order of the parameters: by name for a dict, else by position;
    a ``ValueError`` if its structure is not that of the parameters."""
    if names is None and type(tree) is tuple and len(tree) == count:
        return tree
    tree_names, values = _entries(tree, what, name)
    if tree_names is None and names is None and len(values) == count:
        return values
    if tree_names is not None and names is not None and set(tree_names) == set(names):
        return values if tree_names == names else tuple(tree[key] for key in names)
    expected = f"{count} parameters" if names is None else f"the parameters {list(names)}"
    found = f"{len(values)} values" if tree_names is None else f"the names {list(tree_names)}"
    raise ValueError(f"{name}: {what} must have the structure of params ({expected}), got {found}; "
                     f"build the state with init(params)")


def _rebuild(like, names, values):
    """``values`` in the structure of ``like`` (a list, a tuple or a dict)."""
    if names is not None:
        return dict(zip(names, values))
    return list(values) if isinstance(like, list) else tuple(values)


def _label(names, i):
    return f"parameter {i}" if names is None else f"parameter {names[i]!r}"


def _make(name, slot_names, rule, hyperparams, lr=None):
    """Build an Optimizer from ``rule(x, g, slots, lr_t, t) -> (x, slots)`` for one parameter."""
    schedule = lr if is_schedule(lr) else None

    def learning_rate(step):
        if schedule is None:
            return lr
        value = schedule(step)
        if not (type(value) is float and 0 <= value < math.inf or is_rate(value)):  # a float passes at once
            raise ValueError(f"{name}: the learning-rate schedule gave {value!r:.40} at step {step}; a "
                             f"schedule must return a finite number >= 0")
        return value

    def init(params):
        names, values = _entries(params, "params", name)
        for i, p in enumerate(values):
            if not ops.is_tensor(p):
                raise ValueError(f"{name}: {_label(names, i)} is a {type(p).__name__}, not a tensor of "
                                 f"the {_config.get_backend()} backend; make it with d2l.tensor(...)")
            if ops.dtype(p) not in _config.FLOAT_DTYPES:
                raise ValueError(f"{name}: {_label(names, i)} has dtype {ops.dtype(p)}; parameters must "
                                 f"be float32 or float64 (d2l.tensor(x) converts)")
            if not np.isfinite(ops.numpy(p)).all():
                raise ValueError(f"{name}: {_label(names, i)} has non-finite values; start from finite ones")
        slots = [tuple(ops.zeros_like(p) for _ in slot_names) for p in values]
        return State(0, _rebuild((), names, slots), name)

    return Optimizer(name, init, _Update(name, slot_names, learning_rate, _applier(rule)), dict(hyperparams))


def _applier(rule):
    """``apply(params, slots, grads, lr_t, t) -> (params, slots)``: ``rule`` on every parameter, in
    the parameter's dtype (NumPy 1.x promotes 0-d float32 by Python floats), with no checks."""

    def apply(params, slots, grads, lr_t, t):
        new_params, new_slots = [], []
        for x, x_slots, g in zip(params, slots, grads):
            dtype = x.dtype
            # a tensor rate is used in the parameter's dtype (TensorFlow and MXNet do not mix them)
            lr_x = lr_t if getattr(lr_t, "dtype", dtype) == dtype else ops.cast(lr_t, ops.dtype(x))
            x_new, x_slots = rule(x, g, x_slots, lr_x, t)
            same = x_new.dtype == dtype
            for slot in x_slots:
                same = same and slot.dtype == dtype
            if not same:
                x_new, x_slots = _cast(x_new, x), tuple(_cast(s, x) for s in x_slots)
            new_params.append(x_new)
            new_slots.append(x_slots)
        return tuple(new_params), tuple(new_slots)

    return apply


def _cast(value, x):
    """``value`` in the dtype of ``x``."""
    return value if value.dtype == x.dtype else ops.cast(value, ops.dtype(x))


class _Update:
    """An optimizer's ``update(grads, state, params) -> (params, state)``: it checks the structure,
    the State and the shapes, works out the step's learning rate and counter, and runs the tensor
    math ``apply(params, slots, grads, lr_t, t)``, eagerly or as ``compiled`` by the backend."""

    def __init__(self, name, slot_names, learning_rate, apply, compiled=None):
        self.name, self.slot_names, self.learning_rate = name, slot_names, learning_rate
        self.apply, self.compiled = apply, compiled
        self.run = compiled or apply

    def __call__(self, grads, state, params):
        names, values, slot_values = self.check_state(state, params)
        grad_values = self.check_grads(grads, names, values)
        return self.result(params, names, values, *self.advance(values, slot_values, grad_values, state.t))

    def unchecked(self, params, state, grads):
        """``update(grads, state, params)`` for a tuple ``params``, a State of this optimizer with
        their slots and gradients of their shapes, none of which it checks (the learning rate it
        does): the step of a loop that made all three itself."""
        return self.result(params, None, params, *self.advance(params, state.slots, grads, state.t))

    def advance(self, values, slot_values, grad_values, t):
        """``(new_params, new_slots, lr_t, t + 1)``: update ``t + 1`` of the tuples of parameter,
        slot and gradient values at the learning rate of step ``t``."""
        lr_t = self.learning_rate(t)
        return (*self.run(values, slot_values, grad_values, lr_t, t + 1), lr_t, t + 1)

    def check_state(self, state, params):
        """``(names, values, slot_values)`` of ``params`` and ``state``; a ValueError unless ``state``
        is a State of this optimizer whose slots have the structure and shapes of ``params``."""
        name = self.name
        names, values = _entries(params, "params", name)
        if not isinstance(state, State):
            raise ValueError(f"{name}: expected a State from init(), got {state!r:.80}")
        if state.optimizer != name:
            raise ValueError(f"{name}: this State was made by the {state.optimizer} optimizer; build "
                             f"the state of {name} with its own init(params)")
        slot_values = _aligned(state.slots, names, len(values), "the State", name)
        for i, (x, slots) in enumerate(zip(values, slot_values)):
            shape = getattr(x, "shape", None)
            for label, slot in zip(self.slot_names, slots):
                if getattr(slot, "shape", ()) != shape:
                    self._shape_error(names, i, x, label, slot)
        return names, values, slot_values

    def check_grads(self, grads, names, values):
        """The gradients in the order of ``values``, each in its parameter's dtype; a ValueError
        unless they have the structure and shapes of the parameters."""
        grad_values = _aligned(grads, names, len(values), "grads", self.name)
        for i, (x, g) in enumerate(zip(values, grad_values)):
            if getattr(g, "shape", ()) != getattr(x, "shape", None):
                self._shape_error(names, i, x, "gradient", g)
            if getattr(g, "dtype", None) != x.dtype:  # gradients are used in the parameter's dtype
                grad_values = grad_values[:i] + (ops.cast(g, ops.dtype(x)),) + grad_values[i + 1:]
        return grad_values

    def result(self, params, names, values, new_params, new_slots, lr_t, t):
        """``(params, State)`` after update ``t``, in the structure of ``params``; at a rate of 0 the
        parameters stay as they are (the state advances)."""
        if (type(lr_t) is float or isinstance(lr_t, numbers.Real)) and lr_t == 0:  # a float passes at once
            new_params = values
        if params is values:  # a tuple: the result is the step's tuples as they are
            return new_params, State(t, new_slots, self.name)
        return _rebuild(params, names, new_params), State(t, _rebuild((), names, new_slots), self.name)

    def _shape_error(self, names, i, x, label, value):
        """Raise the ValueError naming the gradient or slot whose shape is not the parameter's."""
        raise ValueError(f"{self.name}: {label} of {_label(names, i)} has shape {ops.shape(value)} but "
                         f"the parameter has {ops.shape(x)}; build the state with init(params)")


def _checked(optimizer, caller):
    if not isinstance(optimizer, Optimizer) or not isinstance(optimizer.update, _Update):
        raise TypeError(f"{caller}: expected an optimizer made by d2l (d2l.sgd, d2l.adam, ...), "
                        f"got {optimizer!r:.80}")
    return optimizer.update


def compile_update(optimizer):
    """``optimizer`` with its update compiled by the active backend: XLA
    (``tf.function(jit_compile=True)``) on TensorFlow, ``torch.compile`` on PyTorch; NumPy and MXNet
    have no compiler here and run the eager update.

    The compiled update checks its inputs as the eager one does and gives its numbers to float32
    rounding (the step counter and learning rate enter as tensors). It writes the new state into
    the buffers of the State it is given and returns them in the new State, so a step needs at most
    one extra copy of the parameters: keep using the returned State only. The first call compiles
    (seconds; on PyTorch the first in a fresh environment, about a minute); later calls with the
    same shapes and dtypes reuse it.
    """
    update = _checked(optimizer, "compile_update")
    if update.compiled:
        return optimizer
    compiled = _config.current().compile_step(update.apply)
    return optimizer._replace(update=_Update(update.name, update.slot_names, update.learning_rate,
                                             update.apply, compiled))


def training_step(optimizer, f_grad, compiled=False):
    """``step(params, state) -> (params, state)``: the gradients ``f_grad(*params)`` (a tuple, one per
    parameter) and one update by ``optimizer`` of the tuple (or list) ``params``.

    With ``compiled``, gradient and update run as one function compiled by the backend (see
    :func:`compile_update`), checked as the eager update is: the State and the structure and shapes
    of the parameters on every step, the learning rate on every step, and the gradients by an eager
    step whenever parameters of new shapes or dtypes come in (the first step, for one), after which
    the compiled function gives gradients of the shapes checked.
    """
    update = _checked(optimizer, "training_step")

    def eager(params, state):
        return update(f_grad(*_positional(params, update.name)), state, params)

    if not compiled:
        return eager
    run = _config.current().compile_step(
        lambda params, slots, lr_t, t: update.apply(params, slots, tuple(f_grad(*params)), lr_t, t))
    checked = set()  # the shapes and dtypes of the parameters whose gradients an eager step checked

    def step(params, state):
        names, values, slot_values = update.check_state(state, _positional(params, update.name))
        signature = tuple((tuple(x.shape), x.dtype) for x in values)
        if signature not in checked:
            result = eager(params, state)
            checked.add(signature)
            return result
        lr_t, t = update.learning_rate(state.t), state.t + 1
        new_params, new_slots = run(values, slot_values, lr_t, t)
        return update.result(params, names, values, new_params, new_slots, lr_t, t)

    return step


def _positional(params, name):
    """``params``, which must be a tuple or list: ``f_grad`` takes them as its arguments."""
    if isinstance(params, (tuple, list)):
        return params
    raise ValueError(f"training_step: the {name} step passes params to f_grad as its arguments, so they "
                     f"must be a tuple or list of tensors, got a {type(params).__name__}")


def sgd(lr):
    """(Stochastic) gradient descent: x ← x − η_t g, η_t = lr, or lr(step) for a schedule."""
    check_learning_rate(lr)
    return _make("sgd", (), lambda x, g, slots, lr_t, t: (x - lr_t * g, ()), {"lr": lr}, lr)


def momentum(lr, beta):
    """Momentum (heavy ball): v ← β v + g;  x ← x − η_t v  (v starts at 0)."""
    check_learning_rate(lr)
    check_decay("beta", beta)

    def rule(x, g, slots, lr_t, t):
        (v,) = slots
        v = beta * v + g
        return x - lr_t * v, (v,)

    return _make("momentum", ("v",), rule, {"lr": lr, "beta": beta}, lr)


def adagrad(lr, eps=1e-6):
    """Adagrad: s ← s + g²;  x ← x − η_t / √(s + ε) · g  (ε inside the root, s starts at 0)."""
    check_learning_rate(lr)
    check_positive("eps", eps)

    def rule(x, g, slots, lr_t, t):
        (s,) = slots
        s = s + g * g
        return x - lr_t / ops.sqrt(s + eps) * g, (s,)

    return _make("adagrad", ("s",), rule, {"lr": lr, "eps": eps}, lr)


def rmsprop(lr, gamma=0.9, eps=1e-6, eps_in_sqrt=True):
    """RMSProp: s ← γ s + (1 − γ) g²;  x ← x − η_t / √(s + ε) · g  (ε inside the root).

    ``eps_in_sqrt=False`` puts ε outside instead, x ← x − η_t g / (√s + ε): not the book's rule, but
    the one ``torch.optim.RMSprop`` applies (see ``d2l_optim.equivalence``).
    """
    check_learning_rate(lr)
    check_decay("gamma", gamma)
    check_positive("eps", eps)

    def rule(x, g, slots, lr_t, t):
        (s,) = slots
        s = gamma * s + (1 - gamma) * g * g
        root = ops.sqrt(s + eps) if eps_in_sqrt else ops.sqrt(s) + eps
        return x - lr_t / root * g, (s,)

    hyperparams = {"lr": lr, "gamma": gamma, "eps": eps, "eps_in_sqrt": eps_in_sqrt}
    return _make("rmsprop", ("s",), rule, hyperparams, lr)


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


def _adam_like(name, second_moment, lr, beta1, beta2, eps):
    check_learning_rate(lr)
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
    return _make(name, ("v", "s"), rule, hyperparams, lr)


def adam(lr, beta1=0.9, beta2=0.999, eps=1e-6):
    """Adam: v ← β₁ v + (1 − β₁) g;  s ← β₂ s + (1 − β₂) g²;  v̂ = v / (1 − β₁ᵗ), ŝ = s / (1 − β₂ᵗ);
    x ← x − η_t v̂ / (√ŝ + ε)  (ε outside the root, t = 1, 2, ...)."""
    return _adam_like("adam", lambda s, g2: beta2 * s + (1 - beta2) * g2,
                      lr, beta1, beta2, eps)


def yogi(lr, beta1=0.9, beta2=0.999, eps=1e-3):
    """Yogi: Adam with the second moment s ← s + (1 − β₂) g² ⊙ sign(g² − s) (sign(0) = 0),
    which moves s towards g² by at most (1 − β₂) g² per step; ε = 10⁻³ by default."""
    return _adam_like("yogi", lambda s, g2: s + (1 - beta2) * g2 * ops.sign(g2 - s),
                      lr, beta1, beta2, eps)


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
