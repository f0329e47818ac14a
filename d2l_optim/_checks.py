"""Argument checks shared by the optimizers, schedules and trace drivers."""
import math
import numbers

import numpy as np

from d2l_optim import ops


def as_numbers(name, value):
    """``value`` (a real number, or a tensor or array of them) as a float64 NumPy array.

    Anything else (a string, a bool, None, a complex number) raises ``TypeError`` naming ``name``.
    """
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
        return np.array(float(value))
    if ops.family(value) is not None:
        values = ops.numpy(value)
        if values.dtype.kind in "fiu":
            return values.astype(float)
    raise TypeError(f"{name} must be a number or a tensor of numbers, got {value!r:.80} "
                    f"({type(value).__name__})")


def check_range(name, value, low=0.0, high=math.inf, low_open=True, high_open=True):
    """Raise ``ValueError`` unless ``value`` (a number or a tensor) is finite and in the interval
    (``TypeError`` if it is not a number at all)."""
    values = as_numbers(name, value)
    ok = np.isfinite(values)
    ok &= (values > low) if low_open else (values >= low)
    ok &= (values < high) if high_open else (values <= high)
    if values.size == 0 or not ok.all():
        if high == math.inf:
            allowed = f"a finite number {'>' if low_open else '>='} {low:g}"
        else:
            allowed = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be {allowed}, got {value!r}")


def is_schedule(lr):
    """Whether ``lr`` is a schedule: a callable that is not a tensor."""
    return callable(lr) and ops.family(lr) is None


def check_rate(name, value):
    """Raise ``ValueError`` unless the learning rate ``value`` (a number or a tensor) is finite and
    >= 0: a rate of 0 is a step that changes nothing."""
    check_range(name, value, 0.0, low_open=False)


def is_rate(value):
    """Whether ``value`` is a rate a schedule may give: a real number (not a tensor), finite, >= 0."""
    number = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    return number and 0 <= value < math.inf


def check_learning_rate(lr):
    """Accept a number >= 0, a tensor of them, or a schedule (any other callable); else raise."""
    if is_schedule(lr):
        return
    try:
        check_rate("lr", lr)
    except TypeError:
        raise TypeError(f"lr must be a number >= 0, a tensor of them or a schedule (a function of the "
                        f"step returning the learning rate), got {lr!r:.80} ({type(lr).__name__})") from None


def check_positive(name, value):
    """Raise ``ValueError`` unless ``value`` is finite and > 0."""
    check_range(name, value, 0.0)


def check_decay(name, value):
    """Raise ``ValueError`` unless ``value`` lies in [0, 1)."""
    check_range(name, value, 0.0, 1.0, low_open=False)


def check_count(name, value, minimum=1):
    """Raise ``ValueError`` unless ``value`` is a whole number (a Python or NumPy int) >= ``minimum``."""
    if not (is_whole_number(value) and value >= minimum):
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")


def is_whole_number(value):
    """Whether ``value`` is a Python or NumPy integer (not a bool, not a float such as 10.0)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)
