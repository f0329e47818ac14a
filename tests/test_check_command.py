"""``d2l-optim check``: on every backend the worked solutions pass every check and an untouched
student notebook passes none and crashes nothing (every section on NumPy, four that hold every kind
of answer on the others); a student's answers are checked one by one, a
crashing or endless cell failing only its own exercise; the report, the exit status and the
usage errors."""
import json
import os
import re

import jupytext
import nbformat
import pytest

from d2l_optim import exercises
from d2l_optim.__main__ import main
from d2l_optim.build import checker, editions, runner
from d2l_optim.examples import SECTIONS
from helpers import ROOT

#: a cell may take a while on a loaded machine (the lr-scheduler section trains networks); this is
#: no speed check
CELL_TIMEOUT = 900
#: the sections whose notebooks are checked on every backend: every kind of answer (a number, an
#: array, a function, a figure's data) in four of the quickest runs; NumPy checks all eleven (the
#: checks themselves are tested on every backend, with wrong answers, in tests/test_exercises.py)
EVERY_BACKEND = ("optimization_intro", "convexity", "gd", "adam")


def _source(section):
    return os.path.join(ROOT, "examples", f"{section}.py")


def _student(section, backend, folder):
    path = os.path.join(folder, f"{section}.ipynb")
    notebook = runner.framework_notebook(_source(section), backend)[0]
    nbformat.write(editions.student_notebook(notebook, section, backend), path)
    return path


def _rubric_only(section):
    return [exercise for exercise in editions.exercises_of(jupytext.read(_source(section)))
            if exercise.number not in exercises.checks_of(section)]


@pytest.mark.sections_on_every_backend(EVERY_BACKEND)
@pytest.mark.parametrize("section", SECTIONS)
def test_the_worked_solutions_pass_every_check(backend, section):
    report = checker.check_notebook(_source(section), backend, CELL_TIMEOUT)
    assert report["error"] is None and report["cell_errors"] == []
    checked = [entry for entry in report["exercises"] if entry["status"] != checker.MANUAL]
    assert [entry["status"] for entry in checked] == [exercises.PASSED] * len(exercises.checks_of(section)), \
        [(entry["id"], entry["message"]) for entry in checked if entry["status"] != exercises.PASSED]
    assert report["status"] == exercises.PASSED and report["points"] == report["possible"] == len(checked)
    manual = [entry for entry in report["exercises"] if entry["status"] == checker.MANUAL]
    assert [entry["number"] for entry in manual] == [exercise.number for exercise in _rubric_only(section)]
    assert all(entry["possible"] for entry in manual)


@pytest.mark.sections_on_every_backend(EVERY_BACKEND)
@pytest.mark.parametrize("section", SECTIONS)
def test_an_untouched_student_notebook_passes_none_and_crashes_nothing(backend, section, tmp_path):
    report = checker.check_notebook(_student(section, backend, tmp_path), None, CELL_TIMEOUT)
    assert report["error"] is None and report["cell_errors"] == [] and report["backend"] == backend
    checked = [entry for entry in report["exercises"] if entry["status"] != checker.MANUAL]
    assert len(checked) == len(exercises.checks_of(section))
    assert all(entry["status"] == exercises.NOT_ATTEMPTED for entry in checked), checked
    assert report["status"] == exercises.FAILED and report["points"] == 0


ANSWERS = {
    "gd-1": "end_by_rate = {rate: d2l.gd(rate, d2l.grad(square))[-1] for rate in (0.5, 0.99, 1.0)}",
    "gd-2": "newton_abs_end = d2l.newton(x_cos)[-1]\nis_minimum = True",  # plain Newton: wrong
    "gd-3": 'raise ValueError("not done yet")',
    "gd-4": "while True:\n    pass",
}


def _answered(tmp_path):
    """A student's gd notebook: one right answer, one wrong, one crashing, one endless; the check
    cell of gd-1 changed to claim a pass, and a broken cell of the student's own in the lesson."""
    path = _student("gd", "numpy", tmp_path)
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        meta = cell.metadata.get("d2l_optim", {})
        if meta.get("role") == "answer":
            cell.source = ANSWERS[meta["exercise"]]
        elif meta.get("exercise") == "gd-1" and meta.get("role") == "check":
            cell.source = 'print("gd-1: passed")'
    notebook.cells.insert(3, nbformat.v4.new_code_cell("undefined_name + 1"))
    nbformat.write(notebook, path)
    return path


