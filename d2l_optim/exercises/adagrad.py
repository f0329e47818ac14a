"""Checks of the exercises of the Adagrad section (f = 0.1 x1² + 2 x2², Adagrad's eps = 1e-6)."""
import numpy as np

from d2l_optim import exercises
from d2l_optim.exercises import Wrong
from d2l_optim.exercises.expect import array, entries, expect_near, near, number, show, trace

exercise = exercises.section("adagrad")
EPS = 1e-6
HESSIANS = {"aligned": np.array([[0.2, 0.0], [0.0, 4.0]]), "rotated": np.array([[4.2, -3.8], [-3.8, 4.2]])}


def _condition(matrix):
    eigenvalues = np.linalg.eigvalsh(matrix)
    return eigenvalues.max() / eigenvalues.min()


@exercise(1, "number", condition_numbers='the condition numbers before and after the rescaling: '
                                         '{"aligned": (before, after), "rotated": (before, after)}',
          gershgorin_bounds='the Gershgorin bound on the rescaled condition number: '
                            '{"aligned": ..., "rotated": ...}')
def diagonal_preconditioning(condition_numbers, gershgorin_bounds):
    names = tuple(HESSIANS)
    for name, pair, bound in zip(names, entries(condition_numbers, "condition_numbers", names),
                                 entries(gershgorin_bounds, "gershgorin_bounds", names)):
        hessian = HESSIANS[name]
        scale = 1 / np.sqrt(np.diag(hessian))
        tilde = hessian * np.outer(scale, scale)
        before, after = array(pair, f"condition_numbers[{name!r}]", (2,))
        expect_near(f"condition_numbers[{name!r}][0]", before, _condition(hessian),
                    hint="the condition number is the largest eigenvalue divided by the smallest")
        if name == "rotated" and near(after, 1.0):
            raise Wrong("the rotated Hessian's diagonal is (4.2, 4.2): rescaling by it changes every entry "
                        "by the same factor, so the condition number stays what it was")
        expect_near(f"condition_numbers[{name!r}][1]", after, _condition(tilde),
                    hint="rescale to Q~ = D^(-1/2) Q D^(-1/2), D = diag(Q), then take the condition number")
        radius = (np.abs(tilde).sum(axis=1) - 1).max()
        expect_near(f"gershgorin_bounds[{name!r}]", number(bound, f"gershgorin_bounds[{name!r}]"),
                    (1 + radius) / (1 - radius),
                    hint="with r the largest off-diagonal row sum of Q~, the eigenvalues lie in "
                         "[1 - r, 1 + r]; bound their ratio")


def _adagrad(gradient, lr, steps=20, start=(-5.0, -2.0)):
    points, s = [np.array(start)], np.zeros(2)
    for _ in range(steps):
        g = gradient(points[-1])
        s = s + g * g
        points.append(points[-1] - lr * g / np.sqrt(s + EPS))
    return np.array(points)


def _rotated_gradient(x):
    along, across = 0.2 * (x[0] + x[1]), 4 * (x[0] - x[1])
    return np.array([along + across, along - across])


def _gradient(x):
    return np.array([0.2, 4.0]) * x


@exercise(2, "number", tilted_trace="20 steps of d2l.adagrad(2) on f_rot from (-5, -2) (d2l.train_2d)")
def adagrad_on_the_tilted_valley(tilted_trace):
    found = trace(tilted_trace, "tilted_trace", 20)
    if near(found, _adagrad(_gradient, 2.0), atol=1e-6):
        raise Wrong("`tilted_trace` is the run on the aligned f: use the rotated function "
                    "0.1 (x1 + x2)^2 + 2 (x1 - x2)^2")
    expect_near("tilted_trace", found, _adagrad(_rotated_gradient, 2.0), atol=1e-6,
                hint=f"run d2l.adagrad(2) on f_rot from (-5, -2) for 20 steps (your last point: "
                     f"{show(found[-1])})")


@exercise(3, "number", original_trace="20 steps of d2l.adagrad(2) on f (d2l.train_2d)",
          scaled_trace="the same on 100 f")
def scale_invariance(original_trace, scaled_trace):
    expect_near("original_trace", trace(original_trace, "original_trace", 20), _adagrad(_gradient, 2.0),
                atol=1e-6, hint="run d2l.adagrad(2) on f from (-5, -2) for 20 steps")
    expect_near("scaled_trace", trace(scaled_trace, "scaled_trace", 20),
                _adagrad(lambda x: 100 * _gradient(x), 2.0), atol=1e-6,
                hint="run d2l.adagrad(2) on 100 f, whose gradient is 100 times f's, for 20 steps")


@exercise(4, "number", rates_after="each coordinate's rate eta / sqrt(s + eps) after 100 and 1000 steps: "
                                   "{100: (frequent, rare), 1000: (frequent, rare)}",
          moved_after="how far each coordinate has moved: {100: (frequent, rare), 1000: (frequent, rare)}")
def a_rare_feature(rates_after, moved_after):
    s, moved, expected_rates, expected_moves = np.zeros(2), np.zeros(2), {}, {}
    for t in range(1, 1001):
        g = np.array([1.0, 1.0 if t % 100 == 0 else 0.0])
        s = s + g * g
        moved = moved + 0.1 * g / np.sqrt(s + EPS)
        expected_rates[t], expected_moves[t] = 0.1 / np.sqrt(s + EPS), moved
    for t, rates, distances in zip((100, 1000), entries(rates_after, "rates_after", (100, 1000)),
                                   entries(moved_after, "moved_after", (100, 1000))):
        expect_near(f"rates_after[{t}]", array(rates, f"rates_after[{t}]", (2,)), expected_rates[t],
                    rtol=1e-6, hint="after t steps s is the sum of the squared gradients so far; the rate "
                                    "is 0.1 / sqrt(s + eps), frequent coordinate first")
        found = array(distances, f"moved_after[{t}]", (2,))
        if near(found, -expected_moves[t], rtol=1e-6):
            raise Wrong(f"`moved_after[{t}]` has the wrong sign: give how far each coordinate moved, a "
                        "positive distance")
        expect_near(f"moved_after[{t}]", found, expected_moves[t], rtol=1e-6,
                    hint="the distance from 0, frequent coordinate first")
