"""Keras' optimizers (``tf.keras.optimizers``) on ``tf.Variable``s, for the concise training path."""
import math

import keras
import numpy as np
import tensorflow as tf

from d2l_optim._builtin import check_keywords, describe, keywords
from d2l_optim.backend_api import BuiltinOptimizer

NATIVE_OPTIMIZER_NAMES = ()
BOOK_CONCISE_LOSS = (
    "The book's TensorFlow tab minimises tf.keras.losses.MeanSquaredError (mean (ŷ − y)², no ½): "
    "its gradients are twice the ½-loss's, so every learning rate acts doubled, and it logs "
    "evaluate_loss / 2. The package minimises mean ½(ŷ − y)² and logs it.")

# d2l's rule -> (Keras class, its keywords from d2l's hyperparameters h); Keras wants Python floats
_SETTINGS = {
    "sgd": ("SGD", lambda h: {"learning_rate": float(h["lr"])}),
    "momentum": ("SGD", lambda h: {"learning_rate": float(h["lr"]), "momentum": float(h["beta"])}),
    "adagrad": ("Adagrad", lambda h: {"learning_rate": float(h["lr"]), "initial_accumulator_value": 0.0,
                                      "epsilon": float(h["eps"])}),
    "rmsprop": ("RMSprop", lambda h: {"learning_rate": float(h["lr"]), "rho": float(h["gamma"]),
                                      "epsilon": float(h["eps"])}),
    "adadelta": ("Adadelta", lambda h: {"learning_rate": 1.0, "rho": float(h["rho"]),
                                        "epsilon": float(h["eps"])}),
    "adam": ("Adam", lambda h: {"learning_rate": float(h["lr"]), "beta_1": float(h["beta1"]),
                                "beta_2": float(h["beta2"]), "epsilon": float(h["eps"])}),
}

def make_parameters(arrays):
    return [tf.Variable(np.asarray(a)) for a in arrays]


def parameter_values(parameters):
    return [tf.convert_to_tensor(p) for p in parameters]


def _build(cls, kwargs, parameters):
    """``cls(**kwargs)`` with its learning-rate variable in the parameters' dtype (Keras: floatx)."""
    previous = keras.config.floatx()
    keras.config.set_floatx(parameters[0].dtype.name)
    try:
        return cls(**kwargs)
    finally:
        keras.config.set_floatx(previous)


def builtin_optimizer(name, hyperparams, parameters):
    class_name, to_keywords = _SETTINGS[name]
    kwargs = to_keywords(hyperparams)
    settings = describe(f"tf.keras.optimizers.{class_name}", kwargs)
    dtype = parameters[0].dtype
    exact = np.dtype(dtype.name).type  # Keras casts Python floats through float32, NumPy scalars exactly
    optimizer = _build(getattr(keras.optimizers, class_name), kwargs, parameters)
    before_step = None
    if name == "momentum":
        optimizer.momentum = exact(kwargs["momentum"])
    if name == "adam":
        optimizer.beta_1, optimizer.beta_2 = exact(kwargs["beta_1"]), exact(kwargs["beta_2"])
        beta2, eps, steps = kwargs["beta_2"], kwargs["epsilon"], [0]
        optimizer.epsilon = tf.Variable(tf.constant(eps, dtype), trainable=False)

        def before_step():
            steps[0] += 1
            optimizer.epsilon.assign(eps * math.sqrt(1 - beta2 ** steps[0]))

        settings += ", epsilon set to ε·√(1 − β₂ᵗ) before step t"
    return BuiltinOptimizer(optimizer, settings, None, before_step, {})


def native_optimizer(trainer, hyperparams, parameters):
    if not (isinstance(trainer, type) and issubclass(trainer, keras.optimizers.Optimizer)):
        raise ValueError(f"on TensorFlow the trainer is a Keras optimizer class (e.g. "
                         f"tf.keras.optimizers.Adam) or one of d2l's optimizer names; got {trainer!r}")
    what = f"tf.keras.optimizers.{trainer.__name__}"
    check_keywords(what, keywords(trainer.__init__), hyperparams)
    return BuiltinOptimizer(_build(trainer, hyperparams, parameters), describe(what, hyperparams),
                            None, None, {})


def _compiled_step(optimizer, parameters, loss):
    """One update of the variables ``parameters`` as a ``tf.function`` (eager ``apply_gradients``
    costs ten times more), made at the first step with ``loss``."""
    steps = optimizer.compiled
    if loss not in steps:
        keras_optimizer = optimizer.optimizer
        keras_optimizer.build(parameters)  # its state is created eagerly, outside the trace

        @tf.function(reduce_retracing=True, autograph=False)  # the shim needs no autograph
        def step(*batch):
            with tf.GradientTape() as tape:  # a fresh tape per step, dropped with it
                value = loss(parameters, *batch)
            keras_optimizer.apply_gradients(zip(tape.gradient(value, parameters), parameters))

        steps[loss] = step
    return steps[loss]


def builtin_step(optimizer, parameters, loss, batch):
    if optimizer.before_step is not None:
        optimizer.before_step()
    _compiled_step(optimizer, parameters, loss)(*batch)  # assigns to the variables
    return parameters, optimizer
