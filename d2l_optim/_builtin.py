"""Framework-free helpers the backends share to build their own optimizers."""
import inspect


def keywords(constructor, skip=("self", "params")):
    """The keyword parameters ``constructor`` names explicitly (not ``*args``/``**kwargs``)."""
    return [name for name, parameter in inspect.signature(constructor).parameters.items()
            if name not in skip and parameter.kind in (parameter.POSITIONAL_OR_KEYWORD,
                                                       parameter.KEYWORD_ONLY)]


def check_keywords(what, allowed, hyperparams):
    """Raise ``ValueError`` naming the ``allowed`` keywords unless ``hyperparams`` uses only them."""
    unknown = sorted(set(hyperparams) - set(allowed))
    if unknown:
        raise ValueError(f"{what} has no hyperparameter {', '.join(map(repr, unknown))}; "
                         f"it takes: {', '.join(allowed)}")


def describe(builtin, kwargs):
    """``builtin(key=value, ...)`` as text, e.g. ``torch.optim.Adagrad(lr=0.1, eps=0.0)``."""
    return f"{builtin}({', '.join(f'{key}={value!r}' for key, value in kwargs.items())})"
