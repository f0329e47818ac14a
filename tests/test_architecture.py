"""The one rule: nothing framework-specific outside backends/, and one interface per backend."""
import configparser
import importlib
import importlib.util
import inspect
import os
import re

import pytest

from d2l_optim import _config, _registry, backend_api
from d2l_optim.build import cells
from d2l_optim.concise import CONCISE_OPTIMIZERS
from helpers import ROOT

MATH_NAMES = ("cos", "sin", "tan", "tanh", "cosh", "sinh", "exp", "log", "sqrt", "square", "sign",
              "abs", "maximum", "minimum", "matmul", "reshape", "stack", "sum", "mean")
#: the top-level modules of every registered framework (NumPy, which every backend accepts, aside)
FRAMEWORK_MODULES = sorted(set(_registry.MODULE_OWNERS) - {"numpy"})


def test_package_imports_no_framework():
    pattern = re.compile(rf"^\s*(import|from)\s+({'|'.join(FRAMEWORK_MODULES)})\b", re.M)
    for folder, _, files in os.walk(os.path.join(ROOT, "d2l_optim")):
        for name in sorted(f for f in files if f.endswith(".py")):
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as file:
                assert not pattern.search(file.read()), f"{os.path.relpath(path, ROOT)} imports a framework"


def test_backends_are_installed_as_a_subpackage():
    spec = importlib.util.find_spec("d2l_optim.backends.numpy")
    assert spec.origin.endswith(os.path.join("backends", "numpy", "__init__.py"))


def _parameters(function):
    parameters = list(inspect.signature(function).parameters)
    return parameters[1:] if parameters[:1] == ["self"] else parameters


def test_every_backend_implements_the_written_interface(backend):
    namespace = _config.load(backend)
    assert namespace.NAME == backend
    assert [f"MATH.{m}" for m in MATH_NAMES if not hasattr(namespace.MATH, m)] == []
    package = _registry.BACKENDS[backend].package
    for concern, protocol in backend_api.CONCERNS.items():
        module = importlib.import_module(f"{package}.{concern}")
        for name in backend_api.declared(protocol):
            assert getattr(namespace, name) is getattr(module, name), (concern, name)
            member = getattr(protocol, name, None)
            if inspect.isfunction(member):
                assert _parameters(getattr(module, name)) == _parameters(member), (concern, name)


def test_a_backend_module_lacking_a_name_is_named(tmp_path, monkeypatch):
    package = tmp_path / "half_backend"
    package.mkdir()
    for concern in backend_api.CONCERNS:
        (package / f"{concern}.py").write_text("")
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(TypeError, match=r"backend 'half': half_backend.ops lacks TENSOR_TYPES, "
                                        r"FLOAT_DTYPES, MATH, from_numpy.* \(the Ops interface"):
        backend_api.assemble("half", "half_backend")


@pytest.mark.parametrize("name", list(_registry.BACKENDS))
def test_every_backend_states_its_identity_and_facts_without_its_framework(name):
    """Readable in any environment: the registry and the facts import no framework."""
    info = _registry.BACKENDS[name]
    assert name.isidentifier() and name == name.lower() and info.label and info.module_roots
    assert info.framework in info.module_roots
    facts = _registry.facts(name)
    missing = [fact for fact in backend_api.declared(backend_api.Facts) if not hasattr(facts, fact)]
    assert missing == []
    if facts.BUILTINS:  # a backend with built-ins has every rule the concise sections use
        assert set(CONCISE_OPTIMIZERS) <= set(facts.BUILTINS)
        assert all(isinstance(f, backend_api.BuiltinFacts) and f.dtype in _config.FLOAT_DTYPES
                   and bool(f.rule_changes) == bool(f.formula) for f in facts.BUILTINS.values())
    for threads in (1, 3):
        environment = facts.run_environment(threads)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in environment.items())
    assert environment.keys() <= facts.run_environment(1).keys() and facts.run_environment(1)
    assert isinstance(facts.SECOND_DERIVATIVES, bool) and isinstance(facts.COMPILED_STATE_IN_PLACE, bool)
    assert facts.SCHEDULER_LINES and all(isinstance(line, str) for line in facts.SCHEDULER_LINES)


def _read_setup():
    setup = configparser.ConfigParser()
    setup.read(os.path.join(ROOT, "setup.cfg"))
    return setup


