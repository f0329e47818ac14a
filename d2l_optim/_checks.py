"""Argument checks shared by the optimizers, schedules and trace drivers."""
import math

import numpy as np

from d2l_optim import ops


def check_range(name, value, low=0.0, high=math.inf, low_open=True, high_open=True):
    """Raise ``ValueError`` unless ``value`` (a number or a tensor) is finite and in the interval."""
    try:
        values = np.asarray(ops.numpy(value), dtype=float)
    except (TypeError, ValueError):
        values = np.array([math.nan])
    ok = np.isfinite(values)
    ok &= (values > low) if low_open else (values >= low)
    ok &= (values < high) if high_open else (values <= high)
    if values.size == 0 or not ok.all():
        if high == math.inf:
            allowed = f"a finite number {'>' if low_open else '>='} {low:g}"
        else:
            allowed = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be {allowed}, got {value!r}")


def check_positive(name, value):
    """Raise ``ValueError`` unless ``value`` is finite and > 0."""
    check_range(name, value, 0.0)


def check_decay(name, value):
    """Raise ``ValueError`` unless ``value`` lies in [0, 1)."""
    check_range(name, value, 0.0, 1.0, low_open=False)


def check_count(name, value, minimum=1):
    """Raise ``ValueError`` unless ``value`` is a whole number >= ``minimum``."""
    if not (isinstance(value, int) and not isinstance(value, bool) and value >= minimum):
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
