"""MXNet tensors: ``mxnet.numpy.ndarray``."""
import mxnet
import numpy as np
from mxnet import npx
from mxnet import numpy as mnp

npx.set_np()

TENSOR_TYPES = (mnp.ndarray,)
FLOAT_DTYPES = (np.dtype("float32"), np.dtype("float64"))
MATH = mnp


def from_numpy(array):
    array = np.asarray(array)
    return mnp.array(array, dtype=array.dtype)


def to_numpy(x):
    return x.asnumpy().copy()


def cast(x, dtype):
    return x.astype(dtype)


def dtype_name(x):
    return np.dtype(x.dtype).name


def seed(n):
    mxnet.random.seed(n)
