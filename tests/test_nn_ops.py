"""The convolutional-network ops of the shim against NumPy references: values in float32 and
gradients in float64, on every backend, through each framework's own autograd."""
import numpy as np
import pytest

import d2l_optim as d2l


def reference_conv2d(x, weight, padding):
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    windows = np.lib.stride_tricks.sliding_window_view(x, weight.shape[2:], axis=(2, 3))
    return np.einsum("nchwuv,ocuv->nohw", windows, weight)


def reference_max_pool2d(x, size):
    n, c, h, w = x.shape
    blocks = x[:, :, :h - h % size, :w - w % size].reshape(n, c, h // size, size, w // size, size)
    return blocks.max(axis=(3, 5))


def reference_logsumexp(x, axis):
    top = x.max(axis=axis, keepdims=True)
    return np.log(np.exp(x - top).sum(axis=axis)) + np.squeeze(top, axis)


def numerical_gradient(f, x, step=1e-6):
    """Central differences of the scalar function ``f`` at the float64 array ``x``."""
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += step
        down[index] -= step
        gradient[index] = (f(up) - f(down)) / (2 * step)
    return gradient


RNG = np.random.default_rng(7)
X = RNG.normal(size=(2, 3, 7, 6))  # odd height: max-pooling drops the last row
WEIGHT = RNG.normal(size=(4, 3, 3, 2))
COTANGENT_CONV = RNG.normal(size=(2, 4, 7, 7))  # conv with padding 1: (7 + 2 − 3 + 1, 6 + 2 − 2 + 1)
COTANGENT_POOL = RNG.normal(size=(2, 3, 3, 3))
LOGITS = RNG.normal(size=(5, 4)) * 30  # large: a naive log Σ exp would overflow in float32
LOGITS[0, 1] = 800.0


def test_conv2d_values_and_gradients(backend):
    bias = np.array([0.5, -1.0, 2.0, 0.0])
    out = d2l.conv2d(d2l.tensor(X), d2l.tensor(WEIGHT), d2l.tensor(bias), padding=1)
    assert d2l.shape(out) == (2, 4, 7, 7) and d2l.dtype(out) == "float32"
    expected = reference_conv2d(X, WEIGHT, 1) + bias[:, None, None]
    np.testing.assert_allclose(d2l.numpy(out), expected, rtol=1e-5, atol=1e-5)

    with d2l.use_floatx("float64"):
        def objective(x, weight, bias):
            return d2l.reduce_sum(d2l.conv2d(x, weight, bias, padding=1) * d2l.tensor(COTANGENT_CONV))

        grads = d2l.grad(objective, argnums=(0, 1, 2))(d2l.tensor(X), d2l.tensor(WEIGHT), d2l.tensor(bias))

    reference = lambda x, w: np.sum(reference_conv2d(x, w, 1) * COTANGENT_CONV)
    np.testing.assert_allclose(d2l.numpy(grads[0]), numerical_gradient(lambda x: reference(x, WEIGHT), X),
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(d2l.numpy(grads[1]), numerical_gradient(lambda w: reference(X, w), WEIGHT),
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(d2l.numpy(grads[2]), COTANGENT_CONV.sum(axis=(0, 2, 3)), rtol=1e-12)


def test_max_pool2d_values_and_gradients(backend):
    out = d2l.max_pool2d(d2l.tensor(X), 2)
    assert d2l.shape(out) == (2, 3, 3, 3)
    np.testing.assert_allclose(d2l.numpy(out), reference_max_pool2d(X, 2).astype(np.float32), rtol=0)
    with d2l.use_floatx("float64"):
        gradient = d2l.grad(lambda x: d2l.reduce_sum(d2l.max_pool2d(x, 2) * d2l.tensor(COTANGENT_POOL)))(
            d2l.tensor(X))
    expected = numerical_gradient(lambda x: np.sum(reference_max_pool2d(x, 2) * COTANGENT_POOL), X)
    np.testing.assert_allclose(d2l.numpy(gradient), expected, rtol=1e-6, atol=1e-6)


def test_relu_values_and_gradient_with_zero_at_the_kink(backend):
    data = np.array([-2.0, -0.0, 0.0, 0.5, 3.0])
    np.testing.assert_array_equal(d2l.numpy(d2l.relu(d2l.tensor(data))), [0, 0, 0, 0.5, 3])
    weights = d2l.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    gradient = d2l.grad(lambda x: d2l.reduce_sum(d2l.relu(x) * weights))(d2l.tensor(data))
    np.testing.assert_array_equal(d2l.numpy(gradient), [0, 0, 0, 4, 5])


def test_logsumexp_and_log_softmax_are_stable_with_softmax_gradients(backend):
    for axis in (1, 0):
        out = d2l.logsumexp(d2l.tensor(LOGITS), axis=axis)
        np.testing.assert_allclose(d2l.numpy(out), reference_logsumexp(LOGITS, axis), rtol=1e-6)
    assert d2l.shape(d2l.logsumexp(d2l.tensor(LOGITS), keepdims=True)) == (5, 1)
    log_probabilities = d2l.numpy(d2l.log_softmax(d2l.tensor(LOGITS)))
    assert np.isfinite(log_probabilities).all()
    np.testing.assert_allclose(np.exp(log_probabilities).sum(axis=1), 1.0, rtol=1e-6)
    cotangent = np.arange(5.0)
    with d2l.use_floatx("float64"):
        gradient = d2l.grad(lambda z: d2l.reduce_sum(d2l.logsumexp(z) * d2l.tensor(cotangent)))(
            d2l.tensor(LOGITS))
    softmax = np.exp(LOGITS - reference_logsumexp(LOGITS, 1)[:, None])
    np.testing.assert_allclose(d2l.numpy(gradient), softmax * cotangent[:, None], rtol=1e-10, atol=1e-300)


def test_argmax_one_hot_and_int_tensor(backend):
    logits = d2l.tensor([[0.1, 2.0, -1.0], [3.0, 3.0, 0.0]])
    np.testing.assert_array_equal(d2l.numpy(d2l.argmax(logits, axis=1)), [1, 0])  # first at a tie
    np.testing.assert_array_equal(d2l.numpy(d2l.argmax(logits, axis=0)), [1, 1, 1])
    labels = d2l.int_tensor([2, 0])
    assert d2l.dtype(labels) == "int64"
    encoded = d2l.one_hot(labels, 3)
    assert d2l.dtype(encoded) == "float32"
    np.testing.assert_array_equal(d2l.numpy(encoded), [[0, 0, 1], [1, 0, 0]])


@pytest.mark.parametrize("call, message", [
    (lambda: d2l.conv2d(d2l.zeros((3, 8, 8)), d2l.zeros((6, 1, 5, 5))), r"4-D tensor of images"),
    (lambda: d2l.conv2d(d2l.zeros((2, 3, 8, 8)), d2l.zeros((6, 1, 5, 5))),
     "3 channels but the kernels expect 1"),
    (lambda: d2l.conv2d(d2l.zeros((2, 1, 4, 4)), d2l.zeros((6, 1, 5, 5))), "does not fit 4x4"),
    (lambda: d2l.conv2d(d2l.zeros((2, 1, 8, 8)), d2l.zeros((6, 1, 5, 5)), padding=-1), "padding"),
    (lambda: d2l.conv2d(d2l.zeros((2, 1, 8, 8)), d2l.zeros((6, 1, 5, 5)), d2l.zeros((5,))),
     r"bias must have shape \(6,\)"),
    (lambda: d2l.max_pool2d(d2l.zeros((2, 1, 8, 8)), 9), "size must be a whole number from 1 to"),
    (lambda: d2l.max_pool2d(d2l.zeros((8, 8)), 2), "4-D tensor"),
    (lambda: d2l.one_hot([0, 10], 10), r"labels must lie in 0..9, got \[10\]"),
    (lambda: d2l.one_hot([0.5], 10), "whole numbers"),
])
def test_bad_input_is_a_clear_value_error(backend, call, message):
    with pytest.raises(ValueError, match=message):
        call()
