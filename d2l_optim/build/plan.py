"""Planning a build: what to run, whether the output folder may be used, and the cache keys.

The output folder is the user's: the build replaces only a folder it made itself (it holds the
marker file :data:`MARKER`, written at publish time) or an empty one, and refuses anything else
(:class:`UsageError`, exit 2). One build per output folder runs at a time (:func:`output_lock`).
The runs behind a site (its build records: notebooks as executed, figures in every format, the
figures' data, run records) are kept out of the published folder, in the hidden cache folder
beside it (:func:`cache_folder`, marked with :data:`CACHE_MARKER`); the lock file sits beside it too.

A run's cache key covers what shapes its output: the section's source, the package's code that
runs in it (not the site writer), the versions of Python, NumPy, matplotlib, autograd and the
backend's framework (under whichever distribution provides it). The site's key adds the site
writer and the Sphinx packages, so touching the page layout re-renders pages and runs nothing.
"""
import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import math
import os
import shutil
import sys

import d2l_optim
from d2l_optim import _config, cells
from d2l_optim._registry import BACKENDS

MARKER = ".d2l-optim-site"
LOCK_SUFFIX = ".d2l-optim-lock"
CACHE_SUFFIX = ".d2l-optim-cache"
#: the file that marks a cache folder as the build's own
CACHE_MARKER = ".d2l-optim-cache"
#: the prefixes (after ``.<site name>``) of a build's staging folder and of the site it retires
STAGING_SUFFIX, RETIRED_SUFFIX = ".d2l-optim-build-", ".d2l-optim-old-"
DEFAULT_CELL_TIMEOUT = 900
#: the longest --cell-timeout that is a number (a week); ``none`` means no limit
LONGEST_CELL_TIMEOUT = 7 * 24 * 3600
#: page names the site uses itself
RESERVED = ("index", "consistency", "explorer", "api", "genindex", "search", "searchindex", "py-modindex",
            "objects")
#: import name -> distribution, for everything ``d2l-optim[course]`` installs that the build uses
COURSE_MODULES = {"jupytext": "jupytext", "nbformat": "nbformat", "nbclient": "nbclient",
                  "ipykernel": "ipykernel", "sphinx": "sphinx", "myst_parser": "myst-parser",
                  "sphinx_design": "sphinx-design", "furo": "furo",
                  "sphinx-mathjax-offline": "sphinx-mathjax-offline", "tqdm": "tqdm"}
#: the build's modules that run inside a section (the rest only plans, runs and publishes)
RUN_SIDE = ("runner.py", "bounds.py")
SITE_DISTRIBUTIONS = ("sphinx", "myst-parser", "sphinx-design", "furo", "sphinx-mathjax-offline")
RUN_DISTRIBUTIONS = ("numpy", "matplotlib", "autograd", "jupytext", "nbclient", "ipykernel")


class UsageError(ValueError):
    """The build was asked for something it will not do; nothing was touched (exit 2)."""


class BuildError(Exception):
    """The build could not publish: the previous site is left as it was (exit 1)."""


def require_course_extra():
    """Raise ImportError naming ``pip install "d2l-optim[course]"`` unless the build's tools are there."""
    missing = [dist for name, dist in COURSE_MODULES.items()
               if importlib.util.find_spec(name) is None]
    if missing:
        raise ImportError(f"the course build needs {', '.join(missing)} (not installed): "
                          f'pip install "d2l-optim[course]"')


def cell_timeout(value):
    """``--cell-timeout`` as whole seconds (fractions rounded up), or None for ``none``/``inf`` (no
    limit); ValueError saying what is allowed for anything else."""
    text = str(value).strip().lower()
    if text in ("none", "inf", "infinity"):
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if isinstance(value, bool) or not 1 <= seconds <= LONGEST_CELL_TIMEOUT:
        raise ValueError(f"--cell-timeout must be a number of seconds from 1 to {LONGEST_CELL_TIMEOUT} "
                         f"(a week), or none for no limit; got {value!r}")
    return math.ceil(seconds)


def sections_folder():
    from d2l_optim import examples

    return os.path.abspath(examples.__path__[0])


