"""Run one section on one backend as a notebook, in its own process.

``python -m d2l_optim._runner SECTION_FILE BACKEND OUT_DIR`` converts the section's script to a
notebook (jupytext), puts a first cell in front that selects the backend, executes it (nbclient)
and writes into OUT_DIR: ``notebook.ipynb`` (executed), the figures (SVG and PNG) with their
``figure-data.json``, and ``run.json`` (status, error, seconds, and per code cell its stdout,
stderr and figure names). The exit status is 0 even when a cell fails: the failure is recorded.
"""
import json
import os
import sys
import time

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError


def backend_cell(backend):
    """The notebook's first cell: it selects the backend for everything after it."""
    source = f'import os\n\nos.environ["D2L_OPTIM_BACKEND"] = "{backend}"  # this notebook\'s framework'
    return nbformat.v4.new_code_cell(source, metadata={"tags": ["select-backend"]})


def cell_outputs(cell):
    """stdout, stderr and the figure names a code cell produced."""
    result = {"stdout": "", "stderr": "", "figures": []}
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            result[output.name] += output.text
        elif output.output_type == "display_data":
            figure = output.get("metadata", {}).get("d2l_optim", {}).get("figure")
            if figure:
                result["figures"].append(figure)
        elif output.output_type == "error":
            result["stderr"] += f"{output.ename}: {output.evalue}\n"
    return result


def run(section_file, backend, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    notebook = jupytext.read(section_file)
    notebook.cells.insert(0, backend_cell(backend))
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    os.environ["D2L_OPTIM_OUT"] = os.path.abspath(out_dir)
    # "immediate": the kernel is killed once the last cell ran (its outputs are in), not asked to
    # exit: a process that imported TensorFlow takes over a second to tear itself down
    client = NotebookClient(notebook, timeout=900, kernel_name="python3", shutdown_kernel="immediate",
                            resources={"metadata": {"path": os.path.abspath(out_dir)}})
    start, status, error = time.perf_counter(), "ok", None
    try:
        client.execute()
    except (CellExecutionError, DeadKernelError) as failure:
        status, error = "failed", str(failure).strip()[-3000:]
    seconds = time.perf_counter() - start
    nbformat.write(notebook, os.path.join(out_dir, "notebook.ipynb"))
    code_cells = [c for c in notebook.cells[1:] if c.cell_type == "code"]
    record = {"status": status, "error": error, "seconds": round(seconds, 2),
              "cells": [cell_outputs(c) for c in code_cells]}
    record["stdout"] = "".join(c["stdout"] for c in record["cells"])
    with open(os.path.join(out_dir, "run.json"), "w") as file:
        json.dump(record, file, indent=1)
    return record


if __name__ == "__main__":
    run(*sys.argv[1:4])
