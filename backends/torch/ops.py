"""PyTorch tensors: ``torch.Tensor``."""
import types

import numpy as np
import torch

from d2l_optim.backend_api import MATH_FUNCTIONS

TENSOR_TYPES = (torch.Tensor,)
FLOAT_DTYPES = (torch.float32, torch.float64)
#: torch's functions of NumPy's names; a tensor's rows by ``unbind`` (one call, where iterating over
#: a tensor goes through Python code of torch's first)
MATH = types.SimpleNamespace(**{name: getattr(torch, name) for name in MATH_FUNCTIONS}, unstack=torch.unbind)


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
