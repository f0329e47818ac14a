"""Checks of the exercises of the convexity section."""
import numpy as np

from d2l_optim import exercises, ops
from d2l_optim.exercises import Wrong, function
from d2l_optim.exercises.expect import array, call, entries, expect_both, expect_near, near, number, show

exercise = exercises.section("convexity")


@exercise(1, "number", average_of_f="sum_i alpha_i exp(x_i), the left side of Jensen's inequality",
          f_of_average="exp(sum_i alpha_i x_i), the right side")
def jensen_in_numbers(average_of_f, f_of_average):
    points, weights = np.array([-1.0, 0.0, 2.0]), np.array([0.2, 0.5, 0.3])
    left, right = number(average_of_f, "average_of_f"), number(f_of_average, "f_of_average")
    if near(left, np.exp(points).mean()) or near(right, np.exp(points.mean())):
        raise Wrong("weigh each point by its alpha_i (0.2, 0.5, 0.3), not equally")
    expect_both((("average_of_f", left), ("f_of_average", right)),
                (weights @ np.exp(points), np.exp(weights @ points)),
                swapped="the left side averages the values exp(x_i), the right side is exp of the "
                        "averaged point",
                hints=("sum alpha_i exp(x_i)", "exp of sum alpha_i x_i"))


def _random_vectors(count, size, seed):
    return np.random.default_rng(seed).normal(size=(count, size)) * 3


@exercise(2, "function", log_sum_exp=function("v", "log(sum_i exp(v_i)) of the tensor v"),
          smallest_gap="the smallest gap chord - function over your 1000 random pairs")
def log_sum_exp_is_convex(log_sum_exp, smallest_gap):
    for v in _random_vectors(4, 5, seed=1):
        got = call(log_sum_exp, "log_sum_exp", ops.tensor(v, "float64"))
        expect_near(f"log_sum_exp({show(v, 3)})", got, np.log(np.exp(v).sum()), rtol=1e-9,
                    hint="log of the sum of exp of the entries")
    gap = number(smallest_gap, "smallest_gap")
    if gap < 0:
        raise Wrong(f"`smallest_gap` = {gap:.3g} is negative: the chord of a convex function lies above "
                    "it, so compute chord - f(lambda a + (1 - lambda) b), not the other way round")
    if gap > 0.02:
        raise Wrong(f"`smallest_gap` = {gap:.3g} is larger than the smallest of 1000 random gaps is "
                    "(about 0.001): keep the smallest gap over all the pairs")


def _project_l1(v, radius):
    """The projection onto the l1 ball, by sorting (Duchi et al., 2008)."""
    if np.abs(v).sum() <= radius:
        return v
    u = np.sort(np.abs(v))[::-1]
    sums = np.cumsum(u)
    last = np.nonzero(u - (sums - radius) / np.arange(1, len(u) + 1) > 0)[0][-1]
    threshold = (sums[last] - radius) / (last + 1)
    return np.sign(v) * np.maximum(np.abs(v) - threshold, 0.0)


@exercise(3, "function", project_l1=function("v, radius=1.0", "the projection of the tensor v onto the "
                                                               "l1 ball of this radius"),
          l2_projection="(1.5, 0.2) projected onto the unit l2 ball",
          l1_projection="(1.5, 0.2) projected onto the unit l1 ball",
          clipped_gradient="the gradient (3, 4) clipped to norm 1")
def projections_and_sparsity(project_l1, l2_projection, l1_projection, clipped_gradient):
    point = np.array([1.5, 0.2])
    expect_near("l2_projection", array(l2_projection, "l2_projection", (2,)), point / np.linalg.norm(point),
                hint="a point outside the unit l2 ball is divided by its norm")
    expect_near("clipped_gradient", array(clipped_gradient, "clipped_gradient", (2,)), [0.6, 0.8],
                hint="clipping to norm 1 divides the gradient by its norm when that is above 1")
    expect_near("l1_projection", array(l1_projection, "l1_projection", (2,)), _project_l1(point, 1.0),
                atol=1e-6, hint="soft-threshold both coordinates by the tau that puts the result on the "
                                "boundary |x_1| + |x_2| = 1")
    for v, radius in (([0.3, -0.2], 1.0), ([-1.5, 0.2], 1.0), ([0.8, -0.9, 0.4], 1.0),
                      ([3.0, -1.0, 0.5], 2.0)):
        v = np.array(v)
        got = call(project_l1, "project_l1", ops.tensor(v, "float64"), radius)
        expected = _project_l1(v, radius)
        if np.abs(v).sum() <= radius:
            if not near(got, v, atol=1e-9):
                raise Wrong(f"project_l1({show(v)}, {radius:g}) should return the point unchanged: it is "
                            f"inside the ball; got {show(got)}")
        elif got.shape == v.shape and not near(np.abs(got).sum(), radius, atol=1e-6):
            raise Wrong(f"project_l1({show(v)}, {radius:g}) = {show(got)} has l1 norm "
                        f"{np.abs(got).sum():.6g}: the projection of a point outside the ball lies on its "
                        f"boundary, of norm {radius:g}")
        expect_near(f"project_l1({show(v)}, {radius:g})", got, expected, atol=1e-6,
                    hint="shrink every |v_i| by the same tau (not below 0) and keep each sign")


@exercise(4, "number", constrained_x="where projected gradient descent ends",
          multiplier="the Lagrange multiplier alpha = -f'(x*)",
          penalized_x="the penalized minimizer for each lambda: {1.0: x, 10.0: x, 100.0: x}")
def one_constraint_three_ways(constrained_x, multiplier, penalized_x):
    end = number(constrained_x, "constrained_x")
    if near(end, 1.0, atol=1e-3):
        raise Wrong("`constrained_x` = 1 is the unconstrained minimum: after each step, project onto "
                    "x <= 1/2 with min(x, 0.5)")
    expect_near("constrained_x", end, 0.5, atol=1e-6, hint="step, then project with min(x, 0.5), 20 times")
    alpha = number(multiplier, "multiplier")
    if near(alpha, -1.0):
        raise Wrong("the multiplier is alpha = -f'(x*), which is >= 0 for an active constraint x <= 1/2")
    expect_near("multiplier", alpha, 1.0, atol=1e-6, hint="alpha = -f'(x*) with f'(x) = 2(x - 1)")
    lambdas = (1.0, 10.0, 100.0)
    for lam, value in zip(lambdas, entries(penalized_x, "penalized_x", lambdas)):
        expect_near(f"penalized_x[{lam:g}]", number(value, f"penalized_x[{lam:g}]"),
                    (1 + lam / 2) / (1 + lam), atol=1e-4,
                    hint="minimize (x - 1)^2 + lambda max(x - 1/2, 0)^2 until x stops moving")
