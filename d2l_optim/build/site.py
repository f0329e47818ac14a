"""The course web site: MyST pages built by Sphinx, written once, with each framework's output.

Each section page holds the section's explanation and code, written once, and under every code
cell its output. What every backend printed alike (the same text, with no value the section
declares a timing or framework-specific) and each figure whose plotted data agree under the
section's tolerance (the consistency check, :mod:`~d2l_optim.compare`) are shown once, saying
so; what differs is shown in a tab set with one tab per framework. All tab sets share the sync
group ``framework``: choosing PyTorch anywhere switches every tab on the page, and sphinx-design
keeps the choice in the browser's localStorage, so the next page opens on PyTorch too. A run of
consecutive code cells tagged for single frameworks is shown as one tab set of code, each tab with
that framework's cells and their output. Cells tagged ``solution`` (code or markdown) are folded
into a "Solution" dropdown under their exercise, outputs included; cells tagged ``porting`` (notes
for instructors who port the code between frameworks, whose first line starts
``**For instructors porting code.**``) into a dropdown of that title, the lead dropped. Cells
tagged ``remove-cell`` (the section's setup, see :mod:`d2l_optim.section`) are run but shown
nowhere: not on the page, not in the published notebooks.

What a run printed is untrusted: it is published cleaned (:mod:`~d2l_optim.build.published`), and
every page writes it escaped (in code blocks, or as HTML-escaped attributes).

Each figure and notebook is stored once (:class:`Outputs`): a figure shown once is one SVG,
``figures/<section>/<name>.svg``, the others ``figures/<section>/<backend>/<name>.svg``; the pages
link to them (Sphinx makes no copies), and the executed notebooks keep what they printed but not
the figures (the full ones stay in the records). What every page shares is in
:mod:`~d2l_optim.build.theme`.

A section may have no record on some backend (a gap: no environment that made the site's records
ran it): its page says so at the top and shows the other backends' tabs; the first page's coverage
matrix shows every gap, a backend with no record at all as a column of gaps.
"""
import contextlib
import html
import itertools
import json
import os
import re
import shutil
import sys

import jupytext
import nbformat

from d2l_optim import _registry, cells
from d2l_optim._registry import LABELS
from d2l_optim.build import editions, figure_export, run, theme
from d2l_optim.build.errors import BuildError
from d2l_optim.build.published import CONTROL

WARNING_LOCATION = re.compile(r"^\S*ipykernel_\d+/\d+\.py:\d+: ", re.M)  # a warning's kernel file
#: rules under which a printed value is not compared: a line holding one is never shown once
NOT_COMPARED = ("timing", "framework")
OUTPUT_KINDS = ("stdout", "stderr", "figures")
#: cell tag -> the title of the dropdown that folds each run of consecutive cells so tagged (a
#: rubric, tagged solution too, gets a dropdown of its own)
FOLDS = {"rubric": "Rubric", "solution": "Solution", "porting": "For instructors porting code"}
#: the lead of a folded cell that its dropdown shows as its title instead (group 1)
LEADS = {"rubric": re.compile(r"^\*\*(Rubric \(\d+ points?\))\.\*\*\s*"),
         "porting": re.compile(rf"^\*\*({FOLDS['porting']})\.\*\*\s*")}
#: the site's edition -> the editions of the notebooks it offers as downloads (a zip per framework)
DOWNLOADS = {"instructor": ("instructor", "student", "otter"), "student": ("student",)}
SLIDES_ZIP = "downloads/d2l-optim-figures.zip"


def _fence(text, language="text"):
    ticks = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return f"{ticks}{language}\n{text.rstrip()}\n{ticks}\n"


def _tab_set(items):
    """A synced tab set: ``items`` is a list of (backend, MyST content)."""
    parts = [":::::{tab-set}\n:sync-group: framework\n"]  # the contents nest ::: directives
    for backend, content in items:
        parts.append(f"::::{{tab-item}} {LABELS[backend]}\n:sync: {backend}\n\n{content}\n::::\n")
    parts.append(":::::\n")
    return "\n".join(parts)


