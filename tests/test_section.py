"""The section mechanism: the build's setup in one hidden cell, each figure saved after the cell that
draws it, under the name the cell's header gives it, as a script and in the build's notebook."""
import json
import os
import re
import subprocess
import sys

import pytest

from d2l_optim import _config, cells
from helpers import ROOT, run_notebook

EXAMPLES = os.path.join(ROOT, "examples")
SECTIONS = sorted(f[:-3] for f in os.listdir(EXAMPLES) if f.endswith(".py") and f != "__init__.py")
PLUMBING = re.compile(r"\bsection\.|\bSection\(|\bcompare=|\bCURVE\b")

#: the backends in the order the made-up section has a framework cell for each
OWN_ORDER = ["torch", "numpy", *(name for name in _config.BACKENDS if name not in ("torch", "numpy"))]
# a made-up section: a loop naming its two figures, a cell naming none, a training run (an
# Animator) drawn before a plot in the same cell, framework cells (one per backend) that each name
# their figure
SCRIPT = '''# %% [markdown]
# # A made-up section
# %% tags=["remove-cell"]
import d2l_optim as d2l

section = d2l.Section("made_up")
section.compare_figures("curve-1.5", atol=1e-4)
section.compare_figures("own", "framework")
# %%
import d2l_optim as d2l

# %% figures=["curve-1.5", "curve-2"]
for power in (1.5, 2):
    d2l.plot([0.0, 1.0, 2.0], [[x**power for x in (0.0, 1.0, 2.0)]])
print("two curves")
# %%
d2l.plot([0.0, 1.0], [1.0, 0.0])
# %% figures=["training", "after-training"]
d2l.seed(0)
data_iter, feature_dim = d2l.get_data_ch11(batch_size=500)
run = d2l.train_ch11(d2l.sgd(0.1), None, None, data_iter, feature_dim)
d2l.plot([0.0, 1.0], [0.0, 1.0])
run
''' + "".join(f'''# %% tags=["framework-{name}"] figures=["own"]
d2l.plot([0.0, 1.0], [0.0, {position}.0])
''' for position, name in enumerate(OWN_ORDER, start=2)) + '''# %%
print("the end")
'''
# figure names by cell position, as each backend draws them: cell 5 names none and gets cell-5
FIGURES = {3: ["curve-1.5", "curve-2"], 4: ["cell-5"], 5: ["training", "after-training"]}
OWN = {name: position for position, name in enumerate(OWN_ORDER, start=6)}  # each backend's own cell


def _expected_figures(backend):
    return {**FIGURES, OWN[backend]: ["own"]}


def _section_text(name):
    with open(os.path.join(EXAMPLES, f"{name}.py"), encoding="utf-8") as file:
        return file.read()


def _run_script(path, backend, out=None):
    command = [sys.executable, str(path), "--backend", backend] + (["--out", str(out)] if out else [])
    return subprocess.run(command, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, MPLBACKEND="Agg"))


@pytest.mark.parametrize("name", SECTIONS)
def test_the_reader_sees_no_build_plumbing(name):
    """Only the hidden setup cell mentions the Section, its rules or the figures' names."""
    text = _section_text(name)
    lines = text.splitlines()
    found = cells.split(text)
    hidden = [position for position, cell in enumerate(found) if cell.hidden]
    code = [position for position, cell in enumerate(found) if cell.kind == "code"]
    assert len(hidden) == 1 and hidden[0] == code[0], "one setup cell, before the first code cell"
    setup = "\n".join(lines[found[hidden[0]].start:found[hidden[0]].end])
    assert f'section = d2l.Section("{name}")' in setup
    for cell in found:
        source = "\n".join(lines[cell.start + 1:cell.end])
        if cell.kind == "code" and not cell.hidden:
            assert not PLUMBING.search(source), f"examples/{name}.py, line {cell.start + 1}"


