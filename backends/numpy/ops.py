"""NumPy tensors: ``ndarray`` (and HIPS autograd's boxes while a function is differentiated)."""
import autograd.numpy as anp
import numpy as np
from autograd.tracer import Box, getval

TENSOR_TYPES = (np.ndarray, np.generic, Box)
FLOAT_DTYPES = (np.dtype("float32"), np.dtype("float64"))


class _Math:
    """``autograd.numpy``, whose elementwise unary functions and ``stack`` call NumPy's own on plain
    arrays: autograd's wrapper costs a microsecond a call, as much as a small array's arithmetic."""

    def __getattr__(self, name):
        return getattr(anp, name)


def _untraced_fast(name):
    plain, traced = getattr(np, name), getattr(anp, name)

    def op(x):
        return plain(x) if type(x) is np.ndarray else traced(x)

    op.__name__ = name
    return op


def _stack(arrays, axis=0):
    """NumPy's own stack unless an array is being differentiated (autograd's is a Python function,
    several microseconds more)."""
    if any(isinstance(a, Box) for a in arrays):
        return anp.stack(arrays, axis)
    return np.stack(arrays, axis)


MATH = _Math()
for _name in ("cos", "sin", "tan", "tanh", "cosh", "sinh", "exp", "log", "sqrt", "square", "sign", "abs"):
    setattr(MATH, _name, _untraced_fast(_name))
MATH.stack = _stack


def _unstack(x):
    """An array's rows; a box of autograd indexes its own, one by one (``tuple`` would go on to a
    failing index, recorded and raised)."""
    return tuple(x) if type(x) is np.ndarray else tuple(x[i] for i in range(len(x)))


MATH.unstack = _unstack


def from_numpy(array):
    return np.array(array)


def to_numpy(x):
    return np.array(getval(x))


def cast(x, dtype):
    return x.astype(dtype) if str(x.dtype) != dtype else x


def dtype_name(x):
    return str(x.dtype)


def seed(n):
    np.random.seed(n)