def _dropdown(title, content):
    return f"::::::{{dropdown}} {title}\n\n{content}\n::::::\n"  # it nests tab sets


def _and(words):
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _figure(path, description):
    return f'<img src="{html.escape(path)}" alt="{html.escape(description)}" class="d2l-figure">\n'


def _warnings(text):
    return ":::{note}\n" + _fence(WARNING_LOCATION.sub("", text)) + ":::\n"


def _failure(record):
    return ":::{error}\nThis run failed.\n\n" + _fence(record.error or "") + ":::\n"


def _framework(cell):
    return cells.framework_of(cell.metadata.get("tags"))


def _fold(cell):
    """The tag of ``FOLDS`` that folds ``cell`` into a dropdown, or None."""
    return next((tag for tag in FOLDS if tag in (cell.metadata.get("tags") or ())), None)


def _fold_title(fold, cell):
    """The title of the dropdown of ``fold`` whose first cell is ``cell``."""
    lead = LEADS[fold].match(cell.source) if fold in LEADS else None
    return lead.group(1) if lead else FOLDS[fold]


def _without_lead(cell):
    """A markdown cell's source; a porting note or a rubric without its lead, its dropdown's title."""
    fold = _fold(cell)
    return LEADS[fold].sub("", cell.source) if fold in LEADS else cell.source


def _hidden(cell):
    return cells.is_hidden(cell.metadata.get("tags"))


def _failure_position(record, code_positions):
    """Where a failed run shows its error: the cell that raised, else the last one that ran."""
    raised = [cell["cell"] for cell in record.cells if cell["error"]]
    if raised:
        return raised[0]
    if record.cells:
        return record.cells[-1]["cell"]
    return code_positions[0] if code_positions else None


def _shown_position(position, shown):
    """Where the page shows what happened in the cell at ``position``: there, or for a hidden cell
    the next cell the page shows (the last one if none follows)."""
    if position is None or position in shown or not shown:
        return position
    return next((p for p in shown if p > position), shown[-1])


