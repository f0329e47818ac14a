"""Convolution, pooling and friends on HIPS autograd, built from ``autograd.numpy`` operations so
that autograd differentiates them like any other code. Convolution gathers the windows with a
constant 0/1 matrix (im2col as a matrix product), since autograd's gradient of a fancy-index
gather (``np.add.at``) is slow."""
import functools

import autograd.numpy as anp
import numpy as np
from autograd.tracer import getval


@functools.lru_cache(maxsize=32)
def _window_matrix(height, width, kh, kw, padding):
    """0/1 matrix S of shape (H·W, kh, kw, H', W'): S[p, u, v, i, j] = 1 where pixel p of the image
    is at (i + u − padding, j + v − padding), so x @ S holds every window of the padded image."""
    out_h, out_w = height + 2 * padding - kh + 1, width + 2 * padding - kw + 1
    u, v, i, j = np.indices((kh, kw, out_h, out_w))
    rows, cols = i + u - padding, j + v - padding
    inside = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
    matrix = np.zeros((height * width, kh, kw, out_h, out_w))
    matrix[(rows * width + cols)[inside], u[inside], v[inside], i[inside], j[inside]] = 1.0
    return matrix


def conv2d(x, weight, padding):
    n, c, h, w = x.shape
    selection = _window_matrix(h, w, *weight.shape[2:], padding).astype(x.dtype, copy=False)
    windows = anp.tensordot(anp.reshape(x, (n, c, h * w)), selection, axes=1)  # (N, C, kh, kw, H', W')
    out = anp.tensordot(windows, weight, axes=([1, 2, 3], [1, 2, 3]))  # (N, H', W', O)
    return anp.transpose(out, (0, 3, 1, 2))


def max_pool2d(x, size):
    n, c, h, w = x.shape
    if h % size or w % size:  # a slice only when needed: autograd's gradient of one is slow
        x = x[:, :, :h - h % size, :w - w % size]
    blocks = anp.reshape(x, (n, c, h // size, size, w // size, size))
    windows = anp.reshape(anp.transpose(blocks, (0, 1, 2, 4, 3, 5)), (n, c, h // size, w // size, -1))
    # At a tie autograd shares the gradient among the maxima; after a ReLU that only happens for
    # windows of zeros, whose gradient the ReLU stops anyway.
    return anp.max(windows, axis=4)


def relu(x):
    return x * (getval(x) > 0)


def logsumexp(x, axis, keepdims):
    top = np.max(getval(x), axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0)  # a constant, so the gradient is exactly softmax(x)
    out = anp.log(anp.sum(anp.exp(x - top), axis=axis, keepdims=True)) + top
    return out if keepdims else anp.squeeze(out, axis=axis)


def argmax(x, axis):
    return np.argmax(getval(x), axis=axis)
