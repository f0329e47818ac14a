"""Checks of the exercises of the Adam section (beta1 = 0.9, beta2 = 0.999, eps = 1e-6 unless said)."""
import math

import numpy as np

from d2l_optim import equivalence, exercises, ops
from d2l_optim.exercises import Wrong, function
from d2l_optim.exercises.expect import array, call, entries, expect_near, near, number

exercise = exercises.section("adam")


@exercise(1, "number", v_history="v_t after each of the 5 steps", s_history="s_t after each of the 5 steps",
          x_after_5="x after the 5 steps")
def bias_correction_exactly(v_history, s_history, x_after_5):
    t = np.arange(1, 6)
    v, s = array(v_history, "v_history", (5,)), array(s_history, "s_history", (5,))
    if near(v, 2 * np.ones(5)):
        raise Wrong("`v_history` holds the corrected v_hat: give the raw average v_t from the state")
    expect_near("v_history", v, (1 - 0.9**t) * 2, rtol=1e-9,
                hint="read v from state.slots after each update of d2l.adam(0.1) with the gradient 2")
    expect_near("s_history", s, (1 - 0.999**t) * 4, rtol=1e-9,
                hint="read s from state.slots after each update")
    expect_near("x_after_5", number(x_after_5, "x_after_5"), -5 * 0.1 * 2 / (2 + 1e-6), rtol=1e-9,
                hint="x after five updates of d2l.adam(0.1) from 0 with the gradient 2")


def _uncorrected(t):
    return (1 - 0.9**t) / math.sqrt(1 - 0.999**t)


@exercise(2, "function", uncorrected_factor=function("t", "Adam's step without bias correction at step t, "
                                                          "in units of Adam's step"),
          stuck_factor=function("t", "the step with the correction stuck at t = 1, in the same units"),
          peak_step="the step t at which the uncorrected factor is largest")
def without_the_correction(uncorrected_factor, stuck_factor, peak_step):
    for t in (1, 2, 5, 12, 50, 100, 1000, 10000):
        got = number(call(uncorrected_factor, "uncorrected_factor", t), f"uncorrected_factor({t})")
        if near(got, 1 / _uncorrected(t), rtol=1e-6):
            raise Wrong(f"uncorrected_factor({t}) is the inverse: divide the uncorrected step "
                        "v/sqrt(s) by the corrected one v_hat/sqrt(s_hat)")
        expect_near(f"uncorrected_factor({t})", got, _uncorrected(t), rtol=1e-6,
                    hint="v / sqrt(s) divided by v_hat / sqrt(s_hat) is (1 - beta1^t) / sqrt(1 - beta2^t)")
        expect_near(f"stuck_factor({t})", number(call(stuck_factor, "stuck_factor", t), f"stuck_factor({t})"),
                    _uncorrected(t) * math.sqrt(0.001) / 0.1, rtol=1e-6,
                    hint="stuck at t = 1 the correction multiplies v by 1/(1 - beta1) = 10 and s by "
                         "1/(1 - beta2) = 1000 at every step")
    expect_near("peak_step", number(peak_step, "peak_step"), max(range(1, 1000), key=_uncorrected), atol=0.5,
                hint="the t with the largest uncorrected factor")


def _second_moments(update):
    gradients = [0.01] * 200 + [1.0] * 10 + [0.01] * 1000
    s, moments = 0.0, []
    for g in gradients:
        s = update(s, g * g)
        moments.append(s)
    return np.array(moments)


@exercise(3, "figure-data", second_moments='s_t after each of the 1210 steps: {"adam": [...], "yogi": [...]}')
def a_burst_of_large_gradients(second_moments):
    adam_moments, yogi_moments = entries(second_moments, "second_moments", ("adam", "yogi"))
    adam_expected = _second_moments(lambda s, g2: 0.999 * s + 0.001 * g2)
    yogi_expected = _second_moments(lambda s, g2: s + 0.001 * g2 * np.sign(g2 - s))
    found = array(adam_moments, 'second_moments["adam"]', (1210,))
    if near(found, yogi_expected, rtol=1e-6):
        raise Wrong('`second_moments["adam"]` follows Yogi\'s rule: Adam moves s to '
                    "beta2 s + (1 - beta2) g^2")
    expect_near('second_moments["adam"]', found, adam_expected, rtol=1e-6,
                hint="feed d2l.adam(0.01) the gradients 0.01 (200 steps), 1 (10), 0.01 (1000) and record s "
                     "from the state after every step")
    expect_near('second_moments["yogi"]', array(yogi_moments, 'second_moments["yogi"]', (1210,)),
                yogi_expected, rtol=1e-6, hint="the same with d2l.yogi(0.01)")


def _adam_trajectory(denominator, steps=30, lr=0.01):
    batches, start = equivalence.regression_batches("float64")
    batches = [(ops.numpy(X).astype(float), ops.numpy(y).astype(float)) for X, y in batches]
    params = [np.asarray(a, dtype=float) for a in start]
    v, s, trajectory = [0.0, 0.0], [0.0, 0.0], []
    for t in range(1, steps + 1):
        X, y = batches[(t - 1) % len(batches)]
        residual = (X @ params[0] + params[1]).reshape(-1) - y
        for i, g in enumerate((X.T @ residual[:, None] / len(y), np.array([residual.mean()]))):
            v[i] = 0.9 * v[i] + 0.1 * g
            s[i] = 0.999 * s[i] + 0.001 * g * g
            params[i] = params[i] - lr * v[i] / (1 - 0.9**t) / denominator(s[i] / (1 - 0.999**t), t)
        trajectory.append(np.concatenate([p.ravel() for p in params]))
    return np.array(trajectory)


