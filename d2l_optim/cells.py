"""The cells of a section script (jupytext percent format): the framework each is for, whether the
reader sees it, and the names of the figures it draws.

A cell's ``# %%`` line carries its metadata as jupytext writes it, ``key=[...]`` (JSON lists):

- ``tags=["framework-torch"]`` (likewise ``framework-<name>`` for every registered backend): code
  for that backend only. The build runs it only on that backend, a script runs it only when that
  backend is active, and the site shows it in the framework's tab.
- ``tags=["remove-cell"]`` (Jupyter Book's tag for "run, but do not show"): the section's setup,
  which the build and the script run and no page or published notebook shows.
- ``figures=["gd-lr-0.05", "gd-lr-1.1"]``: the names of the figures the cell draws, in the order
  it draws them (:class:`d2l_optim.Section` saves them under these names).

Imports nothing but the backend registry, so a section script can use it without the course extra.
"""
import json
import re
from typing import NamedTuple, Optional, Tuple

from d2l_optim import _registry

TAG_PREFIX = "framework-"
HIDDEN_TAG = "remove-cell"
MAX_NAME_LENGTH = 100
#: a plain name (a section's file name, a figure's name): a letter or digit, then letters, digits,
#: ``-`` and ``_``, and ``.`` only between two digits (``gd-lr-0.2``), at most 100 characters; never
#: a path, a quote, a space or ``..``
PLAIN_NAME = re.compile(rf"[A-Za-z0-9](?:[A-Za-z0-9_-]|(?<=[0-9])\.(?=[0-9])){{0,{MAX_NAME_LENGTH - 1}}}")
MARKER = re.compile(r"^# %%(.*)$")
METADATA = re.compile(r"\b(tags|figures)=(\[[^\]]*\])")


def is_plain_name(name):
    """Whether ``name`` is plain (:data:`PLAIN_NAME`): safe as a file name, in a URL and in HTML."""
    return isinstance(name, str) and PLAIN_NAME.fullmatch(name) is not None


def framework_of(tags):
    """The backend a cell's tags reserve it for (``framework-torch`` -> ``"torch"``), or None."""
    names = [tag[len(TAG_PREFIX):] for tag in tags or () if tag.startswith(TAG_PREFIX)]
    unknown = [name for name in names if name not in _registry.BACKENDS]
    if unknown:
        raise ValueError(f"unknown cell tag {TAG_PREFIX}{unknown[0]!s}; the framework tags are "
                         + ", ".join(TAG_PREFIX + name for name in _registry.BACKENDS))
    if len(names) > 1:
        raise ValueError(f"a cell is for one framework, but it is tagged {', '.join(names)}")
    return names[0] if names else None


def is_hidden(tags):
    """Whether a cell's tags hide it from the reader (``remove-cell``: run, never shown)."""
    return HIDDEN_TAG in (tags or ())


def check_figure_name(name, where):
    """``name`` if it is a plain figure name (it becomes a file name), else ValueError naming ``where``."""
    if not is_plain_name(name):
        raise ValueError(f"{where}: figure name {name!r} is not allowed; use letters, digits, '-', '_' "
                         f"and '.' between digits (as in gd-lr-0.05), at most {MAX_NAME_LENGTH} "
                         "characters")
    return name


def figure_names(names, where):
    """The figure names a cell declares (its ``figures`` metadata, None when it has none), checked."""
    if names is None:
        return ()
    if not isinstance(names, (list, tuple)):
        raise ValueError(f"{where}: figures must be a list of names, as in "
                         f'figures=["gd-lr-0.05", "gd-lr-1.1"], got {names!r}')
    names = tuple(check_figure_name(name, where) for name in names)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"{where}: figure name {repeated[0]!r} is given twice; name each figure once")
    return names


def describe(position, source):
    """How an error names a cell: its number in the script (from 1) and its first line of code."""
    lines = [line for line in source.splitlines() if line.strip() and not MARKER.match(line)]
    return f"cell {position + 1} ({lines[0].strip()!r})" if lines else f"cell {position + 1}"


class Cell(NamedTuple):
    """One cell: ``kind`` (code or markdown), ``framework`` (None: every backend), its lines
    ``[start, end)`` in the file, the ``# %%`` line included, its tags and declared figure names."""

    kind: str
    framework: Optional[str]
    start: int
    end: int
    tags: Tuple[str, ...] = ()
    figures: Tuple[str, ...] = ()

    @property
    def hidden(self):
        return is_hidden(self.tags)


def _metadata(header, where):
    found = {}
    for key, value in METADATA.findall(header):
        try:
            found[key] = json.loads(value)
        except ValueError:
            raise ValueError(f"{where}: cannot read {key}={value} (a JSON list of strings, as in "
                             f'{key}=["a", "b"])') from None
    return found


def split(text):
    """The cells of a percent-format script (lines before the first ``# %%`` form a code cell).

    ValueError, naming the cell, for an unknown framework tag or a figure name that is not plain.
    """
    lines = text.splitlines()
    cells, start, header = [], 0, ""
    for number, line in enumerate(lines + ["# %%"]):
        found = MARKER.match(line)
        if found is None:
            continue
        if number > start and (cells or any(lines[start:number])):
            where = f"line {start + 1}, " + describe(len(cells), "\n".join(lines[start:number]))
            metadata = _metadata(header, where)
            tags = tuple(metadata.get("tags") or ())
            kind = "markdown" if re.match(r"\s*\[(markdown|md)\]", header) else "code"
            try:
                framework = framework_of(tags)
            except ValueError as error:
                raise ValueError(f"{where}: {error}") from None
            cells.append(Cell(kind, framework, start, number, tags,
                              figure_names(metadata.get("figures"), where)))
        start, header = number, found.group(1)
    return cells


def code_cells(text, backend):
    """The code cells that run on ``backend``, in order, as (position in the script, Cell)."""
    return [(position, cell) for position, cell in enumerate(split(text))
            if cell.kind == "code" and cell.framework in (None, backend)]
