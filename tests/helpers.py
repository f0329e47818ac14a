"""Shared test helpers."""
import ast
import contextlib
import functools
import http.server
import json
import os
import subprocess
import sys
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: a backend name no backend can be registered under (backend names are lowercase identifiers)
UNKNOWN_BACKEND = "not-a-backend"


def run_example(section, backend, out=None, env=None):
    """Run ``examples/<section>.py`` in a fresh process; return the CompletedProcess."""
    command = [sys.executable, os.path.join(ROOT, "examples", f"{section}.py"), "--backend", backend]
    if out is not None:
        command += ["--out", str(out)]
    environment = dict(os.environ, MPLBACKEND="Agg", **(env or {}))
    # the timeout guards against a hung run; it is no speed check (a loaded machine took 308 s)
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=900)


def run_notebook(path, backend, out):
    """Run the script ``path`` as the course build runs it (``d2l_optim.build.runner``: a notebook on a
    kernel) into the folder ``out``; return its run record (run.json). The runner starts outside the
    checkout, whose d2l_optim/ would shadow the installed package."""
    import pytest

    pytest.importorskip("nbclient", reason='notebooks need: pip install "d2l-optim[course]"')
    kernel_env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # Jupyter's inline backend
    subprocess.run([sys.executable, "-m", "d2l_optim.build.runner", str(path), backend, str(out), "300"],
                   check=True, timeout=300, env=kernel_env, cwd=os.path.dirname(os.path.abspath(out)))
    with open(os.path.join(out, "run.json"), encoding="utf-8") as file:
        return json.load(file)


def section_functions(section):
    """The functions a section script defines at its top level (nothing else of it runs)."""
    import d2l_optim

    path = os.path.join(ROOT, "examples", f"{section}.py")
    with open(path) as file:
        tree = ast.parse(file.read(), path)
    tree.body = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    namespace = {"d2l": d2l_optim}
    exec(compile(tree, path, "exec"), namespace)
    return namespace


def tree(folder):
    """Every file under ``folder`` with its bytes (symlinks as their target)."""
    found = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as file:
                found[os.path.relpath(path, folder)] = file.read()
    return found


def quick_section(name="quick", title="Quick"):
    """The script of a small section: its setup cell, and a cell that draws figure ``line`` and
    prints ``one line``."""
    return f'''# %% [markdown]
# # {title}
# %% tags=["remove-cell"]
import d2l_optim as d2l

section = d2l.Section("{name}")
# %% figures=["line"]
d2l.plot([0.0, 1.0], [0.0, 1.0])
print("one line")
'''


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def served(folder):
    """Serve ``folder`` over HTTP on this machine for the block, which gets its address."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