def _pins(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as file:
        return dict(line.strip().split("==") for line in file if "==" in line)


def test_backend_identity_is_written_once():
    """setup.cfg's entry points, packages and extras, tox's environments and the pins agree with the
    registry: each backend's tox env pins its framework, and the ``all`` extra is the modern set."""
    setup = _read_setup()
    extras = setup["options.extras_require"]
    packages = setup["options"]["packages"].split()
    registered = dict(line.replace(" ", "").split("=")
                      for line in setup["options.entry_points"][_registry.GROUP].split("\n") if line)
    tox = configparser.ConfigParser(interpolation=None)
    tox.read(os.path.join(ROOT, "tox.ini"))
    envs = [e.strip() for e in tox["tox"]["envlist"].split(",")]
    assert set(registered) == set(_registry.BACKENDS)
    modern = ".ci/constraints-modern.txt"
    for name, info in _registry.BACKENDS.items():
        assert registered[name] == info.package == f"d2l_optim.backends.{name}"
        assert name in envs and info.package in packages
        assert os.path.isfile(os.path.join(ROOT, "backends", name, "__init__.py"))
        setenv = tox[f"testenv:{name}"]["setenv"] if tox.has_section(f"testenv:{name}") else ""
        constraints = re.search(r"PIP_CONSTRAINT = \{toxinidir\}/(\S+)", setenv or tox["testenv"]["setenv"])
        assert constraints, name
        if info.extra is not None:
            assert info.distributions[0] in extras[info.extra]
            assert info.distributions[0] in _pins(constraints.group(1)), (name, constraints.group(1))
            assert (info.extra in extras["all"]) == (constraints.group(1) == modern), name
    assert _pins(modern)["numpy"].startswith("2.") and _pins(".ci/constraints-legacy.txt")["numpy"] < "1.24"


def test_ci_runs_the_readmes_test_command():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as file:
        readme = file.read()
    command = 'python -m pip install "tox>=4" && tox run-parallel --parallel-live'
    assert command in readme
    with open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8") as file:
        assert command.replace("python ", "python3 ", 1) in file.read()


FRAMEWORK_IMPORT = re.compile(rf"^\s*(?:import|from)\s+({'|'.join(FRAMEWORK_MODULES)})\b", re.M)


def misplaced_framework_imports(text):
    """(line, module) of each framework import outside a cell tagged for that module's backend."""
    lines = text.splitlines()
    found = []
    for cell in cells.split(text):
        source = "\n".join(lines[cell.start:cell.end])
        for match in FRAMEWORK_IMPORT.finditer(source):
            if _registry.MODULE_OWNERS[match.group(1)] != cell.framework:
                found.append((cell.start + source.count("\n", 0, match.start()) + 1, match.group(1)))
    return found


def test_sections_import_frameworks_only_in_their_tagged_cells():
    bad = "# %%\nimport torch\n# %% tags=[\"framework-tensorflow\"]\nimport keras\nimport mxnet as mx\n"
    assert misplaced_framework_imports(bad) == [(2, "torch"), (5, "mxnet")]
    folder = os.path.join(ROOT, "examples")
    for name in sorted(f for f in os.listdir(folder) if f.endswith(".py")):
        with open(os.path.join(folder, name), encoding="utf-8") as file:
            assert misplaced_framework_imports(file.read()) == [], f"examples/{name}"


# lowest first
BUILD_LAYERS = ("compare", "cells", "bounds", "plan", "runner", "run", "editions", "checker", "slides",
                "explorer", "published", "theme", "site", "pipeline")
BUILD_IMPORT = re.compile(r"^\s*from d2l_optim\.build(?:\.(\w+))? import ([\w, ]+)", re.M)


def test_the_build_imports_only_downwards():
    folder = os.path.join(ROOT, "d2l_optim", "build")
    modules = sorted(f[:-3] for f in os.listdir(folder) if f.endswith(".py"))
    assert modules == sorted(BUILD_LAYERS + ("__init__",))
    for layer, name in enumerate(BUILD_LAYERS):
        with open(os.path.join(folder, f"{name}.py"), encoding="utf-8") as file:
            for module, names in BUILD_IMPORT.findall(file.read()):
                for imported in [module] if module else [n.strip() for n in names.split(",")]:
                    assert BUILD_LAYERS.index(imported) < layer, f"build/{name}.py imports {imported}"
