"""Run records: what a run of a section (or of the optimizer explorer) on one backend left, written
to describe itself, in a records folder that any number of environments and machines fill and that
``d2l-optim assemble`` merges into one site.

A records folder::

    records.json                   its marker: the d2l-optim version and the source its runs were
                                   made from (a hash per file, so a mismatch names the files)
    <section>/section.py           the section's script, as it ran
    <section>/<backend>/run.json   the run record (:class:`RunRecord`)
    <section>/<backend>/...        the executed notebook (its text cleaned where it ran, see
                                   :mod:`~d2l_optim.build.published`), the figures (SVG, PNG), their
                                   data (figure-data.json), whatever else the run saved in its folder
    explorer/<backend>/run.json    the optimizer explorer's run record
    explorer/<backend>/paths.json  its paths (:mod:`~d2l_optim.build.explorer`)

A run record names its environment (:func:`environment`: Python, the platform, NumPy, the framework),
its cache key, the hash of the script it ran and of every file of its folder. Every JSON file the
build trusts is sealed (it holds the hash of its own content, :func:`write_sealed_json`), so a record
changed or damaged since it was written is told from a good one.

The *source* of a record is the code behind it: the library (every file of ``d2l_optim`` and its
backends but the sections, which each record names on its own, and the command line) and the build's
modules that run inside a run or make its record (:data:`RUN_SIDE`). The rest of the build plans,
assembles and publishes: changing a page's layout changes no record.
"""
import dataclasses
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
from typing import Optional

import d2l_optim
from d2l_optim import _registry

MARKER = "records.json"
SCRIPT = "section.py"
RUN = "run.json"
#: the folder of the optimizer explorer's runs (a name the sections may not take)
EXPLORER = "explorer"
#: the build's modules whose code runs in a run (the runner, a notebook kernel, the explorer's
#: computation, the export of figures for slides) or makes its record (the cleaning of what it
#: printed). They import no other module of
#: the build (tests/test_architecture.py checks it), so a record's source is all the code behind it.
RUN_SIDE = ("bounds.py", "published.py", "runner.py", "explorer.py", "figure_export.py")
#: the distributions besides the framework whose versions shape what a run prints and draws
RUN_DISTRIBUTIONS = ("numpy", "matplotlib", "autograd", "jupytext", "nbclient", "ipykernel")
STATUSES = ("ok", "failed")


def digest(*parts):
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part if isinstance(part, bytes) else str(part).encode())
        hasher.update(b"\0")
    return hasher.hexdigest()[:20]


def file_hash(path):
    hasher = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def hash_files(folder, skip=()):
    """``{relative path: sha256}`` of every file under ``folder`` but those named in ``skip``."""
    hashes = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            relative = os.path.relpath(path, folder)
            if relative not in skip:
                hashes[relative] = file_hash(path)
    return hashes


def first_changed_file(folder, hashes, also_listed=None):
    """A note naming the first file of ``hashes`` that is missing or changed under ``folder``, or None.
    With ``also_listed`` (names checked otherwise), a file that neither lists is a change too."""
    for relative, expected in sorted(hashes.items()):
        path = os.path.join(folder, relative)
        if not os.path.isfile(path):
            return f"{path} is missing"
        if file_hash(path) != expected:
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


def package_files():
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
                    yield os.path.relpath(path, os.path.dirname(root)).replace(os.sep, "/"), path


def is_source(name):
    """Whether the package file ``name`` (``d2l_optim/ops.py``) is part of a record's source."""
    parts = name.split("/")
    if parts[0] != "d2l_optim":
        return True  # a backend
    return not (parts[1:] == ["__main__.py"] or parts[1] == "build" and parts[-1] not in RUN_SIDE)


def source_files():
    """``{file: sha256}`` of the source of a record (see the module doc)."""
    return {name: file_hash(path) for name, path in package_files() if is_source(name)}


def source_digest(files):
    return digest(*(f"{name} {sha}" for name, sha in sorted(files.items())))


def source_difference(first, second, first_name, second_name, shown=8):
    """The files in which two sources (``{file: sha256}``) differ, named: ``d2l_optim/ops.py differs;
    d2l_optim/new.py is only in <second_name>``."""
    differing = [f"{name} differs" for name in sorted(first.keys() & second.keys())
                 if first[name] != second[name]]
    differing += [f"{name} is only in {first_name}" for name in sorted(first.keys() - second.keys())]
    differing += [f"{name} is only in {second_name}" for name in sorted(second.keys() - first.keys())]
    more = f" (and {len(differing) - shown} more)" if len(differing) > shown else ""
    return "; ".join(differing[:shown]) + more


def distribution_version(distribution):
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def framework_version(backend):
    """``distribution==version`` of the first installed distribution that provides the framework."""
    for distribution in _registry.BACKENDS[backend].distributions:
        version = distribution_version(distribution)
        if version:
            return f"{distribution}=={version}"
    return "unknown"


