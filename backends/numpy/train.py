"""The concise training path on NumPy: NumPy has no optimizers of its own, so it uses d2l's."""
import numpy as np

from d2l_optim import ops, optimizers
from d2l_optim._builtin import describe
from d2l_optim.backend_api import BuiltinOptimizer

NATIVE_OPTIMIZER_NAMES = ()
BOOK_CONCISE_LOSS = ("The book has no NumPy tab. The package minimises mean ½(ŷ − y)², the loss of the "
                     "book's MXNet tab and of its from-scratch code, with d2l's own optimizers.")


def make_parameters(arrays):
    return [np.array(a) for a in arrays]


def parameter_values(parameters):
    return list(parameters)


def builtin_optimizer(name, hyperparams, parameters):
    rule = getattr(optimizers, name)(**hyperparams)
    return BuiltinOptimizer(rule, describe(f"d2l.{name}", hyperparams), rule.init(list(parameters)))


def native_optimizer(trainer, hyperparams, parameters):
    raise ValueError("NumPy has no optimizers of its own: on the numpy backend the trainer is one of "
                     "d2l's optimizers (a name such as 'adam' or a function such as d2l.adam); "
                     f"got {trainer!r}")


def builtin_step(optimizer, parameters, loss, batch):
    argnums = tuple(range(len(parameters)))
    _, grads = ops.value_and_grad(lambda *values: loss(list(values), *batch), argnums)(*parameters)
    parameters, state = optimizer.optimizer.update(grads, optimizer.state, list(parameters))
    return parameters, optimizer._replace(state=state)
