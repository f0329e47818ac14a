"""The interface every backend implements, by concern, written down once.

A backend is a package registered under the entry-point group ``d2l_optim.backends`` (see
:mod:`d2l_optim._registry`): ``d2l_optim.backends.<name>`` for the ones shipped here (the top-level
``backends/<name>/`` folder), any importable package for another distribution's. Its modules:

* ``__init__`` — its identity (:class:`Identity`), and nothing that imports the framework;
* ``facts`` — what the tests, the build and the docs need to know about it (:class:`Facts`), also
  readable without the framework;
* ``ops`` (:class:`Ops`), ``autograd`` (:class:`Autograd`), ``nn`` (:class:`Networks`), ``train``
  (:class:`Training`) and ``compile`` (:class:`Compiler`) — the framework's side of the shim,
  imported the first time the backend is used.

:func:`assemble` gathers exactly the names written here from those five modules into one namespace,
the object every shim call talks to; a missing name is an error that names the module.
``tests/test_architecture.py`` checks every registered backend signature by signature. The
interface suits functional frameworks as well as mutable ones: nothing in it updates a tensor in
place, and a built-in training step returns the new parameters and optimizer state.
"""
import importlib
import inspect
import types
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Protocol, Sequence, Tuple


class BuiltinOptimizer(NamedTuple):
    """A framework's own optimizer, ready to step.

    ``optimizer`` is the framework's object (a ``torch.optim.Optimizer``, a Keras optimizer, a
    ``gluon.Trainer``, an optax ``GradientTransformation``; on NumPy, d2l's
    :class:`~d2l_optim.optimizers.Optimizer`); ``settings`` says how it was built
    (``"torch.optim.Adagrad(lr=0.1, ...)"``); ``state`` is its state where the framework keeps it
    outside the optimizer (optax, d2l's own), else None; ``before_step()``, when not None, adjusts
    it before every update (Keras' and MXNet's Adam add their ε to the uncorrected √v, so matching
    the book's ε needs ε̂_t = ε·√(1 − β₂ᵗ) before update t); ``compiled`` holds a backend's compiled
    steps, by loss function.
    """

    optimizer: Any
    settings: str
    state: Any = None
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


class Identity(Protocol):
    """A backend package's ``__init__``: who it is, readable without importing the framework.

    The backend's canonical name is its entry point's name (a lowercase identifier: the tox
    environment, ``D2L_OPTIM_BACKEND``, the ``framework-<name>`` cell tag).
    """

    #: what readers see ("PyTorch")
    LABEL: str
    #: other names accepted for it ("pytorch")
    ALIASES: Tuple[str, ...]
    #: the module whose presence means the backend is installed
    FRAMEWORK: str
    #: the top-level modules of the framework: its tensor classes belong to this backend, and a
    #: section cell that imports one of them must be tagged ``framework-<name>``
    MODULE_ROOTS: Tuple[str, ...]
    #: the pip distributions that may provide the framework, the first being the one the extra installs
    DISTRIBUTIONS: Tuple[str, ...]
    #: the ``pip install "d2l-optim[extra]"`` that installs it (None: always installed)
    EXTRA: Optional[str]


class Facts(Protocol):
    """A backend package's ``facts`` module: what tests, the build and the docs read about it,
    without importing the framework (the functions import it when called)."""

    #: d2l's rule -> how the framework's built-in optimizer relates to it (the equivalence table);
    #: every rule of ``d2l_optim.concise.CONCISE_OPTIMIZERS`` at least, ``{}`` for a backend
    #: without built-ins (its sections then need no framework cells)
    BUILTINS: Dict[str, BuiltinFacts]
    #: whether ``d2l.hessian`` works (else it raises SecondDerivativeUnsupported)
    SECOND_DERIVATIVES: bool
    #: whether ``compile_step`` writes the new slots into the buffers it was given
    COMPILED_STATE_IN_PLACE: bool
    #: the lines its cell of the lr-scheduler section prints
    SCHEDULER_LINES: Tuple[str, ...]

    def run_environment(self, threads: int) -> Dict[str, str]:
        """The environment variables a run of the framework gets (set before it is imported): its
        thread count ``threads``, fixed by the build and the benchmarks so numerics stay stable,
        and whatever keeps its logs quiet."""

    def book_sgd(self) -> Tuple[Any, dict]:
        """``(trainer, hyperparams)``: the framework's own SGD at learning rate 0.05 as the book's
        tab passes it to ``train_concise_ch11``."""

    def parameters_hold_no_graph(self, parameters, optimizer: BuiltinOptimizer) -> bool:
        """Whether the framework parameters, after built-in steps by ``optimizer``, carry no
        autograd history (no graph grows from step to step)."""

    def check_schedulers(self, ours: Dict[str, Callable[[], Callable[[int], float]]]) -> None:
        """Assert that the framework's own learning-rate schedulers apply the rates of d2l's, epoch
        by epoch over 30 epochs, as the lr-scheduler section documents. ``ours`` maps "multi-factor",
        "square root", "cosine" and "warm-up cosine" to a function making a fresh d2l scheduler."""


#: the functions every backend's ``MATH`` has, with NumPy's names and signatures (sum and mean with
#: ``axis`` and ``keepdims``)
MATH_FUNCTIONS = ("cos", "sin", "tan", "tanh", "cosh", "sinh", "exp", "log", "sqrt", "square", "sign", "abs",
                  "maximum", "minimum", "matmul", "reshape", "stack", "sum", "mean")