@exercise(4, "number", differences="the largest difference from the book's trajectory with eps inside the "
                                   "root, as epsilon-hat, eps = 1e-8 and no eps (in that order)",
          float32_difference="the largest difference that float32 rounding alone makes")
def where_eps_goes(differences, float32_difference):
    book = _adam_trajectory(lambda s_hat, t: np.sqrt(s_hat) + 1e-6)
    variants = (lambda s_hat, t: np.sqrt(s_hat + 1e-6),
                lambda s_hat, t: np.sqrt(s_hat) + 1e-6 * math.sqrt(1 - 0.999**t),
                lambda s_hat, t: np.sqrt(s_hat) + 1e-8, lambda s_hat, t: np.sqrt(s_hat))
    expected = [np.abs(_adam_trajectory(variant) - book).max() for variant in variants]
    expect_near("differences", array(differences, "differences", (4,)), expected, rtol=1e-4,
                hint="run 30 float64 Adam steps on equivalence.regression_batches with each denominator and "
                     "take the largest absolute difference from the book's run, over all steps and "
                     "parameters")
    rounding = number(float32_difference, "float32_difference")
    if not 1e-9 < rounding < 1e-6:
        raise Wrong(f"`float32_difference` = {rounding:.2g} is not what float32 rounding does to 30 steps "
                    "(between 1e-9 and 1e-6): run the book's rule on the float32 data and compare with the "
                    "float64 run")


@exercise(5, "number", last_steps="the last step of each coordinate: steady, lone and growing gradient "
                                  "(in that order, in units of eta)")
def how_long_one_step_can_be(last_steps):
    beta1, beta2, steps = 0.9, 0.999, 1000
    v, s = np.zeros(3), np.zeros(3)
    for t in range(1, steps + 1):
        g = np.array([1.0, 1.0 if t == steps else 0.0, (beta2 / beta1) ** (t - steps)])
        v = beta1 * v + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
        step = v / (1 - beta1**t) / (np.sqrt(s / (1 - beta2**t)) + 1e-12)
    expect_near("last_steps", array(last_steps, "last_steps", (3,)), step, rtol=1e-6,
                hint="run d2l.adam(1.0, eps=1e-12) for 1000 steps on the three coordinates at once and "
                     "record x before minus x after the last step")


BETA2_GRID = (0.01, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 0.9, 0.99, 0.999)


def _online_ends(second_moment, eps, steps=600, c=3.0):
    beta2 = np.array(BETA2_GRID)
    x, s = np.zeros(len(beta2)), np.zeros(len(beta2))
    for t in range(1, steps + 1):
        g = c if t % 3 == 1 else -1.0
        s = second_moment(s, g * g, beta2)
        x = np.clip(x - 0.5 / math.sqrt(t) * g / (np.sqrt(s / (1 - beta2**t)) + eps), -1.0, 1.0)
    return x


def _adam_move_per_period(beta2, c=3.0):
    s_1 = (c**2 + beta2 + beta2**2) / (1 + beta2 + beta2**2)
    s_2 = beta2 * s_1 + 1 - beta2
    s_3 = beta2 * s_2 + 1 - beta2
    return -c / math.sqrt(s_1) + 1 / math.sqrt(s_2) + 1 / math.sqrt(s_3)


@exercise(6, "number", adam_ends="Adam's x after 600 steps, one per beta2 of the grid",
          yogi_ends="Yogi's x after 600 steps, one per beta2", adam_fails_below="the beta2 below which Adam "
                                                                                "heads for +1")
def adam_fails_yogi_converges(adam_ends, yogi_ends, adam_fails_below):
    count = len(BETA2_GRID)
    expect_near("adam_ends", array(adam_ends, "adam_ends", (count,)),
                _online_ends(lambda s, g2, b: b * s + (1 - b) * g2, 1e-6), atol=1e-6,
                hint="d2l.adam(decaying_lr, beta1=0.0, beta2=d2l.tensor(beta2_grid, 'float64')) on the "
                     "online problem, projecting onto [-1, 1] after every step")
    expect_near("yogi_ends", array(yogi_ends, "yogi_ends", (count,)),
                _online_ends(lambda s, g2, b: s + (1 - b) * g2 * np.sign(g2 - s), 1e-3), atol=1e-6,
                hint="the same with d2l.yogi")
    low, high = 0.01, 0.999
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if _adam_move_per_period(middle) > 0 else (low, middle)
    expect_near("adam_fails_below", number(adam_fails_below, "adam_fails_below"), low, atol=5e-3,
                hint="find where Adam's move over one period, -C/sqrt(s_1) + 1/sqrt(s_2) + 1/sqrt(s_3), "
                     "changes sign")
