"""The numbers a lesson's prose quotes from its own runs are the numbers those runs print."""
import functools
import math
import os
import re

from helpers import ROOT, run_example


@functools.cache
def _basics_run(section):
    """``(printed lines, prose)`` of one NumPy run of a section; the prose is its comment text,
    joined into one line so that a quoted phrase may span the file's line breaks."""
    result = run_example(section, "numpy")
    assert result.returncode == 0, result.stderr
    with open(os.path.join(ROOT, "examples", f"{section}.py")) as file:
        comments = [line[2:] for line in file.read().splitlines() if line.startswith("# ")]
    return result.stdout.splitlines(), " ".join(comments)


def _basics_numbers(lines, pattern):
    """The numbers in the groups of the one printed line that matches ``pattern``."""
    [match] = [m for m in map(re.compile(pattern).fullmatch, lines) if m]
    return [float(group) for group in match.groups()]


def _basics_quotes(prose, *phrases):
    for phrase in phrases:
        assert phrase in prose, phrase


def test_gd_prose_quotes_the_curvature_at_each_minimum_and_the_slow_approach():
    lines, prose = _basics_run("gd")
    [shallow] = _basics_numbers(lines, r"minimum near x = -1\.83: eta \* f'' = (\S+)")
    [deep] = _basics_numbers(lines, r"minimum near x = 7\.27: eta \* f'' = (\S+)")
    distances = _basics_numbers(lines, r"distance to the minimum near -1\.83 after 10, 50, 100 steps: "
                                       r"(\S+), (\S+), (\S+)")
    assert shallow < 2 < deep  # converges to the shallow minimum, cannot to the deep one
    _basics_quotes(prose, f"it is about ${deep:.2f}$, above $2$", f"it is about ${shallow:.2f}$, just below",
                   f"$1 - \\eta f'' \\approx {1 - shallow:.2f}$",
                   f"about ${distances[0]:.2f}$ after 10 steps, ${distances[1]:.2f}$ after 50 "
                   f"and ${distances[2]:.3f}$ after 100")
    # from step 50 to step 100 the error shrinks by the predicted factor |1 - eta f''| per step
    assert math.isclose((distances[2] / distances[1]) ** (1 / 50), abs(1 - shallow), rel_tol=0.01)


def test_sgd_prose_quotes_the_sum_of_the_exponential_rates():
    lines, prose = _basics_run("sgd")
    total, product = _basics_numbers(lines, r"sum of the 1000 rates: (\S+), product of the factors "
                                            r"1 - 2 eta_t: (\S+)")
    [exercise_total, bound] = _basics_numbers(lines, r" +exponential: sum = +(\S+), sum of squares = +\S+, "
                                                     r"bound = (\S+)")
    assert exercise_total == total  # the exercise counts the steps as the section's run does
    _basics_quotes(prose, f"only about ${total:.2f}$", f"is only about ${product:.3f}$",
                   f"-5 \\cdot {product:.3f} \\approx -{5 * product:.2f}",
                   f"a finite total, about ${total:.2f}$ however large $T$",
                   f"1/(2 \\cdot {total:.2f}) \\approx {1 / (2 * total):.2f}")
    assert bound > 1 / (2 * total)


def test_momentum_prose_quotes_the_spectral_radii_and_the_distances():
    lines, prose = _basics_run("momentum")
    half = _basics_numbers(lines, r"eta = 0\.6, beta = 0\.50: spectral radius (\S+) along x1, (\S+) along x2")
    quarter = _basics_numbers(lines, r"eta = 0\.6, beta = 0\.25: spectral radius (\S+) along x1, "
                                     r"(\S+) along x2")
    ratios = _basics_numbers(lines, r"after 20 steps, beta = 0\.25 against 0\.5: (\S+) times larger along "
                                    r"x1, (\S+) times larger along x2")
    assert half[0] == half[1] and min(quarter) > half[0]  # beta = 0.25 is slower in both directions
    _basics_quotes(prose, f"contract by $\\sqrt{{0.5}} \\approx {half[0]:.2f}$",
                   f"the radius is ${quarter[0]:.2f}$ along $x_1$ and ${quarter[1]:.2f}$ along $x_2$",
                   f"grow to about ${ratios[0]:.0f}$ and ${ratios[1]:.0f}$")
    ends = {beta: math.hypot(*_basics_numbers(lines, rf"epoch 20, x1: ({x1}), x2: (\S+)"))
            for beta, x1 in ((0.5, r"0\.007188"), (0.25, r"-0\.126340"))}
    assert f"ends some ${round(ends[0.25] / ends[0.5], -1):.0f}$ times" in prose
    [plain, _] = _basics_numbers(lines, r"gradient descent: distance shrank by (\S+) in 20 steps, "
                                        r"factor\^20 = (\S+)")
    tuned, predicted = _basics_numbers(lines, r"tuned momentum: distance shrank by (\S+) in 20 steps, "
                                              r"factor\^20 = (\S+)")
    mantissa = f"{tuned:.1e}".split("e")[0]
    _basics_quotes(prose, f"about ${mantissa} \\times 10^{{-3}}$",
                   f"some ${round(tuned / predicted):.0f}$ times larger than",
                   f"ends about {round(plain / tuned, -1):.0f} times closer")
