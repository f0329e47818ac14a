"""A backend from another distribution: registered through the entry-point group, it runs a section."""
import json
import os
import subprocess
import sys
import tempfile

from d2l_optim import _registry, backend_api
from helpers import ROOT, run_example
from test_examples import EXPECTED

#: a tiny out-of-tree backend: its identity, and NumPy's implementation under its own name
IDENTITY = '''"""A tiny backend living outside d2l-optim."""
LABEL = "Tiny"
ALIASES = ("small",)
FRAMEWORK = "autograd"
MODULE_ROOTS = ()
DISTRIBUTIONS = ("tiny-backend",)
EXTRA = None
'''


def install_tiny_backend(folder, name="tiny", package="tiny_backend"):
    """Install the distribution ``tiny-backend`` into ``folder`` (as ``pip install --target`` lays it
    out): the package and a dist-info whose entry point registers it as backend ``name``."""
    source = folder / package
    source.mkdir()
    (source / "__init__.py").write_text(IDENTITY)
    for concern in backend_api.CONCERNS:
        (source / f"{concern}.py").write_text(f"from d2l_optim.backends.numpy.{concern} import *  # noqa\n")
    info = folder / "tiny_backend-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: tiny-backend\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[{_registry.GROUP}]\n{name} = {package}\n")
    paths = [str(folder)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(paths))  # no empty entry: that is the cwd


def _python(code, env):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=120, cwd=tempfile.gettempdir())


def test_an_installed_distribution_adds_a_backend(tmp_path):
    env = install_tiny_backend(tmp_path)
    result = _python("import json, d2l_optim as d2l; print(json.dumps([d2l._registry.LABELS['tiny'], "
                     "d2l.available_backends(), d2l._config.canonical_name('small')]))", env)
    assert result.returncode == 0, result.stderr
    label, installed, alias = json.loads(result.stdout)
    assert label == "Tiny" and alias == "tiny"
    assert installed[0] == "numpy" and installed[1:] == sorted(installed[1:]) and "tiny" in installed


def test_a_section_runs_on_the_out_of_tree_backend(tmp_path):
    env = install_tiny_backend(tmp_path)
    result = run_example("gd", "tiny", tmp_path / "out", env={"PYTHONPATH": env["PYTHONPATH"]})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == EXPECTED["gd"]


def test_a_backend_name_that_is_not_an_identifier_is_refused_with_a_warning(tmp_path):
    env = install_tiny_backend(tmp_path, name="no-good")
    result = _python("import d2l_optim as d2l; print(d2l.available_backends())", env)
    assert result.returncode == 0 and "no-good" not in result.stdout
    assert "ignoring the d2l-optim backend 'no-good' (tiny_backend): a backend's name must be a " \
           "lowercase identifier" in result.stderr


def test_the_checkout_registers_its_backends_like_any_distribution():
    with open(os.path.join(ROOT, "setup.cfg"), encoding="utf-8") as file:
        assert f"{_registry.GROUP} =\n    numpy = d2l_optim.backends.numpy\n" in file.read()
