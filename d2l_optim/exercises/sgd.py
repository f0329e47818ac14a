"""Checks of the exercises of the stochastic-gradient-descent section."""
import math

import numpy as np

from d2l_optim import exercises, schedules
from d2l_optim.exercises import Wrong
from d2l_optim.exercises.expect import array, expect_near, near, number, truth

exercise = exercises.section("sgd")


@exercise(1, "number", targets="the 100 targets a_i drawn from N(2, 1)",
          full_gradient="the gradient of f = mean of the f_i at x = 0",
          per_example_mean="the mean of the 100 per-example gradients at x = 0",
          sampled_mean="the mean of 5000 gradients of uniformly sampled examples",
          gradient_spread="the standard deviation of a single sampled gradient")
def an_unbiased_estimate(targets, full_gradient, per_example_mean, sampled_mean, gradient_spread):
    a = array(targets, "targets", (100,))
    if not (1.5 < a.mean() < 2.5 and 0.6 < a.std() < 1.4):
        raise Wrong(f"`targets` have mean {a.mean():.3g} and standard deviation {a.std():.3g}: draw them "
                    "from N(2, 1), e.g. d2l.normal((100,), mean=2.0, std=1.0, dtype='float64')")
    full = number(full_gradient, "full_gradient")
    if near(full, a.mean(), rtol=1e-9):
        raise Wrong("the sign of `full_gradient` is wrong: the gradient of (x - a_i)^2 / 2 at x = 0 is -a_i")
    expect_near("full_gradient", full, -a.mean(), rtol=1e-9, atol=1e-12,
                hint="differentiate the mean of (x - a_i)^2 / 2 at x = 0")
    expect_near("per_example_mean", number(per_example_mean, "per_example_mean"), -a.mean(), rtol=1e-9,
                atol=1e-12, hint="average the 100 gradients of (x - a_i)^2 / 2 at x = 0, one per example")
    sampled = number(sampled_mean, "sampled_mean")
    if abs(sampled + a.mean()) > 6 * a.std() / math.sqrt(5000):
        raise Wrong(f"`sampled_mean` = {sampled:.4g} is farther from the full gradient than 5000 samples "
                    "allow: average the per-example gradients of 5000 uniformly drawn indices")
    spread = number(gradient_spread, "gradient_spread")
    if abs(spread - a.std()) > 0.08 * a.std():
        raise Wrong(f"`gradient_spread` = {spread:.4g} is not the spread of one sampled gradient: take the "
                    "standard deviation of the 5000 sampled gradients (not of their mean)")


@exercise(2, "number", seen_at_least_once="the fraction of the examples drawn at least once",
          seen_exactly_once="the fraction drawn exactly once", never_seen="the fraction never drawn",
          shuffled_each_once="whether a shuffled epoch sees every example exactly once: True or False")
def with_and_without_replacement(seen_at_least_once, seen_exactly_once, never_seen, shuffled_each_once):
    n = 10000
    at_least, exactly, never = (number(value, name) for value, name in (
        (seen_at_least_once, "seen_at_least_once"), (seen_exactly_once, "seen_exactly_once"),
        (never_seen, "never_seen")))
    if near(at_least, 1 - (1 - 1 / n) ** n - (1 - 1 / n) ** (n - 1), atol=0.02):
        raise Wrong("`seen_at_least_once` counts the examples drawn twice or more: count those drawn "
                    "once or more (counts >= 1)")
    for name, got, expected in (("seen_at_least_once", at_least, 1 - (1 - 1 / n) ** n),
                                ("seen_exactly_once", exactly, (1 - 1 / n) ** (n - 1)),
                                ("never_seen", never, (1 - 1 / n) ** n)):
        expect_near(name, got, expected, atol=0.015,
                    hint=f"draw {n} indices with replacement from {n} examples and count how often each "
                         "example comes up")
    if not near(at_least + never, 1.0, atol=1e-9):
        raise Wrong("every example is either seen at least once or never: `seen_at_least_once` + "
                    "`never_seen` should be 1")
    if not truth(shuffled_each_once, "shuffled_each_once"):
        raise Wrong(f"`shuffled_each_once` = {shuffled_each_once!r:.40}: count how often each example "
                    "appears in a random permutation of the n indices")


def _bound(schedule, steps=1000):
    rates = np.array([schedule(step) for step in range(steps)])
    return (1 + (rates**2).sum()) / (2 * rates.sum())


@exercise(3, "number", bounds="the bound (r^2 + L^2 sum eta_t^2) / (2 sum eta_t), r = L = 1, for the "
                              "constant 0.1, the constant 1/sqrt(T), the exponential and the polynomial "
                              "schedules (in that order)")
def schedules_in_the_bound(bounds):
    found = array(bounds, "bounds", (4,))
    expected = [_bound(schedule) for schedule in (
        schedules.constant_lr(0.1), schedules.constant_lr(1 / math.sqrt(1000)),
        schedules.exponential_lr(0.1), schedules.polynomial_lr(0.1))]
    exponential_from_1 = _bound(lambda step: 0.1 * math.exp(-0.1 * (step + 1)))
    if near(found[2], exponential_from_1, rtol=1e-4):
        raise Wrong("your exponential schedule's counter starts at t = 1: in the runs it runs from t = 2 "
                    "to T + 1 (d2l.exponential_lr does so)")
    for name, got, reference in zip(("constant 0.1", "constant 1/sqrt(T)", "exponential", "polynomial"),
                                    found, expected):
        expect_near(f"bounds ({name})", got, reference, rtol=1e-6,
                    hint="add up the rates and their squares over the T = 1000 steps, then "
                         "(1 + sum of squares) / (2 sum)")


@exercise(4, "number", mean_f_last="the mean of f at the last iterate over the 20 runs",
          mean_f_average="the mean of f at the average of the last 100 iterates")
def averaging_the_iterates(mean_f_last, mean_f_average):
    last, averaged = number(mean_f_last, "mean_f_last"), number(mean_f_average, "mean_f_average")
    # the noise floor of the last iterate: E f = 0.059, give or take 0.013 over 20 runs; the average
    # of 100 correlated iterates: about 0.004
    if not 0.015 < last < 0.12:
        raise Wrong(f"`mean_f_last` = {last:.4g} is not at the noise floor of constant-rate SGD (about "
                    "0.06): run 200 steps of d2l.sgd(0.1) with the section's noisy gradient from (-5, -2), "
                    "20 times, and average f at the last points")
    if not 0 < averaged < last / 3:
        raise Wrong(f"`mean_f_average` = {averaged:.4g} should be several times below the last iterate's: "
                    "average the points of the last 100 steps first, then evaluate f at that average")
