"""The interface every backend module implements, written down once.

A backend is the package ``d2l_optim.backends.<name>`` (the top-level ``backends/<name>/`` folder);
its identity (label, aliases, distributions, pip extra) is in :mod:`d2l_optim._registry`. The module
provides each attribute of :class:`Backend` with exactly the signature given here;
``tests/test_architecture.py`` checks every installed backend against this class, signature by
signature. Everything written once in ``d2l_optim`` reaches a framework only through these names.
"""
from typing import Any, Callable, List, NamedTuple, Optional, Protocol, Sequence, Tuple

#: the part of the interface a backend keeps in its ``train`` module (its package re-exports it)
TRAINING_NAMES = ("NATIVE_OPTIMIZER_NAMES", "BOOK_CONCISE_LOSS", "make_parameters", "parameter_values",
                  "builtin_optimizer", "native_optimizer", "builtin_step", "builtin_facts")


class BuiltinOptimizer(NamedTuple):
    """A framework's own optimizer over framework-created parameters, ready to step.

    ``optimizer`` is the framework's object (a ``torch.optim.Optimizer``, a Keras optimizer, a
    ``gluon.Trainer``; on NumPy, d2l's :class:`~d2l_optim.optimizers.Optimizer` with its state);
    ``settings`` says how it was built (``"torch.optim.Adagrad(lr=0.1, ...)"``); ``before_step()``,
    when not None, adjusts it before every update (Keras' and MXNet's Adam add their ε to the
    uncorrected √v, so matching the book's ε needs ε̂_t = ε·√(1 − β₂ᵗ) before update t);
    ``compiled`` holds a backend's compiled steps, by loss function (TensorFlow's ``tf.function``).
    """

    optimizer: Any
    parameters: list
    settings: str
    before_step: Optional[Callable[[], None]] = None
    compiled: Optional[dict] = None


class BuiltinFacts(NamedTuple):
    """What a framework's built-in optimizer for one of d2l's rules does, for the equivalence table.

    ``builtin``: the framework's optimizer (``"torch.optim.RMSprop"``); ``rule_changes``: d2l
    hyperparameters that turn d2l's rule into the formula the built-in applies (``{}``: d2l's own
    rule, matched exactly); ``formula``: that formula in words when ``rule_changes`` is not empty;
    ``defaults``: the framework's defaults that differ from the book's rule; ``dtype``: the precision
    in which the comparison is exact (``"float32"`` where the framework keeps state in float32).
    """

    builtin: str
    rule_changes: dict
    formula: str
    defaults: str
    dtype: str


