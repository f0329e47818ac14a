"""NumPy backend: plain ``ndarray`` tensors, derivatives from HIPS ``autograd``."""
import autograd.numpy as anp
import numpy as np
from autograd.core import VJPNode, backward_pass
from autograd.extend import vspace
from autograd.tracer import Box, getval, isbox, new_box, trace_stack

from d2l_optim.backends.numpy.nn import argmax, conv2d, logsumexp, max_pool2d, relu  # noqa: F401
from d2l_optim.backends.numpy.train import *  # noqa: F403  (the concise training path, train.__all__)

NAME = "numpy"
TENSOR_TYPES = (np.ndarray, np.generic, Box)
FLOAT_DTYPES = (np.dtype("float32"), np.dtype("float64"))


class _Math:
    """``autograd.numpy``, whose elementwise unary functions call NumPy's own on a plain array:
    autograd's wrapper costs a microsecond a call, as much as a small array's arithmetic."""

    def __getattr__(self, name):
        return getattr(anp, name)


def _untraced_fast(name):
    plain, traced = getattr(np, name), getattr(anp, name)

    def op(x):
        return plain(x) if type(x) is np.ndarray else traced(x)

    op.__name__ = name
    return op


MATH = _Math()
for _name in ("cos", "sin", "tan", "tanh", "cosh", "sinh", "exp", "log", "sqrt", "square", "sign", "abs"):
    setattr(MATH, _name, _untraced_fast(_name))


def from_numpy(array):
    return np.array(array)


def to_numpy(x):
    return np.array(getval(x))


def cast(x, dtype):
    return x.astype(dtype) if str(x.dtype) != dtype else x


def dtype_name(x):
    return str(x.dtype)



def value_and_grad(f, argnums):
    # autograd's own value_and_grad, traced here so that an unconnected value is reported (None)
    # instead of autograd's bare "Output seems independent of input" warning.
    def evaluate(*args):
        args, dtypes = list(args), [dtype_name(args[i]) for i in argnums]
        with trace_stack.new_trace() as trace:
            inputs = new_box(tuple(args[i] for i in argnums), trace, VJPNode.new_root())
            for k, i in enumerate(argnums):
                args[i] = inputs[k]
            end = f(*args)
        if not (isbox(end) and end._trace == trace):
            return end, None
        grads = backward_pass(vspace(end._value).ones(), end._node)
        # autograd follows NumPy 1.x promotion (0-d float32 * Python float -> float64): cast back,
        # except inside an outer derivative, whose tracer boxes must flow through untouched.
        return end._value, [g if isinstance(g, Box) else cast(np.asarray(g), dtype)
                            for g, dtype in zip(grads, dtypes)]

    return evaluate


def seed(n):
    np.random.seed(n)


def compile_step(step):
    """NumPy has no compiler: the step runs as it is."""
    return step
