"""Drivers that record optimisation traces in one and two dimensions (book: ``gd``, ``newton``,
``train_2d``).

The book computes these traces in Python floats, so they run in float64 (``TRACE_DTYPE``) on
every backend: that is what makes every printed number match the book's, digit for digit, on
every backend. A run that overflows stops at the first non-finite value; the returned
:class:`Trace` records where (``diverged_at``) and keeps the finite part, so it can still be
plotted.
"""
import functools
import math
import warnings

import numpy as np

from d2l_optim import ops
from d2l_optim._checks import check_count, check_rate
from d2l_optim.errors import SecondDerivativeUnsupported
from d2l_optim.optimizers import Optimizer, training_step

TRACE_DTYPE = "float64"


def _warn(message, stacklevel=3):
    """Issue a RuntimeWarning that shows as ``RuntimeWarning: message`` alone.

    Python would put the calling file and line in front, which in a notebook is a temporary kernel
    file (``/tmp/ipykernel_1234/567.py:3:``), meaningless on a web page. ``stacklevel`` still names
    the caller for warning filters.
    """
    default_format = warnings.formatwarning
    warnings.formatwarning = lambda message, category, *_: f"{category.__name__}: {message}\n"
    try:
        warnings.warn(message, RuntimeWarning, stacklevel=stacklevel)
    finally:
        warnings.formatwarning = default_format


class Trace(list):
    """The visited points, a list of floats (1-D) or of ``(x1, x2)`` tuples (2-D).

    ``diverged_at`` is the step whose result was not finite (that point is not in the list),
    or None for a run that stayed finite.
    """

    diverged_at = None


def _start(values, name):
    try:
        floats = [float(v) for v in values]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must hold {len(values)} numbers, got {values!r}") from None
    if not all(map(math.isfinite, floats)):
        raise ValueError(f"{name} must be finite, got {values!r}")
    return [ops.tensor(v, TRACE_DTYPE) for v in floats]


def _record(trace, step, floats):
    """Append the point (a tuple of floats) to ``trace``; return False (and mark the trace) if it is
    not finite."""
    if not all(map(math.isfinite, floats)):
        trace.diverged_at = step
        _warn(f"the run diverged: step {step} gave {floats}; the trace stops at step {step - 1}",
              stacklevel=4)
        return False
    trace.append(floats[0] if len(floats) == 1 else floats)
    return True


def _floats(values):
    return tuple(ops.to_float(v) for v in values)


def _report(trace, steps, names):
    point = trace[-1] if isinstance(trace[-1], tuple) else (trace[-1],)
    coordinates = ", ".join(f"{n}: {v:f}" for n, v in zip(names, point))
    if trace.diverged_at is None:
        print(f"epoch {steps}, {coordinates}")
    else:
        print(f"diverged at epoch {trace.diverged_at}; last finite point, epoch "
              f"{trace.diverged_at - 1}, {coordinates}")


def _iterate_1d(update, x0, num_epochs):
    check_count("num_epochs", num_epochs)
    (x,) = _start([x0], "x0")
    trace = Trace()
    _record(trace, 0, _floats([x]))
    for epoch in range(1, num_epochs + 1):
        x = update(x)
        if not _record(trace, epoch, _floats([x])):
            break
    _report(trace, num_epochs, ["x"])
    return trace


def gd(eta, f_grad, x0=10.0, num_epochs=10):
    """Gradient descent in one variable, x ← x − η f′(x), from ``x0``.

    Prints ``epoch N, x: ...`` and returns the :class:`Trace` of the ``num_epochs + 1`` values.
    """
    check_rate("eta", eta)
    return _iterate_1d(lambda x: x - eta * f_grad(x), x0, num_epochs)


def newton(f, eta=1.0, f_grad=None, f_hess=None, x0=10.0, num_epochs=10):
    """Newton's method in one variable, x ← x − η f′(x) / f″(x), from ``x0``.

    The derivatives come from autograd unless given. Where the backend cannot differentiate
    twice (MXNet), an :class:`~d2l_optim.objectives.Objective` falls back to its hand-written
    Hessian, with a warning saying so. Prints ``epoch N, x: ...`` and returns the trace.
    """
    check_rate("eta", eta)
    f_grad = f_grad or ops.grad(f)
    if f_hess is None:
        f_hess = ops.hessian(f)
        try:
            f_hess(ops.tensor(float(x0), TRACE_DTYPE))
        except SecondDerivativeUnsupported as error:
            if getattr(f, "hess", None) is None:
                raise
            _warn(f"{error}; Newton's method uses the hand-written Hessian of {f.name} "
                  f"({f.formula})")
            f_hess = f.hess
    return _iterate_1d(lambda x: x - eta * f_grad(x) / f_hess(x), x0, num_epochs)


