"""Convolution, pooling and friends from ``torch.nn.functional`` (NCHW natively)."""
import torch
import torch.nn.functional as F


def conv2d(x, weight, padding):
    return F.conv2d(x, weight, padding=padding)


def max_pool2d(x, size):
    return F.max_pool2d(x, size)


def relu(x):
    return torch.relu(x)


def logsumexp(x, axis, keepdims):
    return torch.logsumexp(x, dim=axis, keepdim=keepdims)


def argmax(x, axis):
    return torch.argmax(x, dim=axis)
