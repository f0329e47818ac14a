"""Convolution, pooling and friends from ``tf.nn``. TensorFlow's CPU kernels take images as NHWC
and kernels as (height, width, in, out): the NCHW tensors of the shim are transposed on the way in
and out."""
import tensorflow as tf

# Permutations as constants: a Python tuple sends tf.transpose down its slow eager fallback.
_TO_NHWC, _TO_NCHW, _TO_HWIO = (tf.constant(perm) for perm in ((0, 2, 3, 1), (0, 3, 1, 2), (2, 3, 1, 0)))


def conv2d(x, weight, padding):
    pads = [[0, 0], [padding, padding], [padding, padding], [0, 0]]
    out = tf.nn.conv2d(tf.transpose(x, _TO_NHWC), tf.transpose(weight, _TO_HWIO), 1, pads)
    return tf.transpose(out, _TO_NCHW)


def max_pool2d(x, size):
    return tf.transpose(tf.nn.max_pool2d(tf.transpose(x, _TO_NHWC), size, size, "VALID"), _TO_NCHW)


def relu(x):
    return tf.nn.relu(x)


def logsumexp(x, axis, keepdims):
    return tf.reduce_logsumexp(x, axis=axis, keepdims=keepdims)


def argmax(x, axis):
    return tf.argmax(x, axis=axis)
