"""The course's editions of a section, from one source: pure functions from notebook to notebook.

- The **instructor** edition is the section as written: the exercises with their worked solutions
  and, for answers in words, a rubric (cells tagged ``solution``; a rubric is also tagged
  ``rubric``).
- The **student** edition has no solution anywhere: each exercise's solution cells (code and
  markdown, with their outputs) are replaced by an answer cell, whose ``...`` the student replaces
  (the names the check reads, :mod:`d2l_optim.exercises`), and a check cell, ``d2l.check("gd-1")``;
  an answer in words gets a markdown answer cell instead.
- The **otter** notebook is the instructor edition in otter-grader's assignment format: ``otter
  assign`` turns it into a student notebook and an autograder whose tests are the same checks.

Each function takes a section's notebook for one framework (the published, executed one, or
:func:`~d2l_optim.build.runner.framework_notebook` of the script) and returns a new one; the
setup cells (``remove-cell``) are left out of every edition. :func:`student_record` makes a run's
record fit for the student edition's pages; :func:`write_zip` packs notebooks (or any files) for a
download.
"""
import contextlib
import copy
import os
import re
import zipfile
from typing import NamedTuple, Optional, Tuple

import nbformat

from d2l_optim import cells, exercises

EDITIONS = ("instructor", "student")
SOLUTION_TAG, RUBRIC_TAG = "solution", "rubric"
#: the line that starts an exercise's markdown cell: **Exercise 3 (title).**
EXERCISE = re.compile(r"^\*\*Exercise (\d+) \(([^)]*)\)", re.M)
RUBRIC_POINTS = re.compile(r"^\*\*Rubric \((\d+) points?\)\.\*\*", re.M)
METADATA = "d2l_optim"


def tags_of(cell):
    return cell.get("metadata", {}).get("tags") or ()


def is_solution(cell):
    return SOLUTION_TAG in tags_of(cell)


class Exercise(NamedTuple):
    """An exercise in a notebook: its number and title, the index of its markdown cell, the indices
    of its solution cells, and the points of its rubric (None: it has none)."""

    number: int
    title: str
    prompt: int
    solutions: Tuple[int, ...]
    rubric_points: Optional[int]

    def id(self, section):
        return f"{section}-{self.number}"


def exercises_of(notebook):
    """The exercises of a notebook, in order: each ``**Exercise N (title).**`` markdown cell and the
    solution cells that follow it."""
    found = []
    for index, cell in enumerate(notebook.cells):
        prose = cell.cell_type == "markdown" and not is_solution(cell)
        heading = EXERCISE.search(cell.source) if prose else None
        if heading:
            solutions = []
            for later in range(index + 1, len(notebook.cells)):
                if not is_solution(notebook.cells[later]):
                    break
                solutions.append(later)
            rubric = [RUBRIC_POINTS.search(notebook.cells[i].source) for i in solutions
                      if RUBRIC_TAG in tags_of(notebook.cells[i])]
            points = int(rubric[0].group(1)) if rubric and rubric[0] else None
            found.append(Exercise(int(heading.group(1)), heading.group(2), index, tuple(solutions), points))
    return found


def solution_positions(notebook):
    """The indices of the cells no student may see: the solutions and rubrics (for a page or a
    record of the section's run, whose cells are numbered the same way)."""
    return {index for index, cell in enumerate(notebook.cells) if is_solution(cell)}


#: a failed run's error in the student edition, when it could show a solution (it ran in one, or
#: quotes one)
FAILED_IN_A_SOLUTION = ("The run failed in the worked solution of an exercise, which this edition does "
                        "not show; the instructor edition shows the error.")


def student_record(record, notebook):
    """A run record (``run.json``: per executed cell its position, output and figures) for the
    student edition, and the names of the figures it leaves out, not to be published: the cells
    of the solutions (:func:`solution_positions` of the section's script ``notebook``) are left out
    with their output, their figures and the rules comparing those; a failed run's error is
    replaced by :data:`FAILED_IN_A_SOLUTION` if it happened in a solution or quotes one."""
    solutions = solution_positions(notebook)
    kept = [cell for cell in record["cells"] if cell["cell"] not in solutions]
    dropped = {name for cell in record["cells"] if cell["cell"] in solutions for name in cell["figures"]}
    dropped |= {name for index in solutions for name in notebook.cells[index].metadata.get("figures") or ()}
    compare = record.get("compare") or {}
    compare = {**compare, "figures": {name: rule for name, rule in (compare.get("figures") or {}).items()
                                      if name not in dropped}}
    student = {**record, "cells": kept, "stdout": "".join(cell["stdout"] for cell in kept),
               "compare": compare}
    if record.get("error") and _could_show_a_solution(record, notebook, solutions, dropped):
        student["error"] = FAILED_IN_A_SOLUTION
    return student, sorted(dropped)


