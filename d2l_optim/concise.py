"""The concise training path: the same linear model as ``train_ch11``, stepped by a framework's own
optimizer (``torch.optim``, ``tf.keras.optimizers``, ``gluon.Trainer``, optax; d2l's own on NumPy).

Written once: the backend only builds the framework's parameters and optimizer, takes one step and
reads the values back (:mod:`d2l_optim.backend_api`). ``trainer`` is either one of d2l's optimizers,
by name (``'adam'``) or function (``d2l.adam``), with d2l's hyperparameters (``{'lr': 0.01}``):
the framework's optimizer is then configured to apply exactly d2l's rule (see
:mod:`d2l_optim.equivalence`); or the framework's own optimizer as the book passes it
(``torch.optim.Adam`` with ``{'lr': 0.01}``, ``tf.keras.optimizers.Adam`` with
``{'learning_rate': 0.01}``, gluon's name ``'adam'`` with ``{'learning_rate': 0.01}``, ``optax.adam``
with ``{'learning_rate': 0.01}``), with the framework's keywords and defaults.

The book's tabs differ from each other; :data:`BOOK_VARIANTS` lists how, and what the package
does instead (spec §6.3 items 3, 16, 17).
"""
import inspect

from d2l_optim import _config, _registry, ops, optimizers
from d2l_optim._builtin import check_keywords
from d2l_optim._checks import check_count
from d2l_optim.data import ArrayLoader
from d2l_optim.training import fit_and_record, half_squared_loss, linreg

#: the book's per-tab variants of the concise path, and the package's choice (Markdown)
BOOK_VARIANTS = """\
* **Loss.** The PyTorch and TensorFlow tabs minimise mean (ŷ − y)² without the ½, which doubles
  every gradient (an effective learning rate 2η), and log half of it; the MXNet tab minimises
  ½(ŷ − y)². Here every backend minimises mean ½(ŷ − y)², the from-scratch loss, and logs it.
* **Epochs and bias.** The PyTorch tab trains 4 epochs (``num_epochs=4`` reproduces it) and keeps
  ``nn.Linear``'s uniform bias; here 2 epochs, weights N(0, 0.01²) from the shared seeded
  generator and a zero bias on every backend.
* **Hyperparameters.** The MXNet tab's values everywhere: SGD lr 0.05 (the PyTorch tab: 0.01);
  Adadelta lr 1.0 where a framework wants one (the TensorFlow tab passes 5.0 to offset Keras'
  default 0.001; MXNet's AdaDelta has no learning rate; PyTorch's default is 1.0). The TensorFlow
  section cell also passes the book's ε = 1e-5 to Keras' Adadelta: with Keras' 1e-7 its first
  steps are ten times smaller and 2 epochs end near 0.36.
* **RMSProp's decay** is ``gamma1`` (MXNet), ``alpha`` (PyTorch), ``rho`` (TensorFlow).
"""

#: d2l's optimizers that every framework has built in
CONCISE_OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam")
#: d2l arguments that are not hyperparameters of the rule (schedules; formula variants)
_NOT_HYPERPARAMS = ("schedule", "eps_in_sqrt")


def _signature(name):
    parameters = inspect.signature(getattr(optimizers, name)).parameters
    return {key: p.default for key, p in parameters.items() if key not in _NOT_HYPERPARAMS}


def our_hyperparams(name, hyperparams):
    """d2l's hyperparameters of optimizer ``name``, with its defaults filled in and checked."""
    defaults = _signature(name)
    check_keywords(f"d2l's {name!r}", list(defaults), hyperparams)
    missing = [key for key, value in defaults.items()
               if value is inspect.Parameter.empty and key not in hyperparams]
    if missing:
        raise ValueError(f"d2l's {name!r} needs {', '.join(missing)} (it takes {', '.join(defaults)})")
    getattr(optimizers, name)(**hyperparams)  # checks the values (a positive lr, a decay in [0, 1))
    return {key: hyperparams.get(key, value) for key, value in defaults.items()}


