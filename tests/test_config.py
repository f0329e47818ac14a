"""Backend selection, the float policy and the lazy-import promise."""
import os
import subprocess
import sys
import tempfile

import pytest

import d2l_optim as d2l
from d2l_optim import _config, _registry
from helpers import ROOT, UNKNOWN_BACKEND

FRAMEWORKS = tuple(sorted(root for info in _registry.BACKENDS.values() for root in info.module_roots
                          if root != "numpy"))


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
    code = ("import importlib, d2l_optim as d2l; d2l.cos(1.0); "
            "print(importlib.import_module(d2l._registry.BACKENDS['numpy'].package).__file__)")
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
    monkeypatch.setenv("D2L_OPTIM_BACKEND", UNKNOWN_BACKEND)
    with pytest.raises(ValueError, match=f"D2L_OPTIM_BACKEND='{UNKNOWN_BACKEND}'.*valid names are: numpy, "):
        d2l.get_backend()


@pytest.mark.parametrize("alias, name", [(alias, name) for alias, name in _registry.ALIASES.items()]
                         + [("TORCH", "torch"), (" NumPy ", "numpy")])
def test_aliases(alias, name):
    assert _config.canonical_name(alias) == name


def test_unknown_backend_lists_valid_names():
    with pytest.raises(ValueError) as error:
        d2l.set_backend(UNKNOWN_BACKEND)
    message = str(error.value)
    assert repr(UNKNOWN_BACKEND) in message
    names = ", ".join(list(_registry.BACKENDS) + [f"{a} (= {n})" for a, n in _registry.ALIASES.items()])
    assert message.endswith(f"valid names are: {names}")
    assert "pytorch (= torch)" in message and "tf (= tensorflow)" in message


@pytest.mark.parametrize("name", [name for name, info in _registry.BACKENDS.items() if info.extra])
def test_missing_framework_names_the_pip_extra(monkeypatch, name):
    info = _registry.BACKENDS[name]
    monkeypatch.setitem(sys.modules, info.framework, None)  # makes `import <framework>` fail
    for module in [m for m in sys.modules if m == info.package or m.startswith(info.package + ".")]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.delitem(_config._loaded, name, raising=False)
    # a framework imported before is no matter here
    monkeypatch.setattr(_config, "import_conflicts", lambda name: {})
    with pytest.raises(ImportError, match=rf'pip install "d2l-optim\[{info.extra}\]"'):
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
    assert d2l.available_backends()[0] == "numpy" == list(_registry.BACKENDS)[0]
    assert set(d2l.available_backends()) <= set(_registry.BACKENDS)


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
