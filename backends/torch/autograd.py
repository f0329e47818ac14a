"""Derivatives on PyTorch from ``torch.autograd``."""
import torch

from d2l_optim._builtin import map_structure


def _detached(x):
    return x.detach() if isinstance(x, torch.Tensor) else x


def value_and_grad(f, argnums, has_aux):
    def evaluate(*args):
        args = list(args)
        # Inside an outer derivative (a Hessian) keep the graph so it can be differentiated again.
        nested = torch.is_grad_enabled() and any(args[i].requires_grad for i in argnums)
        if not nested:
            for i in argnums:
                args[i] = args[i].detach().requires_grad_()
        with torch.enable_grad():
            result = f(*args)
            value, aux = result if has_aux else (result, None)
            if not value.requires_grad:  # the value does not depend on the inputs
                grads = None
            else:
                inputs = [args[i] for i in argnums]
                grads = torch.autograd.grad(value, inputs, create_graph=nested, allow_unused=True)
                grads = [torch.zeros_like(args[i]) if g is None else g for g, i in zip(grads, argnums)]
        value = value if nested and grads is not None else value.detach()  # grads of no graph: detached
        return ((value, map_structure(_detached, aux)) if has_aux else value), grads

    return evaluate
