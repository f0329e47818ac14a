"""The one rule: nothing framework-specific outside backends/, and one interface per backend."""
import importlib.util
import os
import re

from d2l_optim import _config
from helpers import ROOT

INTERFACE = ("NAME", "TENSOR_TYPES", "MATH", "from_numpy", "to_numpy", "cast", "dtype_name",
             "value_and_grad", "seed")
MATH_NAMES = ("cos", "sin", "tan", "tanh", "cosh", "sinh", "exp", "log", "sqrt", "square", "sign",
              "abs", "maximum", "minimum", "matmul", "reshape", "stack", "sum", "mean")


def test_package_imports_no_framework():
    pattern = re.compile(r"^\s*(import|from)\s+(torch|tensorflow|mxnet|autograd|jax)\b", re.M)
    package = os.path.join(ROOT, "d2l_optim")
    for name in sorted(os.listdir(package)):
        if name.endswith(".py"):
            with open(os.path.join(package, name), encoding="utf-8") as file:
                assert not pattern.search(file.read()), f"d2l_optim/{name} imports a framework"


def test_backends_are_installed_as_a_subpackage():
    spec = importlib.util.find_spec("d2l_optim.backends.numpy")
    assert spec.origin.endswith(os.path.join("backends", "numpy.py"))


def test_every_backend_module_has_the_same_interface(backend):
    module = _config.load(backend)
    assert module.NAME == backend
    missing = [attr for attr in INTERFACE if not hasattr(module, attr)]
    missing += [f"MATH.{m}" for m in MATH_NAMES if not hasattr(module.MATH, m)]
    assert missing == []


def test_ci_runs_the_readmes_test_command():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as file:
        readme = file.read()
    command = 'python -m pip install "tox>=4" && tox run-parallel --parallel-live'
    assert command in readme
    with open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8") as file:
        assert command.replace("python ", "python3 ", 1) in file.read()
