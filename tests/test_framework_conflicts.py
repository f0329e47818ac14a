"""Frameworks that cannot share a process: switching to one is refused with an error that says why
and what to do, never a crash without a message. Each case runs in a process of its own.

MXNet 1.9 crashes (a segmentation fault) when it is imported into a process that imported
TensorFlow first (seen with TensorFlow 2.17); imported before TensorFlow, it works beside it. The
MXNet backend package declares this (``CANNOT_IMPORT_AFTER``) and ``d2l_optim._config`` reads it
before it imports MXNet.
"""
import os
import subprocess
import sys
import tempfile
import textwrap

import pytest

REFUSED = ("the 'mxnet' backend cannot be used in this process: tensorflow is imported here already, "
           "and MXNet 1.9 crashes the process (a segmentation fault, no message) when it is imported after "
           "TensorFlow")
ADVICE = "Use mxnet in a new process (or restart the notebook's kernel), and there use it before tensorflow"


def _python(script):  # run outside the checkout, whose d2l_optim/ would shadow the installed one
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True,
                          timeout=600, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"),
                          cwd=tempfile.gettempdir())


def test_the_mxnet_backend_declares_its_conflict_without_importing_mxnet():
    finished = _python("""
        import sys
        from d2l_optim import _config
        print(sorted(_config.import_conflicts("mxnet")), sorted(_config.import_conflicts("numpy")),
              "mxnet" in sys.modules)
    """)
    assert finished.stdout.split("\n")[0] == "['tensorflow'] [] False", finished.stderr


@pytest.mark.needs_frameworks("tensorflow")  # not MXNet: the refusal comes before its import
def test_mxnet_after_tensorflow_is_refused_with_the_reason_and_what_to_do():
    finished = _python("""
        import tensorflow
        import d2l_optim as d2l
        try:
            d2l.set_backend("mx")
        except d2l.BackendConflict as error:
            print("refused:", error)
        try:
            with d2l.use_backend("mxnet"):
                pass
        except d2l.BackendConflict as error:
            print("refused:", error)
    """)
    refusals = [line for line in finished.stdout.splitlines() if line.startswith("refused:")]
    assert len(refusals) == 2, finished.stdout + finished.stderr
    assert all(REFUSED in line and ADVICE in line for line in refusals), refusals


@pytest.mark.needs_frameworks("tensorflow", "mxnet")
def test_a_backend_loop_from_tensorflow_to_mxnet_ends_in_the_error_not_a_crash():
    loop = """
        import d2l_optim as d2l
        for name in {order}:
            with d2l.use_backend(name):
                print(name, d2l.to_float(d2l.reduce_sum(d2l.tensor([1.0, 2.0]))), flush=True)
    """
    finished = _python(loop.format(order=("tensorflow", "mxnet")))
    assert finished.returncode == 1, (finished.returncode, finished.stderr[-2000:])  # not a signal
    assert finished.stdout.splitlines() == ["tensorflow 3.0"]
    assert f"d2l_optim.errors.BackendConflict: {REFUSED}" in finished.stderr
    finished = _python(loop.format(order=("mxnet", "tensorflow")))  # MXNet first: they work side by side
    assert finished.returncode == 0 and finished.stdout.splitlines() == ["mxnet 3.0", "tensorflow 3.0"]
