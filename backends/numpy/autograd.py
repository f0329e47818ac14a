"""Derivatives on NumPy from HIPS ``autograd``."""
import numpy as np
from autograd.core import VJPNode, add_outgrads
from autograd.extend import vspace
from autograd.tracer import Box, getval, isbox, new_box, toposort, trace_stack

from d2l_optim._builtin import map_structure


def value_and_grad(f, argnums, has_aux):
    # autograd's reverse mode, driven here so that an unconnected value is reported (None) instead
    # of autograd's bare "Output seems independent of input" warning, and with one root node per
    # differentiated argument: autograd's own value_and_grad boxes a tuple of them and unpacks it
    # inside the trace, two extra primitives forward and back that cost more than a small function.
    def evaluate(*args):
        args, roots = list(args), {}
        with trace_stack.new_trace() as trace:
            for i in argnums:
                root = VJPNode.new_root()
                roots[root] = i
                args[i] = new_box(args[i], trace, root)
            result = f(*args)
        end, aux = result if has_aux else (result, None)

        def output(value):
            return (value, map_structure(getval, aux)) if has_aux else value

        if not (isbox(end) and end._trace == trace):
            return output(end), None
        found = _backward(end, roots)
        return output(end._value), [_like(found[i], args[i]) if i in found else vspace(args[i]).zeros()
                                    for i in argnums]

    return evaluate


def _backward(end, roots):
    """``{argument number: gradient}`` of the boxed value ``end`` for the ``roots`` it reaches
    (autograd's ``backward_pass``, keeping the gradient of every root instead of the last node's)."""
    found, outgrads = {}, {end._node: (vspace(end._value).ones(), False)}
    for node in toposort(end._node):
        outgrad = outgrads.pop(node)[0]
        if node in roots:
            found[roots[node]] = outgrad
            continue
        for parent, ingrad in zip(node.parents, node.vjp(outgrad)):
            outgrads[parent] = add_outgrads(outgrads.get(parent), ingrad)
    return found


def _like(gradient, x):
    """``gradient`` as an array in the dtype of its argument ``x``: autograd follows NumPy 1.x
    promotion (0-d float32 * Python float -> float64). Inside an outer derivative its tracer boxes
    flow through untouched."""
    if isinstance(gradient, Box):
        return gradient
    dtype = getval(x).dtype
    gradient = np.asarray(gradient)
    return gradient if gradient.dtype == dtype else gradient.astype(dtype)
