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

        Returns a function of ``f``'s arguments giving ``(value, [gradient for each argnum])``; it
        leaves nothing behind on the caller's tensors (no ``.grad``, no tape).
        """

    def seed(self, n: int) -> None:
        """Seed the framework's own random generator."""

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
        """log Σ exp(x) along ``axis``, stable for large |x|; its gradient is softmax(x)."""

    def argmax(self, x, axis: int) -> Any:
        """int64 index of the largest value along ``axis``; not differentiated."""
