"""``d2l-optim check NOTEBOOK --backend NAME``: run a student's notebook and check every exercise.

The notebook (``.ipynb``, or a section script that jupytext reads) runs as the course build runs a
section: in a process of its own (``python -m d2l_optim.build.checker``) with its own Jupyter
kernel, each cell at most ``timeout`` seconds, its output capped, ended with its kernel on Ctrl-C,
SIGTERM or when the command is gone (:mod:`~d2l_optim.build.bounds`). Unlike the build it goes on
after a cell that fails or runs too long (the cell is interrupted), so that one broken answer
leaves the other exercises to be checked.

What runs is the notebook as the student left it, but for the cells of other frameworks, its own
check cells and the hidden setup cells: after each exercise (at the next exercise's heading) a cell
of the command's own records the check of its answer (:func:`d2l_optim.exercises.record`), so a
student cannot change what is checked. The report (:func:`check_notebook`) gives each exercise's
status: passed, failed with a hint, not attempted, or, for answers in words, manual (graded with
the rubric).
"""
import json
import os
import re
import sys
import tempfile
import time
import traceback
from typing import NamedTuple

import nbformat

from d2l_optim import _config, _registry, cells, exercises
from d2l_optim.build import editions
from d2l_optim.build.errors import UsageError

SCHEMA = "d2l-optim-check/1"
MANUAL = "manual"
#: the code cell a student notebook checks an exercise with, d2l.check("gd-1")
CHECK_CALL = re.compile(r'^\s*d2l\.check\(\s*["\'][^"\']+["\']\s*\)\s*$')
#: ANSI codes and control characters (but for newline and tab): what a message must not print
UNPRINTABLE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def read_notebook(path):
    """A notebook file (``.ipynb``) or anything jupytext reads (a section script)."""
    if not os.path.isfile(path):
        raise UsageError(f"{path}: no such file")
    try:
        if path.endswith(".ipynb"):
            return nbformat.read(path, as_version=4)
        import jupytext

        return jupytext.read(path)
    except Exception as error:  # not JSON, not a notebook, not UTF-8, an unknown extension
        raise UsageError(f"cannot read {path} as a notebook: {error}") from None


def section_of(notebook, path, section=None):
    """The section a notebook is: ``section`` if given, else its metadata, else its file name."""
    from d2l_optim.examples import SECTIONS

    candidates = [section, notebook.metadata.get(editions.METADATA, {}).get("section"),
                  os.path.splitext(os.path.basename(path))[0]]
    name = next((c for c in candidates if c is not None), None)
    if section is None and name not in SECTIONS:
        raise UsageError(f"cannot tell which section {path} is: give --section (one of "
                         f"{', '.join(SECTIONS)})")
    if not exercises.checks_of(name) and not editions.exercises_of(notebook):
        raise UsageError(f"section {name!r} has no exercises to check")
    return name


def backend_of(notebook, backend=None):
    """The backend to check with: ``backend`` if given, else the notebook's own (its metadata)."""
    own = notebook.metadata.get(editions.METADATA, {}).get("backend")
    if backend is None and own is None:
        raise UsageError("say which framework to run the notebook on: --backend "
                         f"({', '.join(_config.BACKENDS)})")
    name = _config.canonical_name(backend or own)
    if own is not None and _config.canonical_name(own) != name:
        raise UsageError(f"this notebook is the {own} edition (its framework cells are {own}'s): check it "
                         f"with --backend {own}, or take the {name} notebook")
    if not _config.is_installed(name):
        raise UsageError(f"the {name} backend is not installed: {_config.install_hint(name)}")
    return name


def _is_check_cell(cell):
    role = cell.metadata.get(editions.METADATA, {}).get("role")
    return role == "check" or (cell.cell_type == "code" and CHECK_CALL.match(cell.source) is not None)


def record_cell(exercise_id):
    source = f'__import__("d2l_optim.exercises", fromlist=["record"]).record("{exercise_id}", globals())'
    return nbformat.v4.new_code_cell(source, metadata={editions.METADATA: {"role": "record",
                                                                           "exercise": exercise_id}})


class Graded(NamedTuple):
    """What the command runs: the ``notebook``, the index in the student's notebook of each of its
    cells (``origins``, None for the cells it adds) and the code cells of each exercise
    (``regions``, ``{id: [index, ...]}``)."""

    notebook: "nbformat.NotebookNode"
    origins: list
    regions: dict


