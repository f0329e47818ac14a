"""Checks of the exercises of the gradient-descent section (``examples/gd.py``)."""
import math

import numpy as np

from d2l_optim import exercises, objectives
from d2l_optim.exercises import Wrong
from d2l_optim.exercises.expect import entries, expect_near, near, number, show, trace, truth

exercise = exercises.section("gd")


@exercise(1, "number", end_by_rate="where ten steps of d2l.gd on x² from x = 10 end, by learning rate: "
                                   "{0.5: x, 0.99: x, 1.0: x}")
def four_regimes(end_by_rate):
    rates = (0.5, 0.99, 1.0)
    for rate, value in zip(rates, entries(end_by_rate, "end_by_rate", rates)):
        x, factor = number(value, f"end_by_rate[{rate}]"), 1 - 2 * rate
        expected = 10 * factor**10
        if expected and near(x, -expected, atol=1e-6):
            raise Wrong(f"for eta = {rate} the sign is wrong: each step multiplies x by 1 - 2 eta = "
                        f"{factor:g}, and ten is an even number of steps")
        expect_near(f"end_by_rate[{rate}]", x, expected, atol=1e-6,
                    hint=f"each step multiplies x by 1 - 2 eta = {factor:g}; where is x after ten of them?")


def _newton_abs_end(x=10.0, steps=10):
    f = objectives.x_cos
    for _ in range(steps):
        x = x - float(f.grad(np.float64(x))) / abs(float(f.hess(np.float64(x))))
    return x


@exercise(2, "number", newton_abs_end="where Newton's method with |f''| ends, ten steps from x = 10",
          is_minimum="whether that point is a local minimum of x cos(cx): True or False")
def newton_with_abs_hessian(newton_abs_end, is_minimum):
    end = number(newton_abs_end, "newton_abs_end")
    if near(end, objectives.x_cos.stationary[-1].x[0], atol=1e-3):
        raise Wrong("26.83 is where plain Newton ends, at a local maximum: divide f'(x) by |f''(x)|, "
                    "its absolute value (f_hess=lambda x: d2l.abs(x_cos.hess(x)))")
    expect_near("newton_abs_end", end, _newton_abs_end(), atol=1e-4,
                hint="start at x = 10 and take ten steps x <- x - f'(x) / |f''(x)|")
    if not truth(is_minimum, "is_minimum"):
        curvature = float(objectives.x_cos.hess(np.float64(end)))
        raise Wrong(f"f'(x) = 0 at the end point and f''(x) = {curvature:.4f} > 0 there: what kind of "
                    "stationary point is that?")


def _line_search_trace(steps=5):
    """Exact line search on x1² + 2 x2², the step in [0, 1], from (-5, -2)."""
    points = [np.array([-5.0, -2.0])]
    for _ in range(steps):
        x = points[-1]
        g = np.array([2 * x[0], 4 * x[1]])
        step = min(1.0, (g @ g) / (g @ (np.array([2.0, 4.0]) * g)))
        points.append(x - step * g)
    return np.array(points)


@exercise(3, "number", bisection_minimizer="the minimizer of log(e^x + e^(-2x-3)) that bisection finds on "
                                           "[-2, 2]",
          line_search_trace="the trace of five line-search steps on x1² + 2 x2² (d2l.train_2d)",
          fixed_rate_trace="the trace of five steps at the fixed rate eta = 0.1")
def bisection_and_line_search(bisection_minimizer, line_search_trace, fixed_rate_trace):
    found = number(bisection_minimizer, "bisection_minimizer")
    if near(found, -2, atol=1e-3) or near(found, 2, atol=1e-3):
        raise Wrong(f"`bisection_minimizer` = {found:.6g} is an end of the interval: f' is negative left "
                    "of the minimizer and positive right of it; keep the half where the sign changes")
    expect_near("bisection_minimizer", found, (math.log(2) - 3) / 3, atol=1e-6,
                hint="halve [-2, 2] until it is tiny, keeping the half on whose ends f' has opposite signs")
    fixed = trace(fixed_rate_trace, "fixed_rate_trace", 5)
    expect_near("fixed_rate_trace", fixed[-1], [-5 * 0.8**5, -2 * 0.6**5], atol=1e-6,
                hint="five steps of x <- x - 0.1 grad f(x) from (-5, -2), as d2l.train_2d(d2l.sgd(0.1), "
                     "steps=5, ...) takes them")
    searched = trace(line_search_trace, "line_search_trace", 5)
    if near(searched, fixed, atol=1e-6):
        raise Wrong("`line_search_trace` is the fixed-rate run: choose each step's eta by bisection on "
                    "the slope of f(x - eta grad f(x))")
    expect_near("line_search_trace", searched, _line_search_trace(), atol=1e-5,
                hint="at each step choose eta in [0, 1] where d/d(eta) f(x - eta grad f(x)) changes sign, "
                     "by bisection, then step")


def _preconditioned(gradient, eta, diagonal, steps=20):
    points = [np.array([-5.0, -2.0])]
    for _ in range(steps):
        points.append(points[-1] - eta * gradient(points[-1]) / np.asarray(diagonal))
    return np.array(points)


def _rotated_gradient(x):
    along, across = 0.125 * (x[0] + x[1]), 2 * (x[0] - x[1])
    return np.array([along + across, along - across])


@exercise(4, "number", aligned_trace="20 preconditioned steps on 0.125 x1² + 2 x2² (d2l.train_2d)",
          rotated_trace="20 preconditioned steps on the rotated function",
          plain_trace="20 steps of plain gradient descent at eta = 2/4.25 on the rotated function")
def preconditioning_and_rotation(aligned_trace, rotated_trace, plain_trace):
    aligned = trace(aligned_trace, "aligned_trace", 20)
    expect_near("aligned_trace[-1]", aligned[-1], [0.0, 0.0], atol=1e-9,
                hint="on the axis-aligned function diag(H) is the whole Hessian (0.25, 4): divide each "
                     "coordinate's gradient by its entry, with eta = 1")
    plain = trace(plain_trace, "plain_trace", 20)
    expect_near("plain_trace[-1]", plain[-1], _preconditioned(_rotated_gradient, 2 / 4.25, (1, 1))[-1],
                atol=1e-6, hint="run plain gradient descent with eta = 2/4.25 on the rotated function, "
                                "from (-5, -2)")
    rotated = trace(rotated_trace, "rotated_trace", 20)
    if near(rotated[-1], [0.0, 0.0], atol=1e-6):
        raise Wrong("`rotated_trace` reaches the minimum: precondition with the diagonal of the rotated "
                    "function's Hessian, not with its eigenvalues")
    expect_near("rotated_trace", rotated, _preconditioned(_rotated_gradient, 1.0, (2.125, 2.125)), atol=1e-6,
                hint="the rotated function's Hessian has the diagonal (2.125, 2.125): divide the gradient "
                     f"by it (your last point: {show(rotated[-1])})")
