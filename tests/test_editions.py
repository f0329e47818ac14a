"""The editions of a section (d2l_optim/build/editions.py): the student notebook has no solution
anywhere, the instructor's has them and the rubrics, otter-grader's format has a question per
exercise (that ``otter assign`` accepts it is tested on the site's download, tests/test_site_editions.py),
and downloads are zips of the same bytes every time."""
import json
import os
import zipfile

import jupytext
import nbformat
import pytest

from d2l_optim import cells, exercises
from d2l_optim.build import editions, runner
from d2l_optim.examples import SECTIONS
from helpers import ROOT


def _source(section):
    return os.path.join(ROOT, "examples", f"{section}.py")


def _executed_looking(notebook):
    """The notebook as a run leaves it: every code cell with a printed line and a figure naming it."""
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            printed, figure = f"printed by cell {index}\n", {"image/svg+xml": f"<svg>{index}</svg>"}
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed),
                            nbformat.v4.new_output("display_data", data=figure,
                                                   metadata={"d2l_optim": {"figure": f"figure-{index}"}})]
    return notebook


def _lines(*texts):
    return {line.strip() for text in texts for line in text.splitlines() if len(line.strip()) >= 12}


def _all_lines(notebook):
    return set().union(*(_cell_lines(cell) for cell in notebook.cells))


def _cell_lines(cell):
    outputs = cell.get("outputs", [])
    return _lines(cell.source, *(o.get("text", "") for o in outputs), *(json.dumps(o.get("data", {}))
                                                                      for o in outputs))


def _distinctive_lines(notebook, section):
    """The lines of the solution cells (code, prose, their outputs) that no other cell has, and
    that the answer cells do not give (a function's signature)."""
    solutions = set().union(*(_cell_lines(c) for c in notebook.cells if editions.is_solution(c)))
    others = set().union(*(_cell_lines(c) for c in notebook.cells if not editions.is_solution(c)))
    stubs = _lines(*(exercises.placeholders(check) for check in exercises.checks_of(section).values()))
    return solutions - others - stubs


@pytest.mark.parametrize("section", SECTIONS)
def test_no_solution_line_appears_anywhere_in_the_student_edition(section):
    for backend in ("numpy", "torch"):
        notebook = _executed_looking(runner.framework_notebook(_source(section), backend)[0])
        student = editions.student_notebook(notebook, section, backend)
        text = nbformat.writes(student)
        distinctive = _distinctive_lines(notebook, section)
        assert len(distinctive) > 20
        leaked = distinctive & _all_lines(student)
        assert not leaked, sorted(leaked)[:3]
        assert not any(editions.is_solution(c) or cells.is_hidden(editions.tags_of(c)) for c in student.cells)
        assert "Rubric" not in text and "remove-cell" not in text and "d2l.Section(" not in text


@pytest.mark.parametrize("section", SECTIONS)
def test_the_student_edition_has_an_answer_and_a_check_for_each_checked_exercise(section):
    notebook = runner.framework_notebook(_source(section), "numpy")[0]
    student = editions.student_notebook(notebook, section, "numpy")
    assert student.metadata["d2l_optim"] == {"section": section, "edition": "student", "backend": "numpy"}
    roles = [(cell.metadata["d2l_optim"]["exercise"], cell.metadata["d2l_optim"]["role"])
             for cell in student.cells if "d2l_optim" in cell.metadata]
    for exercise in editions.exercises_of(notebook):
        check = exercises.checks_of(section).get(exercise.number)
        expected = ([(check.id, "answer"), (check.id, "check")] if check else []) + \
            ([(exercise.id(section), "written")] if exercise.rubric_points else [])
        assert [pair for pair in roles if pair[0] == exercise.id(section)] == expected
    for cell in student.cells:
        if cell.metadata.get("d2l_optim", {}).get("role") == "answer":
            names = exercises.find(cell.metadata["d2l_optim"]["exercise"]).answers
            assert all(f"{answer.name} = ..." in cell.source or f"def {answer.name}(" in cell.source
                       for answer in names)
            compile(cell.source, "answer", "exec")  # the placeholder cell runs as it is