def executed_notebook(path):
    """An executed notebook of the records without the figures the section saved (they are on the
    page): what each edition's published notebook is made from."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [output for output in cell.outputs
                            if not output.get("metadata", {}).get("d2l_optim", {}).get("figure")]
    return notebook


class Outputs:
    """The runs a site shows (``records``: {(section, backend): record}, cleaned by
    :meth:`~d2l_optim.build.published.Published.record` and, in the student edition, without the
    solutions' output; ``folders``: the folder of each run; ``explorer``: {backend: the explorer's
    record}), the consistency report and the site's ``edition``, and where the site publishes each
    figure, notebook and download, once."""

    def __init__(self, sections, backends, records, folders, report, published, explorer,
                 edition="instructor"):
        self.sections, self.backends, self.records, self.folders = sections, backends, records, folders
        self.report, self.published, self.explorer, self.edition = report, published, explorer, edition
        self.downloads = []  # (edition or "figures", backend or None, path): what publish wrote

    def backends_of(self, section):
        """The backends with a record of ``section``, in the site's order."""
        return [b for b in self.backends if (section, b) in self.records]

    def shared(self, section, name):
        """Whether figure ``name`` is shown once: every backend (two or more) that has a record of
        the section ran it and drew it, with data that agree under its declared tolerance."""
        figure = self.report.get(section, {}).get("figures", {}).get(name)
        backends = self.backends_of(section)
        return (len(backends) > 1 and figure is not None and figure["agree"]
                and figure["max_difference"] is not None
                and all(self.records[section, b].ok for b in backends))

    def figure_path(self, section, backend, name):
        if self.shared(section, name):
            return f"figures/{section}/{name}.svg"
        return f"figures/{section}/{backend}/{name}.svg"

    @staticmethod
    def notebook_path(section, backend):
        return f"notebooks/{backend}/{section}.ipynb"

    @staticmethod
    def download_path(edition, backend):
        return f"downloads/d2l-optim-{edition}-{backend}.zip"

    def publish(self, site_dir):
        """Copy each figure (SVG) into the site once, write the printed output, each executed
        notebook in the site's edition and the downloads."""
        for (section, backend), record in self.records.items():
            run_dir = self.folders[section, backend]
            for name in record.figures:
                target = os.path.join(site_dir, self.figure_path(section, backend, name))
                if os.path.exists(os.path.join(run_dir, name + ".svg")) and not os.path.exists(target):
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    shutil.copy(os.path.join(run_dir, name + ".svg"), target)
            outputs = os.path.join(site_dir, "outputs", section)
            os.makedirs(outputs, exist_ok=True)
            with open(os.path.join(outputs, f"{backend}.txt"), "w") as file:
                file.write(record.stdout)
        for backend in self.backends:
            self._publish_notebooks(site_dir, backend)
        if self.edition == "instructor":
            self._publish_slides(site_dir)

    def _publish_notebooks(self, site_dir, backend):
        """Each section's notebook on ``backend``, executed: in the site's edition under notebooks/,
        and in each edition the site offers in a zip (:data:`DOWNLOADS`)."""
        sections = [s for s in sorted(self.sections) if (s, backend) in self.records
                    and os.path.exists(os.path.join(self.folders[s, backend], "notebook.ipynb"))]
        if not sections:
            return
        os.makedirs(os.path.join(site_dir, "downloads"), exist_ok=True)
        with contextlib.ExitStack() as stack:
            zips = {}
            for edition in DOWNLOADS[self.edition]:
                path = self.download_path(edition, backend)
                zips[edition] = stack.enter_context(editions.zip_writer(os.path.join(site_dir, path)))
                self.downloads.append((edition, backend, path))
            for section in sections:
                executed = executed_notebook(os.path.join(self.folders[section, backend], "notebook.ipynb"))
                for edition, add in zips.items():
                    notebook = self.published.notebook(editions.MAKERS[edition](executed, section, backend))
                    add(f"{section}.ipynb", notebook)
                    if edition == self.edition:
                        target = os.path.join(site_dir, self.notebook_path(section, backend))
                        os.makedirs(os.path.dirname(target), exist_ok=True)
                        nbformat.write(notebook, target)

    def _publish_slides(self, site_dir):
        """The figures for slides that the runs on :data:`~d2l_optim.build.figure_export.BACKEND`
        exported, as one zip: ``<section>/<figure>.svg``, ``.png`` and ``.pdf``."""
        backend = figure_export.BACKEND
        runs = [(s, self.folders[s, backend], self.records[s, backend]) for s in sorted(self.sections)
                if (s, backend) in self.records and self.records[s, backend].ok]
        files = [(f"{section}/{name}{suffix}", os.path.join(folder, figure_export.FOLDER, name + suffix))
                 for section, folder, record in runs for name in record.figures
                 for suffix in figure_export.FORMATS]
        files = [(name, path) for name, path in files if os.path.isfile(path)]
        if not files:
            return
        os.makedirs(os.path.join(site_dir, "downloads"), exist_ok=True)
        with editions.zip_writer(os.path.join(site_dir, SLIDES_ZIP)) as add:
            for name, path in files:
                with open(path, "rb") as file:
                    add(name, file.read())
        self.downloads.append(("figures", backend, SLIDES_ZIP))