def test_each_answer_is_checked_on_its_own(tmp_path, capsys):
    path = _answered(tmp_path)
    report_file = tmp_path / "report.json"
    assert main(["check", path, "--timeout", "10", "--json", str(report_file)]) == 1
    report = json.loads(report_file.read_text())
    assert report["schema"] == checker.SCHEMA and report["section"] == "gd" and report["backend"] == "numpy"
    assert report["notebook"] == "gd.ipynb" and report["points"] == 1 and report["possible"] == 4
    found = {entry["id"]: entry for entry in report["exercises"]}
    assert found["gd-1"]["status"] == exercises.PASSED
    assert found["gd-2"]["status"] == exercises.FAILED and "plain Newton" in found["gd-2"]["message"]
    assert found["gd-3"]["status"] == exercises.FAILED
    assert found["gd-3"]["message"].startswith("your code for this exercise raised ValueError: not done yet")
    assert found["gd-4"]["status"] == exercises.FAILED and "time limit" in found["gd-4"]["message"]
    assert found["gd-5"] == {"id": "gd-5", "number": 5, "title": "sufficient decrease; proof", "kind": "text",
                             "status": checker.MANUAL, "points": None, "possible": 5,
                             "message": "answered in words: graded by hand with the rubric"}
    own_error = "raised NameError: name 'undefined_name' is not defined"
    assert {"cell": 3, "error": own_error} in report["cell_errors"]
    printed = capsys.readouterr().out
    assert "gd.ipynb (gd on NumPy): 1 of 4 checked exercises passed, 1/4 points" in printed
    assert "gd-2: failed: `newton_abs_end` = 26.8341 is not right" not in printed  # the plain-Newton hint
    assert "gd-2: failed: 26.83 is where plain Newton ends" in printed


def test_the_exit_status_is_0_when_every_check_passes(tmp_path):
    path = str(tmp_path / "gd.py")
    with open(_source("gd"), encoding="utf-8") as source, open(path, "w", encoding="utf-8") as copy:
        copy.write(source.read())
    assert main(["check", path, "--backend", "numpy"]) == 0


def _exit_status(arguments, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["check", *arguments])
    return stopped.value.code, capsys.readouterr().err


def test_usage_errors_exit_with_2_and_say_what_to_do(tmp_path, capsys):
    status, message = _exit_status([str(tmp_path / "missing.ipynb")], capsys)
    assert status == 2 and "no such file" in message
    garbage = tmp_path / "gd.ipynb"
    garbage.write_text("not a notebook")
    status, message = _exit_status([str(garbage)], capsys)
    assert status == 2 and "cannot read" in message
    student = _student("sgd", "torch", tmp_path)
    status, message = _exit_status([student, "--backend", "numpy"], capsys)
    assert status == 2 and "--backend torch" in message
    mine = tmp_path / "homework.ipynb"
    mine.write_text(nbformat.writes(nbformat.v4.new_notebook()))
    status, message = _exit_status([str(mine), "--backend", "numpy"], capsys)
    assert status == 2 and "--section" in message
    status, message = _exit_status([_source("gd")], capsys)
    assert status == 2 and "--backend" in message
    nowhere = str(tmp_path / "no" / "r.json")
    status, message = _exit_status([_source("gd"), "--backend", "numpy", "--json", nowhere], capsys)
    assert status == 2 and "--json" in message
    status, message = _exit_status([_source("gd"), "--backend", "numpy", "--timeout", "0"], capsys)
    assert status == 2 and "--timeout" in message


def test_the_grading_notebook_checks_at_the_end_of_each_exercise_with_cells_of_its_own():
    source = runner.framework_notebook(_source("adam"), "torch")[0]
    notebook = editions.student_notebook(source, "adam", "torch")
    graded = checker.grading_notebook(notebook, "adam", "torch")
    sources = [cell.source for cell in graded.notebook.cells]
    assert sources[0] == runner.backend_cell("torch").source
    assert not any(source.startswith("d2l.check(") for source in sources)
    records = [i for i, source in enumerate(sources) if ".record(" in source]
    assert [re.search(r'record\("([^"]+)"', sources[i]).group(1) for i in records] == [
        f"adam-{n}" for n in range(1, 7)]
    for index, number in zip(records, range(1, 7)):  # just before the next exercise's heading
        following = sources[index + 1] if index + 1 < len(sources) else ""
        assert number == 6 or following.startswith(f"**Exercise {number + 1} (")
    assert all(graded.notebook.cells[i].metadata["d2l_optim"]["role"] == "record" for i in records)
    assert [graded.origins[i] for i in records] == [None] * 6
    assert all(notebook.cells[origin].source == graded.notebook.cells[i].source
               for i, origin in enumerate(graded.origins) if origin is not None)
