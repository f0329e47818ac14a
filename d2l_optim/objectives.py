"""The chapter's objective functions, written once on the shim.

Each :class:`Objective` carries the function, its hand-written derivatives (the book's
``f_grad``/``f_hess``, used to check autograd and where a backend cannot differentiate twice),
the range the book plots it on and its known stationary points. Call it like a function.
"""
import dataclasses
import math
from typing import Callable, Optional, Tuple

from d2l_optim import ops


@dataclasses.dataclass(frozen=True)
class Stationary:
    """A point where the gradient vanishes: ``kind`` is "min", "max" or "saddle"."""

    x: Tuple[float, ...]
    value: float
    kind: str


@dataclasses.dataclass(frozen=True)
class Objective:
    """An objective f with its derivatives, plot range and stationary points.

    ``plot_range`` is ``(start, stop, step)`` for one variable, or a pair of them (x1, x2) for two.
    ``grad`` returns a tuple for two variables; ``hess`` is f'' for one variable (None if the book
    gives none).
    """

    name: str
    formula: str
    f: Callable
    grad: Callable
    hess: Optional[Callable] = None
    plot_range: tuple = (-2.0, 2.0, 0.01)
    stationary: Tuple[Stationary, ...] = ()

    def __call__(self, *x):
        return self.f(*x)

    @property
    def arity(self):
        """Number of scalar variables (1 or 2)."""
        return 2 if isinstance(self.plot_range[0], tuple) else 1

    @property
    def minima(self):
        return tuple(p for p in self.stationary if p.kind == "min")


def _stationary(kind, value, *x):
    return Stationary(tuple(x), value, kind)


C_XCOS = 0.15 * math.pi
C_COSH = 0.5

risk = Objective(
    "risk", "f(x) = x cos(πx)",
    lambda x: x * ops.cos(math.pi * x),
    lambda x: ops.cos(math.pi * x) - math.pi * x * ops.sin(math.pi * x),
    plot_range=(-1.0, 2.0, 0.01),
    stationary=(_stationary("min", -0.178603, -0.273853), _stationary("min", -1.046721, 1.090408)))
empirical_risk = Objective(
    "empirical_risk", "g(x) = x cos(πx) + 0.2 cos(5πx)",
    lambda x: risk.f(x) + 0.2 * ops.cos(5 * math.pi * x),
    lambda x: risk.grad(x) - math.pi * ops.sin(5 * math.pi * x),
    plot_range=(0.5, 1.5, 0.01),
    stationary=(_stationary("min", -1.208461, 1.016983),))
cubic = Objective(
    "cubic", "f(x) = x³", lambda x: x**3, lambda x: 3 * x**2, lambda x: 6 * x,
    plot_range=(-2.0, 2.0, 0.01), stationary=(_stationary("saddle", 0.0, 0.0),))
saddle = Objective(
    "saddle", "f(x, y) = x² - y²", lambda x, y: x**2 - y**2, lambda x, y: (2 * x, -2 * y),
    plot_range=((-1.0, 1.0, 0.02), (-1.0, 1.0, 0.02)),
    stationary=(_stationary("saddle", 0.0, 0.0, 0.0),))
tanh = Objective(
    "tanh", "f(x) = tanh(x)", ops.tanh, lambda x: 1 - ops.tanh(x) ** 2,
    plot_range=(-2.0, 5.0, 0.01))
half_square = Objective(
    "half_square", "f(x) = x²/2", lambda x: 0.5 * x**2, lambda x: x, lambda x: ops.ones(ops.shape(x)),
    stationary=(_stationary("min", 0.0, 0.0),))
cos_pi = Objective(
    "cos_pi", "g(x) = cos(πx)", lambda x: ops.cos(math.pi * x),
    lambda x: -math.pi * ops.sin(math.pi * x))
exp_half = Objective(
    "exp_half", "h(x) = exp(x/2)", lambda x: ops.exp(0.5 * x), lambda x: 0.5 * ops.exp(0.5 * x))
shifted_square = Objective(
    "shifted_square", "f(x) = (x - 1)²", lambda x: (x - 1) ** 2, lambda x: 2 * (x - 1),
    stationary=(_stationary("min", 0.0, 1.0),))
square = Objective(
    "square", "f(x) = x²", lambda x: x**2, lambda x: 2 * x, lambda x: 2 + 0 * x,
    plot_range=(-10.0, 10.0, 0.01), stationary=(_stationary("min", 0.0, 0.0),))
x_cos = Objective(
    "x_cos", "f(x) = x cos(cx), c = 0.15π",
    lambda x: x * ops.cos(C_XCOS * x),
    lambda x: ops.cos(C_XCOS * x) - C_XCOS * x * ops.sin(C_XCOS * x),
    lambda x: -2 * C_XCOS * ops.sin(C_XCOS * x) - x * C_XCOS**2 * ops.cos(C_XCOS * x),
    plot_range=(-10.0, 10.0, 0.01),
    stationary=(_stationary("min", -1.190683, -1.825685), _stationary("min", -6.978141, 7.269388),
                _stationary("max", 26.750617, 26.834133)))
cosh = Objective(
    "cosh", "f(x) = cosh(cx), c = 0.5",
    lambda x: ops.cosh(C_COSH * x),
    lambda x: C_COSH * ops.sinh(C_COSH * x),
    lambda x: C_COSH**2 * ops.cosh(C_COSH * x),
    plot_range=(-10.0, 10.0, 0.01), stationary=(_stationary("min", 1.0, 0.0),))
quadratic_2d = Objective(
    "quadratic_2d", "f(x1, x2) = x1² + 2 x2²",
    lambda x1, x2: x1**2 + 2 * x2**2, lambda x1, x2: (2 * x1, 4 * x2),
    plot_range=((-5.5, 1.0, 0.1), (-3.0, 1.0, 0.1)),
    stationary=(_stationary("min", 0.0, 0.0, 0.0),))
elongated_2d = Objective(
    "elongated_2d", "f(x1, x2) = 0.1 x1² + 2 x2²",
    lambda x1, x2: 0.1 * x1**2 + 2 * x2**2, lambda x1, x2: (0.2 * x1, 4 * x2),
    plot_range=((-5.5, 1.0, 0.1), (-3.0, 1.0, 0.1)),
    stationary=(_stationary("min", 0.0, 0.0, 0.0),))

CATALOGUE = {o.name: o for o in (
    risk, empirical_risk, cubic, saddle, tanh, half_square, cos_pi, exp_half, shifted_square,
    square, x_cos, cosh, quadratic_2d, elongated_2d)}