def _could_show_a_solution(record, notebook, solutions, figures):
    """Whether a failed run's error happened in a solution cell, or names a line or a figure of one."""
    where = ([cell["cell"] for cell in record["cells"] if cell["error"]]  # the cell that raised,
             or [cell["cell"] for cell in record["cells"]][-1:])  # else the last that ran
    if where and where[0] in solutions:
        return True
    lines = {line.strip() for index in solutions for line in notebook.cells[index].source.splitlines()
             if len(line.strip()) >= 10}
    return any(text in record["error"] for text in lines | set(figures))


def _marked(cell, section, exercise, role):
    cell.metadata[METADATA] = {"exercise": f"{section}-{exercise.number}", "role": role}
    cell.metadata["tags"] = [role]
    return cell


def answer_cells(section, exercise):
    """What a student edition puts in place of an exercise's solution: for a checked answer, an
    answer cell with a ``...`` for each name and a check cell; for an answer in words, a markdown
    cell to write it in."""
    check = exercises.checks_of(section).get(exercise.number)
    made = []
    if check is not None:
        source = (f"# Exercise {exercise.number}: your answer. {exercises.answer_instructions(check)}\n"
                  f"{exercises.placeholders(check)}")
        made.append(_marked(nbformat.v4.new_code_cell(source), section, exercise, "answer"))
        check_cell = nbformat.v4.new_code_cell(f'd2l.check("{check.id}")')
        made.append(_marked(check_cell, section, exercise, "check"))
    if check is None or exercise.rubric_points is not None:
        what = "your answer" if check is None else "your explanation"
        made.append(_marked(nbformat.v4.new_markdown_cell(f"**Exercise {exercise.number}, {what}.** "
                                                          "*Write it here.*"), section, exercise, "written"))
    return made


def student_cells(notebook, section):
    """The student edition's cells as ``(index in notebook, cell)``, None for the cells it adds:
    what a page of the student edition shows (the run's output belongs to the indexed cells)."""
    last_of = {}
    for exercise in exercises_of(notebook):
        last_of[exercise.solutions[-1] if exercise.solutions else exercise.prompt] = exercise
    kept = []
    for index, cell in enumerate(notebook.cells):
        if not (cells.is_hidden(tags_of(cell)) or is_solution(cell)):
            kept.append((index, copy.deepcopy(cell)))
        if index in last_of:
            kept.extend((None, made) for made in answer_cells(section, last_of[index]))
    return kept


def _edition(notebook, section, edition, new_cells, backend):
    made = copy.deepcopy(notebook)
    made.cells = new_cells
    made.metadata[METADATA] = {"section": section, "edition": edition, "backend": backend}
    given = {cell.get("id") for cell in notebook.cells}
    for index, cell in enumerate(made.cells):  # the cells an edition adds: ids of their place, not random
        if cell.get("id") not in given or cell.get("id") is None:
            cell["id"] = f"{edition}-{index}"
    return made


def student_notebook(notebook, section, backend=None):
    """The student edition of a section's notebook (see the module doc)."""
    return _edition(notebook, section, "student", [cell for _, cell in student_cells(notebook, section)],
                    backend)


def instructor_notebook(notebook, section, backend=None):
    """The instructor edition: the notebook with its solutions and rubrics, the setup cells left out."""
    return _edition(notebook, section, "instructor", [copy.deepcopy(cell) for cell in notebook.cells
                                                      if not cells.is_hidden(tags_of(cell))], backend)


OTTER_CONFIG = """\
# ASSIGNMENT CONFIG
# otter-grader's assignment configuration: `otter assign {section}.ipynb dist` writes the student
# notebook (dist/student) and the autograder (dist/autograder), after running the tests against the
# solutions. Each automatic question's test is d2l-optim's own check of that exercise; a question
# answered in words is graded by hand with the rubric in its solution. For Gradescope, add
# `requirements:` naming d2l-optim and the framework, so that the autograder image installs them.
name: {section}
init_cell: true
check_all_cell: true
export_cell:
  pdf: false
solutions_pdf: false
generate: true
tests:
  files: false
  ok_format: true
show_question_points: true"""


def _raw(text):
    return nbformat.v4.new_raw_cell(text)


def _question(name, points, manual=False):
    return _raw(f"# BEGIN QUESTION\nname: {name}\npoints: {points}" + ("\nmanual: true" if manual else ""))


