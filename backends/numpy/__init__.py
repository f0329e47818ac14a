"""NumPy backend: plain ``ndarray`` tensors, derivatives from HIPS ``autograd``."""
import autograd
import autograd.numpy as anp
import numpy as np
from autograd.tracer import Box, getval

from d2l_optim.backends.numpy.nn import argmax, conv2d, logsumexp, max_pool2d, relu  # noqa: F401

NAME = "numpy"
TENSOR_TYPES = (np.ndarray, np.generic, Box)
MATH = anp


def from_numpy(array):
    return np.array(array)


def to_numpy(x):
    return np.array(getval(x))


def cast(x, dtype):
    return x.astype(dtype) if str(x.dtype) != dtype else x


def dtype_name(x):
    return str(x.dtype)



def value_and_grad(f, argnums):
    traced = autograd.value_and_grad(lambda *args: f(*args), tuple(argnums))

    def evaluate(*args):
        value, grads = traced(*args)
        # autograd follows NumPy 1.x promotion (0-d float32 * Python float -> float64): cast back,
        # except inside an outer derivative, whose tracer boxes must flow through untouched.
        return value, [g if isinstance(g, Box) else cast(np.asarray(g), dtype_name(args[i]))
                       for g, i in zip(grads, argnums)]

    return evaluate


def seed(n):
    np.random.seed(n)
