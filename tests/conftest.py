"""Run every backend-dependent test once per backend.

``pytest`` runs on every registered backend and skips the ones whose framework is missing, with
the pip command that installs it. ``pytest --backend torch`` (repeatable) runs only the named
backends, and a named backend that is not installed is an error, not a skip: that is how tox
proves every backend with nothing skipped.

A test over the sections that runs whole sections (``d2l-optim check``) may be marked
``@pytest.mark.sections_on_every_backend(names)``: it runs every section on NumPy and the sections
``names`` on the other backends, the rest deselected (not skipped: they run the same code, only on a
costlier framework).

A test that needs frameworks besides the one under test (a README snippet on PyTorch, TensorFlow
then MXNet in one process) is marked ``@pytest.mark.needs_frameworks(*names)``. Plain ``pytest``
skips it, with the install hint, where one is missing; under ``--backend`` (tox, one framework per
environment) it runs in the environment that has them all (tox's mxnet env also holds TensorFlow
2.17 for the conflict tests) and is deselected in the others.
"""
import os

import matplotlib
import pytest

import d2l_optim as d2l
from d2l_optim import _config, _registry

matplotlib.use("Agg")


def pytest_addoption(parser):
    parser.addoption("--backend", action="append", default=None, choices=sorted(
        list(_config.BACKENDS) + list(_config.ALIASES)),
        help="run backend tests on this backend only (repeatable); it must be installed")


def _requested(config):
    names = config.getoption("--backend")
    return None if names is None else [_config.canonical_name(n) for n in names]


def pytest_configure(config):
    config.addinivalue_line("markers", "sections_on_every_backend(names): run every section on NumPy, "
                                       "these on the other backends")
    config.addinivalue_line("markers", "needs_frameworks(*names): run where these frameworks are installed")
    for name in _config.BACKENDS:  # one thread per framework (set before any is imported), quiet logs
        for variable, value in _registry.facts(name).run_environment(1).items():
            os.environ.setdefault(variable, value)
    for name in _requested(config) or []:
        if not _config.is_installed(name):
            raise pytest.UsageError(
                f"--backend {name}: its framework is not installed; {_config.install_hint(name)}")


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        names = _requested(metafunc.config) or list(_config.BACKENDS)
        metafunc.parametrize("backend", names, indirect=True)


def _missing_frameworks(item):
    mark = item.get_closest_marker("needs_frameworks")
    return [name for name in (mark.args if mark else ()) if not _config.is_installed(name)]


def pytest_collection_modifyitems(config, items):
    """Deselect the (backend, section) pairs that a ``sections_on_every_backend`` mark leaves out and,
    under ``--backend``, the tests whose ``needs_frameworks`` are not all installed here."""
    kept, deselected = [], []
    for item in items:
        mark = item.get_closest_marker("sections_on_every_backend")
        params = getattr(getattr(item, "callspec", None), "params", {})
        left_out = (mark is not None and params.get("backend", "numpy") != "numpy"
                    and params.get("section") not in mark.args[0])
        left_out = left_out or bool(_requested(config) and _missing_frameworks(item))
        (deselected if left_out else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def pytest_runtest_setup(item):
    missing = _missing_frameworks(item)
    if missing:
        pytest.skip(f"needs the {missing[0]} backend: {_config.install_hint(missing[0])}")


@pytest.fixture
def backend(request):
    """Activate the backend under test for the duration of one test; yields its name."""
    name = request.param
    if not _config.is_installed(name):
        pytest.skip(f"{name} backend not installed: {_config.install_hint(name)}")
    with d2l.use_backend(name):
        yield name


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    d2l.plt.close("all")
