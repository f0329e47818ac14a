"""Run one section on one backend as a notebook: the process that ``run`` starts for each job.

``python -m d2l_optim.build.runner SECTION_FILE BACKEND OUT_DIR CELL_TIMEOUT`` converts the script to
a notebook (jupytext), leaves out the cells tagged for other frameworks, puts a first cell in front
that selects the backend, executes it (nbclient, at most CELL_TIMEOUT seconds per cell) and writes
into OUT_DIR: ``notebook.ipynb`` (executed, as far as it got; the hidden ``remove-cell`` cells
included), the figures of its cells, and ``run.json``: status, error, seconds, the section's
comparison rules, and per executed code cell its position in the script's cells, framework tag,
stdout, stderr, figure names and whether it raised. Every failure of the section is recorded there
(exit status 0). On SIGTERM the kernel's process group is killed first, then the runner exits with
143.

The kernel learns the figure names of each cell from ``OUT_DIR/cells.json`` (the file
``D2L_OPTIM_CELLS`` names): the source, script position and declared names of every code cell, in
the order they run (see :mod:`d2l_optim.section`).
"""
import json
import os
import re
import signal
import sys
import time
import traceback

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from d2l_optim import section as section_run
from d2l_optim.build import cells

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
ERROR_CHARS = 4000


def clean_error(text):
    """An error message for a report: ANSI colours stripped, the beginning kept."""
    text = ANSI.sub("", text).strip()
    return text if len(text) <= ERROR_CHARS else text[:ERROR_CHARS] + "\n[... cut]"


def backend_cell(backend):
    """The notebook's first cell: it selects the backend for everything after it."""
    source = f'import os\n\nos.environ["D2L_OPTIM_BACKEND"] = "{backend}"  # this notebook\'s framework'
    return nbformat.v4.new_code_cell(source, metadata={"tags": ["select-backend"]})


def cell_outputs(cell, position):
    """stdout, stderr, figure names, whether a code cell raised, and the framework it is for."""
    result = {"cell": position, "framework": cells.framework_of(cell.metadata.get("tags")),
              "stdout": "", "stderr": "", "figures": [], "error": False}
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            result[output.name] += output.text
        elif output.output_type == "display_data":
            figure = output.get("metadata", {}).get("d2l_optim", {}).get("figure")
            if figure:
                result["figures"].append(figure)
        elif output.output_type == "error":
            result["stderr"] += f"{output.ename}: {output.evalue}\n"
            result["error"] = True
    return result


def framework_notebook(section_file, backend):
    """The section as a notebook for ``backend`` and the script position of each of its cells."""
    notebook = jupytext.read(section_file)
    kept = [(position, cell) for position, cell in enumerate(notebook.cells)
            if cells.framework_of(cell.metadata.get("tags")) in (None, backend)]
    notebook.cells = [backend_cell(backend)] + [cell for _, cell in kept]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    return notebook, [None] + [position for position, _ in kept]


def cell_plan(notebook, positions):
    """What the kernel needs to name each cell's figures: per code cell that runs, in order, its
    source, its position in the script and the figure names it declares (checked)."""
    return [{"source": cell.source, "position": position,
             "figures": list(cells.figure_names(cell.metadata.get("figures"),
                                                cells.describe(position, cell.source)))}
            for cell, position in zip(notebook.cells, positions)
            if position is not None and cell.cell_type == "code" and cell.source.strip()]


def _kill_kernel_on_sigterm(client):
    def handler(signum, frame):
        provisioner = getattr(getattr(client, "km", None), "provisioner", None)
        group = getattr(provisioner, "pgid", None)
        if group:
            try:
                os.killpg(group, signal.SIGKILL)
            except OSError:
                pass
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def run(section_file, backend, out_dir, cell_timeout):
    os.makedirs(out_dir, exist_ok=True)
    os.environ["D2L_OPTIM_OUT"] = os.path.abspath(out_dir)
    os.environ["D2L_OPTIM_CELLS"] = os.path.join(os.path.abspath(out_dir), "cells.json")
    record = {"status": "ok", "error": None, "seconds": 0.0, "cells": []}
    notebook, positions, current = None, [], {}
    start = time.perf_counter()
    try:
        notebook, positions = framework_notebook(section_file, backend)
        with open(os.environ["D2L_OPTIM_CELLS"], "w", encoding="utf-8") as file:
            json.dump(cell_plan(notebook, positions), file)
        # "immediate": the kernel is killed once the last cell ran (its outputs are in), not asked
        # to exit: a process that imported TensorFlow takes over a second to tear itself down
        client = NotebookClient(notebook, timeout=cell_timeout, kernel_name="python3",
                                shutdown_kernel="immediate",
                                resources={"metadata": {"path": os.path.abspath(out_dir)}},
                                on_cell_start=lambda cell, cell_index: current.update(index=cell_index))
        _kill_kernel_on_sigterm(client)
        client.execute()
    except CellTimeoutError:
        first_line = notebook.cells[current.get("index", 0)].source.strip().splitlines()[0]
        record.update(status="failed", error=f"the cell beginning {first_line!r} ran longer than "
                                             f"{cell_timeout:g} s (--cell-timeout) and was stopped")
    except (CellExecutionError, DeadKernelError) as failure:
        record.update(status="failed", error=clean_error(str(failure)))
    except ValueError as error:  # a figure name that is not allowed
        record.update(status="failed", error=f"{section_file}, {error}")
    except Exception:  # a section that cannot be read or converted, a kernel that does not start
        record.update(status="failed", error=clean_error(traceback.format_exc()))
    record["seconds"] = round(time.perf_counter() - start, 2)
    if notebook is not None:
        nbformat.write(notebook, os.path.join(out_dir, "notebook.ipynb"))
        record["cells"] = [cell_outputs(cell, position) for cell, position in zip(notebook.cells, positions)
                           if position is not None and cell.cell_type == "code"
                           and (cell.get("execution_count") or cell.get("outputs"))]
    record["stdout"] = "".join(cell["stdout"] for cell in record["cells"])
    try:
        with open(os.path.join(out_dir, "compare.json")) as file:
            record["compare"] = json.load(file)
    except (OSError, ValueError):
        record["compare"] = {"lines": [], "figures": {}}
    if record["status"] == "ok":
        try:
            section_run.check_figure_rules(record["compare"]["figures"],
                                           [name for cell in record["cells"] for name in cell["figures"]])
        except ValueError as error:
            record.update(status="failed", error=f"{section_file}: {error}")
    with open(os.path.join(out_dir, "run.json"), "w") as file:
        json.dump(record, file, indent=1)
    return record


if __name__ == "__main__":
    run(*sys.argv[1:4], float(sys.argv[4]))
