"""What checks are written with: a student's answer as NumPy float64 numbers, whatever the backend
(Python numbers, tensors of any backend, arrays, and lists, tuples or dicts of them), and
comparisons that raise :class:`~d2l_optim.exercises.Wrong` with a hint."""
import numbers

import numpy as np

from d2l_optim import ops
from d2l_optim.exercises import Wrong


def _plain(value):
    if value is None or isinstance(value, (bool, np.bool_, str, bytes)):
        raise TypeError
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if ops.family(value) is not None:
        values = ops.numpy(value)
        if values.dtype.kind not in "fiu":
            raise TypeError
        return values.astype(float).tolist()
    raise TypeError


def array(value, name, shape=None):
    """``value`` as a float64 array (of ``shape``, if given); Wrong saying what was expected."""
    wanted = "" if shape is None else f" of shape {shape}" if len(shape) != 1 else f" of {shape[0]} numbers"
    try:
        values = np.array(_plain(value), dtype=float)
    except (TypeError, ValueError):
        raise Wrong(f"`{name}` should be numbers{wanted} (a list, an array or a tensor), got "
                    f"{type(value).__name__} {value!r:.60}") from None
    if shape is not None and values.shape != tuple(shape):
        raise Wrong(f"`{name}` should hold numbers{wanted}, got shape {values.shape}")
    return values


def number(value, name):
    """``value`` (a number, or a tensor or array holding one) as a float."""
    values = array(value, name)
    if values.size != 1:
        raise Wrong(f"`{name}` should be a single number, got {values.size} numbers")
    return float(values.reshape(()))


def truth(value, name):
    """``value`` as a bool; Wrong unless it is True or False (a NumPy bool too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise Wrong(f"`{name}` should be True or False, got {value!r:.40}")
    return bool(value)


def entries(mapping, name, keys):
    """The values of the dict ``mapping`` at ``keys``, in that order."""
    if not isinstance(mapping, dict):
        raise Wrong(f"`{name}` should be a dict with the keys {show_keys(keys)}, got "
                    f"{type(mapping).__name__}")
    missing = [key for key in keys if key not in mapping]
    if missing:
        raise Wrong(f"`{name}` should have the keys {show_keys(keys)}; {show_keys(missing)} missing")
    return [mapping[key] for key in keys]


def show_keys(keys):
    return ", ".join(repr(key) for key in keys)


def trace(value, name, steps, dims=2):
    """A trace of ``steps`` steps (``steps + 1`` points, as ``d2l.train_2d`` and ``d2l.gd`` return)."""
    points = array(value, name)
    shape = (steps + 1, dims) if dims > 1 else (steps + 1,)
    if points.shape != shape:
        raise Wrong(f"`{name}` should be the trace of {steps} steps, {steps + 1} points "
                    f"(the start included), got numbers of shape {points.shape}")
    return points


def show(values, digits=6):
    """Numbers for a message: ``0.5``, ``[0.5, 0.25]``."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 0:
        return f"{float(values):.{digits}g}"
    if len(values) > 8:
        return f"[{show(values[:3], digits)[1:-1]}, ..., {show(values[-2:], digits)[1:-1]}]"
    return "[" + ", ".join(show(value, digits) for value in values) + "]"


def near(got, expected, rtol=1e-6, atol=1e-9):
    """Whether ``got`` equals ``expected`` within ``|got - expected| <= atol + rtol |expected|``."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=rtol, atol=atol))


def expect_near(name, got, expected, hint, rtol=1e-6, atol=1e-9):
    """Wrong, showing ``got`` and the ``hint``, unless ``got`` is near ``expected``."""
    if not near(got, expected, rtol, atol):
        raise Wrong(f"`{name}` = {show(got)} is not right: {hint}")


def expect_both(answers, expected, hints, swapped, rtol=1e-6, atol=1e-9):
    """Two answers ``((name, value), (name, value))`` against their ``expected`` values: Wrong with
    the hint ``swapped`` if each holds the other's value, else with its own hint."""
    (first, got_first), (second, got_second) = answers
    if near(got_first, expected[1], rtol, atol) and near(got_second, expected[0], rtol, atol):
        raise Wrong(f"`{first}` and `{second}` are swapped: {swapped}")
    for (name, got), reference, hint in zip(answers, expected, hints):
        expect_near(name, got, reference, hint, rtol, atol)


def call(function, name, *args):
    """Call the student's ``function`` (the answer ``name``) and return its result as numbers."""
    if not callable(function):
        raise Wrong(f"`{name}` should be a function, got {type(function).__name__}")
    return array(function(*args), f"{name}(...)")