def test_the_student_cells_keep_the_index_of_the_cell_they_come_from():
    notebook = runner.framework_notebook(_source("gd"), "torch")[0]
    pairs = editions.student_cells(notebook, "gd")
    kept = [(index, cell) for index, cell in pairs if index is not None]
    assert all(cell.source == notebook.cells[index].source for index, cell in kept)
    hidden = {i for i, c in enumerate(notebook.cells) if cells.is_hidden(editions.tags_of(c))}
    shown = set(range(len(notebook.cells))) - editions.solution_positions(notebook) - hidden
    assert {index for index, _ in kept} == shown
    assert sum(index is None for index, _ in pairs) == 4 * 2 + 2  # 4 checked exercises, 2 proofs


def test_the_instructor_edition_keeps_solutions_and_rubrics_and_drops_the_setup():
    notebook = runner.framework_notebook(_source("convexity"), "numpy")[0]
    instructor = editions.instructor_notebook(notebook, "convexity", "numpy")
    assert instructor.metadata["d2l_optim"]["edition"] == "instructor"
    assert [c.source for c in instructor.cells] == [c.source for c in notebook.cells
                                                    if not cells.is_hidden(editions.tags_of(c))]
    rubrics = [c for c in instructor.cells if "rubric" in editions.tags_of(c)]
    assert len(rubrics) == 7 and all(c.source.startswith("**Rubric (") for c in rubrics)


def test_editions_leave_the_notebook_they_are_given_as_it_was():
    notebook = runner.framework_notebook(_source("adam"), "jax")[0]
    before = nbformat.writes(notebook)
    editions.student_notebook(notebook, "adam")
    editions.instructor_notebook(notebook, "adam")
    editions.otter_notebook(notebook, "adam", "jax")
    assert nbformat.writes(notebook) == before


def test_a_section_without_declared_checks_gets_written_answers():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("**Exercise 1 (mine).** Why?"),
        nbformat.v4.new_markdown_cell("Because.", metadata={"tags": ["solution"]})])
    student = editions.student_notebook(notebook, "my_section")
    assert [c.source for c in student.cells] == ["**Exercise 1 (mine).** Why?",
                                                 "**Exercise 1, your answer.** *Write it here.*"]


def test_zips_hold_the_notebooks_and_are_the_same_bytes_every_time(tmp_path):
    notebooks = {f"{s}.ipynb": editions.student_notebook(runner.framework_notebook(_source(s), "numpy")[0], s)
                 for s in ("gd", "sgd")}
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    editions.write_zip(first, {**notebooks, "figures/a.svg": b"<svg/>"})
    editions.write_zip(second, {"figures/a.svg": b"<svg/>", **dict(reversed(list(notebooks.items())))})
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert archive.namelist() == ["figures/a.svg", "gd.ipynb", "sgd.ipynb"]
        assert nbformat.reads(archive.read("gd.ipynb").decode(), as_version=4) == notebooks["gd.ipynb"]
        assert archive.read("figures/a.svg") == b"<svg/>"
    nbformat.write(notebooks["gd.ipynb"], tmp_path / "gd.ipynb")
    with zipfile.ZipFile(first) as archive:  # a notebook in a zip is the file nbformat writes
        assert archive.read("gd.ipynb") == (tmp_path / "gd.ipynb").read_bytes()


def test_the_otter_notebook_has_a_question_per_exercise_with_the_check_as_its_test():
    notebook = runner.framework_notebook(_source("convexity"), "numpy")[0]
    otter = editions.otter_notebook(notebook, "convexity", "numpy")
    raw = [cell.source for cell in otter.cells if cell.cell_type == "raw"]
    assert raw[0].startswith("# ASSIGNMENT CONFIG\n") and "name: convexity" in raw[0]
    questions = [source.split("\n")[1] for source in raw if source.startswith("# BEGIN QUESTION")]
    assert questions == [f"name: convexity-{n}" for n in ("1", "2", "2-written", "3", "4", *range(5, 11))]
    tests = [cell.source for cell in otter.cells if cell.cell_type == "code" and "verify(" in cell.source]
    assert len(tests) == 4 and 'verify("convexity-3", globals())' in tests[2]
    assert sum(source.startswith("# BEGIN QUESTION") for source in raw) == \
        sum(source == "# END QUESTION" for source in raw)
    assert all(not cell.get("outputs") for cell in otter.cells if cell.cell_type == "code")


