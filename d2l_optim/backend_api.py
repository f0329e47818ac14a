"""The interface every backend module implements, written down once.

A backend is the package ``d2l_optim.backends.<name>`` (the top-level ``backends/<name>/`` folder);
its identity (label, aliases, distributions, pip extra) is in :mod:`d2l_optim._registry`. The module
provides each attribute of :class:`Backend` with exactly the signature given here;
``tests/test_architecture.py`` checks every installed backend against this class, signature by
signature. Everything written once in ``d2l_optim`` reaches a framework only through these names.
"""
from typing import Any, Callable, Protocol, Sequence, Tuple


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
