"""PyTorch backend: ``torch.Tensor``, derivatives from ``torch.autograd``."""
import numpy as np
import torch

NAME = "torch"
TENSOR_TYPES = (torch.Tensor,)
FLOAT_DTYPES = (torch.float32, torch.float64)
MATH = torch


def from_numpy(array):
    return torch.tensor(np.asarray(array))


def to_numpy(x):
    return x.detach().cpu().numpy().copy()


def cast(x, dtype):
    return x.to(getattr(torch, dtype))


def dtype_name(x):
    return str(x.dtype).replace("torch.", "")



def value_and_grad(f, argnums):
    def evaluate(*args):
        args = list(args)
        # Inside an outer derivative (a Hessian) keep the graph so it can be differentiated again.
        nested = torch.is_grad_enabled() and any(args[i].requires_grad for i in argnums)
        if not nested:
            for i in argnums:
                args[i] = args[i].detach().requires_grad_()
        with torch.enable_grad():
            value = f(*args)
            if not value.requires_grad:  # the value does not depend on the inputs
                return value.detach(), None
            inputs = [args[i] for i in argnums]
            grads = torch.autograd.grad(value, inputs, create_graph=nested, allow_unused=True)
        grads = [torch.zeros_like(args[i]) if g is None else g for g, i in zip(grads, argnums)]
        if not nested:
            value, grads = value.detach(), [g.detach() for g in grads]
        return value, grads

    return evaluate


def seed(n):
    torch.manual_seed(n)