def grading_notebook(notebook, section, backend):
    """The notebook for ``backend`` (its setup, check and other frameworks' cells left out), with a
    cell that records the check of each exercise at the end of the exercise (:class:`Graded`)."""
    from d2l_optim.build.runner import backend_cell

    kept = [(index, cell) for index, cell in enumerate(notebook.cells)
            if cells.framework_of(editions.tags_of(cell)) in (None, backend)
            and not cells.is_hidden(editions.tags_of(cell)) and "select-backend" not in editions.tags_of(cell)
            and not _is_check_cell(cell)]
    graded = Graded(nbformat.v4.new_notebook(metadata=notebook.metadata, cells=[backend_cell(backend)]),
                    [None], {})
    checks = exercises.checks_of(section)
    starts = {exercise.prompt: exercise.number for exercise in editions.exercises_of(
        nbformat.v4.new_notebook(cells=[cell for _, cell in kept]))}
    current = None

    def add(cell, origin=None):
        graded.notebook.cells.append(cell)
        graded.origins.append(origin)

    def close():
        if current is not None and current in checks:
            add(record_cell(checks[current].id))

    for position, (index, cell) in enumerate(kept):
        if position in starts:
            close()
            current = starts[position]
        add(cell, index)
        if current is not None and cell.cell_type == "code":
            graded.regions.setdefault(f"{section}-{current}", []).append(len(graded.origins) - 1)
    close()
    for number, check in checks.items():  # an exercise whose heading the student removed: at the end
        if number not in starts.values():
            add(record_cell(check.id))
    return graded


def _clean(text):
    return UNPRINTABLE.sub("", text)