class _SectionPage:
    """The MyST of one section's cells, with the outputs of its runs on every backend."""

    def __init__(self, section, numbered_cells, outputs):
        self.section, self.outputs, self.backends = section, outputs, outputs.backends_of(section)
        self.records = {b: outputs.records[section, b] for b in self.backends}
        self.gaps = [b for b in outputs.backends if b not in self.backends]
        self.line_rules = outputs.report.get(section, {}).get("rules", {}).get("lines", [])
        code = [(p, c) for p, c in numbered_cells if p is not None and c.cell_type == "code"]
        shown = [p for p, c in code if not _hidden(c)]
        self.failures = {}
        for b in self.backends:
            failed = _failure_position(self.records[b], [p for p, c in code if _framework(c) in (None, b)])
            self.failures[b] = _shown_position(failed, shown)
        self.title = section

    def cells(self, numbered_cells):
        """The MyST of ``[(position, cell)]`` (position None: a cell of the edition's own, which
        has no output): solutions, rubrics and porting notes folded, framework cells in tabs,
        hidden cells left out."""
        numbered_cells = [(p, c) for p, c in numbered_cells if not _hidden(c)]
        parts = []
        for fold, group in itertools.groupby(numbered_cells, key=lambda item: _fold(item[1])):
            group = list(group)
            content = self._plain_cells(group)
            parts.append(_dropdown(_fold_title(fold, group[0][1]), content) if fold else content)
        return "\n".join(parts)

    def _plain_cells(self, numbered_cells):
        lines, group = [], []
        for position, cell in numbered_cells + [(None, None)]:
            if cell is not None and cell.cell_type == "code" and _framework(cell):
                group.append((position, cell))
                continue
            if group:
                lines.append(self._framework_tabs(group))
                group = []
            if cell is None:
                break
            if cell.cell_type == "markdown":
                lines.append(_without_lead(cell) + "\n")
                if position == 0:
                    self.title = cell.source.splitlines()[0].lstrip("# ")
                    lines.append(self._gap_note() + "Download this section as a notebook:\n\n"
                                 + self._downloads())
            elif cell.cell_type == "code":
                lines.append(_fence(cell.source, "python"))
                lines.append(self._output(position))
        return "\n".join(line for line in lines if line)

    def _gap_note(self):
        if not self.gaps:
            return ""
        return (f":::{{note}}\nNot run on {_and([LABELS[b] for b in self.gaps])}: there is no record of "
                "this section there (see the coverage matrix on the first page).\n:::\n\n")

    def _downloads(self):
        what = ("the lesson with the output it printed, and an answer cell and a check for each exercise"
                if self.outputs.edition == "student" else "with the output it printed")
        return _tab_set([(b, f'<a href="{html.escape(self.outputs.notebook_path(self.section, b))}" download>'
                             f"{html.escape(self.section)}.ipynb for {LABELS[b]}</a> ({what}; run it to "
                             "draw the figures)\n")
                         for b in self.backends])

    def _cell(self, backend, position):
        return next((c for c in self.records[backend].cells if c["cell"] == position), None)

    def _backend_output(self, backend, position):
        """Everything ``backend`` printed and drew in the cell at ``position``, or why it did not run."""
        record, cell = self.records[backend], self._cell(backend, position)
        failed_here = not record.ok and position == self.failures[backend]
        if cell is None:
            return _failure(record) if failed_here else "Not run: an earlier cell failed."
        parts = [_fence(cell["stdout"])] if cell["stdout"] else []
        parts += [_warnings(cell["stderr"])] if cell["stderr"] else []
        parts += [self._own_figure(backend, name) for name in cell["figures"]]
        if failed_here:
            parts.append(_failure(record))
        return "\n".join(parts)

    def _output(self, position):
        """A code cell's output: what every backend shares once, with a note, the rest in tabs."""
        if position is None:  # a cell of the edition's own (a student's answer cell): not run
            return ""
        found = {b: self._cell(b, position) for b in self.backends}
        if all(c is not None and not any(c[k] for k in OUTPUT_KINDS) for c in found.values()):
            return ""
        if len(self.backends) < 2 or any(c is None or c["error"] or position == self.failures[b]
                                         and not self.records[b].ok for b, c in found.items()):
            return _tab_set([(b, self._backend_output(b, position)) for b in self.backends])
        same, different = [], {b: [] for b in self.backends}
        for kind, show in (("stdout", _fence), ("stderr", _warnings)):
            texts = {b: c[kind] for b, c in found.items()}
            if len(set(texts.values())) == 1 and not (kind == "stdout" and self._not_compared(texts)):
                same += [show(texts[self.backends[0]])] if texts[self.backends[0]] else []
            else:
                for backend, text in texts.items():
                    different[backend] += [show(text)] if text else []
        for name in dict.fromkeys(n for c in found.values() for n in c["figures"]):
            if all(name in c["figures"] for c in found.values()) and self.outputs.shared(self.section, name):
                same.append(_figure(self.outputs.figure_path(self.section, None, name), name))
                continue
            for backend, cell in found.items():
                if name in cell["figures"]:
                    different[backend].append(self._own_figure(backend, name))
        parts = []
        if same:
            labels = _and([LABELS[b] for b in self.backends])
            parts += [f'<p class="d2l-same">Identical on {labels}:</p>\n', *same]
        shown = [b for b in self.backends if different[b]]
        if len(shown) < len(self.backends) and shown:  # say so: a tab the reader is not on may hold it
            parts.append(f'<p class="d2l-same">Only on {_and([LABELS[b] for b in shown])}:</p>\n')
        if len(shown) == 1:
            parts += different[shown[0]]
        elif shown:
            parts.append(_tab_set([(b, "\n".join(different[b])) for b in shown]))
        return "\n".join(parts)

    def _own_figure(self, backend, name):
        return _figure(self.outputs.figure_path(self.section, backend, name), f"{name} ({LABELS[backend]})")

    def _not_compared(self, texts):
        """Whether a line of ``texts`` holds a value declared a timing or framework-specific."""
        return any(re.search(pattern, line) for pattern, kind, *_ in self.line_rules if kind in NOT_COMPARED
                   for text in texts.values() for line in text.splitlines())

    def _framework_tabs(self, group):
        """One tab per backend: its framework's cells of ``group`` [(position, cell)] and their output."""
        items = []
        for backend in self.backends:
            own = [(p, c) for p, c in group if _framework(c) == backend]
            parts = [f"{_fence(c.source, 'python')}\n" + self._backend_output(backend, p) for p, c in own]
            items.append((backend, "\n".join(parts) or f"No {LABELS[backend]}-specific code in this step."))
        return _tab_set(items)