def environment(backend):
    """Where a run on ``backend`` runs: Python, the platform, NumPy, the framework and the other
    distributions of :data:`RUN_DISTRIBUTIONS` (those in the run key)."""
    return {"python": platform.python_version(), "platform": platform.platform(),
            "numpy": distribution_version("numpy"), "framework": framework_version(backend),
            "packages": {name: distribution_version(name) for name in RUN_DISTRIBUTIONS if name != "numpy"}}


def _is_inside(name):
    """Whether a file name a record lists stays inside its run's folder."""
    return (isinstance(name, str) and name and not os.path.isabs(name)
            and ".." not in name.replace("\\", "/").split("/"))


#: the output of one executed code cell, as a run records it
CELL_FIELDS = {"cell": int, "framework": (str, type(None)), "stdout": str, "stderr": str, "figures": list,
               "error": bool}


@dataclasses.dataclass
class RunRecord:
    """What one run (a section, or the explorer, on one backend) left: ``status`` ("ok" or "failed"),
    ``error`` (why it failed), ``seconds``, per executed code cell its output (``cells``, see
    :data:`CELL_FIELDS`: its position in the script, framework tag, stdout, stderr, figure names,
    whether it raised), everything it printed (``stdout``), the section's comparison rules
    (``compare``) and, once the build has recorded it, its cache ``key``, its ``environment``, the
    hash of the section's ``script`` it ran and the hash of every other file of its folder (``files``)."""

    status: str
    error: Optional[str] = None
    seconds: float = 0.0
    cells: list = dataclasses.field(default_factory=list)
    stdout: str = ""
    compare: dict = dataclasses.field(default_factory=lambda: {"lines": [], "figures": {}})
    key: Optional[str] = None
    environment: dict = dataclasses.field(default_factory=dict)
    script: Optional[str] = None
    files: dict = dataclasses.field(default_factory=dict)

    @property
    def ok(self):
        return self.status == "ok"

    @property
    def figures(self):
        return [name for cell in self.cells for name in cell["figures"]]

    @classmethod
    def failed(cls, error, **fields):
        return cls("failed", error, **fields)

    @classmethod
    def from_json(cls, value, where):
        """The record in the JSON value ``value``; ValueError naming ``where`` if it is not one."""
        names = [field.name for field in dataclasses.fields(cls)]
        if not isinstance(value, dict) or "status" not in value or set(value) - set(names):
            raise ValueError(f"{where} is not a run record of this version of d2l-optim")
        record = cls(**value)
        wrong = [name for name, kind in (("status", str), ("error", (str, type(None))),
                                         ("seconds", (int, float)), ("cells", list), ("stdout", str),
                                         ("compare", dict), ("environment", dict), ("files", dict))
                 if not isinstance(getattr(record, name), kind)]
        if record.status not in STATUSES:
            wrong.append("status")
        if not all(isinstance(cell, dict) and cell.keys() == CELL_FIELDS.keys()
                   and all(isinstance(cell[k], kind) for k, kind in CELL_FIELDS.items())
                   for cell in record.cells):
            wrong.append("cells")
        if not all(map(_is_inside, record.files)):
            wrong.append("files")
        if wrong:
            raise ValueError(f"{where} is not a run record of this version of d2l-optim (wrong "
                             f"{', '.join(wrong)})")
        return record

    def to_json(self):
        return dataclasses.asdict(self)

    @property
    def seal(self):
        """The hash of the record's content (what :meth:`write` seals it with)."""
        return _content_digest(self.to_json())

    def write(self, folder):
        """Write the record, sealed, as ``folder/run.json``."""
        write_sealed_json(os.path.join(folder, RUN), self.to_json())

    @classmethod
    def read(cls, folder):
        """The sealed record in ``folder``; None if there is none; ValueError naming the file if it is
        unreadable, not a record, or changed since it was written."""
        path = os.path.join(folder, RUN)
        value = read_sealed_json(path)
        return None if value is None else cls.from_json(value, path)

    def changed_file(self, folder):
        """A note naming the first file of the run in ``folder`` that is missing, changed or not
        listed, or None when they all check out."""
        return first_changed_file(folder, self.files, also_listed={RUN})


def write_marker(folder, source):
    """Mark ``folder`` as a records folder made from ``source`` (``{file: sha256}``)."""
    write_sealed_json(os.path.join(folder, MARKER), {
        "made by": "d2l-optim build: the records of runs, for d2l-optim assemble; replaced by the next "
                   "build into this folder",
        "package": d2l_optim.__version__, "source": source})


def read_marker(folder):
    """The marker of the records folder ``folder``: None if it has none; ValueError naming the file if
    it is unreadable or changed."""
    path = os.path.join(folder, MARKER)
    marker = read_sealed_json(path)
    if marker is not None and not (isinstance(marker.get("source"), dict) and "package" in marker):
        raise ValueError(f"{path} is not the marker of a records folder of this version of d2l-optim")
    return marker
