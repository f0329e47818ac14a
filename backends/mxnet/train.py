"""MXNet's own optimizers through ``gluon.Trainer`` on gluon ``Parameter``s, for the concise path."""
import math

import mxnet
import numpy as np
from mxnet import autograd, gluon
from mxnet import numpy as mnp

from d2l_optim._builtin import check_keywords, keywords
from d2l_optim.backend_api import BuiltinOptimizer
from d2l_optim.backends.mxnet.facts import float32_rounded

_REGISTRY = mxnet.optimizer.Optimizer.opt_registry
NATIVE_OPTIMIZER_NAMES = tuple(sorted(name for name in _REGISTRY if name != "test"))
BOOK_CONCISE_LOSS = (
    "The book's MXNet tab minimises gluon.loss.L2Loss, ½(ŷ − y)² per example, and steps with "
    "trainer.step(batch_size), which averages the summed gradient: the package's loss, mean "
    "½(ŷ − y)², with trainer.step(1).")
#: the base Optimizer's keywords every gluon optimizer accepts (lr_scheduler, wd, clip_gradient ...)
_BASE_KEYWORDS = [k for k in keywords(mxnet.optimizer.Optimizer.__init__)
                  if k not in ("param_idx2name", "sym", "param_dict")]
#: MXNet 1.9 creates these optimizers' state with float32 zeros, whatever the weights' dtype
_FLOAT32_STATE = ("adagrad", "rmsprop", "adadelta")

# d2l's rule -> (gluon optimizer name, its keywords from d2l's hyperparameters h)
_SETTINGS = {
    "sgd": ("sgd", lambda h: {"learning_rate": h["lr"]}),
    "momentum": ("sgd", lambda h: {"learning_rate": h["lr"], "momentum": h["beta"]}),
    "adagrad": ("adagrad", lambda h: {"learning_rate": h["lr"], "eps": h["eps"]}),
    "rmsprop": ("rmsprop", lambda h: {"learning_rate": h["lr"], "gamma1": h["gamma"], "epsilon": h["eps"]}),
    "adadelta": ("adadelta", lambda h: {"rho": h["rho"], "epsilon": h["eps"]}),
    "adam": ("adam", lambda h: {"learning_rate": h["lr"], "beta1": float32_rounded(h["beta1"]),
                                "beta2": float32_rounded(h["beta2"]), "epsilon": h["eps"]}),
}


def make_parameters(arrays):
    parameters = []
    for i, array in enumerate(arrays):
        array = np.asarray(array)
        parameter = gluon.Parameter(f"param{i}", shape=array.shape, dtype=array.dtype)
        parameter.initialize(ctx=mxnet.cpu())
        parameter.set_data(mnp.array(array, dtype=array.dtype))
        parameters.append(parameter)
    return parameters


def parameter_values(parameters):
    return [p.data() for p in parameters]


def _trainer(name, kwargs, parameters):
    if name in _FLOAT32_STATE and any(p.dtype != np.float32 for p in parameters):
        raise ValueError(f"MXNet {mxnet.__version__}'s {name!r} keeps its state in float32 and fails "
                         "on other parameters; train in float32 (d2l.set_floatx('float32'))")
    return gluon.Trainer(parameters, name, dict(kwargs))


def builtin_optimizer(name, hyperparams, parameters):
    gluon_name, to_keywords = _SETTINGS[name]
    kwargs = to_keywords(hyperparams)
    trainer = _trainer(gluon_name, kwargs, parameters)
    settings = f"gluon.Trainer(params, {gluon_name!r}, {kwargs!r})"
    before_step = None
    if name == "adam":
        beta2, eps, steps = kwargs["beta2"], kwargs["epsilon"], [0]

        def before_step():
            steps[0] += 1
            trainer.optimizer.epsilon = eps * math.sqrt(1 - beta2 ** steps[0])

        settings += ", epsilon set to ε·√(1 − β₂ᵗ) before step t"
    return BuiltinOptimizer(trainer, settings, None, before_step)


def native_optimizer(trainer, hyperparams, parameters):
    if trainer not in NATIVE_OPTIMIZER_NAMES:
        raise ValueError(f"on MXNet the trainer is a gluon optimizer name "
                         f"({', '.join(NATIVE_OPTIMIZER_NAMES)}) or one of d2l's optimizer names; "
                         f"got {trainer!r}")
    check_keywords(f"MXNet's {trainer!r}",
                   keywords(_REGISTRY[trainer].__init__) + _BASE_KEYWORDS, hyperparams)
    return BuiltinOptimizer(_trainer(trainer, hyperparams, parameters),
                            f"gluon.Trainer(params, {trainer!r}, {hyperparams!r})")


def builtin_step(optimizer, parameters, loss, batch):
    if optimizer.before_step is not None:
        optimizer.before_step()
    with autograd.record():  # the recording ends with the block; the update itself is not recorded
        value = loss(parameter_values(parameters), *batch)
    value.backward()
    optimizer.optimizer.step(1)  # in place; the loss is already a mean: no 1/batch rescaling
    return parameters, optimizer
