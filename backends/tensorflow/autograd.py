"""Derivatives on TensorFlow from ``tf.GradientTape``."""
import tensorflow as tf

from d2l_optim._builtin import map_structure


def _stopped(x):
    return tf.stop_gradient(x) if isinstance(x, (tf.Tensor, tf.Variable)) else x


def value_and_grad(f, argnums, has_aux):
    def evaluate(*args):
        args = list(args)
        # An enclosing tape (a Hessian) records this tape's gradient computation as well.
        with tf.GradientTape() as tape:
            for i in argnums:
                args[i] = tf.identity(args[i])
                tape.watch(args[i])
            result = f(*args)
        value, aux = result if has_aux else (result, None)
        output = (value, map_structure(_stopped, aux)) if has_aux else value
        grads = tape.gradient(value, [args[i] for i in argnums])
        if all(g is None for g in grads):  # the value does not depend on the inputs
            return output, None
        return output, [tf.zeros_like(args[i]) if g is None else g for g, i in zip(grads, argnums)]

    return evaluate
