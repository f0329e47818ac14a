"""Planning a build: what to run, whether a folder may be written, its lock, and the cache keys.

The output folder is the user's: the build replaces only a folder it made itself (a site holds the
marker file :data:`MARKER`, written at publish time; a records folder ``records.json``) or an empty
one, and refuses anything else (:class:`~d2l_optim.build.errors.UsageError`, exit 2). A site holding
the student edition is never replaced by the instructor edition, whose solutions its readers
would then see. One build per
folder runs at a time (:func:`folder_locks`). The runs behind a site (its records: notebooks as
executed, figures in every format, the figures' data, run records) are kept out of the published
folder, in the hidden cache folder beside it (:func:`cache_folder`); the lock file sits beside it too.

A run's cache key covers what shapes its output: the section's source, the source of a record
(:func:`~d2l_optim.build.records.source_files`: the library and the build's run side, not the site
writer), the versions of Python, NumPy, matplotlib, autograd, the Jupyter packages and the backend's
framework (under whichever distribution provides it). The site's key adds the site writer and the
Sphinx packages, so touching the page layout re-renders pages and runs nothing.
"""
import contextlib
import importlib.util
import math
import os
import shutil
import sys

from d2l_optim import _config, cells
from d2l_optim.build import records
from d2l_optim.build.errors import UsageError
from d2l_optim.build.published import package_folders

MARKER = ".d2l-optim-site"
LOCK_SUFFIX = ".d2l-optim-lock"
CACHE_SUFFIX = ".d2l-optim-cache"
#: the marker of a site's cache folder before it held records (still accepted as the build's own)
OLD_CACHE_MARKER = ".d2l-optim-cache"
#: the prefixes (after ``.<folder name>``) of a build's staging folder and of the folder it retires
STAGING_SUFFIX, RETIRED_SUFFIX = ".d2l-optim-build-", ".d2l-optim-old-"
DEFAULT_CELL_TIMEOUT = 900
#: the longest --cell-timeout that is a number (a week); ``none`` means no limit
LONGEST_CELL_TIMEOUT = 7 * 24 * 3600
#: page names the site uses itself (the explorer's records use its name too)
RESERVED = ("index", "consistency", records.EXPLORER, "api", "genindex", "search", "searchindex",
            "py-modindex", "objects")
#: import name -> distribution: what making records needs (``d2l-optim[records]``)
RECORD_TOOLS = {"jupytext": "jupytext", "nbformat": "nbformat", "nbclient": "nbclient",
                "ipykernel": "ipykernel", "tqdm": "tqdm", "filelock": "filelock"}
#: import name -> distribution: what writing the site needs (``d2l-optim[course]`` has both)
SITE_TOOLS = {"jupytext": "jupytext", "nbformat": "nbformat", "sphinx": "sphinx",
              "myst_parser": "myst-parser", "sphinx_design": "sphinx-design", "furo": "furo",
              "sphinx-mathjax-offline": "sphinx-mathjax-offline", "filelock": "filelock"}
SITE_DISTRIBUTIONS = ("sphinx", "myst-parser", "sphinx-design", "furo", "sphinx-mathjax-offline")
#: what each kind of folder the build writes is called: its flag, its marker, what makes it
FOLDERS = {"site": ("--out", MARKER, "d2l-optim build"),
           "records": ("--records", records.MARKER, "d2l-optim build --records")}
#: the editions of the site (:mod:`~d2l_optim.build.editions`), and the folder each goes into by default
EDITIONS = ("instructor", "student")
DEFAULT_OUT = {"instructor": "site", "student": "site-student"}


def check_edition(edition):
    """``edition`` if it is one of :data:`EDITIONS` (None: the instructor's), else UsageError."""
    if edition is None:
        return EDITIONS[0]
    if edition not in EDITIONS:
        raise UsageError(f"--edition must be one of {', '.join(EDITIONS)}, got {edition!r}")
    return edition


def require(tools, extra):
    """UsageError naming ``pip install "d2l-optim[extra]"`` unless every one of ``tools`` is installed."""
    missing = [dist for name, dist in tools.items() if importlib.util.find_spec(name) is None]
    if missing:
        raise UsageError(f"the course build needs {', '.join(missing)} (not installed): "
                         f'pip install "d2l-optim[{extra}]"')


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


def in_book_order(names):
    """Section ``names`` in the book's order for the shipped ones, then the others sorted."""
    from d2l_optim import examples

    order = {name: i for i, name in enumerate(examples.SECTIONS)}
    return sorted(names, key=lambda name: (order.get(name, len(order)), name))


def default_sections(source_dir):
    """Section names in ``source_dir``, in the book's order (:func:`in_book_order`)."""
    return in_book_order(name[:-3] for name in os.listdir(source_dir)
                         if name.endswith(".py") and not name.startswith("_"))


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
    """Canonical backend names, aliases and repeats merged; an unknown backend or a missing framework
    raises UsageError."""
    try:
        backends = list(dict.fromkeys(map(_config.canonical_name, requested or _config.available_backends())))
    except ValueError as error:  # an unknown name
        raise UsageError(str(error)) from None
    for backend in backends:
        if not _config.is_installed(backend):
            raise UsageError(f"backend {backend!r} is not installed: {_config.install_hint(backend)}")
    return backends


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


