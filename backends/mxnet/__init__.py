"""MXNet backend: ``mxnet.numpy.ndarray``, derivatives from ``mxnet.autograd``, gluon's optimizers.

MXNet 1.9's autograd cannot differentiate a gradient again through most operators (products,
powers, cos, cosh: their backward operators register no gradient), so second derivatives raise
:class:`d2l_optim.errors.SecondDerivativeUnsupported`; Newton's method then needs the objective's
hand-written Hessian.
"""
LABEL = "MXNet"
ALIASES = ("mx",)
FRAMEWORK = "mxnet"
MODULE_ROOTS = ("mxnet",)
DISTRIBUTIONS = ("mxnet", "mxnet-mkl", "mxnet-cu112", "mxnet-native")
EXTRA = "mxnet"
#: framework -> why MXNet cannot be imported into a process that has imported it (d2l_optim._config
#: reads it before it imports MXNet; this package imports no framework)
CANNOT_IMPORT_AFTER = {
    "tensorflow": "MXNet 1.9 crashes the process (a segmentation fault, no message) when it is imported "
                  "after TensorFlow (seen with TensorFlow 2.17); imported first, it works beside TensorFlow",
}
