"""Learning-rate schedules, plain Python, each a pure function of its step counter.

A schedule is a function ``step -> learning rate`` (the rate itself, never a multiplier of
another one), so any of them can be passed as an optimizer's ``lr``: ``d2l.sgd(lr=
d2l.SquareRootScheduler(0.1))``. An optimizer calls it with the number of updates done before
the current one, 0, 1, 2, ...; a training loop that changes the rate once per epoch passes the
epoch number 0, 1, 2, ... instead. Steps are whole numbers >= 0. Every rate, given or returned,
is a finite number >= 0: at a rate of 0 a step leaves the parameters as they are (a warm-up may
start at 0).

The book's scheduler classes are stateful: ``FactorScheduler`` and the TensorFlow
``MultiFactorScheduler`` change ``base_lr`` on every call, so a value depends on how often the
object was called before (the lr-scheduler section trains with instances its plotting cell has
already advanced), and ``CosineScheduler`` raises ``AttributeError`` when first called past
``max_update``. Here ``scheduler(t)`` depends on ``t`` alone: called with t = 0, 1, 2, ... in order
it returns exactly the book's values, and a plot can never disturb a training run.
"""
import math

from d2l_optim._checks import check_count, check_positive, check_rate


def _step(t):
    check_count("step", t, minimum=0)
    return t


# The sgd section's schedules, η(step) = η₀ · multiplier. The book multiplies its η = 0.1 by a
# function of a counter t that starts at 1 and is incremented before use, so the first update
# (step 0) uses t = 2 and the first multipliers are exp(-0.2) = 0.818731 and 1.2^(-1/2) = 0.912871.

def _book_counter(step):
    """The book's counter t for update ``step`` (0, 1, ...): t = step + 2."""
    return _step(step) + 2


def constant_lr(lr):
    """The schedule η(step) = lr at every step."""
    check_rate("lr", lr)

    def constant(step):
        _step(step)
        return lr

    return constant


def exponential_lr(lr):
    """The schedule η(step) = lr · exp(−0.1 t), with the book's counter t = step + 2."""
    check_rate("lr", lr)
    return lambda step: lr * math.exp(-0.1 * _book_counter(step))


def polynomial_lr(lr):
    """The schedule η(step) = lr · (1 + 0.1 t)^(−1/2), with the book's counter t = step + 2."""
    check_rate("lr", lr)
    return lambda step: lr * (1 + 0.1 * _book_counter(step)) ** -0.5


class SquareRootScheduler:
    """η_t = lr · (t + 1)^(−1/2)."""

    def __init__(self, lr=0.1):
        check_rate("lr", lr)
        self.lr = lr

    def __call__(self, t):
        return self.lr * (_step(t) + 1.0) ** -0.5


class FactorScheduler:
    """η_t = max(stop_factor_lr, base_lr · factor^(t + 1)): decays by ``factor`` from the first call
    on, down to the floor ``stop_factor_lr`` (the book's stateful version, made pure)."""

    def __init__(self, factor=1, stop_factor_lr=1e-7, base_lr=0.1):
        check_positive("factor", factor)
        check_rate("base_lr", base_lr)
        check_rate("stop_factor_lr", stop_factor_lr)
        self.factor, self.stop_factor_lr, self.base_lr = factor, stop_factor_lr, base_lr

    def __call__(self, t):
        return max(self.stop_factor_lr, self.base_lr * self.factor ** (_step(t) + 1))


class MultiFactorScheduler:
    """η_t = base_lr · factor^k, k the number of milestones ``step`` that are ≤ t
    (piecewise constant: 0.5 for t < 15, 0.25 for 15 ≤ t < 30, ... with the book's values)."""

    def __init__(self, step, factor=1, base_lr=0.1):
        try:
            milestones = list(step)  # any iterable, a generator too, read once
        except TypeError:
            milestones = None
        if milestones is None or not all(
                isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in milestones) or any(
                a >= b for a, b in zip(milestones, milestones[1:])):
            raise ValueError(f"step must be an iterable of strictly increasing whole numbers > 0, "
                             f"got {milestones if milestones is not None else step!r}")
        check_positive("factor", factor)
        check_rate("base_lr", base_lr)
        self.step, self.factor, self.base_lr = milestones, factor, base_lr

    def __call__(self, t):
        passed = sum(1 for milestone in self.step if milestone <= _step(t))
        return self.base_lr * self.factor**passed


class CosineScheduler:
    """Cosine decay with an optional linear warm-up (Loshchilov and Hutter):

    η_t = warmup_begin_lr + (base_lr − warmup_begin_lr) · t / warmup_steps  for t < warmup_steps,
    η_t = final_lr + (base_lr − final_lr) / 2 · (1 + cos(π (t − warmup_steps) / (max_update −
    warmup_steps)))  for warmup_steps ≤ t ≤ max_update, and η_t = final_lr after.
    """

    def __init__(self, max_update, base_lr=0.01, final_lr=0, warmup_steps=0, warmup_begin_lr=0):
        if not (isinstance(max_update, int) and isinstance(warmup_steps, int)
                and 0 <= warmup_steps < max_update):
            raise ValueError(f"need whole numbers 0 <= warmup_steps < max_update, got "
                             f"warmup_steps={warmup_steps!r}, max_update={max_update!r}")
        check_rate("base_lr", base_lr)
        if not 0 <= final_lr <= base_lr or not 0 <= warmup_begin_lr <= base_lr:
            raise ValueError(f"need 0 <= final_lr, warmup_begin_lr <= base_lr={base_lr}, got "
                             f"final_lr={final_lr!r}, warmup_begin_lr={warmup_begin_lr!r}")
        self.max_update, self.base_lr, self.final_lr = max_update, base_lr, final_lr
        self.warmup_steps, self.warmup_begin_lr = warmup_steps, warmup_begin_lr

    def __call__(self, t):
        t = _step(t)
        if t < self.warmup_steps:
            return self.warmup_begin_lr + (self.base_lr - self.warmup_begin_lr) * t / self.warmup_steps
        if t > self.max_update:
            return self.final_lr
        # the book's order of operations, so the values equal MXNet's built-in bit for bit
        angle = math.pi * (t - self.warmup_steps) / (self.max_update - self.warmup_steps)
        return self.final_lr + (self.base_lr - self.final_lr) * (1 + math.cos(angle)) / 2
