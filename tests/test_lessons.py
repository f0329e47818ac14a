"""Numbers a lesson's prose states, checked against what its code computes on each backend."""
import math
import os
import re

import d2l_optim as d2l
from d2l_optim import objectives
from helpers import ROOT


def _prose(section):
    """The markdown of ``examples/<section>.py`` as one line of text (comment marks removed)."""
    with open(os.path.join(ROOT, "examples", f"{section}.py")) as file:
        lines = [line[2:] for line in file.read().splitlines() if line.startswith("# ")]
    return " ".join(lines)


def _stated(section, pattern):
    """The numbers the groups of ``pattern`` find in the section's prose."""
    match = re.search(pattern, _prose(section))
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
