"""Backend and float-precision selection.

The active backend is resolved, highest priority first, from a :func:`use_backend` block, a
:func:`set_backend` call, the ``D2L_OPTIM_BACKEND`` environment variable, and finally ``"numpy"``.
A backend's framework is imported the first time the backend is used, never by ``import d2l_optim``.
"""
import ast
import contextlib
import contextvars
import importlib
import importlib.util
import os
import sys
import threading

import numpy as np

from d2l_optim._registry import ALIASES, BACKENDS
from d2l_optim.errors import BackendConflict

FLOAT_DTYPES = ("float32", "float64")
DEFAULT_BACKEND = "numpy"
DEFAULT_FLOATX = "float32"

_global_backend = None
_scoped_backend = contextvars.ContextVar("d2l_optim_backend", default=None)
#: use_backend blocks open, in any thread: while there are none, the backend is set_backend's
_open_scopes = 0
_scopes_lock = threading.Lock()
_global_floatx = None
_scoped_floatx = contextvars.ContextVar("d2l_optim_floatx", default=None)
_loaded = {}
_seed = None
_rng = np.random.default_rng()


def canonical_name(name):
    """Return the canonical backend name for ``name`` or one of its aliases."""
    key = str(name).strip().lower()
    key = ALIASES.get(key, key)
    if key not in BACKENDS:
        valid = ", ".join(list(BACKENDS) + [f"{a} (= {c})" for a, c in ALIASES.items()])
        raise ValueError(f"unknown backend {name!r}; valid names are: {valid}")
    return key


def install_hint(name):
    """The pip command that installs the framework behind backend ``name``."""
    extra = BACKENDS[canonical_name(name)].extra
    return "pip install d2l-optim" if extra is None else f'pip install "d2l-optim[{extra}]"'


def is_installed(name):
    """Whether the framework of backend ``name`` can be imported (checked without importing it)."""
    framework = BACKENDS[canonical_name(name)].framework
    return importlib.util.find_spec(framework) is not None


def available_backends():
    """Canonical names of the backends whose framework is installed."""
    return [name for name in BACKENDS if is_installed(name)]


def import_conflicts(name):
    """``{framework: why}``: the frameworks after which backend ``name``'s framework cannot be
    imported into a process, as its package declares (``CANNOT_IMPORT_AFTER``), read from the
    package's source without importing it (that would import the framework)."""
    try:
        spec = importlib.util.find_spec(f"d2l_optim.backends.{canonical_name(name)}")
    except ImportError:  # the source folder, without its backends: load() says so
        return {}
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return {}
    with open(spec.origin, encoding="utf-8") as file:
        tree = ast.parse(file.read(), spec.origin)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "CANNOT_IMPORT_AFTER"
                                                for t in node.targets):
            return ast.literal_eval(node.value)
    return {}


def _check_process(name):
    """Raise BackendConflict if backend ``name``'s framework cannot join the frameworks this process
    has imported."""
    for framework, why in import_conflicts(name).items():
        if framework in sys.modules:
            raise BackendConflict(
                f"the {name!r} backend cannot be used in this process: {framework} is imported here "
                f"already, and {why}. Use {name} in a new process (or restart the notebook's kernel), "
                f"and there use it before {framework}, or not {framework} at all")


def load(name):
    """Import and return the backend module ``d2l_optim.backends.<name>``; BackendConflict if its
    framework cannot share this process with one already imported."""
    name = canonical_name(name)
    if name not in _loaded:
        _check_process(name)
        try:
            module = importlib.import_module(f"d2l_optim.backends.{name}")
        except (ImportError, AttributeError) as error:
            if getattr(error, "name", None) == "d2l_optim.backends":
                raise ImportError(
                    f"d2l_optim was imported from the source folder {os.path.dirname(__file__)}, "
                    "which does not hold its backends (they are installed from the top-level "
                    "backends/ folder); install the package (pip install -e .) and run from "
                    "outside the checkout's root") from error
            framework = BACKENDS[name].framework
            raise ImportError(
                f"the {name!r} backend needs {framework}, which could not be imported "
                f"({type(error).__name__}: {error}); install it with: {install_hint(name)}"
            ) from error
        if _seed is not None:
            module.seed(_seed)
        _loaded[name] = module
    return _loaded[name]


def get_backend():
    """Name of the active backend."""
    name = _scoped_backend.get() or _global_backend
    if name is None:
        env = os.environ.get("D2L_OPTIM_BACKEND")
        if env:
            try:
                return canonical_name(env)
            except ValueError as error:
                raise ValueError(f"D2L_OPTIM_BACKEND={env!r}: {error}") from None
        return DEFAULT_BACKEND
    return name


def set_backend(name):
    """Make ``name`` the active backend for this process (imports its framework now)."""
    global _global_backend
    name = canonical_name(name)
    load(name)
    _global_backend = name
    return name


@contextlib.contextmanager
def use_backend(name):
    """Context manager: run the block on backend ``name``, then restore the previous one."""
    global _open_scopes
    name = canonical_name(name)
    load(name)
    token = _scoped_backend.set(name)
    with _scopes_lock:
        _open_scopes += 1
    try:
        yield load(name)
    finally:
        with _scopes_lock:
            _open_scopes -= 1
        _scoped_backend.reset(token)


def current():
    """The active backend module.

    Every shim call asks, so the common case is two global reads: no ``use_backend`` block open and
    a backend set by :func:`set_backend`. (That path is also one that ``torch.compile`` can trace,
    which cannot read a ``ContextVar``.)
    """
    if not _open_scopes:
        module = _loaded.get(_global_backend)
        if module is not None:
            return module
    return load(get_backend())


def _check_floatx(dtype):
    """``dtype`` as ``"float32"`` or ``"float64"``; anything else raises ``ValueError``."""
    try:
        name = np.dtype(dtype).name if dtype is not None else None
    except TypeError:  # not a dtype at all, e.g. "junk"
        name = None
    if name not in FLOAT_DTYPES:
        raise ValueError(f"float dtype must be one of {FLOAT_DTYPES}, got {dtype!r}")
    return name


def floatx():
    """Default float dtype of every created tensor: ``"float32"`` unless changed."""
    dtype = _scoped_floatx.get() or _global_floatx
    if dtype is None:
        env = os.environ.get("D2L_OPTIM_FLOATX")
        return _check_floatx(env) if env else DEFAULT_FLOATX
    return dtype


def set_floatx(dtype):
    """Set the default float dtype (``"float32"`` or ``"float64"``) for this process."""
    global _global_floatx
    _global_floatx = _check_floatx(dtype)


@contextlib.contextmanager
def use_floatx(dtype):
    """Context manager: create tensors as ``dtype`` inside the block."""
    token = _scoped_floatx.set(_check_floatx(dtype))
    try:
        yield
    finally:
        _scoped_floatx.reset(token)


def resolve_dtype(dtype):
    """``dtype`` as a canonical float dtype name, ``floatx()`` when None."""
    return floatx() if dtype is None else _check_floatx(dtype)


def seed(value):
    """Seed the shared NumPy generator (all of d2l's random draws) and every loaded framework."""
    global _seed, _rng
    _seed = int(value)
    _rng = np.random.default_rng(_seed)
    for module in _loaded.values():
        module.seed(_seed)


def rng():
    """The shared NumPy random generator: every backend draws its noise from it."""
    return _rng
