"""Derivatives on NumPy from HIPS ``autograd``."""
import numpy as np
from autograd.core import VJPNode, backward_pass
from autograd.extend import vspace
from autograd.tracer import Box, getval, isbox, new_box, trace_stack

from d2l_optim._builtin import map_structure
from d2l_optim.backends.numpy.ops import cast, dtype_name


def value_and_grad(f, argnums, has_aux):
    # autograd's own value_and_grad, traced here so that an unconnected value is reported (None)
    # instead of autograd's bare "Output seems independent of input" warning.
    def evaluate(*args):
        args, dtypes = list(args), [dtype_name(args[i]) for i in argnums]
        with trace_stack.new_trace() as trace:
            inputs = new_box(tuple(args[i] for i in argnums), trace, VJPNode.new_root())
            for k, i in enumerate(argnums):
                args[i] = inputs[k]
            result = f(*args)
        end, aux = result if has_aux else (result, None)

        def output(value):
            return (value, map_structure(getval, aux)) if has_aux else value

        if not (isbox(end) and end._trace == trace):
            return output(end), None
        grads = backward_pass(vspace(end._value).ones(), end._node)
        # autograd follows NumPy 1.x promotion (0-d float32 * Python float -> float64): cast back,
        # except inside an outer derivative, whose tracer boxes must flow through untouched.
        return output(end._value), [g if isinstance(g, Box) else cast(np.asarray(g), dtype)
                                    for g, dtype in zip(grads, dtypes)]

    return evaluate
