"""What a run may leave for the site: what it printed is untrusted text, and its names must be plain.

:class:`Published` removes ANSI codes and control characters (a carriage return keeps what a
terminal would show), writes the folders of the machine it ran on as names (``<sources>``,
``<python>``, ...) instead of spelling them out, and fails a run that names a figure with a name that
is not plain (:func:`~d2l_optim.cells.is_plain_name`), leaving the figure out. The build cleans a
run's record and notebook so where the run ran (only that machine knows its folders), before they go
into the records; the assembly cleans them again, and the pages write the text escaped
(:mod:`~d2l_optim.build.site`).
"""
import dataclasses
import importlib.util
import os
import re
import sys
import sysconfig
import tempfile

import nbformat

import d2l_optim
from d2l_optim import cells

#: an ANSI escape sequence: colours and cursor moves (CSI), terminal titles and links (OSC), the rest
ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
#: control characters, but for newline and tab
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def package_folders():
    """(module, real path) of each folder the build imports or fingerprints: the package, its
    backends and its sections."""
    found = [("d2l_optim", os.path.dirname(d2l_optim.__file__))]
    for module in ("d2l_optim.backends", "d2l_optim.examples"):
        spec = importlib.util.find_spec(module)
        if spec is not None:
            found += [(module, folder) for folder in spec.submodule_search_locations or ()]
    return [(module, os.path.realpath(folder)) for module, folder in found]


class Published:
    """What the site publishes of a run's text: no ANSI codes or control characters (a carriage
    return keeps what a terminal would show), and this machine's folders (the sections' folder
    ``source_dir``, the output's folder, the package, Python's, the home and temporary folders)
    named, not spelled out."""

    def __init__(self, source_dir, out):
        names = [*([(source_dir, "<sources>")] if source_dir else []),
                 (os.path.dirname(out), "<output folder>"),
                 *((folder, f"<{module}>") for module, folder in package_folders()),
                 *((sysconfig.get_paths()[key], "<site-packages>") for key in ("purelib", "platlib")),
                 *((prefix, "<python>") for prefix in (sys.prefix, sys.base_prefix, sys.exec_prefix)),
                 (os.path.expanduser("~"), "~"), (tempfile.gettempdir(), "<tmp>")]
        self.names = {}
        for folder, name in names:
            for spelling in (os.path.abspath(folder), os.path.realpath(folder)):
                if len(spelling) > 1:
                    self.names.setdefault(spelling, name)
        self.folders = re.compile("|".join(map(re.escape, sorted(self.names, key=len, reverse=True)))
                                  + r"(?![\w.-])")

    def text(self, text):
        text = ANSI.sub("", text)
        if "\r" in text:  # keep what a terminal shows: the text after a line's last carriage return
            text = "\n".join(line.rstrip("\r").rsplit("\r", 1)[-1] for line in text.split("\n"))
        return self.folders.sub(lambda found: self.names[found.group()], CONTROL.sub("", text))

    def record(self, record):
        """A copy of a run record (:class:`~d2l_optim.build.records.RunRecord`) fit to publish: its
        text cleaned; a figure name that is not plain is left out and fails the run."""
        shown = [{**cell, "stdout": self.text(cell["stdout"]), "stderr": self.text(cell["stderr"]),
                  "figures": [name for name in cell["figures"] if cells.is_plain_name(name)]}
                 for cell in record.cells]
        refused = sorted({name for name in record.figures if not cells.is_plain_name(name)})
        status, error = record.status, record.error
        if refused:
            why = (f"figure name(s) {refused} are not plain, so they were not published: name a figure "
                   "with letters, digits, - and _ (and . between two digits), e.g. gd-lr-0.2")
            status, error = "failed", "\n\n".join(filter(None, (error, why)))
        return dataclasses.replace(record, status=status, error=error and self.text(error), cells=shown,
                                   stdout="".join(cell["stdout"] for cell in shown))

    def notebook(self, notebook):
        """The executed ``notebook`` (nbformat), its printed text and errors cleaned, in place."""
        for cell in notebook.cells:
            for output in cell.get("outputs", []):
                if output.output_type == "stream":
                    output.text = self.text(output.text)
                elif output.output_type == "error":
                    output.evalue = self.text(output.evalue)
                    output.traceback = [self.text(line) for line in output.traceback]
        return notebook

    def clean_notebook_file(self, path):
        """Rewrite the executed notebook ``path`` with its text cleaned (see :meth:`notebook`)."""
        nbformat.write(self.notebook(nbformat.read(path, as_version=4)), path)
