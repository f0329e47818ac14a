"""PyTorch tensors: ``torch.Tensor``."""
import types

import numpy as np
import torch

TENSOR_TYPES = (torch.Tensor,)
FLOAT_DTYPES = (torch.float32, torch.float64)
#: torch's functions of NumPy's names; a tensor's rows by ``unbind`` (one call, where iterating over
#: a tensor goes through Python code of torch's first)
MATH = types.SimpleNamespace(
    **{name: getattr(torch, name) for name in (
        "cos", "sin", "tan", "tanh", "cosh", "sinh", "exp", "log", "sqrt", "square", "sign", "abs",
        "maximum", "minimum", "matmul", "reshape", "stack", "sum", "mean")},
    unstack=torch.unbind,
)


def from_numpy(array):
    return torch.tensor(np.asarray(array))


def to_numpy(x):
    return x.numpy(force=True).copy()


def cast(x, dtype):
    return x.to(getattr(torch, dtype))


def dtype_name(x):
    return str(x.dtype).replace("torch.", "")


def seed(n):
    torch.manual_seed(n)
