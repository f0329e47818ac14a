"""TensorFlow tensors: ``tf.Tensor`` and ``tf.Variable``."""
import types

import numpy as np
import tensorflow as tf

TENSOR_TYPES = (tf.Tensor, tf.Variable)
FLOAT_DTYPES = (tf.float32, tf.float64)
MATH = types.SimpleNamespace(
    **{name: getattr(tf.math, name) for name in (
        "cos", "sin", "tan", "tanh", "cosh", "sinh", "exp", "log", "sqrt", "square", "sign", "abs",
        "maximum", "minimum")},
    matmul=tf.linalg.matmul, reshape=tf.reshape, stack=tf.stack, unstack=tf.unstack, sum=tf.reduce_sum,
    mean=tf.reduce_mean,
)


def from_numpy(array):
    return tf.constant(np.asarray(array))


def to_numpy(x):
    return np.array(x.numpy())


def cast(x, dtype):
    return tf.cast(x, dtype)


def dtype_name(x):
    return x.dtype.name


def seed(n):
    tf.random.set_seed(n)