@pytest.mark.parametrize("name", SECTIONS)
def test_jupytext_reads_the_headers_as_the_build_does(name):
    """The notebook's cell metadata (tags, figures) is what :func:`cells.split` reads, and writing
    the notebook back gives the same headers."""
    jupytext = pytest.importorskip("jupytext", reason='notebooks need: pip install "d2l-optim[course]"')
    text = _section_text(name)
    notebook = jupytext.reads(text, fmt="py:percent")
    found = cells.split(text)
    assert len(notebook.cells) == len(found)
    for cell, ours in zip(notebook.cells, found):
        assert (cell.cell_type, tuple(cell.metadata.get("tags", ())),
                tuple(cell.metadata.get("figures", ()))) == (ours.kind, ours.tags, ours.figures)
    headers = [line for line in text.splitlines() if line.startswith("# %%")]
    written = jupytext.writes(notebook, fmt="py:percent")
    assert [line for line in written.splitlines() if line.startswith("# %%")] == headers


@pytest.mark.parametrize("name", ["gd-lr-0.05", "train_concise", "momentum-beta-0.25", "F1", "x1.5",
                                  "lr-0.005-beta-0.9"])
def test_plain_figure_names_are_accepted(name):
    assert cells.check_figure_name(name, "here") == name


@pytest.mark.parametrize("name", ["", "a b", "../etc", "a/b", "fig.svg", "a..b", "1..2", "0.", ".5", "a.5",
                                  '"q"', "-x", "é", "x" * 101, 3, None])
def test_other_figure_names_are_refused(name):
    with pytest.raises(ValueError, match=r"here: figure name .* is not allowed; use letters, digits"):
        cells.check_figure_name(name, "here")


def test_a_bad_header_is_refused_naming_its_cell():
    with pytest.raises(ValueError, match=r"line 3, cell 2 \('x = 1'\): figure name 'a/b' is not allowed"):
        cells.split('# %%\nimport math\n# %% figures=["a/b"]\nx = 1\n')
    with pytest.raises(ValueError, match=r"line 1, cell 1 \('x = 1'\): figure name 'twice' is given twice"):
        cells.split('# %% figures=["twice", "twice"]\nx = 1\n')
    with pytest.raises(ValueError, match=r"line 1, cell 1 \('x = 1'\): cannot read figures=\[a\]"):
        cells.split("# %% figures=[a]\nx = 1\n")
    with pytest.raises(ValueError, match=r"figures must be a list of names"):
        cells.figure_names("one", "here")


