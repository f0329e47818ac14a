"""The one rule: nothing framework-specific outside backends/, and one interface per backend."""
import ast
import configparser
import importlib
import importlib.util
import inspect
import os
import re

import pytest

from d2l_optim import _config, _registry, backend_api, cells
from d2l_optim.build import records
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


def _tox():
    tox = configparser.ConfigParser(interpolation=None)
    tox.read(os.path.join(ROOT, "tox.ini"))
    return tox


def _pins_of(name, tox):
    """The constraints file tox installs backend ``name``'s environments with (a factor line wins)."""
    setenv = tox["testenv"]["setenv"]
    found = (re.search(rf"^\s*{name}: PIP_CONSTRAINT = \{{toxinidir\}}/(\S+)", setenv, re.M)
             or re.search(r"^\s*PIP_CONSTRAINT = \{toxinidir\}/(\S+)", setenv, re.M))
    return found.group(1)


def test_backend_identity_is_written_once():
    """setup.cfg's entry points, packages and extras, tox's environments and the pins agree with the
    registry: each backend's tox envs pin its framework, and the ``all`` extra is the modern set."""
    setup = _read_setup()
    extras = setup["options.extras_require"]
    packages = setup["options"]["packages"].split()
    registered = dict(line.replace(" ", "").split("=")
                      for line in setup["options.entry_points"][_registry.GROUP].split("\n") if line)
    tox = _tox()
    envs = [e.strip() for e in tox["tox"]["envlist"].split(",")]
    assert set(registered) == set(_registry.BACKENDS)
    modern = ".ci/constraints-modern.txt"
    for name, info in _registry.BACKENDS.items():
        assert registered[name] == info.package == f"d2l_optim.backends.{name}"
        assert name in envs and info.package in packages
        assert os.path.isfile(os.path.join(ROOT, "backends", name, "__init__.py"))
        if info.extra is not None:
            assert info.distributions[0] in extras[info.extra]
            assert info.distributions[0] in _pins(_pins_of(name, tox)), (name, _pins_of(name, tox))
            assert (info.extra in extras["all"]) == (_pins_of(name, tox) == modern), name
    assert _pins(modern)["numpy"].startswith("2.") and _pins(".ci/constraints-legacy.txt")["numpy"] < "1.24"
    assert "python3.11" in tox["testenv"]["basepython"]  # MXNet 1.9 has no wheel for a newer Python


def test_the_course_has_a_records_environment_per_backend_and_one_that_assembles():
    """`tox run-parallel -m course`: a records-<backend> env for every registered backend (its extra,
    its backend; its pins as its test env's), skipped where its Python is missing, and the site env,
    which waits for every one of them and assembles what they recorded."""
    tox = _tox()
    [section] = [s for s in tox.sections() if s.startswith("testenv:records-")]
    assert sorted(re.fullmatch(r"testenv:records-\{(.+)\}", section).group(1).split(",")) == sorted(
        _registry.BACKENDS)
    records_env, site_env = tox[section], tox["testenv:site"]
    for name, info in _registry.BACKENDS.items():
        assert f"{name}: D2L_OPTIM_BACKEND = {name}" in records_env["setenv"], name
        assert info.extra is None or f"{name}: {info.extra}" in records_env["extras"], name
    assert "{[testenv]setenv}" in records_env["setenv"] and "records" in records_env["extras"].split()
    assert records_env["labels"].strip() == site_env["labels"].strip() == "course"
    assert records_env["skip_missing_interpreters"].strip() == "true"
    assert ("d2l-optim build --records {work_dir}{/}records{/}{env_name} --backends {env:D2L_OPTIM_BACKEND}"
            in records_env["commands"])
    assert site_env["depends"].strip() == "records-*" and site_env["extras"].strip() == "course"
    # both editions, from the same records; the second even if the first fails (the env still fails)
    assert site_env["commands"].split() == [
        *"d2l-optim assemble {posargs:{work_dir}{/}records} --out {tox_root}{/}site".split(),
        *("d2l-optim assemble {posargs:{work_dir}{/}records} --out {tox_root}{/}site-student "
          "--edition student").split()]
    assert site_env["ignore_errors"].strip() == "true"
    with open(os.path.join(ROOT, "tox.ini"), encoding="utf-8") as file:  # glob patterns in depends
        assert re.search(r"requires = tox>=4\.(4[6-9]|[5-9]\d)", file.read())


README_COMMANDS = ('python -m pip install "tox>=4" && tox run-parallel -m course',  # the course
                   'python -m pip install "tox>=4" && tox run-parallel --parallel-live')  # the tests


def test_ci_runs_the_readmes_two_commands():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as file:
        readme = file.read()
    with open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8") as file:
        ci = file.read()
    for command in README_COMMANDS:
        assert f"```bash\n{command}\n```" in readme
        assert command.replace("python ", "python3 ", 1) in ci
    # the browser tests' tools, beside each other: Chromium, and pdftotext for the printed handout
    assert re.search(r"apt-get install [^\n]*\bchromium poppler-utils\b", ci)
    assert "command -v pdftotext" in ci and ci.index("apt-get install") < ci.index("tox run-parallel")