def default_sections(source_dir):
    """Section names in ``source_dir``: the book's order for the shipped ones, else sorted."""
    from d2l_optim import examples

    names = sorted(f[:-3] for f in os.listdir(source_dir) if f.endswith(".py") and not f.startswith("_"))
    order = {name: i for i, name in enumerate(examples.SECTIONS)}
    return sorted(names, key=lambda name: (order.get(name, len(order)), name))


def select_sections(source_dir, requested=None):
    """The sections to build, repeated names merged; no sections at all, or reserved, unknown or
    not plain names raise UsageError."""
    if not os.path.isdir(source_dir):
        raise UsageError(f"--sources {source_dir} is not a folder of section scripts")
    available = default_sections(source_dir)
    if not available:
        is_site = os.path.isfile(os.path.join(source_dir, MARKER))
        what = ("it is a site that d2l-optim build published" if is_site
                else "it has no .py file whose name does not start with _")
        raise UsageError(f"--sources {source_dir} holds no section scripts ({what}); nothing was built "
                         "and no site was replaced: pass the folder of your section scripts")
    sections = list(dict.fromkeys(requested or available))
    unknown = [s for s in sections if s not in available]
    if unknown:
        raise UsageError(f"unknown section(s) {unknown}; the sections are: {', '.join(available)}")
    not_plain = [name for name in sections if not cells.is_plain_name(name)]
    if not_plain:
        raise UsageError(f"section file name(s) {not_plain} in {source_dir} are not plain: a section's "
                         "name (its file name without .py) is what the site's pages and links are called, "
                         "so it may hold only letters, digits, - and _ (and . between two digits); "
                         "rename the file(s)")
    reserved = [s for s in sections if s.lower() in RESERVED]
    if reserved:
        raise UsageError(f"section name(s) {reserved} are reserved for the site's own pages "
                         f"({', '.join(RESERVED)}): rename {', '.join(s + '.py' for s in reserved)}")
    return sections


def select_backends(requested=None):
    """Canonical backend names, aliases and repeats merged; a missing framework raises ImportError."""
    requested = requested or _config.available_backends()
    backends = list(dict.fromkeys(_config.canonical_name(b) for b in requested))
    for backend in backends:
        if not _config.is_installed(backend):
            raise ImportError(f"backend {backend!r} is not installed: {_config.install_hint(backend)}")
    return backends


def package_folders():
    """(module, real path) of each folder the build imports or fingerprints: the package, its
    backends and its sections."""
    found = [("d2l_optim", os.path.dirname(d2l_optim.__file__))]
    for module in ("d2l_optim.backends", "d2l_optim.examples"):
        spec = importlib.util.find_spec(module)
        if spec is not None:
            found += [(module, folder) for folder in spec.submodule_search_locations or ()]
    return [(module, os.path.realpath(folder)) for module, folder in found]


def _project_folders():
    """The folders a build must never replace: the package folders and, in a source checkout, the
    checkout."""
    folders = [folder for _, folder in package_folders()]
    checkout = os.path.dirname(folders[0])
    if os.path.exists(os.path.join(checkout, "setup.cfg")):
        folders.append(checkout)
    return folders


def _contains(folder, path):
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def cache_folder(out):
    """The build's cache for the site ``out``: ``.<name>.d2l-optim-cache`` beside it (never published)."""
    return os.path.join(os.path.dirname(out), f".{os.path.basename(out)}{CACHE_SUFFIX}")


