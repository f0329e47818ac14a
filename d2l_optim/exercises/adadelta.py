"""Checks of the exercises of the Adadelta section (rho = 0.9; eps = 1e-5 unless said)."""
import numpy as np

from d2l_optim import exercises
from d2l_optim.exercises import Wrong
from d2l_optim.exercises.expect import array, entries, expect_near, near

exercise = exercises.section("adadelta")


def _adadelta(gradient, start, steps, eps=1e-5, rho=0.9):
    """The points of an Adadelta run."""
    x = np.asarray(start, dtype=float)
    s, delta, points = np.zeros_like(x), np.zeros_like(x), [x]
    for _ in range(steps):
        g = gradient(x)
        s = rho * s + (1 - rho) * g * g
        rescaled = np.sqrt(delta + eps) / np.sqrt(s + eps) * g
        x = x - rescaled
        delta = rho * delta + (1 - rho) * rescaled * rescaled
        points.append(x)
    return np.array(points)


@exercise(1, "number", steps_by_scale="the first five step sizes on c x^2 from x = 5, by c: "
                                      "{0.01: [...], 1.0: [...], 100.0: [...]}")
def the_scale_of_the_objective(steps_by_scale):
    scales = (0.01, 1.0, 100.0)
    for scale, steps in zip(scales, entries(steps_by_scale, "steps_by_scale", scales)):
        expected = -np.diff(_adadelta(lambda x, c=scale: 2 * c * x, 5.0, 5))
        found = array(steps, f"steps_by_scale[{scale:g}]", (5,))
        if near(found, -expected, rtol=1e-6):
            raise Wrong(f"`steps_by_scale[{scale:g}]` has the wrong sign: give each step's size, x before "
                        "minus x after")
        expect_near(f"steps_by_scale[{scale:g}]", found, expected, rtol=1e-6,
                    hint="feed d2l.adadelta(rho=0.9) the gradient 2 c x of c x^2, five times from x = 5, and "
                         "record x before minus x after")


@exercise(2, "number", step_sizes="the step size at t = 1, 10, 100, 1000 under the gradient 1",
          distances="the distance travelled at those t",
          growths="the growth of Delta x at those t, in units of (1 - rho) eps")
def how_fast_the_steps_grow(step_sizes, distances, growths):
    t = np.array([1, 10, 100, 1000])
    x, s, delta, deltas = 0.0, 0.0, 0.0, [0.0]
    steps, travelled = [], []
    for _ in range(1000):
        s = 0.9 * s + 0.1
        rescaled = np.sqrt(delta + 1e-5) / np.sqrt(s + 1e-5)
        x -= rescaled
        delta = 0.9 * delta + 0.1 * rescaled**2
        steps.append(rescaled)
        travelled.append(-x)
        deltas.append(delta)
    expect_near("step_sizes", array(step_sizes, "step_sizes", (4,)), np.array(steps)[t - 1], rtol=1e-6,
                hint="feed d2l.adadelta(rho=0.9) the gradient 1 and record x before minus x after")
    expect_near("distances", array(distances, "distances", (4,)), np.array(travelled)[t - 1], rtol=1e-6,
                hint="how far x is from its start, 0")
    growth = (np.array(deltas)[t] - np.array(deltas)[t - 1]) / (0.1 * 1e-5)
    found = array(growths, "growths", (4,))
    if near(found, growth * 0.1 * 1e-5, rtol=1e-6):
        raise Wrong("`growths` are the raw increments of Delta x: divide them by (1 - rho) eps = 1e-6")
    expect_near("growths", found, growth, rtol=1e-5,
                hint="Delta x is the second slot of the state (state.slots); take its increase in step t "
                     "and divide by (1 - rho) eps")


def _gradient(x):
    return np.array([0.2, 4.0]) * x


@exercise(3, "number", final_values="f after 200 steps for eps = 1e-7, 1e-6, 1e-5, 1e-4 (in that order)")
def eps_is_the_hidden_learning_rate(final_values):
    found = array(final_values, "final_values", (4,))
    expected = [0.1 * end[0] ** 2 + 2 * end[1] ** 2 for end in
                (_adadelta(_gradient, (-5.0, -2.0), 200, eps)[-1] for eps in (1e-7, 1e-6, 1e-5, 1e-4))]
    if near(found[::-1], expected, rtol=1e-5):
        raise Wrong("`final_values` are in reverse order: give them for eps = 1e-7 first, 1e-4 last")
    expect_near("final_values", found, expected, rtol=1e-5,
                hint="run d2l.adadelta(rho=0.9, eps=eps) for 200 steps on f from (-5, -2) (d2l.train_2d) and "
                     "evaluate f at the last point")


#: the instructor runs' final losses (seed 0; every backend within the section's 1.5e-3)
FINAL_LOSS = {1e-5: 0.245, 1e-6: 0.257}


@exercise(4, "figure-data", loss_curves="the recorded losses of the two runs (train_ch11's second "
                                        "result), eps = 1e-5 first")
def pytorchs_default_eps(loss_curves):
    if not isinstance(loss_curves, (list, tuple)) or len(loss_curves) != 2:
        raise Wrong("`loss_curves` should be a list of the two runs' losses, eps = 1e-5 first")
    curves = [array(curve, f"loss_curves[{i}]") for i, curve in enumerate(loss_curves)]
    if curves[0].shape != curves[1].shape or curves[0].ndim != 1:
        raise Wrong("the two curves should be lists of the same length: train both runs for two epochs")
    ends = [curve[-1] for curve in curves]
    if near(ends[::-1], list(FINAL_LOSS.values()), atol=3e-3):
        raise Wrong("`loss_curves` are in reverse order: the run with eps = 1e-5 comes first")
    for (eps, expected), end in zip(FINAL_LOSS.items(), ends):
        if abs(end - expected) > 3e-3:
            raise Wrong(f"the run with eps = {eps:g} ends at loss {end:.4f}, not where two epochs of "
                        f"d2l.adadelta(rho=0.9, eps={eps:g}) end: call d2l.seed(0) and get_data_ch11(10) "
                        "before each run")
