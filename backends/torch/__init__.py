"""PyTorch backend: ``torch.Tensor``, derivatives from ``torch.autograd``."""
import numpy as np
import torch

from d2l_optim.backends.torch.nn import argmax, conv2d, logsumexp, max_pool2d, relu  # noqa: F401
from d2l_optim.backends.torch.train import *  # noqa: F403  (the concise training path, train.__all__)

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
        return (value, grads) if nested else (value.detach(), grads)  # grads of no graph: detached

    return evaluate


def seed(n):
    torch.manual_seed(n)


def compile_step(step):
    """``torch.compile`` (Inductor: one fused loop per graph).

    A step that compiles to one graph writes its new slots into the old ones. One with a graph
    break (autograd inside the step: torch.compile traces around ``torch.autograd.grad``) returns
    new slots instead: in-place writes to inputs across a break gave wrong numbers (PyTorch 2.13).
    """

    def in_place(params, slots, *args):
        new_params, new_slots = step(params, slots, *args)
        for olds, news in zip(slots, new_slots):
            for old, new in zip(olds, news):
                old.copy_(new)
        return new_params, slots

    whole = torch.compile(in_place, fullgraph=True, dynamic=False)
    broken = None

    def run(params, slots, *args):
        nonlocal broken
        dtype = params[0].dtype
        args = [a if isinstance(a, (torch.Tensor, tuple, list)) else torch.tensor(a, dtype=dtype)
                for a in args]
        with torch.no_grad():
            if broken is None:
                try:
                    new_params, slots = whole(tuple(params), slots, *args)
                    return tuple(new_params), slots
                except torch._dynamo.exc.Unsupported:
                    broken = torch.compile(step, dynamic=False)
            return broken(tuple(params), slots, *args)

    return run
