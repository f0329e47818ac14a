"""Training on real data, written once on the shim (book: ``Timer``, ``Accumulator``, ``linreg``,
``squared_loss``, ``evaluate_loss``, ``train_ch11``).

The book writes its from-scratch optimizers three times: PyTorch and MXNet update parameters in
place from their attached ``.grad``, TensorFlow assigns to Variables. Here they are written once,
on :class:`Variable`: a holder whose ``.data`` a trainer replaces and whose ``.grad`` holds the
last minibatch's gradient (from the backend's autograd). A book trainer keeps the book's name and
signature, ``trainer_fn(params, states, hyperparams)``::

    def sgd(params, states, hyperparams):
        for p in params:
            p.data = p.data - hyperparams["lr"] * p.grad
"""
import math
import time
import warnings

import numpy as np

from d2l_optim import ops
from d2l_optim._checks import check_count
from d2l_optim.data import ArrayLoader
from d2l_optim.optimizers import Optimizer
from d2l_optim.plotting import Animator


class Timer:
    """A stopwatch that records intervals (book: ``d2l.Timer``); it starts when created."""

    def __init__(self):
        self.times = []
        self.start()

    def start(self):
        """Start an interval."""
        self._started = time.perf_counter()

    def stop(self):
        """End the interval, record its seconds and return them."""
        self.times.append(time.perf_counter() - self._started)
        return self.times[-1]

    def avg(self):
        """Mean seconds per recorded interval."""
        if not self.times:
            raise ValueError("Timer.avg: no interval recorded yet; call stop() first")
        return self.sum() / len(self.times)

    def sum(self):
        """Total seconds of the recorded intervals."""
        return float(sum(self.times))

    def cumsum(self):
        """Running totals of the recorded intervals, as a list of seconds."""
        return np.cumsum(self.times).tolist()


class Accumulator:
    """Sums over ``n`` variables (book: ``d2l.Accumulator``): ``add(*values)``, ``reset()``,
    ``acc[i]``. Values may be numbers or one-number tensors of any backend."""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        """Add one value to each of the ``n`` sums."""
        if len(args) != len(self.data):
            raise ValueError(f"Accumulator.add: expected {len(self.data)} values, got {len(args)}")
        self.data = [total + ops.to_float(value) for total, value in zip(self.data, args)]

    def reset(self):
        """Set every sum back to 0."""
        self.data = [0.0] * len(self.data)

    def __getitem__(self, index):
        return self.data[index]


class Variable:
    """A tensor that training replaces step by step: ``.data`` is its value and, for a parameter,
    ``.grad`` the gradient of the last minibatch's loss (None before the first). Optimizer states
    are Variables too, so a book trainer updates both the same way: ``v.data = ...``."""

    def __init__(self, data):
        self.data = data
        self.grad = None

    def __repr__(self):
        return f"Variable({self.data!r})"


def linreg(X, w, b):
    """The linear model Xw + b."""
    return ops.matmul(X, w) + b


def squared_loss(y_hat, y):
    """(ŷ − y)²/2 per example, with y reshaped to ŷ's shape."""
    return (y_hat - ops.reshape(y, ops.shape(y_hat))) ** 2 / 2


def evaluate_loss(net, data_iter, loss):
    """The mean of ``loss(net(X), y)`` over every example of ``data_iter``, as a Python float."""
    metric = Accumulator(2)  # sum of the losses, number of losses
    for X, y in data_iter:
        out = net(X)
        losses = loss(out, ops.reshape(y, ops.shape(out)))
        metric.add(ops.reduce_sum(losses), ops.size(losses))
    return metric[0] / metric[1]


class TrainingRun(tuple):
    """``(seconds, losses)`` at the record points, as the book returns them; ``animator`` holds
    the training curve."""

    def __new__(cls, seconds, losses, animator):
        run = super().__new__(cls, (seconds, losses))
        run.animator = animator
        return run

    def _ipython_display_(self):
        """A cell ending in a run (``train_momentum(0.02, 0.5)``) shows its curve, not its numbers."""
        self.animator.show()


class _KeysRead(dict):
    """A copy of a trainer's hyperparameters that records which names the trainer reads."""

    def __init__(self, hyperparams):
        super().__init__(hyperparams)
        self.read, self.missing = set(), None

    def __getitem__(self, key):
        self.read.add(key)
        if key not in self:
            self.missing = key
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)


def _stepper(trainer, states, hyperparams):
    """``step(params)``: one update of the Variables ``params`` from their ``.grad``.

    ``trainer`` is a book trainer ``trainer_fn(params, states, hyperparams)`` or an
    :class:`~d2l_optim.optimizers.Optimizer` (which carries its own state and hyperparameters).
    The first step checks that the trainer reads exactly the hyperparameters it was given and
    keeps the parameters' shapes.
    """
    if isinstance(trainer, Optimizer):
        if states is not None or hyperparams:
            raise ValueError(f"train_ch11: the {trainer.name} optimizer holds its own state and "
                             f"hyperparameters {trainer.hyperparams}; pass states=None and "
                             f"hyperparams=None (got {states!r:.60} and {hyperparams!r:.60})")
        opt_state = None

        def step(params):
            nonlocal opt_state
            values = [p.data for p in params]
            opt_state = trainer.init(values) if opt_state is None else opt_state
            values, opt_state = trainer.update([p.grad for p in params], opt_state, values)
            for p, value in zip(params, values):
                p.data = value

        return step
    if not callable(trainer):
        raise TypeError(f"train_ch11: trainer must be a function trainer_fn(params, states, "
                        f"hyperparams) or a d2l optimizer such as d2l.sgd(0.1), got {trainer!r:.60}")
    if not isinstance(hyperparams, dict):
        raise TypeError(f"train_ch11: hyperparams must be a dict such as {{'lr': 0.1}}, "
                        f"got {hyperparams!r:.60}")
    name = getattr(trainer, "__name__", "the trainer")
    first = True

    def step(params):
        nonlocal first
        if not first:
            trainer(params, states, hyperparams)
            return
        first, shapes, recorded = False, [ops.shape(p.data) for p in params], _KeysRead(hyperparams)
        try:
            trainer(params, states, recorded)
        except KeyError:
            if recorded.missing is None:
                raise
            raise ValueError(f"train_ch11: {name} reads hyperparams[{recorded.missing!r}], which "
                             f"is missing; it was given {sorted(hyperparams)}") from None
        unused = set(hyperparams) - recorded.read
        if unused:
            raise ValueError(f"train_ch11: {name} does not use the hyperparameters "
                             f"{sorted(unused)}; it reads {sorted(recorded.read)}")
        hyperparams.update(recorded)  # what the trainer changed (Adam's 't') lives in the caller's dict
        for i, (p, shape) in enumerate(zip(params, shapes)):
            if ops.shape(p.data) != shape:
                raise ValueError(f"train_ch11: {name} changed the shape of parameter {i} from "
                                 f"{shape} to {ops.shape(p.data)}")

    return step


