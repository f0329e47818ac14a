"""Framework-free helpers the backends share: building their own optimizers, mapping over outputs."""
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


def map_structure(fn, tree):
    """``fn`` applied to every leaf of ``tree``: nested tuples, lists and dicts keep their shape
    (a backend cuts an auxiliary output from its autograd graph this way)."""
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):  # a named tuple
        return type(tree)(*(map_structure(fn, item) for item in tree))
    if isinstance(tree, (tuple, list)):
        return type(tree)(map_structure(fn, item) for item in tree)
    if isinstance(tree, dict):
        return {key: map_structure(fn, value) for key, value in tree.items()}
    return fn(tree)
