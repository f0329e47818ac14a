"""Each section example, run as a script: the book's lines, its figures, the same data everywhere."""
import json
import os
import re
import subprocess
import sys

import pytest

from d2l_optim.build import compare
from d2l_optim.plotting import flatten_figure_data
from helpers import run_example

LINE = re.compile(r"epoch \d+, x1: -?\d+\.\d{6}, x2: -?\d+\.\d{6}")
# a training run's final loss (the same on every backend) and its seconds per epoch (a timing)
TRAINED = re.compile(r"loss: 0\.2(4[2-9]|[5-7]\d|80), \d+\.\d{3} sec/epoch")
GIGAFLOPS = re.compile(r"performance in Gigaflops: element \d+\.\d{3}, column \d+\.\d{3}, "
                       r"full \d+\.\d{3}")
GIGAFLOPS_BLOCK = re.compile(r"performance in Gigaflops: block \d+\.\d{3}")
# a concise run: the framework's own optimizer, so its loss is the framework's (not compared)
CONCISE = re.compile(TRAINED.pattern)
# the rest of the output is this framework's equivalence table (not compared)
TABLE = "equivalence table"
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
    "minibatch_sgd": [GIGAFLOPS, GIGAFLOPS_BLOCK] + [TRAINED] * 4 + [CONCISE],
    "momentum": ["epoch 20, x1: -0.943467, x2: -0.000073", "epoch 20, x1: -0.387814, x2: -1673.365109",
                 "epoch 20, x1: 0.007188, x2: 0.002553", "epoch 20, x1: -0.126340, x2: -0.186632"]
    + [TRAINED] * 3 + [CONCISE],
    "adagrad": ["epoch 20, x1: -2.382563, x2: -0.158591", "epoch 20, x1: -0.002295, x2: -0.000000",
                TRAINED, CONCISE],
    "rmsprop": ["epoch 20, x1: -0.010599, x2: 0.000000", TRAINED, CONCISE],
    "adadelta": [None, TRAINED, CONCISE],
    "adam": [None] * 9 + [TRAINED] * 2 + [CONCISE, TABLE],
}
FIGURES = {
    "optimization_intro": ["risk", "local-global-minimum", "saddle-1d", "saddle-3d",
                           "vanishing-gradient"],
    "convexity": ["convex-chords", "local-is-global"],
    "gd": ["gd-lr-0.2", "gd-lr-0.05", "gd-lr-1.1", "gd-local-minimum", "gd-2d", "newton-cosh",
           "newton-x-cos", "newton-x-cos-lr-0.5"],
    "sgd": ["sgd-constant-lr", "sgd-exponential-lr", "sgd-polynomial-lr"],
    "minibatch_sgd": ["train-gd", "train-sgd", "train-batch-100", "train-batch-10", "loss-vs-time",
                      "train-concise"],
    "momentum": ["gd-lr-0.4", "gd-lr-0.6", "momentum-beta-0.5", "momentum-beta-0.25",
                 "leaky-average-weights", "gd-convergence-by-curvature",
                 "train-momentum-lr-0.02-beta-0.5", "train-momentum-lr-0.01-beta-0.9",
                 "train-momentum-lr-0.005-beta-0.9", "train-concise"],
    "adagrad": ["adagrad-lr-0.4", "adagrad-lr-2", "train-adagrad", "train-concise"],
    "rmsprop": ["ewma-weights", "rmsprop", "train-rmsprop", "train-concise"],
    "adadelta": ["adadelta", "train-adadelta", "train-concise"],
    "adam": ["adam", "yogi", "all-optimizers", "lr-sensitivity", "train-adam", "train-yogi",
             "train-concise"],
}
# Plotted values the spec fixes (§4.3): computed exactly, every backend draws these very numbers.
EXACT = {
    "leaky-average-weights": [[beta**t for t in range(40)] for beta in (0.95, 0.9, 0.6, 0)],
    "gd-convergence-by-curvature": [[(1 - 0.1 * lam) ** t for t in range(20)] for lam in (0.1, 1, 10, 19)],
    "ewma-weights": [[(1 - gamma) * gamma**t for t in range(40)] for gamma in (0.95, 0.9, 0.8, 0.7)],
}


def _matches(line, expected):
    if expected is None:
        return LINE.fullmatch(line)
    return expected.fullmatch(line) if isinstance(expected, re.Pattern) else line == expected


def _checked_lines(stdout, section):
    """Check every printed line against EXPECTED; return the lines every backend must share."""
    lines, expected = stdout.splitlines(), EXPECTED[section]
    if expected and expected[-1] is TABLE:
        expected, table = expected[:-1], lines[len(expected) - 1:]
        assert len(table) >= 8 and all(t.startswith(("|", "Loss:")) or not t for t in table), table
        lines = lines[:len(expected)]
    assert len(lines) == len(expected), lines
    for line, pattern in zip(lines, expected):
        assert _matches(line, pattern), line
    return "\n".join(line for line, pattern in zip(lines, expected) if pattern is not CONCISE)