def train_2d(trainer, steps=20, f_grad=None, x0=(-5.0, -2.0), compiled=False):
    """Run an optimizer on two variables for ``steps`` steps from ``x0`` (default (−5, −2)).

    ``trainer`` is an :class:`~d2l_optim.optimizers.Optimizer` (``f_grad(x1, x2) -> (g1, g2)`` is
    then required), or a function with the book's contract ``trainer(x1, x2, s1, s2[, f_grad]) ->
    (x1, x2, s1, s2)``, whose state ``s1, s2`` starts at 0. Prints ``epoch N, x1: ..., x2: ...``
    and returns the :class:`Trace` of the ``steps + 1`` points. An optimizer steps the point as one
    vector (x1, x2), half the tensor operations of two scalars for the same numbers, so its
    hyperparameters given as tensors must hold one number each (:func:`sweep_traces` runs a grid of
    them). With ``compiled`` (optimizers only), gradient and update run as one step compiled by the
    backend (TensorFlow: XLA; PyTorch: ``torch.compile``; see
    :func:`~d2l_optim.optimizers.training_step`). An optimizer's points come back from the framework
    :data:`POINTS_PER_TRANSFER` steps at a time, so a run that diverges may compute that many steps
    past its first non-finite point; the trace ends before it all the same.
    """
    check_count("steps", steps)
    if len(tuple(x0)) != 2:
        raise ValueError(f"x0 must be a pair (x1, x2), got {x0!r}")
    point = tuple(_start(x0, "x0"))
    if isinstance(trainer, Optimizer):
        if f_grad is None:
            raise ValueError(f"train_2d: the {trainer.name} optimizer needs f_grad, the gradient "
                             "function (x1, x2) -> (g1, g2), e.g. d2l.grad(f, argnums=(0, 1))")
        _check_one_run(trainer)
        params = (ops.stack(point),)  # one tensor to update, not two: half the optimizer's work
        state = trainer.init(params)
        gradient = _vector_gradient(f_grad)
        if compiled:
            train_step = training_step(trainer, gradient, compiled)
        else:  # params and state are made here, and gradient checks its result: nothing to check
            update = trainer.update

            def train_step(params, state):
                return update.unchecked(params, state, gradient(*params))

        points = _optimizer_points(train_step, params, state, steps)
    elif compiled:
        raise ValueError("train_2d: compiled=True needs a d2l optimizer (d2l.adam(0.01), ...), not "
                         f"a book trainer function ({getattr(trainer, '__name__', trainer)!r:.60})")
    else:
        points = _book_points(trainer, point, () if f_grad is None else (f_grad,), steps)

    trace = Trace()
    _record(trace, 0, _floats(point))
    for step, floats in enumerate(points, 1):
        if not _record(trace, step, floats):
            break
    _report(trace, steps, ["x1", "x2"])
    return trace


#: train_2d turns an optimizer's points into floats this many steps at a time (one transfer from the
#: framework a chunk, not a step); a diverging run computes at most this many steps past its first
#: non-finite point, which ends the trace
POINTS_PER_TRANSFER = 100


def _optimizer_points(train_step, params, state, steps):
    """The points after steps 1, 2, ..., ``steps`` of ``train_step`` as pairs of floats. A step that
    raises gives the points before it first: where one of them is not finite, the run has diverged
    there and ends without the error (a gradient function may refuse a non-finite point)."""
    pending = []
    for step in range(1, steps + 1):
        try:
            params, state = train_step(params, state)
        except Exception:
            yield from _as_floats(pending)
            raise
        pending.append(params[0])
        if len(pending) == POINTS_PER_TRANSFER or step == steps:
            yield from _as_floats(pending)
            pending = []


def _as_floats(points):
    """The tensors ``points``, each a vector (x1, x2), as pairs of floats (one transfer for all)."""
    return map(tuple, ops.numpy(ops.stack(points)).tolist()) if points else ()


def _book_points(trainer, point, extra, steps):
    """The points after steps 1, 2, ..., ``steps`` of a book trainer ``(x1, x2, s1, s2[, f_grad]) ->
    (x1, x2, s1, s2)`` from ``point``, its state starting at 0, as pairs of floats."""
    book_state = (0.0, 0.0)
    for _ in range(steps):
        x1, x2, *book_state = trainer(*point, *book_state, *extra)
        point = (x1, x2)
        yield _floats(point)


def _check_one_run(optimizer):
    """Raise ``ValueError`` if a hyperparameter of ``optimizer`` is a tensor of several numbers (or
    of more than one axis): train_2d runs one trace, stepping the point as one vector (x1, x2)."""
    for name, value in optimizer.hyperparams.items():
        if ops.family(value) is not None and (ops.size(value) != 1 or len(ops.shape(value)) > 1):
            raise ValueError(f"train_2d runs one trace, so the {optimizer.name} optimizer's {name} must be "
                             f"one number, got a tensor of shape {ops.shape(value)}; d2l.sweep_traces runs "
                             f"a grid of hyperparameters at once")


