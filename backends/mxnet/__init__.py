"""MXNet backend: ``mxnet.numpy.ndarray``, derivatives from ``mxnet.autograd``.

MXNet 1.9's autograd cannot differentiate a gradient again through most operators (products,
powers, cos, cosh: their backward operators register no gradient), so second derivatives raise
:class:`d2l_optim.errors.SecondDerivativeUnsupported`; Newton's method then needs the objective's
hand-written Hessian.
"""
import mxnet
import numpy as np
from mxnet import autograd, npx
from mxnet import numpy as mnp
from mxnet.base import MXNetError

from d2l_optim.backends.mxnet.nn import argmax, conv2d, logsumexp, max_pool2d, relu  # noqa: F401
from d2l_optim.backends.mxnet.train import *  # noqa: F403  (the concise training path, train.__all__)
from d2l_optim.errors import SecondDerivativeUnsupported

npx.set_np()

NAME = "mxnet"
#: framework -> why MXNet cannot be imported into a process that has imported it (read by
#: d2l_optim._config before it imports MXNet, from this file's text: importing it imports MXNet)
CANNOT_IMPORT_AFTER = {
    "tensorflow": "MXNet 1.9 crashes the process (a segmentation fault, no message) when it is imported "
                  "after TensorFlow (seen with TensorFlow 2.17); imported first, it works beside TensorFlow",
}
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



def value_and_grad(f, argnums):
    def evaluate(*args):
        args = list(args)
        if autograd.is_recording():  # inside an outer derivative: keep the graph for it
            value = f(*args)
            try:
                grads = autograd.grad(value, [args[i] for i in argnums],
                                      create_graph=True, retain_graph=True)
            except MXNetError as error:
                if _independent(error):
                    return value, None
                raise
            return value, [g.as_np_ndarray() for g in grads]
        for i in argnums:
            args[i] = args[i].copy()
            args[i].attach_grad()
        with autograd.record():
            value = f(*args)
        try:
            value.backward()
        except MXNetError as error:
            if _independent(error):
                return value, None
            if "non-differentiable" not in str(error):
                raise
            operator = str(error).split("Operator ")[-1].split(" is non-differentiable")[0]
            raise SecondDerivativeUnsupported(
                f"MXNet {mxnet.__version__} autograd cannot differentiate through the gradient of this "
                f"function (operator {operator} has no gradient of its own), so second "
                "derivatives are not available on the mxnet backend; pass the objective's "
                "hand-written Hessian instead (e.g. newton(objective, f_hess=objective.hess))"
            ) from None
        return value, [args[i].grad for i in argnums]

    return evaluate


def _independent(error):
    """Whether MXNet's error says the value does not depend on the inputs (a constant, or the
    derivative of a linear function)."""
    return any(words in str(error) for words in ("not in a computational graph",
                                                  "no inputs in computation graph that require gradients"))


def seed(n):
    mxnet.random.seed(n)


def compile_step(step):
    """The step runs as it is: MXNet compiles (``hybridize``) Gluon blocks written against its symbol
    API, not functions of ``mxnet.numpy`` arrays such as the shim's."""
    return step
