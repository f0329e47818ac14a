"""Each section example, run as a script: the book's lines, its figures, the same data everywhere."""
import json
import re

import numpy as np
import pytest

from d2l_optim.plotting import flatten_figure_data
from helpers import run_example

# Every line each section prints that the book fixes (spec §4.1 and §2.5); sgd's seeded random
# lines are only required to be the same on every backend.
EXPECTED = {
    "optimization_intro": [
        "f'(4) = 0.0013",
        # the exercises' solutions
        "argmin of the risk: 1.090, argmin of the empirical risk: 1.017",
        "risk paid for trusting the empirical risk: 0.0312",
        "(1.0, 0.0): gradient (0.0, 0.0), Hessian eigenvalues 2.00, 6.00 -> local minimum",
        "(-1.0, 0.0): gradient (0.0, 0.0), Hessian eigenvalues -6.00, 2.00 -> saddle point",
        "tanh'(0) = 1.000000", "tanh'(2) = 0.070651", "tanh'(4) = 0.001341", "tanh'(6) = 0.000025",
        "epoch 10, x: 3.986426", "moved 0.0136 in 10 steps",
        "epoch 20, x1: 0.011529, x2: 0.000000", "epoch 20, x1: 0.011529, x2: 0.038338"],
    "convexity": [
        # the exercises' solutions
        "sum alpha_i exp(x_i) = 2.7903 >= exp(sum alpha_i x_i) = 1.4918",
        "smallest chord-minus-function gap in 1000 random tries: 1.2e-03, never negative: True",
        "projection of (1.5, 0.2) onto the unit l2 ball: (0.9912, 0.1322)",
        "projection of (1.5, 0.2) onto the unit l1 ball: (1.0000, 0.0000)",
        "gradient (3, 4) clipped to norm 1: (0.6000, 0.8000)",
        "projected gradient descent: x = 0.500000, multiplier alpha = 1.000000",
        "penalty lambda =     1: x = 0.750000, exact (1 + lambda/2)/(1 + lambda) = 0.750000",
        "penalty lambda =    10: x = 0.545455, exact (1 + lambda/2)/(1 + lambda) = 0.545455",
        "penalty lambda =   100: x = 0.504950, exact (1 + lambda/2)/(1 + lambda) = 0.504950"],
    "gd": ["epoch 10, x: 0.060466", "epoch 10, x: 3.486784", "epoch 10, x: 61.917364",
           "epoch 10, x: -1.528166", "epoch 20, x1: -0.057646, x2: -0.000073",
           "epoch 10, x: 0.000000", "epoch 10, x: 26.834133", "epoch 10, x: 7.269860",
           # the exercises' solutions
           "epoch 10, x: 0.000000", "epoch 10, x: 8.170728", "epoch 10, x: 10.000000",
           "epoch 10, x: 20.221876",
           "trace: 10.0000, 5.0000, 24.9949, 22.2067, 19.6331, 20.2566, 20.2219, 20.2219, 20.2219, "
           "20.2219, 20.2219",
           "f = -20.1114, f'' = 4.5644", "f'(-2) = -1.8577, f'(2) = 0.9996",
           "bisection on [-2, 2]: x = -0.768951; exact (ln 2 - 3)/3 = -0.768951",
           "epoch 5, x1: -0.015867, x2: 0.009917", "epoch 5, x1: -1.638400, x2: -0.155520",
           "epoch 20, x1: 0.000000, x2: 0.000000", "epoch 20, x1: -0.409088, x2: -0.163635",
           "epoch 20, x1: -0.409088, x2: -0.163635"],
    "sgd": [None, "exponential multipliers: 0.818731, 0.740818, 0.670320, 0.606531, 0.548812",
            None, "polynomial multipliers: 0.912871, 0.877058, 0.845154, 0.816497, 0.790569", None,
            # the exercises' solutions
            "full gradient at x = 0: -1.926388; mean of the 100 per-example gradients: -1.926388",
            "mean of 5000 sampled gradients: -1.9336, their standard deviation: 0.8484",
            "with replacement: seen at least once 0.635 (theory 0.632), exactly once 0.374 "
            "(theory 0.368), never 0.365",
            "without replacement: every example seen exactly once: True",
            "      constant 0.1: sum = 100.0000, sum of squares = 10.0000, bound = 0.0550",
            "constant 1/sqrt(T): sum =  31.6228, sum of squares =  1.0000, bound = 0.0316",
            "       exponential: sum =   0.9508, sum of squares =  0.0452, bound = 0.5496",
            "        polynomial: sum =  18.0551, sum of squares =  0.4566, bound = 0.0403",
            "mean f over 20 runs: at the last iterate 0.0441, at the average of the last 100 iterates "
            "0.0041"],
    "momentum": ["epoch 20, x1: -0.943467, x2: -0.000073", "epoch 20, x1: -0.387814, x2: -1673.365109",
                 "epoch 20, x1: 0.007188, x2: 0.002553", "epoch 20, x1: -0.126340, x2: -0.186632"],
    "adagrad": ["epoch 20, x1: -2.382563, x2: -0.158591", "epoch 20, x1: -0.002295, x2: -0.000000"],
    "rmsprop": ["epoch 20, x1: -0.010599, x2: 0.000000"],
    "adadelta": [None],
    "adam": [None] * 9,
}
FIGURES = {
    "optimization_intro": ["risk", "local-global-minimum", "saddle-1d", "saddle-3d",
                           "vanishing-gradient", "exercise-tanh-plateau"],
    "convexity": ["convex-chords", "local-is-global"],
    "gd": ["gd-lr-0.2", "gd-lr-0.05", "gd-lr-1.1", "gd-local-minimum", "gd-2d", "newton-cosh",
           "newton-x-cos", "newton-x-cos-lr-0.5", "exercise-newton-abs-hessian",
           "exercise-line-search"],
    "sgd": ["sgd-constant-lr", "sgd-exponential-lr", "sgd-polynomial-lr"],
    "momentum": ["gd-lr-0.4", "gd-lr-0.6", "momentum-beta-0.5", "momentum-beta-0.25",
                 "leaky-average-weights", "gd-convergence-by-curvature"],
    "adagrad": ["adagrad-lr-0.4", "adagrad-lr-2"],
    "rmsprop": ["ewma-weights", "rmsprop"],
    "adadelta": ["adadelta"],
    "adam": ["adam", "yogi", "all-optimizers", "lr-sensitivity"],
}
LINE = re.compile(r"epoch \d+, x1: -?\d+\.\d{6}, x2: -?\d+\.\d{6}")