def _evaluation_data(data_iter):
    """What the full-data loss is measured on: one batch of every example for a loader from
    :func:`load_array` (the same mean, with no shuffling), else the iterator itself."""
    return [data_iter.whole()] if isinstance(data_iter, ArrayLoader) else data_iter


def half_squared_loss(values, X, y):
    """The concise objective: the minibatch mean of ½(ŷ − y)² for ŷ = Xw + b, ``values = [w, b]``."""
    return ops.reduce_mean(squared_loss(linreg(X, *values), y))


def train_ch11(trainer_fn, states, hyperparams, data_iter, feature_dim, num_epochs=2):
    """Fit the linear model Xw + b to ``data_iter`` by minimising the minibatch mean of
    :func:`squared_loss`; return ``(seconds, losses)`` (a :class:`TrainingRun`).

    ``trainer_fn`` is a book trainer ``trainer_fn(params, states, hyperparams)`` acting on the
    :class:`Variable` parameters ``[w, b]`` through their ``.grad``, or a d2l
    :class:`~d2l_optim.optimizers.Optimizer` (then ``states`` and ``hyperparams`` are None).
    w starts at N(0, 0.01²) from the shared seeded generator, b at 0. Every 200 examples the loss
    over all the data is recorded at the epochs elapsed (evaluation time is not timed) and drawn
    in an :class:`~d2l_optim.plotting.Animator`. Prints ``loss: L, S sec/epoch``.
    """
    check_count("feature_dim", feature_dim)
    check_count("num_epochs", num_epochs)
    if not hasattr(data_iter, "__len__"):
        raise TypeError("train_ch11: data_iter must know its number of minibatches (len()), "
                        "e.g. a loader from d2l.load_array or d2l.get_data_ch11")
    step = _stepper(trainer_fn, states, hyperparams)
    w = Variable(ops.normal((feature_dim, 1), 0.0, 0.01))
    b = Variable(ops.zeros(1))

    def net(X):
        return linreg(X, w.data, b.data)

    loss_and_grads = ops.value_and_grad(lambda w, b, X, y: half_squared_loss([w, b], X, y),
                                        argnums=(0, 1))
    def minibatch_step(X, y):
        features = (ops.shape(X) + (None,))[1]
        if features != feature_dim or ops.shape(X)[:1] != ops.shape(y)[:1]:
            raise ValueError(f"train_ch11: feature_dim is {feature_dim}, so a minibatch must be "
                             f"X of shape (batch, {feature_dim}) and y of (batch,); got "
                             f"{ops.shape(X)} and {ops.shape(y)}")
        _, (w.grad, b.grad) = loss_and_grads(w.data, b.data, X, y)
        step([w, b])

    return fit_and_record("train_ch11", net, minibatch_step, data_iter, num_epochs)


def fit_and_record(name, net, minibatch_step, data_iter, num_epochs):
    """The loop ``train_ch11`` and ``train_concise_ch11`` share: ``minibatch_step(X, y)`` on every
    minibatch for ``num_epochs``; every 200 examples (and where the run ends) the loss of ``net``
    over all the data, at the epochs elapsed, goes into an Animator (evaluation is not timed).
    Prints ``loss: L, S sec/epoch`` and returns the :class:`TrainingRun`."""
    evaluation_data = _evaluation_data(data_iter)
    animator = Animator(xlabel="epoch", ylabel="loss", xlim=[0, num_epochs], ylim=[0.22, 0.35])
    n, timer = 0, Timer()

    def record(batch_size):
        timer.stop()
        animator.add(n / batch_size / len(data_iter), evaluate_loss(net, evaluation_data, squared_loss))
        timer.start()

    for _ in range(num_epochs):
        for X, y in data_iter:
            batch_size = ops.shape(X)[0]
            minibatch_step(X, y)
            n += batch_size
            if n % 200 == 0:
                record(batch_size)
    if n % 200:  # the run ended between record points: record where it ended
        record(batch_size)
    animator.show()
    losses = animator.Y[0]
    if not all(math.isfinite(value) for value in losses):
        warnings.warn(f"{name}: the loss became non-finite ({losses[-1]}); the learning rate is "
                      "probably too large", RuntimeWarning, stacklevel=3)
    print(f"loss: {losses[-1]:.3f}, {timer.sum() / num_epochs:.3f} sec/epoch")
    return TrainingRun(timer.cumsum(), losses, animator)
