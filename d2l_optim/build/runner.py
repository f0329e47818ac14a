"""Run one section on one backend as a notebook: the process that ``run`` starts for each job.

``python -m d2l_optim.build.runner SECTION_FILE BACKEND OUT_DIR CELL_TIMEOUT`` converts the script to
a notebook (jupytext), leaves out the cells tagged for other frameworks, puts a first cell in front
that selects the backend, executes it (nbclient, at most CELL_TIMEOUT seconds per cell) and writes
into OUT_DIR: ``notebook.ipynb`` (executed, as far as it got; the hidden ``remove-cell`` cells
included), the figures of its cells (on :data:`~d2l_optim.build.figure_export.BACKEND`, also
exported for slides into ``slides/``: :mod:`~d2l_optim.build.figure_export`), and
``run.json``: status, error, seconds, the section's comparison rules, and per executed code cell
its position in the script's cells, framework tag, stdout, stderr, figure names and whether it
raised. Every failure of the section is recorded there (exit status 0), a section that goes past
the bounds of :mod:`~d2l_optim.build.bounds` included. CELL_TIMEOUT ``None`` means no limit.

On SIGTERM or SIGINT, and when the build that started it is gone (even killed by SIGKILL: see
:func:`~d2l_optim.build.bounds.end_with_the_build`), the kernel's process group is killed first,
then the runner exits (128 + the signal's number, or 1).

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
import zmq.asyncio
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from d2l_optim import cells
from d2l_optim import section as section_run
from d2l_optim.build import bounds, figure_export
from d2l_optim.build.published import ANSI

ERROR_CHARS = 4000
#: a line that Jupyter's applications log below ERROR ("[IPKernelApp] WARNING | Kernel is running over TCP")
JUPYTER_LOG = re.compile(r"^\[\w+\] (?:DEBUG|INFO|WARNING) \| .*\n?", re.M)


def clean_error(text):
    """An error message for a report: ANSI colours and Jupyter's own log lines (warnings and below)
    removed; a long one keeps its beginning and its end (where a traceback names the error)."""
    text = JUPYTER_LOG.sub("", ANSI.sub("", text)).strip()
    if len(text) <= ERROR_CHARS:
        return text
    return text[:ERROR_CHARS // 4] + "\n[... cut]\n" + text[-ERROR_CHARS * 3 // 4:]


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


class OutputLimitExceeded(Exception):
    """The section's output went past :data:`~d2l_optim.build.bounds.RUN_OUTPUT_BYTES`."""


class _BoundedKernelManager(AsyncKernelManager):
    """A kernel manager whose client drops any one message larger than the run's output limit
    (ZeroMQ refuses it before allocating it), so a section cannot flood the runner's memory."""

    def client(self, **kwargs):
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, bounds.RUN_OUTPUT_BYTES)
        return super().client(context=context, **kwargs)


class _BoundedClient(NotebookClient):
    """nbclient's client that stops the run once the outputs it received pass the run's limit, or
    once the output channel dropped a message over that limit (ZeroMQ then drops the connection:
    a monitor on the socket sees it)."""

    received = 0
    disconnections = None  # a socket that reports each time the output channel dropped its connection

    async def async_start_new_kernel_client(self):
        client = await super().async_start_new_kernel_client()
        self.disconnections = client.iopub_channel.socket.get_monitor_socket(zmq.EVENT_DISCONNECTED)
        return client

    def output(self, outs, msg, display_id, cell_index):
        self.received += bounds.content_size(msg["content"])
        if self.received > bounds.RUN_OUTPUT_BYTES:
            raise OutputLimitExceeded(
                f"the section's output passed {bounds.size(bounds.RUN_OUTPUT_BYTES)} (d2l-optim build's "
                "limit for one run) and the run was stopped: print and display less")
        return super().output(outs, msg, display_id, cell_index)

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        executed = await super().async_execute_cell(cell, cell_index, *args, **kwargs)
        if self.disconnections is not None and zmq.Socket.shadow(self.disconnections.underlying).poll(0):
            raise OutputLimitExceeded(
                f"the section sent one output over {bounds.size(bounds.RUN_OUTPUT_BYTES)} (d2l-optim "
                "build's limit for one run), which was not received, and the run was stopped: print and "
                "display less")
        return executed


def _kernel_killer(client):
    def kill_kernel():
        group = getattr(getattr(client.km, "provisioner", None), "pgid", None)
        if group:
            try:
                os.killpg(group, signal.SIGKILL)
            except OSError:
                pass
    return kill_kernel


