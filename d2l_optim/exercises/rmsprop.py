"""Checks of the exercises of the RMSProp section (eps = 1e-6, inside the root unless said)."""
import math

import numpy as np

from d2l_optim import exercises
from d2l_optim.exercises import Wrong
from d2l_optim.exercises.expect import array, entries, expect_both, expect_near, near

exercise = exercises.section("rmsprop")
EPS = 1e-6
STEPS = (1, 2, 5, 10, 30, 100)


@exercise(1, "number", step_lengths='the step lengths at t = 1, 2, 5, 10, 30, 100 under the gradient 1: '
                                    '{"rmsprop": [...], "adagrad": [...]}')
def the_start_up_bias(step_lengths):
    t = np.array(STEPS, dtype=float)
    rmsprop, adagrad = entries(step_lengths, "step_lengths", ("rmsprop", "adagrad"))
    found = array(rmsprop, 'step_lengths["rmsprop"]', (6,))
    if near(found, 0.1 / np.sqrt(0.1 + EPS) * np.ones(6), rtol=1e-4):
        raise Wrong("your RMSProp steps do not change: s starts at 0 and becomes 1 - 0.9^t after t steps")
    expect_near('step_lengths["rmsprop"]', found, 0.1 / np.sqrt(1 - 0.9**t + EPS), rtol=1e-6,
                hint="d2l.rmsprop(0.1, gamma=0.9) with the gradient 1; the step is x before minus x after")
    expect_near('step_lengths["adagrad"]', array(adagrad, 'step_lengths["adagrad"]', (6,)),
                0.1 / np.sqrt(t + EPS), rtol=1e-6,
                hint="d2l.adagrad(0.1) with the gradient 1; the step is x before minus x after")


def _step_after_warm_up(g, inside):
    s, x = 0.0, 0.0
    for _ in range(51):
        s = 0.9 * s + 0.1 * g * g
        before = x
        x -= g / (math.sqrt(s + EPS) if inside else math.sqrt(s) + EPS)
    return before - x


@exercise(2, "number", steps_inside="the 51st step for g = 1, 1e-2, 1e-4, 1e-6, eps inside the root",
          steps_outside="the same with eps outside the root (eps_in_sqrt=False)")
def where_eps_goes(steps_inside, steps_outside):
    gradients = (1.0, 1e-2, 1e-4, 1e-6)
    inside = array(steps_inside, "steps_inside", (4,))
    outside = array(steps_outside, "steps_outside", (4,))
    expected_inside = [_step_after_warm_up(g, True) for g in gradients]
    expected_outside = [_step_after_warm_up(g, False) for g in gradients]
    expect_both((("steps_inside", inside), ("steps_outside", outside)), (expected_inside, expected_outside),
                swapped="eps_in_sqrt=True is the course's rule, g / sqrt(s + eps)",
                hints=("d2l.rmsprop(1.0, gamma=0.9, eps=1e-6): 50 steps with the constant gradient, then "
                       "measure how far the 51st moves x", "the same with eps_in_sqrt=False"))


def _largest_distance(lr):
    x, s, distances = np.array([-5.0, -2.0]), np.zeros(2), []
    for step in range(200):
        g = np.array([0.2, 4.0]) * x
        s = 0.9 * s + 0.1 * g * g
        x = x - lr(step) * g / np.sqrt(s + EPS)
        distances.append(np.linalg.norm(x))
    return max(distances[-50:])


@exercise(3, "number", largest_distances="the largest distance to the minimum over the last 50 of 200 "
                                         "steps, for eta = 0.4, eta = 0.04 and eta_t = 0.4 / (1 + 0.1 t)")
def a_constant_rate_does_not_settle(largest_distances):
    found = array(largest_distances, "largest_distances", (3,))
    rates = (lambda t: 0.4, lambda t: 0.04, lambda t: 0.4 / (1 + 0.1 * t))
    expect_near("largest_distances", found, [_largest_distance(lr) for lr in rates], rtol=1e-6,
                hint="run d2l.rmsprop(lr, gamma=0.9) for 200 steps on f from (-5, -2) with d2l.train_2d and "
                     "take the largest distance to the origin among the last 50 points")
