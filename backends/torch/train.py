"""PyTorch's own optimizers (``torch.optim``) on ``nn.Parameter``s, for the concise training path."""
import numpy as np
import torch

from d2l_optim._builtin import check_keywords, describe, keywords
from d2l_optim.backend_api import BuiltinOptimizer

NATIVE_OPTIMIZER_NAMES = ()
BOOK_CONCISE_LOSS = (
    "The book's PyTorch tab minimises nn.MSELoss (mean (ŷ − y)², no ½): its gradients are twice "
    "the ½-loss's, so every learning rate acts doubled, and it logs evaluate_loss / 2. The package "
    "minimises mean ½(ŷ − y)² and logs it.")

# d2l's rule -> (torch.optim class, its keywords from d2l's hyperparameters h)
_SETTINGS = {
    "sgd": ("SGD", lambda h: {"lr": h["lr"]}),
    "momentum": ("SGD", lambda h: {"lr": h["lr"], "momentum": h["beta"]}),
    # s_torch starts at ε, so √(s_torch) = √(Σg² + ε) with eps=0: ε inside the root, exactly
    "adagrad": ("Adagrad", lambda h: {"lr": h["lr"], "initial_accumulator_value": h["eps"], "eps": 0.0}),
    "rmsprop": ("RMSprop", lambda h: {"lr": h["lr"], "alpha": h["gamma"], "eps": h["eps"]}),
    "adadelta": ("Adadelta", lambda h: {"lr": 1.0, "rho": h["rho"], "eps": h["eps"]}),
    "adam": ("Adam", lambda h: {"lr": h["lr"], "betas": (h["beta1"], h["beta2"]), "eps": h["eps"]}),
}

def make_parameters(arrays):
    return [torch.nn.Parameter(torch.tensor(np.asarray(a))) for a in arrays]


def parameter_values(parameters):
    return [p.detach() for p in parameters]


def builtin_optimizer(name, hyperparams, parameters):
    class_name, to_keywords = _SETTINGS[name]
    kwargs = to_keywords(hyperparams)
    optimizer = getattr(torch.optim, class_name)(parameters, **kwargs)
    return BuiltinOptimizer(optimizer, describe(f"torch.optim.{class_name}", kwargs))


def native_optimizer(trainer, hyperparams, parameters):
    if not (isinstance(trainer, type) and issubclass(trainer, torch.optim.Optimizer)):
        raise ValueError(f"on PyTorch the trainer is a torch.optim.Optimizer class (e.g. "
                         f"torch.optim.Adam) or one of d2l's optimizer names; got {trainer!r}")
    what = f"torch.optim.{trainer.__name__}"
    check_keywords(what, keywords(trainer.__init__), hyperparams)
    return BuiltinOptimizer(trainer(parameters, **hyperparams), describe(what, hyperparams))


def builtin_step(optimizer, parameters, loss, batch):
    if optimizer.before_step is not None:
        optimizer.before_step()
    optimizer.optimizer.zero_grad(set_to_none=True)
    with torch.enable_grad():
        value = loss(parameters, *batch)
    value.backward()  # frees the step's graph; the update itself runs under no_grad
    optimizer.optimizer.step()  # in place
    return parameters, optimizer
