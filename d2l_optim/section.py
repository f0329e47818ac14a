"""Running a section example as a script or as a notebook, with its build plumbing out of sight.

A section (``examples/*.py``, jupytext percent format) shows its reader only the code a student
would write. What the build needs sits in one hidden setup cell, tagged ``remove-cell`` (Jupyter
Book's tag for "run, but do not show"), before the first code cell::

    # %% tags=["remove-cell"]
    import d2l_optim as d2l

    section = d2l.Section("adam")
    section.compare(r"loss: (\\S+),", atol=1.5e-3)             # a printed number's tolerance
    section.compare(r"(\\S+) sec/epoch", "timing")              # a measurement: never compared
    section.compare_figures(["train-adam", "train-yogi"], atol=1e-4)
    section.compare_figures("train-concise", "framework")

The build and ``python examples/adam.py`` run it; the site's pages and every published notebook
leave it out. ``compare`` and ``compare_figures`` declare how a printed value or a figure may differ
between backends (:mod:`d2l_optim.compare`); they are written to ``<out>/compare.json``.

Figures are saved without a call in the lesson: after each cell, every figure the cell drew (a
pyplot figure, so every Axes a plotting helper returns, and every :class:`~d2l_optim.Animator`
made in the cell) is saved as ``<out>/<name>.svg`` and ``.png``, with the data it plots in
``<out>/figure-data.json``, and closed. The names come from the cell's header, in the order the
cell draws the figures (a loop drawing two figures names both)::

    # %% figures=["gd-lr-0.05", "gd-lr-1.1"]

A name is letters, digits, ``-`` and ``_``, with ``.`` only between digits (``gd-lr-0.05``). A
cell that draws figures and names none gets ``cell-N`` for its first figure and ``cell-N-2``,
``cell-N-3``, ... for the next, N the cell's number in the script counted from 1 (markdown cells
included): stable while no cell is added above it, so give figures that matter a name. A cell
that names a different number of figures than it draws is an error that names the cell.

Run modes:

- ``python examples/gd.py --backend mxnet --out DIR``: ``Section(...)`` runs the script again
  cell by cell (the cells tagged for other frameworks left out), saves each cell's figures into
  DIR, then exits. Without ``--out`` (or ``D2L_OPTIM_OUT``) nothing is written.
- The course build runs the section as a notebook (:mod:`d2l_optim.build.runner`), which writes
  the plan of its code cells (source, position, figure names) to the file ``D2L_OPTIM_CELLS``
  names: ``Section(...)`` then has IPython save each later cell's figures at the end of the
  cell, and show the saved SVG, tagged with its name, in the cell's output.
- Anywhere else (a student's Jupyter, an interactive Python) nothing is captured: figures show
  as they always do.
"""
import argparse
import ast
import json
import os
import sys

from d2l_optim import _config, cells, plotting
from d2l_optim import compare as policy

_active = None  # the Section made last: the one that saves each cell's figures
_running_script = False  # True while a script runs itself cell by cell
_kernel = {"plan": [], "cell": None}  # the build's notebook: the cells to come and the running one
UNPLANNED = "unplanned"
#: functions called with (figure, name) for every figure a section saves, before it is closed
#: (``d2l-optim figures`` exports each one for slides this way)
figure_hooks = []


def default_figure_names(position, count):
    """The names of ``count`` figures drawn by the cell at ``position`` (from 0) that names none."""
    return [f"cell-{position + 1}" + (f"-{k + 1}" if k else "") for k in range(count)]


class Section:
    """A section's run: the backend it uses, where its figures go and how backends may differ.

    Command-line options (``sys.argv``; unknown ones, such as a Jupyter kernel's, are ignored):
    ``--backend NAME`` (default: ``D2L_OPTIM_BACKEND`` or numpy) and ``--out DIR`` (default:
    ``D2L_OPTIM_OUT``, which the course build sets; without either, no file is written).
    """

    def __init__(self, name, argv=None):
        global _active
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
        self._encoded, self._drawn_by = {}, {}
        self.rules = {"lines": [], "figures": {}}
        self._write_rules()
        _active = self
        if plotting.in_notebook():
            _watch_kernel(self.out)
            return
        caller = sys._getframe(1).f_globals
        if caller.get("__name__") == "__main__" and not _running_script:
            _run_script(caller, self.backend)

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

    def compare_figures(self, names, kind=None, *, rtol=None, atol=None):
        """Declare how the data of the figures ``names`` (a name or a list of names) may differ
        between backends: ``"exact"``, ``"framework"``, ``"timing"`` or within ``rtol``/``atol``,
        ``rtol`` relative to the figure's largest value. Without a declaration a figure must agree
        within rtol 1e-5 + atol 1e-5. Example: ``section.compare_figures("train-adam", atol=1e-4)``.
        """
        tolerance = list(policy.rule(kind, rtol, atol))
        for name in [names] if isinstance(names, str) else names:
            self.rules["figures"][cells.check_figure_name(name, f"compare_figures({names!r})")] = tolerance
        self._write_rules()

    def _save_cell_figures(self, names, position, where):
        """Save every figure drawn since the last call under ``names`` (the cell's declaration;
        empty: the default names) and close it; ``position`` and ``where`` identify the cell."""
        drawn = plotting.take_drawn_figures()
        if names and len(names) != len(drawn):
            raise ValueError(f"{where} names {len(names)} figure(s), {', '.join(names)}, but draws "
                             f"{len(drawn)}: name every figure the cell draws, in the order it draws "
                             'them, in its header (# %% figures=["first", "second"])')
        for name, figure in zip(names or default_figure_names(position, len(drawn)), drawn):
            other = self._drawn_by.setdefault(name, position)
            if other != position:
                raise ValueError(f"{where} draws figure {name!r}, which cell {other + 1} drew already; "
                                 "give each figure its own name")
            self._save(figure, name)

    def _save(self, figure, name):
        """Save ``figure`` (a Figure or an Animator) as ``<out>/<name>.svg`` and ``.png``, with its
        data in ``figure-data.json``, show the saved SVG in a notebook, and close it."""
        if self.out:
            for suffix in (".svg", ".png"):
                plotting.save_figure(figure, os.path.join(self.out, name + suffix))
            # each figure's data is encoded once: the file is rewritten at every save
            self._encoded[name] = json.dumps(plotting.figure_data(figure))
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
        for hook in figure_hooks:
            hook(figure, name)
        plotting.close(figure)

    def _write_rules(self):
        if self.out:
            with open(os.path.join(self.out, "compare.json"), "w") as file:
                json.dump(self.rules, file)