def _vector_gradient(f_grad):
    """``f_grad(x1, x2) -> (g1, g2)`` as the gradient of the point held as one vector: ``x -> (g,)``,
    g = (g1, g2) in x's dtype (a ValueError unless f_grad gives two numbers). Where f_grad is
    ``d2l.grad(f, argnums=(0, 1))``, g is the gradient of x ↦ f(x[0], x[1]): the same numbers from
    one differentiated input instead of two, and of x's shape and dtype by construction."""
    argnums, f = getattr(f_grad, "argnums", None), getattr(f_grad, "function", None)
    if isinstance(argnums, (tuple, list)) and tuple(argnums) == (0, 1) and callable(f):
        vector_grad = ops.grad(functools.wraps(f)(lambda x: f(*ops.unstack(x))))
        return lambda x: (vector_grad(x),)

    def gradient(x):
        grads = f_grad(*ops.unstack(x))
        if not (isinstance(grads, (tuple, list)) and len(grads) == 2):
            raise ValueError(f"train_2d: f_grad must return the gradient (g1, g2); got {_describe(grads)}")
        g1, g2 = grads
        if getattr(g1, "ndim", 0) or getattr(g2, "ndim", 0):
            raise ValueError(f"train_2d: f_grad must return one number for each of x1 and x2; got "
                             f"{_describe(grads)}")
        if getattr(g1, "dtype", None) is None or getattr(g2, "dtype", None) is None:
            g1, g2 = ops.cast(g1, TRACE_DTYPE), ops.cast(g2, TRACE_DTYPE)  # numbers: in float64 at once
        g = ops.stack([g1, g2])
        return (g if g.dtype == x.dtype else ops.cast(g, ops.dtype(x)),)

    return gradient


def _describe(grads):
    """What f_grad returned, in words: its type, or its values' shapes."""
    if not isinstance(grads, (tuple, list)):
        return f"a {type(grads).__name__}"
    shapes = ", ".join(str(tuple(g.shape)) if hasattr(g, "shape") else f"a {type(g).__name__}" for g in grads)
    return f"{len(grads)} values ({shapes})"


def _batched_run(optimizer, f, runs, steps, x0, keep_path):
    """The points of ``runs`` copies of one run of ``optimizer`` from ``x0``, all at once: each variable
    is a vector with one entry per run. Returns every point visited (``keep_path``) or the last one."""
    check_count("steps", steps)
    point = tuple(ops.tensor(np.full(runs, float(v)), TRACE_DTYPE) for v in x0)
    f_grad = ops.grad(lambda *xs: ops.reduce_sum(f(*xs)), tuple(range(len(point))))
    state = optimizer.init(point)
    path = [point]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            point, state = optimizer.update(f_grad(*point), state, point)
            if keep_path:
                path.append(point)
    return path if keep_path else point


def lr_sweep(make_optimizer, f, lrs, steps=20, x0=(-5.0, -2.0)):
    """Final values of f after ``steps`` steps of ``make_optimizer(lr)``, for every lr in ``lrs``.

    All runs go at once: each variable is a vector holding one run per learning rate, and the
    learning rate a vector of the same length, so one batched optimisation replaces a loop over
    runs. Returns a NumPy array (``inf`` or ``nan`` where a run overflowed).
    """
    if len(lrs) == 0:
        raise ValueError("lr_sweep needs at least one learning rate")
    optimizer = make_optimizer(ops.tensor(lrs, TRACE_DTYPE))
    point = _batched_run(optimizer, f, len(lrs), steps, x0, keep_path=False)
    with np.errstate(over="ignore", invalid="ignore"):
        return ops.numpy(f(*point))


def sweep_traces(make_optimizer, f, grid, steps=20, x0=(-5.0, -2.0)):
    """Every point visited by ``make_optimizer(**hyperparameters)`` over a grid of hyperparameters.

    ``grid`` maps keyword -> sequence of values, all of one length n; run i uses the i-th value of
    each (``{"lr": [0.1, 0.4], "beta": [0.5, 0.5]}``). As in :func:`lr_sweep` the n runs go at once,
    the hyperparameters as vectors. Returns a NumPy array of shape (n, steps + 1, len(x0)): run i's
    points x⁽⁰⁾ = x0, ..., x⁽ˢᵗᵉᵖˢ⁾ (``inf`` or ``nan`` from where a run overflowed).
    """
    lengths = {name: len(values) for name, values in grid.items()}
    if not lengths or set(lengths.values()) == {0} or len(set(lengths.values())) != 1:
        raise ValueError(f"sweep_traces needs a grid of hyperparameters, each a non-empty sequence of "
                         f"the same length; got lengths {lengths}")
    optimizer = make_optimizer(**{name: ops.tensor(values, TRACE_DTYPE) for name, values in grid.items()})
    path = _batched_run(optimizer, f, next(iter(lengths.values())), steps, x0, keep_path=True)
    return np.array([[ops.numpy(x) for x in point] for point in path]).transpose(2, 0, 1)
