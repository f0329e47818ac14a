"""PyTorch tensors: ``torch.Tensor``."""
import numpy as np
import torch

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


def seed(n):
    torch.manual_seed(n)