def check_folder(path, source_dir=None, kind="site", inputs=(), edition=None):
    """The real path of the folder to write (``kind``: a ``"site"`` or ``"records"``; a symlink is
    followed), or UsageError saying why not. ``inputs`` are folders the build reads (records): the
    folder may not be, hold or lie in one of them. A site of the student edition may take only the
    student ``edition`` again."""
    flag, marker, made_by = FOLDERS[kind]
    advice = f"pass {flag} with a new or empty folder, or one that an earlier {made_by} made"
    if not str(path).strip():
        raise UsageError(f"{flag} is empty; {advice} (e.g. {flag} {kind})")
    real = os.path.realpath(os.path.abspath(path))
    if os.path.exists(real) and not os.path.isdir(real):
        raise UsageError(f"{flag} {path} is a file, not a folder; {advice}")
    if _contains(real, os.path.realpath(os.getcwd())):
        raise UsageError(f"{flag} {path} is the working directory or one of its parents; {advice}")
    protected = [("the d2l-optim project", f) for f in _project_folders()]
    protected += [("the --sources folder", os.path.realpath(source_dir))] if source_dir else []
    for what, folder in protected:
        if _contains(real, folder):
            raise UsageError(f"{flag} {path} is or contains {what} ({folder}); {advice}")
    for _, folder in package_folders():
        if _contains(folder, real):  # a folder there would shadow or change the code the build runs
            raise UsageError(f"{flag} {path} lies inside the d2l-optim package ({folder}), whose code the "
                             f"build imports and fingerprints; {advice}, outside the package")
    for folder in map(os.path.realpath, inputs):
        if _contains(real, folder) or _contains(folder, real):
            raise UsageError(f"{flag} {path} is, holds or lies in the records folder {folder} it would "
                             f"be made from; {advice}")
    if os.path.isdir(real) and os.listdir(real) and not os.path.isfile(os.path.join(real, marker)):
        raise UsageError(f"{flag} {path} is not empty and was not made by {made_by} (it has no "
                         f"{marker} file); {advice}")
    if kind == "site" and edition not in (None, "student") and site_edition(real) == "student":
        raise UsageError(f"{flag} {path} holds the student edition of the site: the {edition} edition there "
                         "would show its readers the worked solutions. Pass --edition student to update it, "
                         f"or another {flag} for the {edition} edition (default: "
                         f"{DEFAULT_OUT.get(edition, 'site')})")
    cache = cache_folder(real)
    if kind == "site" and os.path.lexists(cache) and not any(
            os.path.isfile(os.path.join(cache, name)) for name in (records.MARKER, OLD_CACHE_MARKER)):
        raise UsageError(f"{cache}, where the build keeps the runs behind {flag} {path}, exists and was "
                         f"not made by d2l-optim build (it has no {records.MARKER} file); move it away, "
                         f"or {advice}")
    return real


def site_edition(folder):
    """The edition of the site a build published in ``folder`` (its marker says), or None."""
    try:
        marker = records.read_json(os.path.join(folder, MARKER))
    except ValueError:
        return None
    return marker.get("edition", EDITIONS[0]) if isinstance(marker, dict) else None


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


def lock_path(folder):
    """The lock file of a site or records folder, beside it (a site's cache shares its site's)."""
    parent, name = os.path.split(folder)
    if name.startswith(".") and name.endswith(CACHE_SUFFIX):
        name = name[1:-len(CACHE_SUFFIX)]
    return os.path.join(parent, f".{name}{LOCK_SUFFIX}")


@contextlib.contextmanager
def folder_locks(folders, wait=True, log=print):
    """Hold the lock of each of ``folders`` for the block (each lock once, taken in one order, so two
    builds never wait for each other); wait for another build, or refuse (UsageError)."""
    held = {}
    for folder in folders:
        held.setdefault(lock_path(folder), folder)
    with contextlib.ExitStack() as stack:
        for path in sorted(held):
            stack.enter_context(_lock(path, held[path], wait, log))
        yield


@contextlib.contextmanager
def _lock(path, folder, wait, log):
    import filelock

    os.makedirs(os.path.dirname(path), exist_ok=True)
    lock = filelock.FileLock(path)
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        if not wait:
            raise UsageError(f"another d2l-optim build is publishing into {folder} (lock {path}); "
                             f"wait for it, or run without --no-wait to queue behind it") from None
        log(f"waiting for another d2l-optim build into {folder} to finish (lock {path})")
        lock.acquire()
    try:
        yield path
    finally:
        with contextlib.suppress(OSError):  # removed while held: a build waiting takes a new one
            os.unlink(path)
        lock.release()


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


def site_code_fingerprint():
    """A digest of the code that plans, compares and writes the site (what is not a record's source)
    and of the Sphinx packages."""
    contents = []
    for name, path in records.package_files():
        if not records.is_source(name):
            with open(path, "rb") as file:
                contents.append(name.encode() + b"\0" + file.read())
    return records.digest(*contents, *(f"{d}=={records.distribution_version(d)}" for d in SITE_DISTRIBUTIONS))


def run_keys(source_dir, sections, backends, source):
    """``{(section, backend): key}`` over everything that shapes a run's output, the explorer's runs
    (section :data:`~d2l_optim.build.records.EXPLORER`) first; ``source`` is the records' source
    (:func:`~d2l_optim.build.records.source_files`)."""
    shared = records.digest(records.source_digest(source), sys.version,
                            *(f"{d}=={records.distribution_version(d)}" for d in records.RUN_DISTRIBUTIONS))
    frameworks = {b: records.framework_version(b) for b in backends}
    keys = {(records.EXPLORER, b): records.digest(records.EXPLORER, b, frameworks[b], shared)
            for b in backends}
    for section in sections:
        with open(os.path.join(source_dir, f"{section}.py"), "rb") as file:
            script = file.read()
        for backend in backends:
            keys[section, backend] = records.digest(script, backend, frameworks[backend], shared)
    return keys