#: runs at the kernel's start, before the first cell: the caps on what each cell prints and shows
KERNEL_BOUNDS = ('--IPKernelApp.exec_lines=["from d2l_optim.build.bounds import limit_kernel_output", '
                 '"limit_kernel_output()"]')
#: the same, and the export of every figure for slides (a run on figure_export.BACKEND)
KERNEL_BOUNDS_AND_SLIDES = KERNEL_BOUNDS.replace(
    "]", ', "from d2l_optim.build.figure_export import export_in_kernel", "export_in_kernel()"]')


def run(section_file, backend, out_dir, cell_timeout):
    os.makedirs(out_dir, exist_ok=True)
    os.environ["D2L_OPTIM_OUT"] = os.path.abspath(out_dir)
    os.environ["D2L_OPTIM_CELLS"] = os.path.join(os.path.abspath(out_dir), "cells.json")
    slides = backend == figure_export.BACKEND
    record = {"status": "ok", "error": None, "seconds": 0.0, "cells": []}
    notebook, positions, current = None, [], {}
    start = time.perf_counter()
    try:
        if slides:  # the kernel exports each figure for slides too, credited as the script says
            os.environ[figure_export.FOLDER_VARIABLE] = os.path.join(os.path.abspath(out_dir),
                                                                     figure_export.FOLDER)
            with open(section_file, encoding="utf-8", errors="replace") as file:
                os.environ[figure_export.CREDIT_VARIABLE] = figure_export.attribution(file.read())
        notebook, positions = framework_notebook(section_file, backend)
        with open(os.environ["D2L_OPTIM_CELLS"], "w", encoding="utf-8") as file:
            json.dump(cell_plan(notebook, positions), file)
        # "immediate": the kernel is killed once the last cell ran (its outputs are in), not asked
        # to exit: a process that imported TensorFlow takes over a second to tear itself down
        client = _BoundedClient(notebook, timeout=cell_timeout, kernel_name="python3",
                                kernel_manager_class=_BoundedKernelManager,
                                extra_arguments=[KERNEL_BOUNDS_AND_SLIDES if slides else KERNEL_BOUNDS],
                                shutdown_kernel="immediate",
                                resources={"metadata": {"path": os.path.abspath(out_dir)}},
                                on_cell_start=lambda cell, cell_index: current.update(index=cell_index))
        bounds.run_to_the_end_or_stop(client.execute, _kernel_killer(client))
    except CellTimeoutError:
        first_line = notebook.cells[current.get("index", 0)].source.strip().splitlines()[0]
        record.update(status="failed", error=f"the cell beginning {first_line!r} ran longer than "
                                             f"{cell_timeout:g} s (--cell-timeout) and was stopped")
    except (CellExecutionError, DeadKernelError, OutputLimitExceeded) as failure:
        record.update(status="failed", error=clean_error(str(failure)))
    except ValueError as error:  # a figure name that is not allowed
        record.update(status="failed", error=f"{section_file}, {error}")
    except Exception:  # a section that cannot be read or converted, a kernel that does not start
        record.update(status="failed", error=clean_error(traceback.format_exc()))
    record["seconds"] = round(time.perf_counter() - start, 2)
    if notebook is not None:
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs = [nbformat.from_dict(output) for output in bounds.cap_streams(cell.outputs)]
        nbformat.write(notebook, os.path.join(out_dir, "notebook.ipynb"))
        record["cells"] = [cell_outputs(cell, position) for cell, position in zip(notebook.cells, positions)
                           if position is not None and cell.cell_type == "code"
                           and (cell.get("execution_count") or cell.get("outputs"))]
    over = bounds.over_file_limits(out_dir, [name for cell in record["cells"] for name in cell["figures"]])
    if over:
        for cell in record["cells"]:
            cell["figures"] = []
        record.update(status="failed", error="\n\n".join(filter(None, (record["error"], over))))
    record["stdout"] = "".join(cell["stdout"] for cell in record["cells"])
    try:
        with open(os.path.join(out_dir, "compare.json")) as file:
            record["compare"] = json.load(file)
    except (OSError, ValueError):
        record["compare"] = {"lines": [], "figures": {}}
    if record["status"] == "ok":
        try:
            with open(section_file, encoding="utf-8") as file:
                declared = section_run.declared_figures(file.read())
            section_run.check_figure_rules(record["compare"]["figures"],
                                           [name for cell in record["cells"] for name in cell["figures"]]
                                           + declared)
        except ValueError as error:
            record.update(status="failed", error=f"{section_file}: {error}")
    with open(os.path.join(out_dir, "run.json"), "w") as file:
        json.dump(record, file, indent=1)
    return record


if __name__ == "__main__":
    run(*sys.argv[1:4], None if sys.argv[4] == "None" else float(sys.argv[4]))
