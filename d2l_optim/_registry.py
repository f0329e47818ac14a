"""Who the backends are: the packages registered under the entry-point group ``d2l_optim.backends``.

Each entry point names a backend's package: this distribution's ``setup.cfg`` registers
``numpy = d2l_optim.backends.numpy`` and the others, and a backend that lives in another
distribution registers its package the same way (as pytest plugins and matplotlib backends do).
The entry point's name is the backend's canonical name, a lowercase identifier; the package's
``__init__`` holds the rest of its identity (:class:`d2l_optim.backend_api.Identity`) and imports
no framework, and its ``facts`` module what tests and the build read about it (:func:`facts`).

Everything else reads this table: backend selection and aliases (``_config``), which backend owns a
tensor (``ops``), the labels of the site's tabs, the build's thread settings and the framework
versions in its cache key, the test parametrisation. The entry points are read the first time one
of ``BACKENDS``, ``ALIASES``, ``MODULE_OWNERS`` or ``LABELS`` is, not by ``import d2l_optim``.
"""
import importlib
import os
import warnings
from typing import NamedTuple, Optional, Tuple

#: the entry-point group that registers backends
GROUP = "d2l_optim.backends"
#: where this distribution's own backends live (they win a name another distribution registers too)
IN_TREE = "d2l_optim.backends."
#: the backend used when none is chosen; it comes first, the others by name
DEFAULT = "numpy"
#: the identity attributes a backend package provides (d2l_optim.backend_api.Identity)
IDENTITY = ("LABEL", "ALIASES", "FRAMEWORK", "MODULE_ROOTS", "DISTRIBUTIONS", "EXTRA")
_TABLES = ("BACKENDS", "ALIASES", "MODULE_OWNERS", "LABELS")


class BackendInfo(NamedTuple):
    """A backend's identity: ``name`` (canonical), ``package`` (the registered package) and the
    package's identity attributes (see :class:`d2l_optim.backend_api.Identity`)."""

    name: str
    package: str
    label: str
    aliases: Tuple[str, ...]
    framework: str
    module_roots: Tuple[str, ...]
    distributions: Tuple[str, ...]
    extra: Optional[str]


def _entry_points():
    import importlib.metadata  # about 20 ms: only when the registry is first read

    found = importlib.metadata.entry_points()
    return list(found.select(group=GROUP) if hasattr(found, "select") else found.get(GROUP, ()))


def _identity(entry_point):
    """The :class:`BackendInfo` of one entry point, or None (with a warning) if it is unusable."""
    name, package = entry_point.name, entry_point.value
    if not (name.isidentifier() and name == name.lower()):
        warnings.warn(f"ignoring the d2l-optim backend {name!r} ({package}): a backend's name must be "
                      "a lowercase identifier", RuntimeWarning, stacklevel=4)
        return None
    try:
        module = importlib.import_module(package)
    except ImportError as error:
        if error.name == "d2l_optim.backends":
            raise ImportError(
                f"d2l_optim was imported from the source folder {os.path.dirname(__file__)}, which "
                "does not hold its backends (they are installed from the top-level backends/ folder); "
                "install the package (pip install -e .) and run from outside the checkout's root"
            ) from error
        warnings.warn(f"ignoring the d2l-optim backend {name!r}: its package {package} cannot be "
                      f"imported ({type(error).__name__}: {error})", RuntimeWarning, stacklevel=4)
        return None
    missing = [attribute for attribute in IDENTITY if not hasattr(module, attribute)]
    if missing:
        warnings.warn(f"ignoring the d2l-optim backend {name!r}: its package {package} lacks "
                      f"{', '.join(missing)}", RuntimeWarning, stacklevel=4)
        return None
    return BackendInfo(name, package, module.LABEL, tuple(module.ALIASES), module.FRAMEWORK,
                       tuple(module.MODULE_ROOTS), tuple(module.DISTRIBUTIONS), module.EXTRA)


def discover():
    """The registered backends, name -> :class:`BackendInfo`: the default first, then by name."""
    entry_points = sorted(_entry_points(), key=lambda e: (e.name != DEFAULT, e.name,
                                                          not e.value.startswith(IN_TREE)))
    backends = {}
    for entry_point in entry_points:
        known = backends.get(entry_point.name)
        if known is not None:
            if known.package != entry_point.value:
                warnings.warn(f"ignoring a second d2l-optim backend named {entry_point.name!r} "
                              f"({entry_point.value}); {known.package} keeps the name",
                              RuntimeWarning, stacklevel=3)
            continue
        info = _identity(entry_point)
        if info is not None:
            backends[info.name] = info
    if not backends:
        raise ImportError(f"no d2l-optim backend is registered (entry-point group {GROUP!r}): the "
                          "backends come with the installed package; install it (pip install -e .)")
    return backends


def facts(name):
    """The ``facts`` module of backend ``name`` (see :class:`d2l_optim.backend_api.Facts`)."""
    return importlib.import_module(f"{__getattr__('BACKENDS')[name].package}.facts")


def __getattr__(attribute):
    """``BACKENDS`` (name -> BackendInfo), ``ALIASES`` (alias -> name), ``MODULE_OWNERS`` (top-level
    module of a tensor's class -> name) and ``LABELS`` (name -> label), built at first read."""
    if attribute not in _TABLES:
        raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")
    if attribute in globals():  # read from inside this module
        return globals()[attribute]
    backends = discover()
    globals().update(
        BACKENDS=backends,
        ALIASES={alias: info.name for info in backends.values() for alias in info.aliases},
        MODULE_OWNERS={root: info.name for info in backends.values() for root in info.module_roots},
        LABELS={name: info.label for name, info in backends.items()})
    return globals()[attribute]