def check_figure_rules(figure_rules, drawn):
    """ValueError if ``figure_rules`` (name -> rule) names a figure not in ``drawn`` (the figures
    this run drew and those the section's other frameworks' cells declare): a misspelt name would
    leave its figure under the default rule."""
    unknown = [name for name in figure_rules if name not in drawn]
    if unknown:
        raise ValueError(f"compare_figures names {', '.join(map(repr, unknown))}, but no cell draws a "
                         f"figure of that name (drawn: {', '.join(drawn) or 'none'})")


def declared_figures(text):
    """The figure names that the cells of a section's source ``text`` declare, every framework's."""
    return [name for cell in cells.split(text) for name in cell.figures]


def _run_script(namespace, backend):
    """Run the calling script again cell by cell, without other frameworks' cells, saving each
    cell's figures after it; then exit (see the module doc)."""
    global _running_script
    path = namespace.get("__file__")
    if not path or not path.endswith(".py"):
        return
    with open(path, encoding="utf-8") as file:
        text = file.read()
    try:
        planned = cells.code_cells(text, backend)
    except ValueError as error:
        raise ValueError(f"{path}, {error}") from None
    lines = text.splitlines()
    _running_script = True
    plotting.collect_animators()
    for position, cell in planned:
        # blank lines in front keep the script's line numbers in tracebacks
        source = "\n" * cell.start + "\n".join(lines[cell.start:cell.end]) + "\n"
        exec(compile(source, path, "exec"), namespace)
        where = f"{path}, line {cell.start + 1}, " + cells.describe(position, source)
        _active._save_cell_figures(cell.figures, position, where)
    try:
        check_figure_rules(_active.rules["figures"], list(_active._drawn_by) + declared_figures(text))
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
    raise SystemExit(0)


def _watch_kernel(out):
    """In the build's notebook: save each later cell's figures at the end of the cell."""
    plan_file = os.environ.get("D2L_OPTIM_CELLS")
    if not plan_file or not out:
        return  # a student's notebook: figures show inline, nothing is saved
    with open(plan_file, encoding="utf-8") as file:
        _kernel["plan"] = json.load(file)
    shell = sys.modules["IPython"].get_ipython()
    if not any(isinstance(t, _SaveFiguresAtCellEnd) for t in shell.ast_transformers):
        shell.events.register("pre_run_cell", _cell_starts)
        shell.ast_transformers.append(_SaveFiguresAtCellEnd())
    plotting.collect_animators()


def _cell_starts(info):
    """IPython's pre_run_cell: find the running cell in the plan (the build runs them in order)."""
    plan = _kernel["plan"]
    found = next((i for i, entry in enumerate(plan) if entry["source"] == info.raw_cell), None)
    _kernel["cell"] = UNPLANNED if found is None else plan[found]
    del plan[:0 if found is None else found + 1]


def after_cell(value=None):
    """Called at the end of each cell of the build's notebook (see :class:`_SaveFiguresAtCellEnd`):
    save the figures the cell drew; return ``value``, the cell's result."""
    cell, _kernel["cell"] = _kernel["cell"], None
    if cell == UNPLANNED:
        raise RuntimeError("the course build runs only the cells of its plan; this cell is not one")
    if cell is not None and _active is not None:
        where = cells.describe(cell["position"], cell["source"])
        _active._save_cell_figures(cell["figures"], cell["position"], where)
    return value


class _SaveFiguresAtCellEnd(ast.NodeTransformer):
    """Make a cell end with a call of :func:`after_cell` (the cell's last expression passes through
    it, so the cell shows the same result), inside the cell: an error there is the cell's error."""

    def visit_Module(self, module):
        call = ast.parse("__import__('d2l_optim.section', fromlist=['after_cell']).after_cell()",
                         mode="eval").body
        last = module.body[-1] if module.body else None
        if isinstance(last, ast.Expr):
            call.args = [last.value]
            last.value = call
        else:
            module.body.append(ast.Expr(call))
        return ast.fix_missing_locations(module)
