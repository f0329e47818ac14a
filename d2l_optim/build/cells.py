"""The cells of a section script (jupytext percent format) and the framework each one is for.

A cell whose ``# %%`` line carries ``tags=["framework-torch"]`` (likewise ``framework-<name>`` for
every registered backend) holds code for that backend only: the build runs it only on
that backend, a script runs it only when that backend is active, and the site shows it in the
framework's tab. Imports nothing but the backend registry, so a section script can use it without
the course extra.
"""
import json
import re
from typing import NamedTuple, Optional

from d2l_optim import _registry

TAG_PREFIX = "framework-"
MARKER = re.compile(r"^# %%(.*)$")
TAGS = re.compile(r"\btags=(\[[^\]]*\])")


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


class Cell(NamedTuple):
    """One cell: ``kind`` (code or markdown), ``framework`` (None: every backend) and its lines
    ``[start, end)`` in the file, the ``# %%`` line included."""

    kind: str
    framework: Optional[str]
    start: int
    end: int


def split(text):
    """The cells of a percent-format script (lines before the first ``# %%`` form a code cell)."""
    lines = text.splitlines()
    cells, start, header = [], 0, ""
    for number, line in enumerate(lines + ["# %%"]):
        found = MARKER.match(line)
        if found is None:
            continue
        if number > start and (cells or any(lines[start:number])):
            tags = TAGS.search(header)
            kind = "markdown" if re.match(r"\s*\[(markdown|md)\]", header) else "code"
            cells.append(Cell(kind, framework_of(json.loads(tags.group(1)) if tags else ()), start, number))
        start, header = number, found.group(1)
    return cells


def runnable_source(text, backend):
    """``text`` with the code cells of other frameworks blanked (line numbers kept, for tracebacks)."""
    lines = text.splitlines()
    for cell in split(text):
        if cell.framework not in (None, backend):
            lines[cell.start:cell.end] = [""] * (cell.end - cell.start)
    return "\n".join(lines) + "\n"


def frameworks(text):
    """The frameworks that have cells of their own in ``text``."""
    return {cell.framework for cell in split(text)} - {None}