def check_output_folder(out, source_dir):
    """The real path to publish into (a symlink is followed), or UsageError saying why not."""
    advice = "pass --out with a new or empty folder, or one that an earlier d2l-optim build made"
    if not str(out).strip():
        raise UsageError(f"--out is empty; {advice} (e.g. --out site)")
    real = os.path.realpath(os.path.abspath(out))
    if os.path.exists(real) and not os.path.isdir(real):
        raise UsageError(f"--out {out} is a file, not a folder; {advice}")
    if _contains(real, os.path.realpath(os.getcwd())):
        raise UsageError(f"--out {out} is the working directory or one of its parents; {advice}")
    protected = [("the d2l-optim project", f) for f in _project_folders()]
    protected.append(("the --sources folder", os.path.realpath(source_dir)))
    for what, folder in protected:
        if _contains(real, folder):
            raise UsageError(f"--out {out} is or contains {what} ({folder}); {advice}")
    for _, folder in package_folders():
        if _contains(folder, real):  # a folder there would shadow or change the code the build runs
            raise UsageError(f"--out {out} lies inside the d2l-optim package ({folder}), whose code the "
                             f"build imports and fingerprints; {advice}, outside the package")
    if os.path.isdir(real) and os.listdir(real) and not os.path.isfile(os.path.join(real, MARKER)):
        raise UsageError(f"--out {out} is not empty and was not made by d2l-optim build (it has no "
                         f"{MARKER} file); {advice}")
    cache = cache_folder(real)
    if os.path.lexists(cache) and not os.path.isfile(os.path.join(cache, CACHE_MARKER)):
        raise UsageError(f"{cache}, where the build keeps the runs behind --out {out}, exists and was "
                         f"not made by d2l-optim build (it has no {CACHE_MARKER} file); move it away, "
                         f"or {advice}")
    return real


def staging_prefix(destination, suffix=STAGING_SUFFIX):
    """The name prefix of a folder beside ``destination`` that a build into it makes (and removes):
    its staging folder, or (``RETIRED_SUFFIX``) what it replaced, until it is deleted."""
    return f".{os.path.basename(destination)}{suffix}"


def remove_dead_builds_folders(out, log=print):
    """Remove what builds into ``out`` that were killed (SIGKILL, power loss) left beside it: their
    staging folders and the sites and caches they were retiring. Call it holding ``out``'s lock,
    so that no live build owns them."""
    parent = os.path.dirname(out)
    prefixes = (staging_prefix(out), staging_prefix(out, RETIRED_SUFFIX),
                staging_prefix(cache_folder(out), RETIRED_SUFFIX))
    for name in sorted(os.listdir(parent)):
        path = os.path.join(parent, name)
        if name.startswith(prefixes) and os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
            log(f"removed {path}, left by a build into {out} that did not finish")


@contextlib.contextmanager
def output_lock(out, wait=True, log=print):
    """Hold the lock file beside ``out`` for the block; wait for another build, or refuse (UsageError)."""
    import fcntl

    path = os.path.join(os.path.dirname(out), f".{os.path.basename(out)}{LOCK_SUFFIX}")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    while True:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                os.close(handle)
                raise UsageError(f"another d2l-optim build is publishing into {out} (lock {path}); "
                                 f"wait for it, or run without --no-wait to queue behind it") from None
            log(f"waiting for another d2l-optim build into {out} to finish (lock {path})")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX)
            except BaseException:
                os.close(handle)
                raise
        try:
            same = os.stat(path).st_ino == os.fstat(handle).st_ino
        except FileNotFoundError:  # the build before us removed it as we waited: take the new one
            same = False
        if same:
            break
        os.close(handle)
    try:
        yield path
    finally:
        os.unlink(path)
        os.close(handle)


def read_source(path):
    """A section's text; ValueError naming the file when it is not UTF-8 or its cell tags are wrong."""
    with open(path, "rb") as file:
        data = file.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not UTF-8 text ({error.reason}: byte {data[error.start]:#04x} at "
                         f"position {error.start}); save it as UTF-8") from None
    try:
        cells.split(text)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
    return text


def digest(*parts):
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part if isinstance(part, bytes) else str(part).encode())
        hasher.update(b"\0")
    return hasher.hexdigest()[:20]


def _package_files():
    """(relative name, path) of every file of the package and its backends, sections excluded."""
    from d2l_optim import examples

    roots = [os.path.dirname(d2l_optim.__file__),
             importlib.util.find_spec("d2l_optim.backends").submodule_search_locations[0]]
    skip = {os.path.realpath(examples.__path__[0])}
    for root in roots:
        for folder, subfolders, files in os.walk(root):
            subfolders[:] = sorted(s for s in subfolders if s != "__pycache__" and not s.startswith(".")
                                   and os.path.realpath(os.path.join(folder, s)) not in skip)
            for name in sorted(files):
                if not name.endswith((".pyc", ".pyo")) and not name.startswith("."):
                    path = os.path.join(folder, name)
                    yield os.path.relpath(path, os.path.dirname(root)), path