@pytest.fixture(scope="module")
def numpy_runs(tmp_path_factory):
    """The figure data of every section on the numpy backend, the reference for the others."""
    runs = {}
    for section in EXPECTED:
        out = tmp_path_factory.mktemp(f"numpy-{section}")
        result = run_example(section, "numpy", out)
        assert result.returncode == 0, result.stderr
        data = json.loads((out / "figure-data.json").read_text())
        runs[section] = (_checked_lines(result.stdout, section), data)
    return runs


@pytest.mark.parametrize("section", sorted(EXPECTED))
def test_section_prints_the_book_and_draws_the_same_figures(backend, section, tmp_path, numpy_runs):
    result = run_example(section, backend, tmp_path)
    assert result.returncode == 0, result.stderr
    shared = _checked_lines(result.stdout, section)
    reference_stdout, reference_data = numpy_runs[section]
    declared = json.loads((tmp_path / "compare.json").read_text())  # the section's tolerances
    compare.assert_outputs_agree(shared, reference_stdout, declared["lines"])
    for name in FIGURES[section]:
        assert (tmp_path / f"{name}.svg").read_bytes().startswith(b"<?xml"), name
        assert (tmp_path / f"{name}.png").read_bytes().startswith(b"\x89PNG"), name
    data = json.loads((tmp_path / "figure-data.json").read_text())
    assert sorted(data) == sorted(FIGURES[section])
    for name in data:
        drawn, reference = flatten_figure_data(data[name]), flatten_figure_data(reference_data[name])
        tolerance = declared["figures"].get(name, compare.FIGURE_DEFAULT)
        compare.assert_figures_agree(drawn, reference, tolerance, name)
        if name in EXACT:
            assert [[y for _, y in line] for line in data[name][0]["lines"]] == EXACT[name], name
    for name in (n for n in data if n.startswith("train-")):  # training curves (spec §3.2, §5.5)
        points = data[name][0]["lines"][0]
        assert len(points) == (5 if name == "train-gd" else 15), name
        assert 0.2416 <= points[-1][1] <= 0.28, name


def test_mxnet_newton_notice_goes_to_stderr(backend, tmp_path):
    result = run_example("gd", backend)
    assert result.returncode == 0
    assert ("hand-written Hessian" in result.stderr) == (backend == "mxnet")


NOTEBOOK = '''# %%
import d2l_optim as d2l
from d2l_optim import objectives

section = d2l.Section("notebook")
section.save(d2l.plot([0.0, 1.0], [1.0, 0.0]), "saved")
# %%
d2l.show_trace_2d(objectives.elongated_2d, [(-5.0, -2.0), (-0.4, -1673.4)])
# %%
trace = d2l.newton(objectives.cosh)
'''


def test_notebook_shows_figures_and_clean_warnings_only(backend, tmp_path):
    """No ``<Axes: ...>`` result after a plot or a save; MXNet's notice without a kernel file path."""
    pytest.importorskip("nbclient", reason='notebooks need: pip install "d2l-optim[course]"')
    (tmp_path / "notebook.py").write_text(NOTEBOOK)
    out = tmp_path / "out"
    kernel_env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # Jupyter's inline backend
    subprocess.run([sys.executable, "-m", "d2l_optim.build.runner", str(tmp_path / "notebook.py"),
                    backend, str(out), "300"], check=True, timeout=300, env=kernel_env)
    record = json.loads((out / "run.json").read_text())
    assert record["status"] == "ok", record["error"]
    assert record["cells"][0]["figures"] == ["saved"] and record["stdout"].endswith("x: 0.000000\n")
    notebook = json.loads((out / "notebook.ipynb").read_text())
    outputs = [o for cell in notebook["cells"] for o in cell.get("outputs", [])]
    images = sum(any(k.startswith("image/") for k in o.get("data", {})) for o in outputs)
    assert images == 2  # the saved SVG and the plot left open
    shown_as_text = "".join(o["data"]["text/plain"] if isinstance(o["data"]["text/plain"], str) else
                            "".join(o["data"]["text/plain"]) for o in outputs
                            if "data" in o and not any(k.startswith("image/") for k in o["data"]))
    assert "<Axes" not in shown_as_text and "<Figure" not in shown_as_text
    stderr = record["cells"][-1]["stderr"]
    assert ("RuntimeWarning: MXNet" in stderr and "hand-written Hessian of cosh" in stderr) == (
        backend == "mxnet")
    assert "ipykernel" not in stderr and not re.search(r"\.py:\d+", stderr), stderr


def test_unknown_backend_on_the_command_line(tmp_path):
    result = run_example("gd", "jax")
    assert result.returncode != 0
    assert "unknown backend 'jax'; valid names are: numpy, torch, tensorflow, mxnet" in result.stderr