def section_page(source_file, section, outputs, source_error=None):
    """The MyST page of one section and its title."""
    if source_error:
        return f"# {section}\n\n:::{{error}}\n{_fence(source_error)}:::\n", section
    notebook = jupytext.read(source_file)
    numbered = (editions.student_cells(notebook, section) if outputs.edition == "student"
                else list(enumerate(notebook.cells)))
    page = _SectionPage(section, numbered, outputs)
    text = page.cells(numbered)
    if not text.startswith("#"):
        text = f"# {page.title}\n\n" + text
    return text, page.title


def _coverage(record):
    if record is None:
        return "— no record"
    return f"✓ {record.seconds:.1f} s" if record.ok else "✗ failed"


def index_page(titles, outputs):
    """The first page: what the course is, and its coverage matrix (every section and the explorer,
    on every registered backend: a gap where there is no record)."""
    columns = list(_registry.BACKENDS)
    rows = ["| section | " + " | ".join(LABELS[b] for b in columns) + " |", "|" + "---|" * (len(columns) + 1)]
    for section in outputs.sections:
        rows.append(f"| [{titles[section]}]({section}.md) | "
                    + " | ".join(_coverage(outputs.records.get((section, b))) for b in columns) + " |")
    rows.append("| [Optimizer explorer](explorer.md) | "
                + " | ".join(_coverage(outputs.explorer.get(b)) for b in columns) + " |")
    not_built = [LABELS[b] for b in columns if b not in outputs.backends]
    gaps = sum(cell.startswith("—") for row in rows[2:] for cell in row.split(" | "))
    if not_built:
        gaps_note = (f"{_and(not_built)} {'has' if len(not_built) == 1 else 'have'} no record at all: no "
                     "environment that made this site's records had the framework installed. ")
    else:
        gaps_note = ""
    toctree = "\n".join(outputs.sections + ["explorer", "consistency", "api"])
    return f"""# Optimization Algorithms, on every framework

The "Optimization Algorithms" chapter of *Dive into Deep Learning*, written once with d2l-optim
and run on {_and([LABELS[b] for b in outputs.backends])}. Every page shows the code once and, under
each cell, its output: once where every framework printed and plotted the same, else one tab per
framework. Pick a framework on any tab: every tab follows, on this page and the next.
{EDITION_NOTES[outputs.edition]}
{_downloads_section(outputs)}
## Coverage

Each section ran on each framework as an executed notebook (✓ with the time it took, ✗ failed);
a gap (— no record) is a section no environment that made this site's records ran on that
framework. {gaps_note}{gaps} gap{"" if gaps == 1 else "s"} in all.

{chr(10).join(rows)}

Whether the frameworks agree on every printed number and every plotted curve, and where each ran:
[consistency report](consistency.md).

```{{toctree}}
:maxdepth: 1

{toctree}
```
"""


