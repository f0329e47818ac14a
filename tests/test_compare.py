"""The tolerance policy (``d2l_optim.compare``), section declarations, and framework cells."""
import json
import re
import subprocess
import sys

import numpy as np
import pytest

import d2l_optim as d2l
from d2l_optim import _registry, cells, compare
from helpers import UNKNOWN_BACKEND

TRAINING = [r"loss: (\S+),", None, None, 1e-3], [r"(\S+) sec/epoch", "timing", None, None]


def _declared(*declarations):
    return [compare.line_rule(*d) for d in declarations]


def test_printed_loss_is_compared_within_its_tolerance_and_seconds_never():
    rules = _declared(*TRAINING)
    close = compare.compare_line({"numpy": "loss: 0.243, 0.031 sec/epoch",
                                  "torch": "loss: 0.2435, 1.700 sec/epoch"}, rules)
    assert close == {"agree": True, "compared": True, "policy": "timing, not compared; within atol 0.001"}
    far = compare.compare_line({"numpy": "loss: 0.243, 0.031 sec/epoch",
                                "torch": "loss: 0.245, 0.031 sec/epoch"}, rules)
    assert not far["agree"]
    reworded = compare.compare_line({"numpy": "loss: 0.243, 0.031 sec/epoch",
                                     "torch": "cost: 0.243, 0.031 sec/epoch"}, rules)
    assert not reworded["agree"]  # the words around the numbers are compared exactly


def test_undeclared_numbers_are_exact():
    assert compare.compare_line({"a": "x: 0.060466", "b": "x: 0.060466"})["agree"]
    result = compare.compare_line({"a": "x: 0.060466", "b": "x: 0.060467"})
    assert not result["agree"] and result["policy"] == "exact"
    assert not compare.compare_line({"a": "x: 1 2", "b": "x: 1"})["agree"]
    assert compare.compare_line({"a": "nan", "b": "nan"})["agree"]


def test_framework_specific_lines_are_shown_but_not_compared():
    rules = _declared([r"^optimizer: .*$", "framework"])
    result = compare.compare_line({"a": "optimizer: torch.optim.SGD", "b": "optimizer: tf.keras.SGD"}, rules)
    assert result == {"agree": True, "compared": False, "policy": "framework-specific, not compared"}


def test_output_is_compared_line_by_line():
    lines = compare.compare_output({"a": "x: 1\ny: 2\n", "b": "x: 1\ny: 3\nz\n"})
    assert [line["agree"] for line in lines] == [True, False, False]
    assert lines[2]["values"] == {"a": "", "b": "z"}
    with pytest.raises(AssertionError, match=r"line 2: 'y: 3' vs 'y: 2' \(exact\)"):
        compare.assert_outputs_agree("x: 1\ny: 3\n", "x: 1\ny: 2\n")


def test_figures_agree_relative_to_their_scale():
    reference = np.array([0.0, 1000.0, np.nan])
    assert compare.compare_figure(reference + [0.005, 0.005, 0], reference)["agree"]  # 1e-5 of 1000
    assert not compare.compare_figure(reference + [0.02, 0, 0], reference)["agree"]
    assert not compare.compare_figure(reference[:2], reference)["agree"]
    loose = compare.compare_figure(reference + [0.5, 0, 0], reference, {"rtol": 1e-3})
    assert loose["agree"] and loose["policy"] == "within rtol 0.001"
    assert compare.compare_figure(reference * 2, reference, "timing")["agree"]
    with pytest.raises(AssertionError, match="curve: differs by 2.000e-02, allowed within rtol 1e-05 "
                                             r"\+ atol 1e-05"):
        compare.assert_figures_agree(reference + [0.02, 0, 0], reference, name="curve")


@pytest.mark.parametrize("args, message", [
    (("sometimes",), "unknown comparison 'sometimes'; use one of exact, close, framework, timing"),
    (("timing", 0.1), "rtol/atol apply to 'close' comparisons, not to 'timing'"),
    ((None, -1.0), "rtol must be a finite number >= 0, got -1.0"),
    ((None, None, "0.1"), "atol must be a finite number >= 0, got '0.1'"),
    ((), "give a kind (exact, framework, timing) or a tolerance"),
    (({"rtol": 1, "tol": 2},), "a tolerance takes rtol and atol, not ['tol']"),
])
def test_bad_rules_are_refused(args, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        compare.rule(*args)


def test_section_records_its_declarations(tmp_path):
    section = d2l.Section("declared", argv=["--out", str(tmp_path)])
    section.compare(r"loss: (\S+),", atol=1e-3)
    section.compare(r"loss: (\S+),", atol=1e-3)  # a re-run notebook cell declares nothing new
    section.compare_figures("line", rtol=1e-3)
    section.compare_figures(["curve-1", "curve-2"], "framework")
    recorded = json.loads((tmp_path / "compare.json").read_text())
    assert recorded == {"lines": [[r"loss: (\S+),", "close", 0.0, 0.001]],
                        "figures": {"line": ["close", 0.001, 0.0], "curve-1": ["framework", 0.0, 0.0],
                                    "curve-2": ["framework", 0.0, 0.0]}}
    with pytest.raises(ValueError, match="is not a regular expression"):
        section.compare("loss: (", "exact")
    with pytest.raises(ValueError, match="unknown comparison 'roughly'"):
        section.compare_figures("other", "roughly")
    with pytest.raises(ValueError, match=r"compare_figures\('a/b'\): figure name 'a/b' is not allowed"):
        section.compare_figures("a/b", "timing")


TAGGED = '''# %% [markdown]
# # Framework cells
# %%
import d2l_optim as d2l

section = d2l.Section("tagged")
print("shared on", d2l.get_backend())
# %% tags=["framework-torch"]
import torch
print("torch only", torch.zeros(2).shape)
# %% tags=["framework-numpy"]
print("numpy only")
# %% [markdown]
# Back to code for everyone.
# %%
print("the end")
'''


def test_cells_and_their_frameworks():
    found = cells.split(TAGGED)
    assert [(c.kind, c.framework) for c in found] == [
        ("markdown", None), ("code", None), ("code", "torch"), ("code", "numpy"), ("markdown", None),
        ("code", None)]
    assert [position for position, _ in cells.code_cells(TAGGED, "numpy")] == [1, 3, 5]
    assert [position for position, _ in cells.code_cells(TAGGED, "mxnet")] == [1, 5]
    tags = ", ".join(f"framework-{name}" for name in _registry.BACKENDS)
    with pytest.raises(ValueError, match=f"unknown cell tag framework-{UNKNOWN_BACKEND}; the framework "
                                         f"tags are {tags}$"):
        cells.split(f'# %% tags=["framework-{UNKNOWN_BACKEND}"]\nx = 1\n')


def test_a_script_runs_only_its_backends_framework_cells(backend, tmp_path):
    script = tmp_path / "tagged.py"
    script.write_text(TAGGED)
    result = subprocess.run([sys.executable, str(script), "--backend", backend], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    own = {"torch": ["torch only torch.Size([2])"], "numpy": ["numpy only"]}.get(backend, [])
    assert result.stdout.splitlines() == [f"shared on {backend}", *own, "the end"]


def test_a_failing_framework_cell_points_at_its_line(tmp_path):
    script = tmp_path / "broken.py"
    script.write_text(TAGGED.replace('print("numpy only")', 'raise RuntimeError("numpy cell broke")'))
    result = subprocess.run([sys.executable, str(script), "--backend", "numpy"], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 1 and "RuntimeError: numpy cell broke" in result.stderr
    assert f'File "{script}", line 12' in result.stderr
