"""The lessons as lessons: their structure (exercises, solutions, notes for instructors) and the
numbers their prose quotes from their own runs."""
import functools
import json
import math
import os
import re

import pytest

import d2l_optim as d2l
from d2l_optim import cells, objectives
from helpers import ROOT, run_example

EXAMPLES = os.path.join(ROOT, "examples")
SECTIONS = sorted(name[:-3] for name in os.listdir(EXAMPLES)
                  if name.endswith(".py") and name != "__init__.py")
EXERCISE = re.compile(r"^\*\*Exercise\b")
NUMBERED_EXERCISE = re.compile(r"^\*\*Exercise (\d+)\b")
PORTING_TITLE = "**For instructors porting code.**"


def _cells(section):
    """[(kind, tags, lines)] of a section, each markdown line without its leading ``# ``."""
    with open(os.path.join(EXAMPLES, f"{section}.py"), encoding="utf-8") as file:
        lines = file.read().splitlines()
    found = []
    for cell in cells.split("\n".join(lines)):
        body = lines[cell.start + 1:cell.end]
        if cell.kind == "markdown":
            body = [re.sub(r"^# ?", "", line) for line in body]
        found.append((cell.kind, list(cell.tags), body))
    return found


def _prose(section):
    """The section's markdown, solutions and notes included, as one string."""
    return "\n".join("\n".join(body) for kind, _, body in _cells(section) if kind == "markdown")


def test_every_section_is_found():
    assert len(SECTIONS) == 11 and "adam" in SECTIONS


@pytest.mark.parametrize("section", SECTIONS)
def test_every_exercise_has_one_solution_and_no_solution_hides_an_exercise(section):
    found = _cells(section)
    numbers, expecting_solution, in_solution = [], False, False
    for position, (kind, tags, body) in enumerate(found):
        exercises = [line for line in body if EXERCISE.match(line)]
        solution = "solution" in tags
        assert not (solution and exercises), f"{section}, cell {position}: a solution cell holds {exercises}"
        assert len(exercises) <= 1, f"{section}, cell {position}: one cell holds {exercises}"
        if exercises:
            assert kind == "markdown", f"{section}, cell {position}: an exercise in a code cell"
            number = NUMBERED_EXERCISE.match(exercises[0])
            assert number, f"{section}, cell {position}: an exercise without its number: {exercises[0]!r}"
            numbers.append(int(number.group(1)))
            assert not expecting_solution, f"{section}: exercise {numbers[-2]} has no solution"
            expecting_solution, in_solution = True, False
        elif solution:
            assert expecting_solution or in_solution, (
                f"{section}, cell {position}: a solution that follows no exercise directly")
            expecting_solution, in_solution = False, True
        else:
            assert not expecting_solution, f"{section}: exercise {numbers[-1]} has no solution"
            in_solution = False
    assert not expecting_solution, f"{section}: exercise {numbers[-1]} has no solution"
    assert numbers == list(range(1, len(numbers) + 1)), f"{section}: exercises numbered {numbers}"


@pytest.mark.parametrize("section", SECTIONS)
def test_notes_for_instructors_open_with_their_title(section):
    previous_tags = []
    for kind, tags, body in _cells(section):
        if "porting" in tags and "porting" not in previous_tags:
            assert kind == "markdown" and body[0].startswith(PORTING_TITLE), (section, body[:1])
        previous_tags = tags


# ------------------------------------------------------------------ adam: prose against its run

@pytest.fixture(scope="module")
def adam_run(tmp_path_factory):
    """What the adam section printed on NumPy, and the data of its figures."""
    out = tmp_path_factory.mktemp("adam")
    result = run_example("adam", "numpy", out)
    assert result.returncode == 0, result.stderr
    return result.stdout, json.loads((out / "figure-data.json").read_text())


@pytest.fixture
def adam_output(adam_run):
    return adam_run[0]


def _printed(output, pattern):
    """The numbers captured by ``pattern`` in the one line of ``output`` it matches."""
    found = [m for m in (re.search(pattern, line) for line in output.splitlines()) if m]
    assert len(found) == 1, (pattern, found)
    return [float(number) for number in found[0].groups()]


