"""Shared test helpers."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_example(section, backend, out=None, env=None):
    """Run ``examples/<section>.py`` in a fresh process; return the CompletedProcess."""
    command = [sys.executable, os.path.join(ROOT, "examples", f"{section}.py"), "--backend", backend]
    if out is not None:
        command += ["--out", str(out)]
    environment = dict(os.environ, MPLBACKEND="Agg", **(env or {}))
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300)
