"""Convolution, pooling and friends on HIPS autograd: built from ``autograd.numpy`` operations
(an im2col gather and one ``tensordot``), so autograd differentiates them like any other code."""
import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval


def _windows(x, kh, kw):
    """The (kh, kw) windows of NCHW ``x`` at stride 1: shape (N, C, kh, kw, H − kh + 1, W − kw + 1)."""
    out_h, out_w = x.shape[2] - kh + 1, x.shape[3] - kw + 1
    rows = np.arange(kh)[:, None, None, None] + np.arange(out_h)[None, None, :, None]
    cols = np.arange(kw)[None, :, None, None] + np.arange(out_w)[None, None, None, :]
    return x[:, :, rows, cols]


def conv2d(x, weight, padding):
    if padding:
        x = anp.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), mode="constant")
    windows = _windows(x, *weight.shape[2:])
    out = anp.tensordot(windows, weight, axes=([1, 2, 3], [1, 2, 3]))  # (N, H', W', O)
    return anp.transpose(out, (0, 3, 1, 2))


def max_pool2d(x, size):
    n, c, h, w = x.shape
    blocks = anp.reshape(x[:, :, :h - h % size, :w - w % size], (n, c, h // size, size, w // size, size))
    # At a tie autograd shares the gradient among the maxima; after a ReLU that only happens for
    # windows of zeros, whose gradient the ReLU stops anyway.
    return anp.max(anp.max(blocks, axis=5), axis=3)


def relu(x):
    return x * (getval(x) > 0)


def logsumexp(x, axis, keepdims):
    top = np.max(getval(x), axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0)  # a constant, so the gradient is exactly softmax(x)
    out = anp.log(anp.sum(anp.exp(x - top), axis=axis, keepdims=True)) + top
    return out if keepdims else anp.squeeze(out, axis=axis)


def argmax(x, axis):
    return np.argmax(getval(x), axis=axis)