EDITION_NOTES = {
    "instructor": """
This is the instructor edition: each exercise's worked solution is folded under it, with a rubric
for the answers in words. The student edition of this site has none of them: an answer cell and a
check stand in place of each solution.
""",
    "student": """
This is the student edition: each exercise has an answer cell, where you write your answer, and a
check cell under it, `d2l.check("gd-1")`, which says whether the answer is right (and, if not, gives
a hint). Download a section's notebook, answer in it and run the checks.
""",
}


def _link(path):
    name = html.escape(os.path.basename(path))
    return f'<a href="{html.escape(path)}" download>{name}</a>'


def _downloads_section(outputs):
    """The index page's downloads: per framework a zip of the sections' notebooks in each edition
    the site offers, and (the instructor edition) the figures for slides."""
    found = {(edition, backend): path for edition, backend, path in outputs.downloads}
    editions_offered = DOWNLOADS[outputs.edition]
    backends = [b for b in outputs.backends if any((e, b) in found for e in editions_offered)]
    if not backends:
        return ""
    titles = {"instructor": "instructor edition", "student": "student edition", "otter": "otter-grader"}
    rows = ["| framework | " + " | ".join(titles[e] for e in editions_offered) + " |",
            "|" + "---|" * (len(editions_offered) + 1)]
    rows += [f"| {LABELS[b]} | " + " | ".join(_link(found[e, b]) if (e, b) in found else "—"
                                              for e in editions_offered) + " |" for b in backends]
    if outputs.edition == "student":
        about = ("Every section's notebook for one framework, in one zip: the lesson with its output, an "
                 "answer cell and a check for each exercise.")
    else:
        about = ("Every section's notebook for one framework, in one zip per edition: the instructor "
                 "edition (the worked solutions and the rubrics), the student edition (an answer cell and "
                 "a check in place of each solution: hand these out) and otter-grader's assignment "
                 "notebooks (`otter assign` makes a student notebook and an autograder of each). Grade a "
                 "student's notebook with `d2l-optim check NOTEBOOK --json REPORT`.")
    parts = ["## Downloads\n", about + "\n", *rows, ""]
    slides = found.get(("figures", figure_export.BACKEND))
    if slides:
        parts.append(f"Figures for slides: {_link(slides)}, every figure as `<section>/<figure>.svg`, "
                     f"`.png` (300 dpi) and `.pdf`, on white, with the attribution under it (drawn on "
                     f"{LABELS[figure_export.BACKEND]}).\n")
    elif outputs.edition == "instructor":
        parts.append(f"No figures for slides: they are exported by the runs on "
                     f"{LABELS[figure_export.BACKEND]}, and this site has none that succeeded (make them "
                     "with `d2l-optim figures --out DIR`).\n")
    return "\n".join(parts)


