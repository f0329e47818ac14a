"""Each section example, run as a script: the book's lines, its figures, the same data everywhere."""
import json
import re

import numpy as np
import pytest

import d2l_optim as d2l
from d2l_optim.plotting import flatten_figure_data
from helpers import run_example

# Every line each section prints that the book fixes (spec §4.1 and §2.5); sgd's seeded random
# lines are only required to be the same on every backend.
EXPECTED = {
    "optimization_intro": ["f'(4) = 0.0013"],
    "convexity": [],
    "gd": ["epoch 10, x: 0.060466", "epoch 10, x: 3.486784", "epoch 10, x: 61.917364",
           "epoch 10, x: -1.528166", "epoch 20, x1: -0.057646, x2: -0.000073",
           "epoch 10, x: 0.000000", "epoch 10, x: 26.834133", "epoch 10, x: 7.269860"],
    "sgd": [None, "exponential multipliers: 0.818731, 0.740818, 0.670320, 0.606531, 0.548812",
            None, "polynomial multipliers: 0.912871, 0.877058, 0.845154, 0.816497, 0.790569", None],
    "momentum": ["epoch 20, x1: -0.943467, x2: -0.000073", "epoch 20, x1: -0.387814, x2: -1673.365109",
                 "epoch 20, x1: 0.007188, x2: 0.002553", "epoch 20, x1: -0.126340, x2: -0.186632"],
    "adagrad": ["epoch 20, x1: -2.382563, x2: -0.158591", "epoch 20, x1: -0.002295, x2: -0.000000"],
    "rmsprop": ["epoch 20, x1: -0.010599, x2: 0.000000"],
    "adadelta": [None],
    "adam": [None] * 9,
}
FIGURES = {
    "optimization_intro": ["risk", "local-global-minimum", "saddle-1d", "saddle-3d",
                           "vanishing-gradient"],
    "convexity": ["convex-chords", "local-is-global"],
    "gd": ["gd-lr-0.2", "gd-lr-0.05", "gd-lr-1.1", "gd-local-minimum", "gd-2d", "newton-cosh",
           "newton-x-cos", "newton-x-cos-lr-0.5"],
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


# The lr-scheduler section trains networks: its printed numbers are seeded but rounded differently
# by each framework, so they are checked by format and range (test accuracy above 0.8), its
# schedule figures exactly, and each backend prints its own framework's scheduler line.
LR_TRAINING_LINE = re.compile(r"train loss (\d+\.\d{3}), train acc ([01]\.\d{3}), test acc ([01]\.\d{3})")
LR_MULTI_FACTOR = "0.5 for epochs 0-14, 0.25 for epochs 15-29"
LR_FRAMEWORK_LINES = {
    "numpy": [f"d2l MultiFactorScheduler: {LR_MULTI_FACTOR}"],
    "torch": [f"torch MultiStepLR: {LR_MULTI_FACTOR}"],
    "tensorflow": [f"Keras LearningRateScheduler: {LR_MULTI_FACTOR}"],
    "mxnet": ["mxnet MultiFactorScheduler(epoch): 0.5 for epochs 0-15, 0.25 for epochs 16-29",
              f"mxnet MultiFactorScheduler(epoch + 1): {LR_MULTI_FACTOR}"],
}
LR_SCHEDULE_FIGURES = {  # spec F49, F51, F52, F54, F56: (name, scheduler, steps)
    "lr-square-root": (lambda: d2l.SquareRootScheduler(lr=0.1), 30),
    "lr-factor": (lambda: d2l.FactorScheduler(factor=0.9, stop_factor_lr=1e-2, base_lr=2.0), 50),
    "lr-multi-factor": (lambda: d2l.MultiFactorScheduler(step=[15, 30], factor=0.5, base_lr=0.5), 30),
    "lr-cosine": (lambda: d2l.CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01), 30),
    "lr-cosine-warmup": (lambda: d2l.CosineScheduler(20, warmup_steps=5, base_lr=0.3, final_lr=0.01), 30),
}
LR_TRAINING_FIGURES = ["lr-constant", "lr-square-root-training", "lr-multi-factor-training",
                       "lr-cosine-training", "lr-cosine-warmup-training"]  # F48, F50, F53, F55, F57


def test_lr_scheduler_section_trains_every_schedule_above_0_8(backend, tmp_path):
    result = run_example("lr_scheduler", backend, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    expected = [None, "learning rate is now 0.10", None, None, *LR_FRAMEWORK_LINES[backend], None, None]
    assert len(lines) == len(expected), lines
    for line, wanted in zip(lines, expected):
        if wanted is not None:
            assert line == wanted
            continue
        loss, train_acc, test_acc = map(float, LR_TRAINING_LINE.fullmatch(line).groups())
        assert loss < 1.0 and train_acc > 0.8 and test_acc > 0.8, line
    data = json.loads((tmp_path / "figure-data.json").read_text())
    assert sorted(data) == sorted(list(LR_SCHEDULE_FIGURES) + LR_TRAINING_FIGURES)
    for name, (make, steps) in LR_SCHEDULE_FIGURES.items():
        scheduler = make()
        [line] = data[name][0]["lines"]
        assert line == [[t, scheduler(t)] for t in range(steps)], name  # exactly, as Python floats
    for name in LR_TRAINING_FIGURES:
        assert (tmp_path / f"{name}.svg").read_bytes().startswith(b"<?xml"), name
        train_loss, train_acc, test_acc = (np.array(line) for line in data[name][0]["lines"])
        assert len(train_loss) == len(train_acc) == 5 * 30 and len(test_acc) == 30, name
        np.testing.assert_allclose(test_acc[:, 0], np.arange(1, 31))
        assert test_acc[-1, 1] > 0.8 and train_loss[-1, 1] < train_loss[0, 1], name
