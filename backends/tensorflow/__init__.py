"""TensorFlow backend: ``tf.Tensor``, derivatives from ``tf.GradientTape``."""
import types

import numpy as np
import tensorflow as tf

from d2l_optim.backends.tensorflow.nn import argmax, conv2d, logsumexp, max_pool2d, relu  # noqa: F401
from d2l_optim.backends.tensorflow.train import *  # noqa: F403  (the concise training path, train.__all__)

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


def compile_step(step):
    """XLA (``tf.function(jit_compile=True)``); the slots live in ``tf.Variable`` s updated in place.

    One concrete function per structure, shapes and dtypes of the inputs, called with the flat list
    of them: that skips ``tf.function``'s argument matching, most of a small step's cost.
    """
    functions = {}

    def run(params, slots, *args):
        slots = tuple(tuple(s if isinstance(s, tf.Variable) else tf.Variable(s, trainable=False)
                            for s in per_param) for per_param in slots)
        dtype = params[0].dtype
        args = tf.nest.map_structure(lambda a: a if isinstance(a, TENSOR_TYPES) else tf.constant(a, dtype),
                                     args)
        inputs = (tuple(params), slots, args)
        flat = tf.nest.flatten(inputs)
        key = (tf.nest.map_structure(lambda _: 0, inputs),
               tuple((tuple(x.shape), x.dtype, isinstance(x, tf.Variable)) for x in flat))
        if key not in functions:
            xla = tf.function(_in_place(step, inputs), jit_compile=True)
            functions[key] = xla.get_concrete_function(*flat)
        return tuple(functions[key](*flat)), slots

    return run


def _in_place(step, structure):
    """``step`` on the flat inputs of ``structure``: the new slots assigned, the new params returned."""

    def in_place(*flat):
        params, slots, args = tf.nest.pack_sequence_as(structure, flat)
        new_params, new_slots = step(params, slots, *args)
        for variables, values in zip(slots, new_slots):
            for variable, value in zip(variables, values):
                variable.assign(value)
        return new_params

    return in_place