def _cell_text(text):
    """``text`` as inline code in a table cell (its characters shown as they are)."""
    text = CONTROL.sub(" ", str(text))
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`" if text else ""


def _environment_rows(outputs):
    """A table row for each environment a backend's records were made in, with how many runs."""
    rows = []
    for backend in outputs.backends:
        found = {}
        runs = [r for (_, b), r in outputs.records.items() if b == backend] + [outputs.explorer.get(backend)]
        for record in filter(None, runs):
            key = json.dumps(record.environment, sort_keys=True)
            found[key] = found.get(key, 0) + 1
        for key, count in found.items():
            environment = json.loads(key)
            shown = [_cell_text(environment.get(k, "")) for k in ("framework", "numpy", "python", "platform")]
            rows.append(f"| {LABELS[backend]} | {' | '.join(shown)} | {count} |")
    return rows


def consistency_page(outputs):
    parts = ["# Consistency across frameworks\n",
             "Every printed line and every figure's plotted data of every section, compared across "
             "the frameworks under the policy its section declares (`section.compare(...)`, "
             "`section.compare_figures(...)`): numbers are exact unless declared otherwise; "
             "figures agree within rtol 1e-5 of their largest value + atol 1e-5 unless declared "
             "otherwise; timing and framework-specific values, and the output of cells written for one "
             "framework, are not compared.\n",
             "## Environments\n",
             "Each framework's runs, with the environment they ran in (its records name it: a framework "
             "may run on another machine, another Python and another NumPy than the next):\n",
             "| framework | version | NumPy | Python | platform | runs |\n|---|---|---|---|---|---|",
             *_environment_rows(outputs), ""]
    for section, checks in outputs.report.items():
        backends = outputs.backends_of(section)
        parts.append(f"## {section}\n")
        if checks["lines"]:
            parts.append("| line | " + " | ".join(LABELS[b] for b in backends) + " | policy | agree |")
            parts.append("|" + "---|" * (len(backends) + 3))
            for line in checks["lines"]:
                values = " | ".join(_cell_text(line["values"].get(b, "")) for b in backends)
                verdict = ("yes" if line["agree"] else "**no**") if line["compared"] else "not compared"
                parts.append(f"| {line['line']} | {values} | {line['policy']} | {verdict} |")
            parts.append("")
        if checks["figures"]:
            parts.append("| figure | policy | max difference | agree |\n|---|---|---|---|")
            for name, figure in checks["figures"].items():
                verdict = "yes" if figure["agree"] else "**no**"
                worst = "—" if figure["max_difference"] is None else f"{figure['max_difference']:.1e}"
                parts.append(f"| {_cell_text(name)} | {figure['policy']} | {worst} | {verdict} |")
            parts.append("")
    return "\n".join(parts)


def write_site(site_dir, work, outputs, scripts, source_errors, explorer_page):
    """Publish the figures and notebooks of ``outputs`` (:class:`Outputs`) into ``site_dir``, write
    the pages (in the folder ``work``; ``scripts``: {section: its script}; ``source_errors``: {section:
    why its script could not be read}; ``explorer_page``: the explorer's MyST) and build the HTML there."""
    src = os.path.join(work, "src")
    os.makedirs(src)
    outputs.publish(site_dir)
    theme.write_theme(src)
    theme.write_text(os.path.join(src, "api.md"), theme.api_page())
    titles = {}
    for section in outputs.sections:
        error = source_errors.get(section) and outputs.published.text(source_errors[section])
        page, titles[section] = section_page(scripts[section], section, outputs, error)
        theme.write_text(os.path.join(src, f"{section}.md"), page)
    theme.write_text(os.path.join(src, "index.md"), index_page(titles, outputs))
    theme.write_text(os.path.join(src, "consistency.md"), consistency_page(outputs))
    theme.write_text(os.path.join(src, "explorer.md"), outputs.published.text(explorer_page))
    command = [sys.executable, "-m", "d2l_optim.build.bounds", "sphinx", "-b", "html", "-q", "-d",
               os.path.join(work, "doctrees"), src, site_dir]
    status, _, stderr = run.Runners().run(command, dict(os.environ))
    if status != 0:
        raise BuildError(f"sphinx failed:\n{stderr[-3000:]}")