class Ops(Protocol):
    """``ops``: tensors."""

    #: the framework's tensor classes (what the shim returns), tracers included
    TENSOR_TYPES: Tuple[type, ...]
    #: the framework's float32 and float64 dtype objects, compared with ``x.dtype`` (a tensor of any
    #: other dtype is converted to floatx by the shim)
    FLOAT_DTYPES: Tuple[Any, ...]
    #: namespace of the functions :data:`MATH_FUNCTIONS`; optionally unstack (a tensor's rows along
    #: its first axis), where iterating over a tensor costs more (TensorFlow slices once per row,
    #: PyTorch runs Python code)
    MATH: Any

    def from_numpy(self, array) -> Any:
        """A new tensor holding the NumPy ``array`` in its dtype (already chosen by the caller)."""

    def to_numpy(self, x) -> Any:
        """A NumPy copy of the tensor ``x``."""

    def cast(self, x, dtype: str) -> Any:
        """``x`` converted to ``dtype`` (``"float32"`` or ``"float64"``)."""

    def dtype_name(self, x) -> str:
        """The dtype of ``x`` as a NumPy name: ``"float32"``, ``"float64"``, ``"int64"``, ..."""

    def seed(self, n: int) -> None:
        """Seed the framework's own random generator (d2l's draws come from NumPy, see ``d2l.seed``)."""


class Autograd(Protocol):
    """``autograd``: derivatives through the framework's own autograd."""

    def value_and_grad(self, f: Callable, argnums: Sequence[int], has_aux: bool) -> Callable:
        """A function of ``f``'s arguments giving ``(value, [gradient for each argnum])``.

        With ``has_aux``, ``f`` returns ``(value, aux)`` and the result is ``((value, aux), grads)``,
        ``aux`` cut from any graph. ``grads`` is None when the value does not depend on any of those
        arguments (the shim then warns and uses zeros); an argument the value does not depend on,
        next to one it does, gets a zero gradient. Called inside an outer derivative it keeps what
        that one needs (second derivatives), and it leaves nothing on the caller's tensors.
        """


class Networks(Protocol):
    """``nn``: convolutional networks. Images are NCHW (batch, channels, height, width); the shim
    checks shapes and arguments before calling these."""

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


class Training(Protocol):
    """``train``: the framework's own optimizers (``train_concise_ch11``, ``d2l_optim.equivalence``)."""

    #: the framework's own optimizers that are given by a name string (gluon's registry), else ()
    NATIVE_OPTIMIZER_NAMES: Tuple[str, ...]
    #: the loss the book's concise tab for this framework minimises, and what that changes
    BOOK_CONCISE_LOSS: str

    def make_parameters(self, arrays) -> List[Any]:
        """Framework-created trainable parameters (``nn.Parameter``, ``tf.Variable``, gluon
        ``Parameter``, JAX arrays; NumPy arrays on NumPy) holding copies of the NumPy ``arrays``,
        dtype kept."""

    def parameter_values(self, parameters) -> List[Any]:
        """The parameters' current values as tensors of the backend, outside any autograd graph
        (they may share memory with the parameters: convert before the next step to keep them)."""

    def builtin_optimizer(self, name: str, hyperparams: dict, parameters) -> BuiltinOptimizer:
        """The framework's optimizer that applies d2l's rule ``name`` (a key of the backend's
        ``facts.BUILTINS``) with d2l's ``hyperparams`` (complete, as d2l's optimizer takes them),
        configured as ``facts.BUILTINS[name]`` documents."""

    def native_optimizer(self, trainer, hyperparams: dict, parameters) -> BuiltinOptimizer:
        """The framework's own optimizer ``trainer`` (its class or function, or a name in
        ``NATIVE_OPTIMIZER_NAMES``) built with the framework's keywords ``hyperparams`` and
        defaults; ``ValueError`` naming what is allowed for an unknown optimizer or keyword."""

    def builtin_step(self, optimizer: BuiltinOptimizer, parameters, loss: Callable,
                     batch: Sequence) -> Tuple[List[Any], BuiltinOptimizer]:
        """One update: ``loss(values, *batch)`` (values: the parameters as tensors) differentiated by
        the framework's autograd, then the optimizer's step. Returns the new parameters and the
        optimizer with its new state (a mutable framework may update in place and return what it
        was given); no autograd graph survives the step."""


class Compiler(Protocol):
    """``compile``: the opt-in compiled path (d2l.compile_update, d2l.training_step,
    train_2d(compiled=True))."""

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


#: the modules of a backend package that implement the shim, and what each provides
CONCERNS = {"ops": Ops, "autograd": Autograd, "nn": Networks, "train": Training, "compile": Compiler}


def declared(protocol):
    """The names ``protocol`` declares: its constants, then its functions."""
    functions = [name for name, member in vars(protocol).items()
                 if inspect.isfunction(member) and not name.startswith("_")]
    return list(getattr(protocol, "__annotations__", {})) + functions


def assemble(name, package):
    """Backend ``name`` as one namespace: ``NAME`` and every name the concerns declare, read from
    the modules ``<package>.ops``, ``.autograd``, ``.nn``, ``.train`` and ``.compile`` (importing
    them imports the framework)."""
    namespace = {"NAME": name}
    for concern, protocol in CONCERNS.items():
        module = importlib.import_module(f"{package}.{concern}")
        missing = [n for n in declared(protocol) if not hasattr(module, n)]
        if missing:
            raise TypeError(f"backend {name!r}: {module.__name__} lacks {', '.join(missing)} (the "
                            f"{protocol.__name__} interface of d2l_optim.backend_api)")
        namespace.update((n, getattr(module, n)) for n in declared(protocol))
    return types.SimpleNamespace(**namespace)