def test_a_notebook_read_back_from_its_script_gives_the_same_student_edition():
    notebook = runner.framework_notebook(_source("rmsprop"), "numpy")[0]
    student = editions.student_notebook(notebook, "rmsprop")
    again = jupytext.reads(jupytext.writes(student, fmt="py:percent"), fmt="py:percent")
    assert [c.source for c in again.cells] == [c.source for c in student.cells]
    assert sum(c.source.startswith('d2l.check("rmsprop-') for c in again.cells) == 3


def test_the_notebooks_command_writes_an_edition_and_never_overwrites(tmp_path, capsys):
    from d2l_optim.__main__ import main

    out = tmp_path / "assignment"
    assert main(["notebooks", "--edition", "student", "--backend", "torch", "--sections", "gd", "adam",
                 "--out", str(out)]) == 0
    assert sorted(os.listdir(out)) == ["adam.ipynb", "gd.ipynb"]
    student = nbformat.read(out / "gd.ipynb", as_version=4)
    assert student.metadata["d2l_optim"] == {"section": "gd", "edition": "student", "backend": "torch"}
    before = (out / "gd.ipynb").read_bytes()
    with pytest.raises(SystemExit) as stopped:
        main(["notebooks", "--edition", "otter", "--backend", "torch", "--sections", "gd", "--out", str(out)])
    assert stopped.value.code == 2 and "new or empty folder" in capsys.readouterr().err
    assert (out / "gd.ipynb").read_bytes() == before


def _record_of(notebook):
    cells = [{"cell": position, "stdout": f"line {position}\n", "figures": [f"figure-{position}"],
              "error": False} for position, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    return {"status": "ok", "error": None, "cells": cells, "stdout": "".join(c["stdout"] for c in cells),
            "compare": {"lines": [], "figures": {f"figure-{c['cell']}": ["exact"] for c in cells}}}


def test_a_run_record_for_the_student_edition_leaves_out_the_solutions_output_and_figures():
    notebook = jupytext.read(_source("gd"))
    solutions = editions.solution_positions(notebook)
    record = _record_of(notebook)
    before = json.dumps(record)
    student, dropped = editions.student_record(record, notebook)
    kept = [c["cell"] for c in record["cells"] if c["cell"] not in solutions]
    assert [c["cell"] for c in student["cells"]] == kept
    code = [p for p in solutions if notebook.cells[p].cell_type == "code"]
    declared = ["exercise-line-search", "exercise-newton-abs-hessian"]  # the solutions' figures=[...]
    assert dropped == sorted(declared + [f"figure-{p}" for p in code])
    assert student["stdout"] == "".join(f"line {c['cell']}\n" for c in student["cells"])
    assert sorted(student["compare"]["figures"]) == sorted(f"figure-{p}" for p in kept)  # their rules too
    assert len(code) == 4 and json.dumps(record) == before  # the record given is left as it was


def test_a_failed_runs_error_is_kept_from_the_student_edition_where_it_could_show_a_solution():
    notebook = jupytext.read(_source("gd"))
    solution = next(p for p in sorted(editions.solution_positions(notebook))
                    if notebook.cells[p].cell_type == "code")
    quoted = next(line for line in notebook.cells[solution].source.splitlines() if len(line.strip()) > 20)
    lesson = max(p for p, cell in enumerate(notebook.cells) if cell.cell_type == "code" and p < solution)

    def failed(where, error):
        record = _record_of(notebook)
        record["cells"] = [c for c in record["cells"] if c["cell"] <= where]
        record["cells"][-1]["error"] = True
        return {**record, "status": "failed", "error": error}

    for where, error in ((solution, "ValueError: boom"),  # raised in a solution
                         (lesson, f"the cell beginning {quoted.strip()!r} ran longer than 9 s"),  # quotes one
                         (lesson, "NameError: exercise-line-search")):  # names a solution's figure
        assert editions.student_record(failed(where, error), notebook)[0]["error"] == \
            editions.FAILED_IN_A_SOLUTION, error
    assert editions.student_record(failed(lesson, "ValueError: boom"), notebook)[0]["error"] == \
        "ValueError: boom"  # a lesson's own error is shown
