"""Backend and float-precision selection.

The active backend is resolved, highest priority first, from a :func:`use_backend` block, a
:func:`set_backend` call, the ``D2L_OPTIM_BACKEND`` environment variable, and finally ``"numpy"``.
A backend's framework is imported the first time the backend is used, never by ``import d2l_optim``.
"""
import contextlib
import contextvars
import importlib
import importlib.util
import os
import sys
import threading

import numpy as np

from d2l_optim import _registry, backend_api
from d2l_optim.errors import BackendConflict

FLOAT_DTYPES = ("float32", "float64")
DEFAULT_BACKEND = _registry.DEFAULT
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


def __getattr__(attribute):
    """``BACKENDS`` and ``ALIASES``: the registry's tables (read at first use)."""
    if attribute in ("BACKENDS", "ALIASES"):
        return getattr(_registry, attribute)
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")


def canonical_name(name):
    """Return the canonical backend name for ``name`` or one of its aliases."""
    backends, aliases = _registry.BACKENDS, _registry.ALIASES
    key = str(name).strip().lower()
    key = aliases.get(key, key)
    if key not in backends:
        valid = ", ".join(list(backends) + [f"{a} (= {c})" for a, c in aliases.items()])
        raise ValueError(f"unknown backend {name!r}; valid names are: {valid}")
    return key


def install_hint(name):
    """The pip command that installs the framework behind backend ``name``."""
    extra = _registry.BACKENDS[canonical_name(name)].extra
    return "pip install d2l-optim" if extra is None else f'pip install "d2l-optim[{extra}]"'


def is_installed(name):
    """Whether the framework of backend ``name`` can be imported (checked without importing it)."""
    framework = _registry.BACKENDS[canonical_name(name)].framework
    return importlib.util.find_spec(framework) is not None


def available_backends():
    """Canonical names of the backends whose framework is installed."""
    return [name for name in _registry.BACKENDS if is_installed(name)]


def import_conflicts(name):
    """``{framework: why}``: the frameworks after which backend ``name``'s framework cannot be
    imported into a process, as its package declares (``CANNOT_IMPORT_AFTER``; the package imports
    no framework)."""
    package = importlib.import_module(_registry.BACKENDS[canonical_name(name)].package)
    return dict(getattr(package, "CANNOT_IMPORT_AFTER", {}))


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
    """The backend ``name`` as one namespace of the interface (:func:`d2l_optim.backend_api.assemble`);
    the first call imports its framework, or raises BackendConflict if that framework cannot share
    this process with one already imported."""
    module = _loaded.get(name) if type(name) is str else None  # loaded before: at once (d2l.numpy asks)
    if module is not None:
        return module
    name = canonical_name(name)
    if name not in _loaded:
        info = _registry.BACKENDS[name]
        _check_process(name)
        try:
            module = backend_api.assemble(name, info.package)
        except (ImportError, AttributeError) as error:
            raise ImportError(
                f"the {name!r} backend needs {info.framework}, which could not be imported "
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