def test_a_script_saves_each_cells_figures_by_name(backend, tmp_path):
    script = tmp_path / "made_up.py"
    script.write_text(SCRIPT)
    out = tmp_path / "out"
    result = _run_script(script, backend, out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "two curves" and result.stdout.endswith("the end\n")
    names = [n for position in sorted(_expected_figures(backend))
             for n in _expected_figures(backend)[position]]
    data = json.loads((out / "figure-data.json").read_text())
    assert list(data) == names  # in the order the cells drew them
    for name in names:
        assert (out / f"{name}.svg").read_bytes().startswith(b"<?xml"), name
        assert (out / f"{name}.png").read_bytes().startswith(b"\x89PNG"), name
    assert [[y for _, y in line] for line in data["curve-1.5"][0]["lines"]] == [[0.0, 1.0, 2.0**1.5]]
    assert len(data["training"][0]["lines"][0]) == 3  # the loss after 1000, 2000 and 3000 examples
    rules = json.loads((out / "compare.json").read_text())["figures"]
    assert rules == {"curve-1.5": ["close", 0.0, 1e-4], "own": ["framework", 0.0, 0.0]}


def test_a_script_without_out_writes_nothing(tmp_path):
    script = tmp_path / "made_up.py"
    script.write_text(SCRIPT)
    result = _run_script(script, "numpy")
    assert result.returncode == 0, result.stderr
    assert os.listdir(tmp_path) == ["made_up.py"]


@pytest.mark.parametrize("change, error", [
    ('figures=["curve-1.5", "curve-2"]', r"line 12, cell 4 \('for power in \(1\.5, 2\):'\) names 1 "
                                         r"figure\(s\), curve-1\.5, but draws 2: name every figure"),
    ('"own", "framework"', r"compare_figures names 'owned', but no cell draws a figure of that name"),
    ('figures=["training", "after-training"]', r"cell 6 \('d2l.seed\(0\)'\) draws figure 'curve-2', "
                                               r"which cell 4 drew already"),
    ('# %%\nd2l.plot', r"line 16, cell 5 \('d2l.plot\(\[0.0, 1.0\], \[1.0, 0.0\]\)'\): figure name "
                       r"'a b' is not allowed"),
])
def test_a_script_refuses_wrong_figure_names(tmp_path, change, error):
    wrong = {'figures=["curve-1.5", "curve-2"]': 'figures=["curve-1.5"]',
             '"own", "framework"': '"owned", "framework"',
             'figures=["training", "after-training"]': 'figures=["training", "curve-2"]',
             '# %%\nd2l.plot': '# %% figures=["a b"]\nd2l.plot'}[change]
    script = tmp_path / "made_up.py"
    script.write_text(SCRIPT.replace(change, wrong, 1))
    result = _run_script(script, "numpy", tmp_path / "out")
    assert result.returncode != 0
    assert re.search(error, result.stderr.strip().splitlines()[-1]), result.stderr


def test_the_builds_notebook_saves_the_same_figures_and_runs_the_cells_as_written(backend, tmp_path):
    script = tmp_path / "made_up.py"
    script.write_text(SCRIPT)
    record = run_notebook(script, backend, tmp_path / "out")
    assert record["status"] == "ok", record["error"]
    drawn = {cell["cell"]: cell["figures"] for cell in record["cells"] if cell["figures"]}
    assert drawn == _expected_figures(backend)
    assert record["compare"]["figures"] == {"curve-1.5": ["close", 0.0, 1e-4], "own": ["framework", 0.0, 0.0]}
    data = json.loads((tmp_path / "out" / "figure-data.json").read_text())
    assert sorted(data) == sorted(n for names in drawn.values() for n in names)
    import jupytext
    import nbformat

    executed = nbformat.read(str(tmp_path / "out" / "notebook.ipynb"), as_version=4)
    written = [c for c in jupytext.reads(SCRIPT, fmt="py:percent").cells
               if cells.framework_of(c.metadata.get("tags")) in (None, backend)]
    assert [c.source for c in executed.cells[1:]] == [c.source for c in written]  # nothing injected
    shown = [o.metadata["d2l_optim"]["figure"] for c in executed.cells for o in c.get("outputs", [])
             if o.output_type == "display_data"]
    assert shown == [n for position in sorted(drawn) for n in drawn[position]]  # each once, by name
    last = [o for o in executed.cells[-1].outputs if o.output_type == "stream"]
    assert [o.text for o in last] == ["the end\n"]
    run_cell = next(c for c in executed.cells if c.source.endswith("\nrun"))
    assert not [o for o in run_cell.outputs if o.output_type == "execute_result"]  # no tuple of numbers


def test_the_builds_notebook_fails_a_cell_that_names_the_wrong_number_of_figures(tmp_path):
    script = tmp_path / "made_up.py"
    script.write_text(SCRIPT.replace('figures=["curve-1.5", "curve-2"]', 'figures=["curve-1.5"]'))
    record = run_notebook(script, "numpy", tmp_path / "out")
    assert record["status"] == "failed"
    assert re.search(r"cell 4 \('for power in \(1\.5, 2\):'\) names 1 figure\(s\), curve-1\.5, but draws 2",
                     record["error"]), record["error"]


def test_the_builds_notebook_refuses_a_bad_name_before_running(tmp_path):
    script = tmp_path / "made_up.py"
    script.write_text(SCRIPT.replace('figures=["curve-1.5", "curve-2"]', 'figures=["../curve", "x"]'))
    record = run_notebook(script, "numpy", tmp_path / "out")
    assert record["status"] == "failed" and record["cells"] == []
    assert "cell 4 ('for power in (1.5, 2):'): figure name '../curve' is not allowed" in record["error"]
