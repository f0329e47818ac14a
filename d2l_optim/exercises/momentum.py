"""Checks of the exercises of the momentum section (f = 0.1 x1² + 2 x2²)."""
import numpy as np

from d2l_optim import exercises
from d2l_optim.exercises import Wrong
from d2l_optim.exercises.expect import array, expect_near, near, number, show, trace, truth

exercise = exercises.section("momentum")
BETAS = (0.0, 0.25, 0.5, 0.9)
START = np.array([-5.0, -2.0])


def _gradient(x):
    return np.array([0.2, 4.0]) * x


def _radius(beta, eta_lambda):
    return np.abs(np.roots([1.0, -(1 + beta - eta_lambda), beta])).max()


@exercise(1, "number", stable_limits="for beta = 0, 0.25, 0.5, 0.9: the largest stable eta*lambda on "
                                     "your grid",
          smallest_radii="for the same betas: the smallest spectral radius on the grid")
def the_stability_region(stable_limits, smallest_radii):
    limits = array(stable_limits, "stable_limits", (4,))
    for beta, limit in zip(BETAS, limits):
        if not (2 + 2 * beta - 0.01 <= limit <= 2 + 2 * beta) or _radius(beta, limit) >= 1:
            raise Wrong(f"for beta = {beta:g}, eta*lambda = {limit:.4g} is not the edge of stability: the "
                        "radius (the larger modulus of the roots of z^2 - (1 + beta - eta lambda) z + beta) "
                        "must stay below 1 up to it, and reach 1 just after")
    radii = array(smallest_radii, "smallest_radii", (4,))
    expect_near("smallest_radii", radii, np.sqrt(BETAS), atol=2e-3,
                hint="take the smallest radius over the whole grid of eta*lambda, for each beta")


@exercise(2, "number", tuned_beta="your beta", tuned_eta="your learning rate",
          tuned_trace="20 steps of d2l.momentum(tuned_eta, tuned_beta) on f from (-5, -2) (d2l.train_2d)")
def tuning_for_the_condition_number(tuned_beta, tuned_eta, tuned_trace):
    beta, eta = number(tuned_beta, "tuned_beta"), number(tuned_eta, "tuned_eta")
    if not 0 <= beta < 1:
        raise Wrong(f"`tuned_beta` = {beta:.4g} must be in [0, 1)")
    low, high = (1 - np.sqrt(beta)) ** 2, (1 + np.sqrt(beta)) ** 2
    for curvature in (0.2, 4.0):
        if not low - 1e-9 <= eta * curvature <= high + 1e-9:
            raise Wrong(f"with beta = {beta:.4g} and eta = {eta:.4g}, eta*lambda = {eta * curvature:.4g} "
                        f"for lambda = {curvature:g} is outside the band [(1 - sqrt(beta))^2, "
                        f"(1 + sqrt(beta))^2] = [{low:.4g}, {high:.4g}]")
    points, velocity = [START], np.zeros(2)
    for _ in range(20):
        velocity = beta * velocity + _gradient(points[-1])
        points.append(points[-1] - eta * velocity)
    expect_near("tuned_trace", trace(tuned_trace, "tuned_trace", 20), np.array(points), atol=1e-6,
                hint="run d2l.train_2d(d2l.momentum(tuned_eta, tuned_beta), f_grad=f_grad) from (-5, -2)")
    if np.linalg.norm(points[-1]) / np.linalg.norm(START) > (19 / 21) ** 20:
        raise Wrong(f"both curvatures are in the band, but the run ends farther out than gradient descent's: "
                    f"the band's factor sqrt(beta) = {np.sqrt(beta):.3f} per step; choose the smallest beta "
                    "whose band holds both curvatures")


@exercise(3, "number", velocities="the velocity after 1, 5, 10, 20 and 50 steps of a constant gradient 1")
def the_velocity_warms_up(velocities):
    steps = np.array([1, 5, 10, 20, 50])
    found = array(velocities, "velocities", (5,))
    if near(found, (1 - 0.9 ** (steps - 1)) / 0.1):
        raise Wrong("`velocities` are one step behind: record the velocity after the t-th update")
    expect_near("velocities", found, (1 - 0.9**steps) / 0.1, rtol=1e-9,
                hint="feed d2l.momentum(1.0, 0.9) the gradient 1 and read the velocity from state.slots")


def _decaying_rate(step):
    return 0.6 * 0.9**step


def _two_conventions():
    velocity_form, step_form = [START], [START]
    v, m = np.zeros(2), np.zeros(2)
    for step in range(20):
        v = 0.5 * v + _gradient(velocity_form[-1])
        velocity_form.append(velocity_form[-1] - _decaying_rate(step) * v)
        m = 0.5 * m - _decaying_rate(step) * _gradient(step_form[-1])
        step_form.append(step_form[-1] + m)
    return np.array(velocity_form), np.array(step_form)


@exercise(4, "number", velocity_form_trace="20 steps of v <- beta v + g, x <- x - eta_t v (d2l.momentum)",
          step_form_trace="20 steps of m <- beta m - eta_t g, x <- x + m",
          same_method="whether the two are the same method: True or False")
def two_conventions(velocity_form_trace, step_form_trace, same_method):
    velocity_form, step_form = _two_conventions()
    expect_near("velocity_form_trace", trace(velocity_form_trace, "velocity_form_trace", 20), velocity_form,
                atol=1e-6, hint="d2l.train_2d(d2l.momentum(schedule, 0.5), f_grad=f_grad) with the schedule "
                                "eta_t = 0.6 * 0.9**t, t the number of updates done")
    found = trace(step_form_trace, "step_form_trace", 20)
    if near(found, velocity_form, atol=1e-6):
        raise Wrong("`step_form_trace` is the velocity form's run: write the step form yourself, with "
                    "m <- 0.5 m - eta_t g and x <- x + m")
    expect_near("step_form_trace", found, step_form, atol=1e-6,
                hint="m <- 0.5 m - eta_t g, x <- x + m, with eta_t = 0.6 * 0.9**t from t = 0 (your last "
                     f"point: {show(found[-1])})")
    if truth(same_method, "same_method"):
        raise Wrong("the two runs end at different points, so they are not the same method")
