"""The compiled path on PyTorch: ``torch.compile``."""
import torch


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
