"""Backend selection, the float policy and the lazy-import promise."""
import os
import subprocess
import sys
import tempfile

import pytest

import d2l_optim as d2l
from d2l_optim import _config
from helpers import ROOT

FRAMEWORKS = ("torch", "tensorflow", "mxnet", "autograd")


def _fresh_python(code, **env):
    """Run ``code`` in a new interpreter, outside the checkout (so the installed package is used)."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, **env}, timeout=120, cwd=tempfile.gettempdir())
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_import_loads_no_framework_and_no_matplotlib():
    heavy = FRAMEWORKS + ("matplotlib",)
    code = (f"import sys, d2l_optim as d2l; before = sorted(m for m in {heavy!r} if m in sys.modules);"
            f"d2l.cos(1.0); after = sorted(m for m in {heavy!r} if m in sys.modules);"
            "import matplotlib.pyplot; print(before, after, d2l.get_backend(), d2l.plt is matplotlib.pyplot)")
    assert _fresh_python(code, D2L_OPTIM_BACKEND="") == "[] ['autograd'] numpy True"


def test_source_folder_without_backends_gets_a_clear_error():
    code = "import d2l_optim as d2l; d2l.cos(1.0); print(d2l._config.load('numpy').__file__)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": ROOT}, timeout=120)
    if result.returncode == 0:  # an editable install maps d2l_optim.backends onto backends/
        assert result.stdout.strip() == os.path.join(ROOT, "backends", "numpy", "__init__.py")
    else:
        assert "imported from the source folder" in result.stderr and "pip install -e" in result.stderr


def test_environment_variable_selects_backend():
    code = "import d2l_optim as d2l; print(d2l.get_backend())"
    assert _fresh_python(code, D2L_OPTIM_BACKEND="mx") == "mxnet"
    assert _fresh_python(code, D2L_OPTIM_BACKEND="PyTorch") == "torch"


def test_invalid_environment_variable_is_named(monkeypatch):
    monkeypatch.setattr(_config, "_global_backend", None)
    monkeypatch.setenv("D2L_OPTIM_BACKEND", "jax")
    with pytest.raises(ValueError, match="D2L_OPTIM_BACKEND='jax'.*valid names are: numpy, torch"):
        d2l.get_backend()


@pytest.mark.parametrize("alias, name", [("np", "numpy"), ("pytorch", "torch"), ("tf", "tensorflow"),
                                         ("mx", "mxnet"), ("TORCH", "torch")])
def test_aliases(alias, name):
    assert _config.canonical_name(alias) == name


def test_unknown_backend_lists_valid_names():
    with pytest.raises(ValueError) as error:
        d2l.set_backend("jax")
    message = str(error.value)
    assert "'jax'" in message
    for name in ("numpy", "torch", "tensorflow", "mxnet", "pytorch (= torch)", "tf (= tensorflow)"):
        assert name in message


@pytest.mark.parametrize("name, extra", [("torch", "torch"), ("tensorflow", "tensorflow"),
                                         ("mxnet", "mxnet")])
def test_missing_framework_names_the_pip_extra(monkeypatch, name, extra):
    monkeypatch.setitem(sys.modules, name, None)  # makes `import <name>` fail
    monkeypatch.delitem(sys.modules, f"d2l_optim.backends.{name}", raising=False)
    monkeypatch.delitem(_config._loaded, name, raising=False)
    with pytest.raises(ImportError, match=rf'pip install "d2l-optim\[{extra}\]"'):
        d2l.set_backend(name)


def test_use_backend_restores_previous(monkeypatch):
    monkeypatch.setattr(_config, "_global_backend", None)
    monkeypatch.delenv("D2L_OPTIM_BACKEND", raising=False)
    assert d2l.get_backend() == "numpy"
    installed = [b for b in d2l.available_backends() if b != "numpy"] or ["numpy"]
    with d2l.use_backend(installed[0]):
        assert d2l.get_backend() == installed[0]
        with d2l.use_backend("np"):
            assert d2l.get_backend() == "numpy"
        assert d2l.get_backend() == installed[0]
    assert d2l.get_backend() == "numpy"


def test_set_backend(monkeypatch):
    monkeypatch.setattr(_config, "_global_backend", None)
    assert d2l.set_backend("np") == "numpy"
    assert d2l.get_backend() == "numpy"


def test_available_backends_lists_numpy_first():
    assert d2l.available_backends()[0] == "numpy"
    assert set(d2l.available_backends()) <= set(_config.BACKENDS)


def test_floatx_policy(monkeypatch):
    monkeypatch.delenv("D2L_OPTIM_FLOATX", raising=False)
    assert d2l.floatx() == "float32"
    with d2l.use_floatx("float64"):
        assert d2l.floatx() == "float64"
    assert d2l.floatx() == "float32"
    monkeypatch.setenv("D2L_OPTIM_FLOATX", "float64")
    assert d2l.floatx() == "float64"
    for bad in ("int32", "junk", None, 3):
        with pytest.raises(ValueError, match="float dtype must be one of"):
            d2l.set_floatx(bad)