def _error_of(cell):
    """What went wrong in a code cell, as 'raised NameError: ...', or None."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            if output.get("ename") == "KeyboardInterrupt":
                return "ran past the time limit and was stopped"
            return _clean(f"raised {output.get('ename', 'Error')}: {output.get('evalue', '')}")
    return None


def _rubric_points(section):
    """{exercise number: its rubric's points} from the section's script as the package ships it."""
    import jupytext

    from d2l_optim import examples

    source = os.path.join(examples.__path__[0], f"{section}.py")
    if not os.path.isfile(source):
        return {}
    found = editions.exercises_of(jupytext.read(source))
    return {exercise.number: exercise.rubric_points for exercise in found}


def _exercise_entries(notebook, section, recorded, executed, regions, run_error):
    titles = {exercise.number: exercise for exercise in editions.exercises_of(notebook)}
    checks, rubrics = exercises.checks_of(section), _rubric_points(section)
    entries = []
    for number in sorted(set(titles) | set(checks)):
        found, check = titles.get(number), checks.get(number)
        entry = {"id": f"{section}-{number}", "number": number, "title": found.title if found else None}
        if check is None:
            entries.append({**entry, "kind": "text", "status": MANUAL, "points": None,
                            "possible": rubrics.get(number),
                            "message": "answered in words: graded by hand with the rubric"})
            continue
        result = recorded.get(check.id)
        errors = [] if executed is None else list(filter(None, (
            _error_of(executed.cells[index]) for index in regions.get(check.id, []))))
        if result is None:
            result = {"status": exercises.FAILED, "points": 0, "possible": check.points,
                      "message": "not checked: the notebook stopped before this exercise"
                                 + (f" ({run_error.splitlines()[0]})" if run_error else "")}
        elif result["status"] != exercises.PASSED and errors:
            result = {**result, "status": exercises.FAILED,
                      "message": f"your code for this exercise {errors[0]}; then {result['message']}"}
        entries.append({**entry, "kind": check.kind, "status": result["status"], "points": result["points"],
                        "possible": result["possible"], "message": _clean(result["message"])})
    return entries


def check_notebook(path, backend=None, timeout=None, section=None):
    """Run the notebook at ``path`` on ``backend`` (default: the notebook's own), each cell at most
    ``timeout`` seconds (None: no limit), and check its exercises; return the report (a dict, the
    JSON report's content). UsageError for a notebook or an option that cannot be used."""
    from d2l_optim.build import run

    notebook = read_notebook(path)
    section = section_of(notebook, path, section)
    backend = backend_of(notebook, backend)
    graded = grading_notebook(notebook, section, backend)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="d2l-optim-check-") as work:
        run_file = os.path.join(work, "run.ipynb")
        nbformat.write(graded.notebook, run_file)
        environment = {key: value for key, value in run.job_environment(1).items()
                       if key not in ("D2L_OPTIM_OUT", "D2L_OPTIM_CELLS")}
        environment[exercises.REPORT_VARIABLE] = os.path.join(work, "report.jsonl")
        folder = os.path.dirname(os.path.abspath(path))
        command = [sys.executable, "-m", "d2l_optim.build.checker", run_file, work, str(timeout), folder]
        runners = run.Runners()
        with run.stop_on_signals():
            try:
                finished = runners.run(command, environment)
            except BaseException:
                runners.stop()
                raise
        returncode, _, stderr = finished
        recorded = {}
        if os.path.exists(environment[exercises.REPORT_VARIABLE]):
            with open(environment[exercises.REPORT_VARIABLE], encoding="utf-8") as file:
                for line in file:
                    result = json.loads(line)
                    recorded[result["id"]] = result
        try:
            with open(os.path.join(work, "status.json"), encoding="utf-8") as file:
                run_error = json.load(file)["error"]
            executed = nbformat.read(os.path.join(work, "executed.ipynb"), as_version=4)
        except (OSError, ValueError, KeyError):
            run_error, executed = _clean(stderr.strip()[-2000:]) or f"the run exited with {returncode}", None
    entries = _exercise_entries(notebook, section, recorded, executed, graded.regions, run_error)
    errors = [] if executed is None else [
        {"cell": origin, "error": _error_of(cell)} for origin, cell in zip(graded.origins, executed.cells)
        if origin is not None and cell.cell_type == "code" and _error_of(cell)]
    checked = [entry for entry in entries if entry["status"] != MANUAL]
    passed = bool(checked) and all(entry["status"] == exercises.PASSED for entry in checked)
    return {"schema": SCHEMA, "notebook": os.path.basename(path), "section": section, "backend": backend,
            "status": exercises.PASSED if passed else exercises.FAILED,
            "points": sum(entry["points"] for entry in checked),
            "possible": sum(entry["possible"] for entry in checked),
            "seconds": round(time.perf_counter() - start, 1), "error": run_error, "cell_errors": errors,
            "exercises": entries}


def summary(report):
    """The report as lines for a terminal."""
    checked = [entry for entry in report["exercises"] if entry["status"] != MANUAL]
    passed = sum(entry["status"] == exercises.PASSED for entry in checked)
    label = _registry.LABELS[report["backend"]]
    lines = [f"{report['notebook']} ({report['section']} on {label}): {passed} of {len(checked)} checked "
             f"exercises passed, {report['points']}/{report['possible']} points"]
    for entry in report["exercises"]:
        if entry["status"] == MANUAL:
            points = f", {entry['possible']} points" if entry["possible"] else ""
            lines.append(f"  {entry['id']}: graded by hand with the rubric{points}")
        else:
            message = f": {entry['message']}" if entry["message"] else ""
            lines.append(f"  {entry['id']}: {entry['status']}{message}")
    for failure in report["cell_errors"]:
        lines.append(f"  cell {failure['cell'] + 1} {failure['error']}")
    if report["error"]:
        lines.append(f"The run stopped early: {report['error'].splitlines()[0]}")
    return lines


def _run_in_kernel(run_file, work, timeout, folder):
    """The child process: execute the notebook, going on after errors; write what happened."""
    from nbclient.exceptions import DeadKernelError

    from d2l_optim.build import bounds, runner

    notebook = nbformat.read(run_file, as_version=4)
    client = runner._BoundedClient(notebook, timeout=timeout, kernel_name="python3",
                                   kernel_manager_class=runner._BoundedKernelManager,
                                   extra_arguments=[runner.KERNEL_BOUNDS], shutdown_kernel="immediate",
                                   allow_errors=True, interrupt_on_timeout=True,
                                   resources={"metadata": {"path": folder}})
    error = None
    try:
        bounds.run_to_the_end_or_stop(client.execute, runner._kernel_killer(client))
    except (DeadKernelError, runner.OutputLimitExceeded) as failure:
        error = runner.clean_error(str(failure))
    except Exception:
        error = runner.clean_error(traceback.format_exc())
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.from_dict(output) for output in bounds.cap_streams(cell.outputs)]
    nbformat.write(notebook, os.path.join(work, "executed.ipynb"))
    with open(os.path.join(work, "status.json"), "w", encoding="utf-8") as file:
        json.dump({"error": error}, file)


if __name__ == "__main__":
    _run_in_kernel(sys.argv[1], sys.argv[2], None if sys.argv[3] == "None" else float(sys.argv[3]),
                   sys.argv[4])
