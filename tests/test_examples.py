"""Each section example, run as a script: the book's lines, its figures, the same data everywhere."""
import json
import re

import numpy as np
import pytest

from d2l_optim.plotting import flatten_figure_data
from helpers import run_example

LINE = re.compile(r"epoch \d+, x1: -?\d+\.\d{6}, x2: -?\d+\.\d{6}")
# a training run's final loss (the same on every backend) and its seconds per epoch (a timing)
TRAINED = re.compile(r"loss: 0\.2(4[2-9]|[5-7]\d|80), \d+\.\d{3} sec/epoch")
GIGAFLOPS = re.compile(r"performance in Gigaflops: element \d+\.\d{3}, column \d+\.\d{3}, "
                       r"full \d+\.\d{3}")
GIGAFLOPS_BLOCK = re.compile(r"performance in Gigaflops: block \d+\.\d{3}")
# Every line each section prints that the book fixes (spec §4.1 and §2.5); None: sgd's seeded
# random lines, only required to be the same on every backend; a pattern: lines holding timings.
EXPECTED = {
    "optimization_intro": ["f'(4) = 0.0013"],
    "convexity": [],
    "gd": ["epoch 10, x: 0.060466", "epoch 10, x: 3.486784", "epoch 10, x: 61.917364",
           "epoch 10, x: -1.528166", "epoch 20, x1: -0.057646, x2: -0.000073",
           "epoch 10, x: 0.000000", "epoch 10, x: 26.834133", "epoch 10, x: 7.269860"],
    "sgd": [None, "exponential multipliers: 0.818731, 0.740818, 0.670320, 0.606531, 0.548812",
            None, "polynomial multipliers: 0.912871, 0.877058, 0.845154, 0.816497, 0.790569", None],
    "minibatch_sgd": [GIGAFLOPS, GIGAFLOPS_BLOCK] + [TRAINED] * 4,
    "momentum": ["epoch 20, x1: -0.943467, x2: -0.000073", "epoch 20, x1: -0.387814, x2: -1673.365109",
                 "epoch 20, x1: 0.007188, x2: 0.002553", "epoch 20, x1: -0.126340, x2: -0.186632"]
    + [TRAINED] * 3,
    "adagrad": ["epoch 20, x1: -2.382563, x2: -0.158591", "epoch 20, x1: -0.002295, x2: -0.000000",
                TRAINED],
    "rmsprop": ["epoch 20, x1: -0.010599, x2: 0.000000", TRAINED],
    "adadelta": [None, TRAINED],
    "adam": [None] * 9 + [TRAINED] * 2,
}
FIGURES = {
    "optimization_intro": ["risk", "local-global-minimum", "saddle-1d", "saddle-3d",
                           "vanishing-gradient"],
    "convexity": ["convex-chords", "local-is-global"],
    "gd": ["gd-lr-0.2", "gd-lr-0.05", "gd-lr-1.1", "gd-local-minimum", "gd-2d", "newton-cosh",
           "newton-x-cos", "newton-x-cos-lr-0.5"],
    "sgd": ["sgd-constant-lr", "sgd-exponential-lr", "sgd-polynomial-lr"],
    "minibatch_sgd": ["train-gd", "train-sgd", "train-batch-100", "train-batch-10", "loss-vs-time"],
    "momentum": ["gd-lr-0.4", "gd-lr-0.6", "momentum-beta-0.5", "momentum-beta-0.25",
                 "leaky-average-weights", "gd-convergence-by-curvature",
                 "train-momentum-lr-0.02-beta-0.5", "train-momentum-lr-0.01-beta-0.9",
                 "train-momentum-lr-0.005-beta-0.9"],
    "adagrad": ["adagrad-lr-0.4", "adagrad-lr-2", "train-adagrad"],
    "rmsprop": ["ewma-weights", "rmsprop", "train-rmsprop"],
    "adadelta": ["adadelta", "train-adadelta"],
    "adam": ["adam", "yogi", "all-optimizers", "lr-sensitivity", "train-adam", "train-yogi"],
}
# figures whose x values are seconds: only their shape is compared between backends
TIMED_FIGURES = {"loss-vs-time"}
TIMING = re.compile(r"\d+\.\d+(?= sec/epoch)|(?<=performance in Gigaflops: ).*")


def _matches(line, expected):
    if expected is None:
        return LINE.fullmatch(line)
    return expected.fullmatch(line) if isinstance(expected, re.Pattern) else line == expected


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
        assert _matches(line, expected), line
    reference_stdout, reference_data = numpy_runs[section]
    # every printed number but the timings agrees with the numpy backend
    assert TIMING.sub("T", result.stdout) == TIMING.sub("T", reference_stdout)
    for name in FIGURES[section]:
        assert (tmp_path / f"{name}.svg").read_bytes().startswith(b"<?xml"), name
        assert (tmp_path / f"{name}.png").read_bytes().startswith(b"\x89PNG"), name
    data = json.loads((tmp_path / "figure-data.json").read_text())
    assert sorted(data) == sorted(FIGURES[section])
    for name in data:
        drawn, reference = flatten_figure_data(data[name]), flatten_figure_data(reference_data[name])
        assert drawn.shape == reference.shape, name
        if name not in TIMED_FIGURES:
            np.testing.assert_allclose(drawn, reference, rtol=1e-5, atol=1e-5, err_msg=name)
    for name in (n for n in data if n.startswith("train-")):  # training curves (spec §3.2, §5.5)
        points = data[name][0]["lines"][0]
        assert len(points) == (5 if name == "train-gd" else 15), name
        assert 0.2416 <= points[-1][1] <= 0.28, name


def test_mxnet_newton_notice_goes_to_stderr(backend, tmp_path):
    result = run_example("gd", backend)
    assert result.returncode == 0
    assert ("hand-written Hessian" in result.stderr) == (backend == "mxnet")


def test_unknown_backend_on_the_command_line(tmp_path):
    result = run_example("gd", "jax")
    assert result.returncode != 0
    assert "unknown backend 'jax'; valid names are: numpy, torch, tensorflow, mxnet" in result.stderr
