"""What the site publishes of a run: what it printed is untrusted text, and its names must be plain.

:class:`Published` removes ANSI codes and control characters (a carriage return keeps what a
terminal would show), writes the build machine's folders as names (``<sources>``, ``<python>``,
...) instead of spelling them out, and fails a run that names a figure with a name that is not plain
(:func:`~d2l_optim.cells.is_plain_name`), leaving the figure out. The pages then write the text
escaped (:mod:`~d2l_optim.build.site`).
"""
import copy
import os
import re
import sys
import sysconfig
import tempfile

import nbformat

from d2l_optim import cells
from d2l_optim.build import plan
from d2l_optim.build.runner import ANSI

#: control characters, but for newline and tab
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class Published:
    """What the site publishes of a run's text: no ANSI codes or control characters (a carriage
    return keeps what a terminal would show), and the build machine's folders (the sources, the
    output's folder, the package, Python's, the home and temporary folders) named, not spelled out."""

    def __init__(self, source_dir, out):
        names = [(source_dir, "<sources>"), (os.path.dirname(out), "<output folder>"),
                 *((folder, f"<{module}>") for module, folder in plan.package_folders()),
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
        """A copy of a run record fit to publish: its text cleaned; a figure name that is not plain
        is left out and fails the run."""
        record = copy.deepcopy(record)
        for cell in record["cells"]:
            cell["stdout"], cell["stderr"] = self.text(cell["stdout"]), self.text(cell["stderr"])
        refused = sorted({name for cell in record["cells"] for name in cell["figures"]
                          if not cells.is_plain_name(name)})
        if refused:
            for cell in record["cells"]:
                cell["figures"] = [name for name in cell["figures"] if cells.is_plain_name(name)]
            why = (f"figure name(s) {refused} are not plain, so they were not published: name a figure "
                   "with letters, digits, - and _ (and . between two digits), e.g. gd-lr-0.2")
            record.update(status="failed", error="\n\n".join(filter(None, (record.get("error"), why))))
        record["stdout"] = "".join(cell["stdout"] for cell in record["cells"])
        record["error"] = record["error"] and self.text(record["error"])
        return record

    def notebook(self, source, target):
        """Copy an executed notebook, its printed text cleaned, without its hidden cells and without
        the figures the section saved (they are on the page)."""
        notebook = nbformat.read(source, as_version=4)
        notebook.cells = [cell for cell in notebook.cells if not cells.is_hidden(cell.metadata.get("tags"))]
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            cell.outputs = [output for output in cell.outputs
                            if not output.get("metadata", {}).get("d2l_optim", {}).get("figure")]
            for output in cell.outputs:
                if output.output_type == "stream":
                    output.text = self.text(output.text)
                elif output.output_type == "error":
                    output.evalue = self.text(output.evalue)
                    output.traceback = [self.text(line) for line in output.traceback]
        nbformat.write(notebook, target)