def _otter_exercise(notebook, section, exercise):
    """The cells of one exercise in otter's format: a question with the code solution and the test,
    and, for an answer in words, a question graded by hand with the solution's text and the rubric."""
    solutions = [notebook.cells[i] for i in exercise.solutions]
    code = [cell.source for cell in solutions if cell.cell_type == "code"]
    words = [copy.deepcopy(cell) for cell in solutions if cell.cell_type == "markdown"]
    for cell in words:
        cell.metadata.pop("tags", None)
    prompt = copy.deepcopy(notebook.cells[exercise.prompt])
    check = exercises.checks_of(section).get(exercise.number)
    made = []
    if check is not None:
        skeleton = exercises.placeholders(check).replace('"""', "'''")
        answer = ("# BEGIN SOLUTION NO PROMPT\n" + "\n\n".join(code) + "\n# END SOLUTION\n"
                  f'_ = """ # BEGIN PROMPT\n{skeleton}\n""" # END PROMPT')
        test = f'from d2l_optim.exercises import verify\n\nverify("{check.id}", globals())'
        made += [_question(check.id, check.points), prompt, _raw("# BEGIN SOLUTION"),
                 nbformat.v4.new_code_cell(answer), _raw("# END SOLUTION"), _raw("# BEGIN TESTS"),
                 nbformat.v4.new_code_cell(test), _raw("# END TESTS"), _raw("# END QUESTION")]
    if check is None or exercise.rubric_points is not None:
        name, points = exercise.id(section), exercise.rubric_points or 1
        if check is None:
            opening = [prompt]
        else:
            name = f"{name}-written"
            opening = [nbformat.v4.new_markdown_cell(f"**Exercise {exercise.number}, in words.** Answer "
                                                     "here what the exercise asks you to explain.")]
        made += [_question(name, points, manual=True), *opening, _raw("# BEGIN SOLUTION"), *words,
                 _raw("# END SOLUTION"), _raw("# END QUESTION")]
    return made


def otter_notebook(notebook, section, backend=None):
    """The section as an otter-grader assignment notebook (otter assign's input: the instructor's
    master notebook), outputs cleared; see the module doc."""
    found = {exercise.prompt: exercise for exercise in exercises_of(notebook)}
    skipped = {index for exercise in found.values() for index in exercise.solutions}
    new_cells = [_raw(OTTER_CONFIG.format(section=section))]
    for index, cell in enumerate(notebook.cells):
        if cells.is_hidden(tags_of(cell)) or index in skipped:
            continue
        if index in found:
            new_cells += _otter_exercise(notebook, section, found[index])
        else:
            new_cells.append(copy.deepcopy(cell))
    made = _edition(notebook, section, "otter", new_cells, backend)
    for cell in made.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return made


MAKERS = {"student": student_notebook, "instructor": instructor_notebook, "otter": otter_notebook}


def write_notebooks(out, edition, backend, sections, source_dir):
    """Write ``<section>.ipynb`` of ``edition`` (student, instructor or otter) for ``backend`` into
    the folder ``out``, which must be new or empty (nothing is overwritten); ValueError if not."""
    from d2l_optim.build.runner import framework_notebook

    if os.path.exists(out) and (not os.path.isdir(out) or os.listdir(out)):
        raise ValueError(f"--out {out}: give a new or empty folder (nothing there is overwritten)")
    made = {section: MAKERS[edition](framework_notebook(os.path.join(source_dir, f"{section}.py"),
                                                        backend)[0], section, backend)
            for section in sections}
    os.makedirs(out, exist_ok=True)
    for section, notebook in made.items():
        nbformat.write(notebook, os.path.join(out, f"{section}.ipynb"))
    return [os.path.join(out, f"{section}.ipynb") for section in made]


#: the time stamp of every file in a download (a zip of the same files is the same bytes)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@contextlib.contextmanager
def zip_writer(path):
    """Write the zip file ``path`` for a download, member by member: the block gets ``add(name,
    content)`` (a notebook, text or bytes). The same members added in the same order make the same
    bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        def add(name, content):
            if isinstance(content, dict):  # a notebook, as nbformat.write writes it to a file
                content = nbformat.writes(content).rstrip("\n") + "\n"
            member = zipfile.ZipInfo(name, ZIP_TIME)
            member.external_attr = 0o644 << 16
            member.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(member, content)

        yield add


def write_zip(path, members):
    """Write the members ``{name in the archive: notebook, text or bytes}`` into the zip file
    ``path``, in the order of their names."""
    with zip_writer(path) as add:
        for name in sorted(members):
            add(name, members[name])