def _fingerprint(files):
    contents = []
    for name, path in files:
        with open(path, "rb") as file:
            contents.append(name.encode() + b"\0" + file.read())
    return digest(*contents)


def _is_site_side(name):
    parts = name.split(os.sep)
    return parts[-1] == "__main__.py" and len(parts) == 2 or (
        len(parts) == 3 and parts[1] == "build" and parts[2] not in RUN_SIDE)


def run_code_fingerprint():
    """A digest of the package code that runs inside a section (the site writer excluded)."""
    return digest(d2l_optim.__version__, _fingerprint(f for f in _package_files() if not _is_site_side(f[0])))


def site_code_fingerprint():
    """A digest of the code that plans, compares and writes the site, and the Sphinx packages."""
    return digest(_fingerprint(f for f in _package_files() if _is_site_side(f[0])),
                  *map(_distribution_version, SITE_DISTRIBUTIONS))


def _distribution_version(distribution):
    try:
        return f"{distribution}=={importlib.metadata.version(distribution)}"
    except importlib.metadata.PackageNotFoundError:
        return f"{distribution} not installed"


def framework_version(backend):
    """``distribution==version`` of the first installed distribution that provides the framework."""
    for distribution in BACKENDS[backend].distributions:
        version = _distribution_version(distribution)
        if "==" in version:
            return version
    return "unknown"


def run_keys(source_dir, sections, backends):
    """``{(section, backend): key}`` over everything that shapes a run's output."""
    shared = digest(run_code_fingerprint(), sys.version, *map(_distribution_version, RUN_DISTRIBUTIONS))
    frameworks = {b: framework_version(b) for b in backends}
    keys = {}
    for section in sections:
        with open(os.path.join(source_dir, f"{section}.py"), "rb") as file:
            source = file.read()
        for backend in backends:
            keys[section, backend] = digest(source, backend, frameworks[backend], shared)
    return keys


def hash_files(folder, skip=()):
    """``{relative path: sha256}`` of every file under ``folder`` but those named in ``skip``."""
    hashes = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            relative = os.path.relpath(path, folder)
            if relative not in skip:
                hashes[relative] = _file_hash(path)
    return hashes


def _file_hash(path):
    hasher = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def first_changed_file(folder, hashes, also_listed=None):
    """A note naming the first file of ``hashes`` that is missing or changed under ``folder``, or None.
    With ``also_listed`` (names checked otherwise), a file that neither lists is a change too."""
    for relative, expected in sorted(hashes.items()):
        path = os.path.join(folder, relative)
        if not os.path.isfile(path):
            return f"{path} is missing"
        if _file_hash(path) != expected:
            return f"{path} changed since it was published"
    if also_listed is not None:
        for root, _, files in os.walk(folder):
            for name in files:
                relative = os.path.relpath(os.path.join(root, name), folder)
                if relative not in hashes and relative not in also_listed:
                    return f"{os.path.join(root, name)} was added since it was published"
    return None


def read_json(path):
    """The JSON value in ``path``; None if there is no file; ValueError naming it if unreadable."""
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise ValueError(f"{path} is unreadable ({error})") from None


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as file:
        json.dump(value, file, indent=1)


def _content_digest(value):
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def write_sealed_json(path, value):
    """Write the dict ``value`` with the hash of its own content (key ``"seal"``)."""
    write_json(path, {**value, "seal": _content_digest(value)})


def read_sealed_json(path):
    """The dict that :func:`write_sealed_json` wrote to ``path``, without its seal; None if there is
    no file; ValueError naming the file if it is unreadable or changed since it was written."""
    value = read_json(path)
    if value is None:
        return None
    content = {k: v for k, v in value.items() if k != "seal"} if isinstance(value, dict) else None
    if content is None or value.get("seal") != _content_digest(content):
        raise ValueError(f"{path} changed since it was written (its content does not match its seal)")
    return content
