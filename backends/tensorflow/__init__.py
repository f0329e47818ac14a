"""TensorFlow backend: ``tf.Tensor``, derivatives from ``tf.GradientTape``."""
import types

import numpy as np
import tensorflow as tf

NAME = "tensorflow"
TENSOR_TYPES = (tf.Tensor, tf.Variable)
FLOAT_DTYPES = (tf.float32, tf.float64)
MATH = types.SimpleNamespace(
    **{name: getattr(tf.math, name) for name in (
        "cos", "sin", "tan", "tanh", "cosh", "sinh", "exp", "log", "sqrt", "square", "sign", "abs",
        "maximum", "minimum")},
    matmul=tf.linalg.matmul, reshape=tf.reshape, stack=tf.stack, sum=tf.reduce_sum,
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



def value_and_grad(f, argnums):
    def evaluate(*args):
        args = list(args)
        # An enclosing tape (a Hessian) records this tape's gradient computation as well.
        with tf.GradientTape() as tape:
            for i in argnums:
                args[i] = tf.identity(args[i])
                tape.watch(args[i])
            value = f(*args)
        grads = tape.gradient(value, [args[i] for i in argnums])
        if all(g is None for g in grads):  # the value does not depend on the inputs
            return value, None
        return value, [tf.zeros_like(args[i]) if g is None else g for g, i in zip(grads, argnums)]

    return evaluate


def seed(n):
    tf.random.set_seed(n)
