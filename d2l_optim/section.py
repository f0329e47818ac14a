"""Running a section example as a script or as a notebook.

``python examples/gd.py --backend mxnet --out DIR`` runs the section on MXNet and saves its
figures as SVG (for the web) and PNG (for slides) into DIR, with the data each one plots in
``DIR/figure-data.json`` (so that runs on different backends can be compared). In a notebook the
same code picks the backend from ``D2L_OPTIM_BACKEND`` and shows the figures inline.

Framework cells: a cell tagged ``framework-torch`` (``# %% tags=["framework-torch"]``) runs only on
that backend. A script that has cells for other frameworks than the active one runs itself through
its cells: ``Section(...)`` executes the file again from the top with those cells left out, then
exits (so keep ``section = d2l.Section(...)`` at the top of the first cell, after the imports).

Comparison rules: ``section.compare(pattern, ...)`` and ``section.save(..., compare=...)`` declare
how a printed value or a figure may differ between backends (``d2l_optim.build.compare``); they are
written to ``<out>/compare.json`` for the course build's consistency check.
"""
import argparse
import json
import os
import sys

from d2l_optim import _config, plotting
from d2l_optim.build import cells
from d2l_optim.build import compare as policy

_running_cells = False  # True while a script runs itself through its cells


class Section:
    """A section's run: the backend it uses and where its figures go.

    Command-line options (``sys.argv``; unknown ones, such as a Jupyter kernel's, are ignored):
    ``--backend NAME`` (default: ``D2L_OPTIM_BACKEND`` or numpy) and ``--out DIR`` (default:
    ``D2L_OPTIM_OUT``, which the course build sets; without either, figures are only shown).
    """

    def __init__(self, name, argv=None):
        parser = argparse.ArgumentParser(prog=f"examples/{name}.py",
                                         description=f"Run the {name} section of the chapter.")
        parser.add_argument("--backend", default=None, help=f"one of: {', '.join(_config.BACKENDS)} "
                                                             f"(default: {_config.DEFAULT_BACKEND})")
        parser.add_argument("--out", default=None,
                            help="folder to save the figures into (SVG and PNG)")
        args, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
        self.name = name
        self.backend = _config.set_backend(args.backend or _config.get_backend())
        self.out = args.out or os.environ.get("D2L_OPTIM_OUT")
        if self.out:
            os.makedirs(self.out, exist_ok=True)
        self.figures, self._encoded = {}, {}
        self.rules = {"lines": [], "figures": {}}
        self._write_rules()
        caller = sys._getframe(1).f_globals
        if caller.get("__name__") == "__main__" and not plotting.in_notebook():
            _run_own_cells(caller, self.backend)

    def compare(self, pattern, kind=None, *, rtol=None, atol=None):
        """Declare how printed lines matching ``pattern`` (a regular expression) may differ between
        backends: the numbers inside its groups (or its whole match, without groups) are compared
        ``"exact"``, within ``rtol``/``atol`` (``|a - b| <= atol + rtol |b|``), or not at all
        (``"framework"``: framework-specific, ``"timing"``: a measurement). Numbers no declaration
        covers are compared exactly. Example: ``section.compare(r"loss: (\\S+),", atol=1e-3)``.
        """
        declaration = policy.line_rule(pattern, kind, rtol, atol)
        if declaration not in self.rules["lines"]:
            self.rules["lines"].append(declaration)
        self._write_rules()

    def save(self, figure, name, compare=None):
        """Save a figure (an Axes or an Animator too) as ``<out>/<name>.svg`` and ``.png`` with ``--out``.

        ``compare`` says how its plotted data may differ between backends: ``"exact"``,
        ``"framework"``, ``"timing"`` or ``{"rtol": ..., "atol": ...}`` (default: rtol and atol 1e-5,
        relative to the figure's largest value). Saving under a name again (re-running a notebook
        cell) replaces that figure. Returns None, so a notebook cell ending in a save shows the
        figure only.
        """
        if compare is not None:
            self.rules["figures"][name] = list(policy.rule(compare))
            self._write_rules()
        self.figures[name] = plotting.figure_data(figure)
        if self.out:
            for suffix in (".svg", ".png"):
                plotting.save_figure(figure, os.path.join(self.out, name + suffix))
            # each figure's data is encoded once: the file is rewritten at every save
            self._encoded[name] = json.dumps(self.figures[name])
            with open(os.path.join(self.out, "figure-data.json"), "w") as file:
                entries = (f"{json.dumps(key)}: {text}" for key, text in self._encoded.items())
                file.write("{" + ", ".join(entries) + "}")
            if plotting.in_notebook():  # show the saved SVG, tagged so the course build finds it
                from IPython.display import SVG, display

                # an Animator's live display is replaced, so the figure is shown once
                handle = getattr(figure, "display_handle", None)
                show = display if handle is None else handle.update
                show(SVG(filename=os.path.join(self.out, f"{name}.svg")),
                     metadata={"d2l_optim": {"figure": name}})
            plotting.close(figure)

    def _write_rules(self):
        if self.out:
            with open(os.path.join(self.out, "compare.json"), "w") as file:
                json.dump(self.rules, file)


def _run_own_cells(namespace, backend):
    """Run the calling script again without other frameworks' cells, then exit (see the module doc)."""
    global _running_cells
    path = namespace.get("__file__")
    if _running_cells or not path or not path.endswith(".py"):
        return
    with open(path, encoding="utf-8") as file:
        text = file.read()
    if not cells.frameworks(text) - {backend}:
        return  # nothing to leave out: the script goes on as it is
    _running_cells = True
    exec(compile(cells.runnable_source(text, backend), path, "exec"), namespace)
    raise SystemExit(0)

