"""Derivatives on PyTorch from ``torch.autograd``."""
import operator

import torch

from d2l_optim._builtin import map_structure

_requires_grad = operator.attrgetter("requires_grad")


def _detached(x):
    return x.detach() if isinstance(x, torch.Tensor) else x


def value_and_grad(f, argnums, has_aux):
    def evaluate(*args):
        recording = torch.is_grad_enabled()
        args = list(args)
        inputs = [args[i] for i in argnums]
        # Inside an outer derivative (a Hessian) keep the graph so it can be differentiated again.
        nested = recording and any(map(_requires_grad, inputs))
        if not nested:
            for k, i in enumerate(argnums):
                inputs[k] = args[i] = args[i].detach().requires_grad_()
        if recording:
            return _differentiate(f, args, inputs, nested, has_aux)
        with torch.enable_grad():
            return _differentiate(f, args, inputs, nested, has_aux)

    return evaluate


def _differentiate(f, args, inputs, nested, has_aux):
    """``(f(*args), gradients with respect to inputs)``, recorded by autograd (grad mode on)."""
    result = f(*args)
    value, aux = result if has_aux else (result, None)
    if not value.requires_grad:  # the value does not depend on the inputs
        grads = None
    else:
        grads = list(torch.autograd.grad(value, inputs, create_graph=nested, allow_unused=True))
        for k, g in enumerate(grads):
            if g is None:
                grads[k] = torch.zeros_like(inputs[k])
    value = value if nested and grads is not None else value.detach()  # grads of no graph: detached
    return ((value, map_structure(_detached, aux)) if has_aux else value), grads