def _our_name(trainer, rules):
    """d2l's optimizer name for ``trainer`` (a name or one of d2l's functions) among ``rules``, else None."""
    for name in rules:
        if trainer is getattr(optimizers, name) or (isinstance(trainer, str) and trainer.lower() == name):
            return name
    return None


def make_builtin(trainer, hyperparams, parameters):
    """The active backend's optimizer for ``trainer`` over the framework ``parameters``.

    One of d2l's optimizers that the framework has built in (its ``facts.BUILTINS``), with d2l's
    hyperparameters, gives the framework's optimizer configured to d2l's rule; anything else goes
    to the framework as it is. On MXNet, whose own optimizers are names too, a d2l name whose
    hyperparameters are not all d2l's (``'sgd'`` with ``{'learning_rate': 0.05}``) is gluon's
    optimizer of that name.
    """
    if not isinstance(hyperparams, dict):
        raise TypeError(f"hyperparams must be a dict of keyword arguments, got {hyperparams!r}")
    backend = _config.current()
    rules = list(_registry.facts(backend.NAME).BUILTINS)
    name = _our_name(trainer, rules)
    if name is not None:
        ours = set(hyperparams) <= set(_signature(name))
        if ours or not isinstance(trainer, str) or trainer not in backend.NATIVE_OPTIMIZER_NAMES:
            return backend.builtin_optimizer(name, our_hyperparams(name, hyperparams), parameters)
    elif isinstance(trainer, str) and trainer not in backend.NATIVE_OPTIMIZER_NAMES:
        native = ", ".join(backend.NATIVE_OPTIMIZER_NAMES) or "none: pass the framework's class"
        raise ValueError(f"unknown optimizer {trainer!r}; d2l's names are {', '.join(rules)} "
                         f"(with d2l's hyperparameters); {backend.NAME}'s own names: {native}")
    return backend.native_optimizer(trainer, dict(hyperparams), parameters)


def _feature_dim(data_iter):
    if isinstance(data_iter, ArrayLoader):
        return data_iter.arrays[0].shape[1]
    return ops.shape(next(iter(data_iter))[0])[1]


def train_concise_ch11(trainer, hyperparams, data_iter, num_epochs=2):
    """Fit the linear model Xw + b to ``data_iter`` with a framework's own optimizer; return
    ``(seconds, losses)`` at the record points (a :class:`~d2l_optim.training.TrainingRun` whose
    ``animator`` holds the curve).

    ``trainer`` and ``hyperparams``: d2l's optimizer (``'adam'`` or ``d2l.adam`` with
    ``{'lr': 0.01}``) or the framework's own (``torch.optim.Adam`` with ``{'lr': 0.01}``, ...), see
    the module docstring. The parameters are the framework's (``nn.Parameter``, ``tf.Variable``,
    gluon ``Parameter``): w starts at N(0, 0.01²) from the shared seeded generator, b at 0. Each
    minibatch minimises the mean of ½(ŷ − y)². Record points, curve and the printed
    ``loss: L, S sec/epoch`` line are those of :func:`~d2l_optim.training.train_ch11`.
    """
    check_count("num_epochs", num_epochs)
    if not hasattr(data_iter, "__len__"):
        raise TypeError("train_concise_ch11: data_iter must know its number of minibatches (len()), "
                        "e.g. a loader from d2l.load_array or d2l.get_data_ch11")
    backend = _config.current()
    w = ops.normal((_feature_dim(data_iter), 1), 0.0, 0.01)
    parameters = backend.make_parameters([ops.numpy(w), ops.numpy(ops.zeros(1))])
    optimizer = make_builtin(trainer, hyperparams, parameters)

    def net(X):
        return linreg(X, *backend.parameter_values(parameters))

    def minibatch_step(X, y):
        nonlocal parameters, optimizer
        parameters, optimizer = backend.builtin_step(optimizer, parameters, half_squared_loss, (X, y))

    return fit_and_record("train_concise_ch11", net, minibatch_step, data_iter, num_epochs)