class Backend(Protocol):
    """What ``d2l_optim`` asks of a framework."""

    #: canonical backend name, a key of ``d2l_optim._registry.BACKENDS``
    NAME: str
    #: the framework's tensor classes (what the shim returns)
    TENSOR_TYPES: Tuple[type, ...]
    #: the framework's float32 and float64 dtype objects, compared with ``x.dtype`` (a tensor of any
    #: other dtype is converted to floatx by the shim)
    FLOAT_DTYPES: Tuple[Any, ...]
    #: namespace of functions with NumPy's names and signatures: cos, sin, tan, tanh, cosh, sinh,
    #: exp, log, sqrt, square, sign, abs, maximum, minimum, matmul, reshape, stack, sum and mean
    #: (``axis``, ``keepdims``)
    MATH: Any

    def from_numpy(self, array) -> Any:
        """A new tensor holding the NumPy ``array`` (its dtype already chosen by the caller)."""

    def to_numpy(self, x) -> Any:
        """A NumPy copy of the tensor ``x``."""

    def cast(self, x, dtype: str) -> Any:
        """``x`` converted to ``dtype`` (``"float32"`` or ``"float64"``)."""

    def dtype_name(self, x) -> str:
        """The dtype of ``x`` as a NumPy name: ``"float32"``, ``"float64"``, ``"int64"``, ..."""

    def value_and_grad(self, f: Callable, argnums: Sequence[int]) -> Callable:
        """``f``'s value and gradients through the framework's own autograd.

        Returns a function of ``f``'s arguments giving ``(value, [gradient for each argnum])``, or
        ``(value, None)`` when the value does not depend on any of those arguments (the shim then
        warns and uses zeros); an argument the value does not depend on, next to one it does, gets
        a zero gradient. It leaves nothing behind on the caller's tensors (no ``.grad``, no tape).
        """

    def seed(self, n: int) -> None:
        """Seed the framework's own random generator."""

    # -- training with the framework's own optimizers (train_concise_ch11, d2l_optim.equivalence) --

    #: the framework's own optimizers that are given by a name string (gluon's registry), else ()
    NATIVE_OPTIMIZER_NAMES: Tuple[str, ...]
    #: the loss the book's concise tab for this framework minimises, and what that changes
    BOOK_CONCISE_LOSS: str

    def make_parameters(self, arrays) -> List[Any]:
        """Framework-created trainable parameters (``nn.Parameter``, ``tf.Variable``, gluon
        ``Parameter``; NumPy arrays on NumPy) holding copies of the NumPy ``arrays``, dtype kept."""

    def parameter_values(self, parameters) -> List[Any]:
        """The parameters' current values as tensors of the backend, outside any autograd graph
        (they may share memory with the parameters: convert before the next step to keep them)."""

    def builtin_optimizer(self, name: str, hyperparams: dict, parameters) -> BuiltinOptimizer:
        """The framework's optimizer that applies d2l's rule ``name`` (sgd, momentum, adagrad,
        rmsprop, adadelta, adam) with d2l's ``hyperparams`` (complete, as d2l's optimizer takes
        them), configured as :meth:`builtin_facts` documents."""

    def native_optimizer(self, trainer, hyperparams: dict, parameters) -> BuiltinOptimizer:
        """The framework's own optimizer ``trainer`` (its class, or a name in
        ``NATIVE_OPTIMIZER_NAMES``) built with the framework's keywords ``hyperparams`` and defaults;
        ``ValueError`` naming what is allowed for an unknown optimizer or keyword."""

    def builtin_step(self, optimizer: BuiltinOptimizer, loss: Callable, batch: Sequence) -> None:
        """One update: ``loss(values, *batch)`` (values: the parameters as tensors) differentiated by
        the framework's autograd, then the optimizer's step, in place on the parameters; no autograd
        graph survives the step."""

    def builtin_facts(self, name: str) -> BuiltinFacts:
        """How the framework's built-in for d2l's rule ``name`` relates to it (the equivalence table)."""
    # Convolutional networks: images are NCHW (batch, channels, height, width); the shim checks
    # shapes and arguments before calling these.

    def conv2d(self, x, weight, padding: int) -> Any:
        """Stride-1 cross-correlation of NCHW ``x`` with ``weight`` (out, in, kh, kw), zero-padded
        by ``padding`` on each side; no bias. Returns NCHW."""

    def max_pool2d(self, x, size: int) -> Any:
        """Maximum over non-overlapping ``size`` × ``size`` windows of NCHW ``x`` (stride ``size``,
        leftover rows and columns dropped)."""

    def relu(self, x) -> Any:
        """max(x, 0), with derivative 0 at 0."""

    def logsumexp(self, x, axis: int, keepdims: bool) -> Any:
        """log Σ exp(x) along ``axis``, stable for large ``|x|``; its gradient is softmax(x)."""

    def argmax(self, x, axis: int) -> Any:
        """int64 index of the largest value along ``axis``; not differentiated."""

    # -- the opt-in compiled path (d2l.compile_update, d2l.training_step, train_2d(compiled=True)) --

    def compile_step(self, step: Callable) -> Callable:
        """``step`` compiled by the framework, where it has a compiler (else ``step`` itself).

        ``step(params, slots, *args) -> (params, slots)`` is one optimizer update or training step
        written on the shim: ``params`` a tuple of tensors, ``slots`` a tuple (one per parameter)
        of tuples of tensors, ``args`` tensors, tuples of tensors or Python numbers (the compiled
        step receives numbers as 0-d tensors of the first parameter's dtype, so a new learning rate
        or step counter compiles nothing new). The compiled step gives ``step``'s values to float
        rounding; it returns new ``params`` and may write the new slots into the slot buffers it
        was given (returning them, or their replacements, as ``slots``), so a step costs at most
        one extra copy of the parameters.
        """