def test_adam_learning_rate_sweep_prose_quotes_its_run(adam_output):
    prose = _prose("adam").replace("\n", " ")
    falling_until, changes, larger = _printed(
        adam_output, r"^adam: f falls with every larger rate up to eta = (\S+), then changes direction "
                     r"(\d+) times over the (\d+) larger rates")
    best_f, best_lr, left_f, left_lr, right_f, right_lr = _printed(
        adam_output, r"^adam: lowest f = (\S+) at eta = (\S+); its neighbours end at f = (\S+) "
                     r"\(eta = (\S+)\) and (\S+) \(eta = (\S+)\)")
    assert f"falls with every larger rate up to $\\eta \\approx {falling_until:.2f}$" in prose
    assert f"changing direction ${changes:.0f}$ times over the ${larger:.0f}$ larger rates" in prose
    assert f"$f \\approx {best_f:.3f}$ at $\\eta \\approx {best_lr:.2f}$" in prose
    assert f"($f \\approx {left_f:.2f}$ at $\\eta \\approx {left_lr:.2f}$, $f \\approx {right_f:.2f}$ at " \
           f"$\\eta = {right_lr:.0f}$)" in prose
    assert f"end ${left_f / best_f:.0f}$ and ${right_f / best_f:.0f}$ times higher" in prose
    assert changes > 1 and best_lr > falling_until  # erratic, and the best rate lies in that range
    yogi = _printed(adam_output, r"^yogi: f falls with every larger rate up to eta = (\S+), then changes")
    yogi_best = _printed(adam_output, r"^yogi: lowest f = \S+ at eta = (\S+);")
    assert yogi == [falling_until] and yogi_best == [best_lr]  # "the same turning point and lowest rate"


def test_adam_porting_note_quotes_the_stuck_correction_of_its_run(adam_output):
    prose = _prose("adam").replace("\n", " ")
    steps, first, largest, largest_at, last_larger, last, at = _printed(
        adam_output, r"^the stuck correction's step over Adam's in the (\d+)-step run: (\S+) at t = 1, "
                     r"largest (\S+) at t = (\d+), above 1 until t = (\d+), (\S+) at t = (\d+)$")
    assert first == 1 and steps == at
    assert f"The airfoil run has ${steps:.0f}$ steps" in prose
    assert (f"up to ${largest:.2f}$ times at $t = {largest_at:.0f}$, until $t = {last_larger:.0f}$, and "
            f"smaller after that, down to ${last:.2f}$ times Adam's at $t = {at:.0f}$") in prose
    losses = [float(m.group(1)) for m in re.finditer(r"^loss: (\S+),", adam_output, re.M)]
    adam_loss, tab_loss = losses[0], losses[1]  # the from-scratch Adam, then the buggy trainer
    assert tab_loss <= adam_loss and "and ends as low as Adam's" in prose


def test_adam_training_prose_quotes_its_curves(adam_run):
    prose = _prose("adam").replace("\n", " ")
    curves = {name: adam_run[1][name][0]["lines"][0] for name in ("train-adam", "train-adam-tensorflow-tab")}
    first_epoch, first_loss = curves["train-adam"][0]
    assert first_epoch * 150 == pytest.approx(20)  # recorded after 200 examples, 20 minibatches of 10
    assert f"The first recorded loss, after $20$ steps, is still about ${first_loss:.2f}$" in prose
    assert curves["train-adam-tensorflow-tab"][0][1] < first_loss  # the stuck correction's larger steps
    assert "its curve falls faster at first" in prose


def test_adam_counterexample_prose_quotes_its_run(adam_run):
    adam_output, figures = adam_run
    prose = _prose("adam").replace("\n", " ")
    adam_path = figures["online-counterexample"][0]["lines"][0]
    arrival = next(t for t, x in adam_path if x > 0.9)
    assert adam_path[1][1] < 0 and 40 <= arrival <= 60  # a first step down, then up within about 50
    assert "After a first step towards $-1$, Adam heads for $+1$, gets there within about $50$ steps" in prose
    regrets = {name: _printed(adam_output, rf"^ *{name}: x_600 = (\S+), average regret (\S+)$")
               for name in ("adam", "amsgrad", "yogi")}
    assert regrets["adam"][0] > 0.99 and regrets["amsgrad"][0] < -0.99 and regrets["yogi"][0] < -0.97
    assert f"with an average regret of ${regrets['adam'][1]:.2f}$ over the $600$ steps" in prose
    assert f"their average regrets, ${regrets['amsgrad'][1]:.3f}$ and ${regrets['yogi'][1]:.3f}$" in prose
    smaller = min(regrets["adam"][1] / regrets[name][1] for name in ("amsgrad", "yogi"))
    assert "at least fourteen times smaller" in prose and smaller >= 14
    (move,) = _printed(adam_output, r"^beta2 = 0\.100: Adam moves (\S+) eta_t per period")
    assert f"the net move is about ${move:+.2f}\\,\\eta_t$ per period" in prose
    # exercise 6: where Adam stops failing
    ends = {beta2: x for beta2, x in (
        _printed(adam_output, rf"^beta2 = ({b}): Adam moves \S+ eta_t per period; after 600 steps Adam "
                              rf"x = (\S+),") for b in ("0.010", "0.100", "0.200", "0.300", "0.400",
                                                         "0.600", "0.800", "0.900", "0.990", "0.999"))}
    assert all(ends[b] == 1 for b in (0.01, 0.1, 0.2, 0.3)) and 0 < ends[0.4] < 1
    assert all(x < -0.97 for b, x in ends.items() if b >= 0.6)
    assert f"is on its way there at $0.4$ ($x = {ends[0.4]:+.3f}$" in prose
    (boundary,) = _printed(adam_output, r"^Adam heads for the worst point x = \+1 when beta2 < (\S+)$")
    assert f"exactly when $\\beta_2 < {boundary:.2f}$ for $C = 3$" in prose


