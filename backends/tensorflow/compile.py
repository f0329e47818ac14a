"""The compiled path on TensorFlow: XLA through ``tf.function(jit_compile=True)``."""
import tensorflow as tf

from d2l_optim.backends.tensorflow.ops import TENSOR_TYPES


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
