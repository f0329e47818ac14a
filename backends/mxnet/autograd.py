"""Derivatives on MXNet from ``mxnet.autograd`` (first derivatives only: see the package docstring)."""
import mxnet
from mxnet import autograd
from mxnet.base import MXNetError

from d2l_optim._builtin import map_structure
from d2l_optim.errors import SecondDerivativeUnsupported


def _detached(x):
    return x.detach() if hasattr(x, "detach") else x


def value_and_grad(f, argnums, has_aux):
    def evaluate(*args):
        args = list(args)
        if autograd.is_recording():  # inside an outer derivative: keep the graph for it
            result = f(*args)
            value, aux = result if has_aux else (result, None)
            try:
                grads = autograd.grad(value, [args[i] for i in argnums], create_graph=True,
                                      retain_graph=True)
            except MXNetError as error:
                if _independent(error):
                    return _output(value, aux, has_aux), None
                raise
            return _output(value, aux, has_aux), [g.as_np_ndarray() for g in grads]
        for i in argnums:
            args[i] = args[i].copy()
            args[i].attach_grad()
        with autograd.record():
            result = f(*args)
        value, aux = result if has_aux else (result, None)
        try:
            value.backward()
        except MXNetError as error:
            if _independent(error):
                return _output(value, aux, has_aux), None
            if "non-differentiable" not in str(error):
                raise
            operator = str(error).split("Operator ")[-1].split(" is non-differentiable")[0]
            raise SecondDerivativeUnsupported(
                f"MXNet {mxnet.__version__} autograd cannot differentiate through the gradient of this "
                f"function (operator {operator} has no gradient of its own), so second "
                "derivatives are not available on the mxnet backend; pass the objective's "
                "hand-written Hessian instead (e.g. newton(objective, f_hess=objective.hess))"
            ) from None
        return _output(value, aux, has_aux), [args[i].grad for i in argnums]

    return evaluate


def _independent(error):
    """Whether MXNet's error says the value does not depend on the inputs (a constant, or the
    derivative of a linear function)."""
    return any(words in str(error) for words in ("not in a computational graph",
                                                  "no inputs in computation graph that require gradients"))


def _output(value, aux, has_aux):
    return (value, map_structure(_detached, aux)) if has_aux else value