def test_adam_step_bounds_quote_exercise_5(adam_output):
    prose = _prose("adam").replace("\n", " ")
    (steady,) = _printed(adam_output, r"^steady gradient: last step (\S+) eta$")
    lone, lone_formula, kingma_ba = _printed(
        adam_output,
        r"^one gradient after 999 zeros: last step (\S+) eta \(formula (\S+), large-t limit (\S+)\)")
    growing, bound, worst = _printed(
        adam_output, r"^gradient growing by beta2/beta1 per step: last step (\S+) eta \(Cauchy-Schwarz "
                     r"bound (\S+), large-t limit (\S+)\)")
    assert steady == 1 and lone == lone_formula and growing == bound < worst
    assert f"\\approx {kingma_ba:.2f}\\,\\eta$" in prose and f"\\approx {worst:.2f}\\,\\eta,$$" in prose
    assert f"\\approx {lone:.2f}\\,\\eta$ at $t = 1{{,}}000$" in prose
    assert f"the Cauchy–Schwarz bound, ${growing:.2f}\\,\\eta$ at $t = 1{{,}}000$" in prose


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


def _prose_line(section):
    """The markdown of ``examples/<section>.py`` as one line of text (comment marks removed)."""
    with open(os.path.join(ROOT, "examples", f"{section}.py")) as file:
        lines = [line[2:] for line in file.read().splitlines() if line.startswith("# ")]
    return " ".join(lines)


def _stated(section, pattern):
    """The numbers the groups of ``pattern`` find in the section's prose."""
    match = re.search(pattern, _prose_line(section))
    assert match, f"{section}: the prose no longer says {pattern!r}"
    return [float(number) for number in match.groups()]


def test_optimization_intro_tanh_plateau_numbers(backend):
    first, second, third, steps = _stated(
        "optimization_intro", r"the first two units divide it by about \$(\d+)\$, each further two units "
        r"by about \$(\d+)\$ and then \$(\d+)\$.*?Reaching \$x = 3\$ takes \$(\d+)\$ steps")
    tanh_grad = d2l.grad(objectives.tanh)
    slopes = [d2l.to_float(tanh_grad(d2l.tensor(x, "float64"))) for x in (0.0, 2.0, 4.0, 6.0)]
    ratios = [a / b for a, b in zip(slopes, slopes[1:])]
    assert [round(ratio) for ratio in ratios] == [first, second, third]
    x, taken = d2l.tensor(4.0, "float64"), 0
    while d2l.to_float(x) > 3.0:
        x, taken = x - tanh_grad(x), taken + 1
    assert taken == steps


def test_rmsprop_jitter_ratio_is_the_stated_one(backend):
    [stated] = _stated("rmsprop", r"Dividing \$\\eta\$ by ten divides this distance by about \$(\d+)\$")
    f_grad = d2l.grad(objectives.elongated_2d, argnums=(0, 1))
    distances = []
    for lr in (0.4, 0.04):
        trace = d2l.train_2d(d2l.rmsprop(lr, gamma=0.9), steps=200, f_grad=f_grad)
        distances.append(max(math.hypot(*(d2l.to_float(v) for v in point)) for point in trace[-50:]))
    assert round(distances[0] / distances[1]) == stated


def test_adadelta_final_losses_for_both_epsilons_are_the_stated_ones(backend):
    with_book_eps, with_torch_eps, gap = _stated(
        "adadelta", r"prints the same loss, about \$(0\.\d+)\$\. With \$\\epsilon = 10\^\{-6\}\$ the printed "
        r"loss after two epochs is about \$(0\.\d+)\$, some \$(0\.\d+)\$")
    losses = []
    for eps in (1e-5, 1e-6):
        d2l.seed(0)
        data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
        _, curve = d2l.train_ch11(d2l.adadelta(rho=0.9, eps=eps), None, None, data_iter, feature_dim)
        losses.append(curve[-1])
    # the losses are float32 training runs: the backends agree to 1.5e-3 (the section's rule)
    assert abs(losses[0] - with_book_eps) <= 1.5e-3 and abs(losses[1] - with_torch_eps) <= 1.5e-3
    assert abs((losses[1] - losses[0]) - gap) <= 1.5e-3