@pytest.fixture(scope="module")
def numpy_runs(tmp_path_factory):
    """The figure data of every section on the numpy backend, the reference for the others."""
    runs = {}
    for section in EXPECTED:
        out = tmp_path_factory.mktemp(f"numpy-{section}")
        result = run_example(section, "numpy", out)
        assert result.returncode == 0, result.stderr
        runs[section] = (result.stdout, json.loads((out / "figure-data.json").read_text()))
    return runs


@pytest.mark.parametrize("section", sorted(EXPECTED))
def test_section_prints_the_book_and_draws_the_same_figures(backend, section, tmp_path, numpy_runs):
    result = run_example(section, backend, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(EXPECTED[section])
    for line, expected in zip(lines, EXPECTED[section]):
        assert line == expected if expected is not None else LINE.fullmatch(line), line
    reference_stdout, reference_data = numpy_runs[section]
    assert result.stdout == reference_stdout  # every printed number agrees with the numpy backend
    for name in FIGURES[section]:
        assert (tmp_path / f"{name}.svg").read_bytes().startswith(b"<?xml"), name
        assert (tmp_path / f"{name}.png").read_bytes().startswith(b"\x89PNG"), name
    data = json.loads((tmp_path / "figure-data.json").read_text())
    assert sorted(data) == sorted(FIGURES[section])
    for name in data:
        drawn, reference = flatten_figure_data(data[name]), flatten_figure_data(reference_data[name])
        assert drawn.shape == reference.shape, name
        np.testing.assert_allclose(drawn, reference, rtol=1e-5, atol=1e-5, err_msg=name)


def test_mxnet_newton_notice_goes_to_stderr(backend, tmp_path):
    result = run_example("gd", backend)
    assert result.returncode == 0
    assert ("hand-written Hessian" in result.stderr) == (backend == "mxnet")


def test_unknown_backend_on_the_command_line(tmp_path):
    result = run_example("gd", "jax")
    assert result.returncode != 0
    assert "unknown backend 'jax'; valid names are: numpy, torch, tensorflow, mxnet" in result.stderr
