"""Derivatives on PyTorch from ``torch.autograd``."""
import torch

from d2l_optim._builtin import map_structure


def _detached(x):
    return x.detach() if isinstance(x, torch.Tensor) else x


def value_and_grad(f, argnums, has_aux):
    def evaluate(*args):
        inputs = [args[i] for i in argnums]
        # Inside an outer derivative (a Hessian) keep the graph so it can be differentiated again.
        nested = torch.is_grad_enabled() and any(x.requires_grad for x in inputs)
        if not nested:
            args = list(args)
            for k, i in enumerate(argnums):
                inputs[k] = args[i] = args[i].detach().requires_grad_()
        if torch.is_grad_enabled():
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
