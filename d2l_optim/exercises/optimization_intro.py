"""Checks of the exercises of the section "Optimization and deep learning"."""
import math

import numpy as np

from d2l_optim import exercises
from d2l_optim.exercises import Wrong
from d2l_optim.exercises.expect import array, entries, expect_both, expect_near, near, number, show, trace

exercise = exercises.section("optimization_intro")


def _risk(x):
    return x * np.cos(np.pi * x)


def _empirical_risk(x):
    return _risk(x) + 0.2 * np.cos(5 * np.pi * x)


@exercise(1, "number", best_risk_x="the minimizer of the risk f on the grid",
          best_empirical_x="the minimizer of the empirical risk g on the grid",
          risk_paid="f(x̂) - min f, x̂ the empirical risk's minimizer")
def price_of_a_sample(best_risk_x, best_empirical_x, risk_paid):
    grid = np.arange(0.5, 1.5, 0.001)
    risk_x, empirical_x = grid[_risk(grid).argmin()], grid[_empirical_risk(grid).argmin()]
    found_risk_x, found_empirical_x = number(best_risk_x, "best_risk_x"), number(best_empirical_x,
                                                                                  "best_empirical_x")
    expect_both((("best_risk_x", found_risk_x), ("best_empirical_x", found_empirical_x)),
                (risk_x, empirical_x), atol=1.5e-3, rtol=0,
                swapped="the risk is f(x) = x cos(pi x), the empirical risk g adds 0.2 cos(5 pi x)",
                hints=("evaluate the risk f on the grid of step 0.001 over [0.5, 1.5] and take the x of its "
                       "smallest value", "do the same with the empirical risk g"))
    paid = number(risk_paid, "risk_paid")
    if paid < 0:
        raise Wrong(f"`risk_paid` = {paid:.4g} is negative, but min f is the smallest value of f: compute "
                    "f(x̂) - min f")
    expect_near("risk_paid", paid, _risk(found_empirical_x) - _risk(grid).min(), atol=2e-3,
                hint="evaluate the risk f (not g) at the empirical minimizer x̂ and subtract the smallest "
                     "value of f")


POINTS = ((1.0, 0.0), (-1.0, 0.0))


@exercise(2, "array", hessian_eigenvalues="the Hessian's eigenvalues at each point: {(1.0, 0.0): [...], "
                                          "(-1.0, 0.0): [...]}",
          point_kinds='what each point is: {(1.0, 0.0): "local minimum", ...} (local minimum, local '
                      'maximum or saddle point)')
def classifying_stationary_points(hessian_eigenvalues, point_kinds):
    for point, values in zip(POINTS, entries(hessian_eigenvalues, "hessian_eigenvalues", POINTS)):
        found = np.sort(array(values, f"hessian_eigenvalues[{point}]", (2,)))
        expect_near(f"hessian_eigenvalues[{point}]", found, np.sort([6 * point[0], 2.0]), atol=1e-3,
                    hint="the Hessian's (i, j) entry is the derivative of the j-th gradient entry along "
                         "coordinate i: (grad f(x + h e_i) - grad f(x - h e_i)) / 2h")
    for point, kind, expected in zip(POINTS, entries(point_kinds, "point_kinds", POINTS),
                                     ("minimum", "saddle")):
        if expected not in str(kind).lower():
            raise Wrong(f"`point_kinds[{point}]` = {kind!r:.40} is not right: all eigenvalues positive "
                        "make a local minimum, all negative a local maximum, both signs a saddle point")


def _tanh_slope(x):
    return 1 - np.tanh(x) ** 2


@exercise(3, "number", tanh_slopes="tanh'(x) at x = 0, 2, 4, 6",
          moved="how far ten steps of gradient descent (learning rate 1) from x = 4 move x",
          steps_to_3="how many such steps take x from 4 to 3 or below")
def crossing_a_plateau(tanh_slopes, moved, steps_to_3):
    points = np.array([0.0, 2.0, 4.0, 6.0])
    expect_near("tanh_slopes", array(tanh_slopes, "tanh_slopes", (4,)), _tanh_slope(points), rtol=1e-6,
                hint="the derivative of tanh is 1 - tanh(x)^2; evaluate it at 0, 2, 4 and 6")
    x = 4.0
    for _ in range(10):
        x -= _tanh_slope(x)
    distance = number(moved, "moved")
    if near(distance, x, rtol=1e-6):
        raise Wrong(f"`moved` = {distance:.6g} is where x ends, not how far it moved from 4")
    expect_near("moved", distance, 4.0 - x, rtol=1e-6,
                hint="run ten steps x <- x - tanh'(x) from x = 4 and subtract the end from 4")
    x, steps = 4.0, 0
    while x > 3.0:
        x, steps = x - _tanh_slope(x), steps + 1
    counted = number(steps_to_3, "steps_to_3")
    if abs(counted - steps) == 1:
        raise Wrong(f"`steps_to_3` = {counted:g} is off by one: count the steps until x is at most 3")
    expect_near("steps_to_3", counted, steps, atol=0.5,
                hint="repeat the step x <- x - tanh'(x) from x = 4 until x <= 3, counting the steps")


@exercise(4, "array", on_the_ridge="20 steps of gradient descent (rate 0.1) on x² - y² from (1, 0) "
                                   "(d2l.train_2d)",
          nudged="the same from (1, 0.001)")
def saddle_attracts(on_the_ridge, nudged):
    t = np.arange(21)
    for name, value, start in (("on_the_ridge", on_the_ridge, 0.0), ("nudged", nudged, 0.001)):
        points = trace(value, name, 20)
        expected = np.stack([0.8**t, start * 1.2**t], axis=1)
        if start and near(points, expected * [1, 0], atol=1e-9):
            raise Wrong("`nudged` never leaves the x axis: start it at (1, 0.001)")
        expect_near(name, points, expected, rtol=1e-6, atol=1e-9,
                    hint=f"run d2l.train_2d(d2l.sgd(0.1), f_grad=..., x0=(1.0, {start:g})) on x^2 - y^2; "
                         f"your last point is {show(points[-1])}")


#: the instructor run's fractions (seed 0, 100,000 matrices each); a student's own draws differ by
#: sampling error, about sqrt(p (1 - p) / 100,000)
ALL_POSITIVE = (0.49829, 0.14859, 0.02482, 0.00260, 0.00017)


@exercise(5, "array", all_positive_fractions="for k = 1, ..., 5, the fraction of the 100,000 random "
                                             "matrices whose eigenvalues are all positive")
def eigenvalue_signs(all_positive_fractions):
    found = array(all_positive_fractions, "all_positive_fractions", (5,))
    independent = 2.0 ** -np.arange(1, 6)
    if near(found[1:], independent[1:], rtol=0.02):
        raise Wrong("those are 2^-k, the independent-signs guess: draw the matrices and count how many "
                    "have only positive eigenvalues")
    for k, (got, expected) in enumerate(zip(found, ALL_POSITIVE), start=1):
        spread = 6 * math.sqrt(2 * expected * (1 - expected) / 100_000) + 2e-5
        if abs(got - expected) > spread:
            raise Wrong(f"for k = {k} your fraction {got:.5f} is far from what 100,000 matrices give (more "
                        "than six times the sampling error): draw A with standard normal entries, take "
                        "H = (A + A^T) / 2, and count the H whose eigenvalues are all positive")
