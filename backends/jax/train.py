"""optax's optimizers on JAX arrays, for the concise training path.

An optax optimizer is a pure pair ``init(params) -> state``, ``update(grads, state, params) ->
(updates, state)`` — d2l's own design — so a step returns the new parameters and the new state.
Each step is one ``jax.jit``-compiled function: gradient, update and ``optax.apply_updates``.
"""
import inspect

import jax
import numpy as np
import optax

from d2l_optim._builtin import check_keywords, describe, keywords
from d2l_optim.backend_api import BuiltinOptimizer
from d2l_optim.backends.jax.ops import from_numpy

NATIVE_OPTIMIZER_NAMES = ()
BOOK_CONCISE_LOSS = ("The book has no JAX tab. The package minimises mean ½(ŷ − y)², the loss of the "
                     "book's MXNet tab and of its from-scratch code, with optax's optimizers.")


def _yogi(learning_rate, b1, b2, eps):
    """Yogi with both moments starting at 0, as in the book (``optax.yogi`` starts them at 1e-6)."""
    return optax.chain(optax.scale_by_yogi(b1=b1, b2=b2, eps=eps, initial_accumulator_value=0.0),
                       optax.scale_by_learning_rate(learning_rate))


# d2l's rule -> (optax's name for it (None: Yogi's chain), the optimizer, its keywords from d2l's
# hyperparameters h)
_SETTINGS = {
    "sgd": ("optax.sgd", optax.sgd, lambda h: {"learning_rate": h["lr"]}),
    "momentum": ("optax.sgd", optax.sgd, lambda h: {"learning_rate": h["lr"], "momentum": h["beta"]}),
    "adagrad": ("optax.adagrad", optax.adagrad,
                lambda h: {"learning_rate": h["lr"], "initial_accumulator_value": 0.0, "eps": h["eps"]}),
    "rmsprop": ("optax.rmsprop", optax.rmsprop,
                lambda h: {"learning_rate": h["lr"], "decay": h["gamma"], "eps": h["eps"]}),
    "adadelta": ("optax.adadelta", optax.adadelta,
                 lambda h: {"learning_rate": 1.0, "rho": h["rho"], "eps": h["eps"]}),
    "adam": ("optax.adam", optax.adam,
             lambda h: {"learning_rate": h["lr"], "b1": h["beta1"], "b2": h["beta2"], "eps": h["eps"]}),
    "yogi": (None, _yogi,
             lambda h: {"learning_rate": h["lr"], "b1": h["beta1"], "b2": h["beta2"], "eps": h["eps"]}),
}


def _describe_yogi(learning_rate, **moments):
    scale = describe("optax.scale_by_yogi", dict(moments, initial_accumulator_value=0.0))
    return f"optax.chain({scale}, optax.scale_by_learning_rate({learning_rate!r}))"


def make_parameters(arrays):
    return [from_numpy(np.asarray(a)) for a in arrays]


def parameter_values(parameters):
    return list(parameters)


def _ready(transformation, settings, parameters):
    return BuiltinOptimizer(transformation, settings, transformation.init(list(parameters)), None, {})


def builtin_optimizer(name, hyperparams, parameters):
    what, make, to_keywords = _SETTINGS[name]
    kwargs = to_keywords(hyperparams)
    return _ready(make(**kwargs), describe(what, kwargs) if what else _describe_yogi(**kwargs), parameters)


def native_optimizer(trainer, hyperparams, parameters):
    if isinstance(trainer, optax.GradientTransformation):  # already built, e.g. an optax.chain
        if hyperparams:
            raise ValueError(f"an optax GradientTransformation comes configured: pass {{}} as its "
                             f"hyperparameters, got {hyperparams!r}")
        return _ready(trainer, "an optax.GradientTransformation", parameters)
    if not inspect.isfunction(trainer):
        raise ValueError(f"on JAX the trainer is an optax optimizer (a function such as optax.adam, or "
                         f"a GradientTransformation) or one of d2l's optimizer names; got {trainer!r}")
    what = f"{trainer.__module__.split('.')[0]}.{trainer.__name__}"
    check_keywords(what, keywords(trainer, skip=()), hyperparams)
    transformation = trainer(**hyperparams)
    if not isinstance(transformation, optax.GradientTransformation):
        raise ValueError(f"{what}({', '.join(hyperparams)}) gave a {type(transformation).__name__}, not an "
                         "optax GradientTransformation")
    return _ready(transformation, describe(what, hyperparams), parameters)


def _compiled_step(optimizer, loss):
    """``step(parameters, state, *batch) -> (parameters, state)`` under ``jax.jit``, one per loss."""
    if loss not in optimizer.compiled:
        transformation = optimizer.optimizer

        @jax.jit
        def step(parameters, state, *batch):
            grads = jax.grad(lambda values: loss(values, *batch))(parameters)
            updates, state = transformation.update(grads, state, parameters)
            return optax.apply_updates(parameters, updates), state

        optimizer.compiled[loss] = step
    return optimizer.compiled[loss]


def builtin_step(optimizer, parameters, loss, batch):
    parameters, state = _compiled_step(optimizer, loss)(list(parameters), optimizer.state, *batch)
    return parameters, optimizer._replace(state=state)