def test_the_course_tests_run_where_their_tools_are_and_nowhere_else():
    """The tests that build sites, print pages and run otter-grader run in the course env (Sphinx,
    Chromium's driver, otter-grader installed), which runs them; every backend env leaves them out,
    and so never skips them for a missing tool."""
    tox = _tox()
    course, backend = tox["testenv:course"], tox["testenv"]
    for name in ("test_course", "test_course_safety", "test_explorer_page", "test_records",
                 "test_site_editions", "test_print"):
        assert f"tests/{name}.py" in course["commands"], name
        assert f"--ignore=tests/{name}.py" in backend["commands"], name
    assert {"course", "browser", "grading", "test"} <= set(course["extras"].split())
    extras = _read_setup()["options.extras_require"]
    assert "otter-grader" in extras["grading"] and "otter-grader" not in extras["test"]

def test_ci_scales_the_course_out_one_job_per_framework():
    """.github/workflows/course.yml: the frameworks from the registry, a job each making its records
    in its tox env and uploading them, one job assembling them all (even if a framework's job failed)."""
    yaml = pytest.importorskip("yaml", reason="pip install pyyaml (jupytext, in the test extra, needs it)")
    with open(os.path.join(ROOT, ".github", "workflows", "course.yml"), encoding="utf-8") as file:
        jobs = yaml.safe_load(file)["jobs"]
    assert "json.dumps(list(_registry.BACKENDS))" in jobs["backends"]["steps"][-1]["run"]
    matrix = jobs["records"]["strategy"]
    assert matrix["matrix"]["backend"] == "${{ fromJSON(needs.backends.outputs.names) }}"
    assert matrix["fail-fast"] is False
    steps = {step.get("uses", step.get("run")).split("@")[0]: step for step in jobs["records"]["steps"]}
    assert "tox run -e records-${{ matrix.backend }}" in steps
    assert steps["actions/upload-artifact"]["with"]["path"] == ".tox/records/records-${{ matrix.backend }}"
    assert "3.11" in steps["actions/setup-python"]["with"]["python-version"].split()
    site = jobs["site"]
    assert site["needs"] == "records" and site["if"] == "${{ !cancelled() }}"
    steps = {step.get("uses", step.get("run")).split("@")[0]: step for step in site["steps"]}
    assert steps["actions/download-artifact"]["with"] == {"pattern": "records-*", "path": "records"}
    assert "tox run -e site -- records" in steps
    # both editions as artifacts (the student edition: a site of its own to host for students); on
    # Pages the instructor edition at the root, the student edition under student/
    uploads = {step["with"]["name"]: step["with"]["path"] for step in site["steps"]
               if step.get("uses", "").startswith("actions/upload-artifact")}
    assert uploads == {"site-instructor": "site", "site-student": "site-student"}
    pages = steps["actions/upload-pages-artifact"]["with"]["path"]
    composed = next(step["run"] for step in site["steps"] if f"{pages}/student" in step.get("run", ""))
    assert "cp -a site/. pages/" in composed and "cp -a site-student pages/student" in composed


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
BUILD_LAYERS = ("errors", "bounds", "published", "figure_export", "runner", "explorer", "records",
                "plan", "run", "editions", "checker", "slides", "explorer_page", "theme", "site", "assemble",
                "pipeline")
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


#: an import of a module of the build in code a kernel runs (a string: the runner's exec_lines)
IMPORT_IN_TEXT = re.compile(r"\bfrom d2l_optim\.build\.(\w+) import\b|\bimport d2l_optim\.build\.(\w+)")


def build_modules_imported(path):
    """The modules of d2l_optim.build that the file at ``path`` imports, anywhere in it (in a function,
    or in a string of code it has a kernel run)."""
    with open(path, encoding="utf-8") as file:
        tree = ast.parse(file.read(), path)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "d2l_optim.build":
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("d2l_optim.build."):
            found.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[2] for alias in node.names
                      if alias.name.startswith("d2l_optim.build.")}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found |= {a or b for a, b in IMPORT_IN_TEXT.findall(node.value)}
    return found


def test_a_records_source_is_all_the_code_behind_a_run():
    """The run key and a record's source cover the library and the build's run side
    (``records.RUN_SIDE``): that is all the code behind a run if the library imports nothing of the
    build and the run side imports nothing else of it."""
    run_side = {name[:-3] for name in records.RUN_SIDE}
    build = os.path.join(ROOT, "d2l_optim", "build")
    library = [os.path.join(folder, name) for top in ("d2l_optim", "backends")
               for folder, _, files in os.walk(os.path.join(ROOT, top)) if not folder.startswith(build)
               for name in files if name.endswith(".py") and name != "__main__.py"]
    assert len(library) > 20
    assert {os.path.relpath(path, ROOT): build_modules_imported(path) for path in library
            if build_modules_imported(path)} == {}
    for name in sorted(run_side):
        imported = build_modules_imported(os.path.join(build, f"{name}.py"))
        assert imported <= run_side, f"build/{name}.py, which runs in a run, imports {imported - run_side}"
    assert build_modules_imported(os.path.join(build, "runner.py")) == {"bounds", "published",
                                                                         "figure_export"}
    in_source = {name for name, _ in records.package_files() if records.is_source(name)}
    assert {f"d2l_optim/build/{name}" for name in records.RUN_SIDE} <= in_source
    assert "d2l_optim/ops.py" in in_source and "backends/numpy/__init__.py" in in_source
    assert not {"d2l_optim/__main__.py", "d2l_optim/build/site.py", "d2l_optim/build/plan.py"} & in_source
    assert not [name for name in in_source if name.startswith("d2l_optim/examples")]
