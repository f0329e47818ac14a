"""The course web site: MyST pages built by Sphinx, one tab per framework on every output.

Each section page holds the section's explanation and code, written once, and after every code
cell a tab set with that cell's output on each backend. All tab sets share the sync group
``framework``: choosing PyTorch anywhere switches every tab on the page, and sphinx-design keeps
the choice in the browser's localStorage, so the next page opens on PyTorch too. A run of
consecutive code cells tagged for single frameworks is shown as one tab set of code, each tab with
that framework's cells and their output, in the same sync group.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import jupytext

from d2l_optim._registry import LABELS
from d2l_optim.build import cells, explorer
from d2l_optim.build.plan import BuildError

CONF = '''\
project = "Optimization Algorithms, on every framework"
author = "d2l-optim"
extensions = ["myst_parser", "sphinx_design", "sphinx-mathjax-offline"]
myst_enable_extensions = ["colon_fence", "dollarmath"]
html_theme = "furo"
html_title = "Optimization Algorithms · d2l-optim"
html_static_path = []
html_copy_source = False
html_show_sourcelink = False
suppress_warnings = ["myst.header"]
'''
WARNING_LOCATION = re.compile(r"^\\S*ipykernel_\\d+/\\d+\\.py:\\d+: ", re.M)


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


def _failure_position(record, code_positions):
    """Where a failed run shows its error: the cell that raised, else the last one that ran."""
    raised = [cell["cell"] for cell in record["cells"] if cell.get("error")]
    if raised:
        return raised[0]
    if record["cells"]:
        return record["cells"][-1]["cell"]
    return code_positions[0] if code_positions else None


def _cell_output(record, position, section, backend, failure_at):
    cell = next((c for c in record["cells"] if c["cell"] == position), None)
    failed_here = record["status"] != "ok" and position == failure_at
    if cell is None:
        return _failure(record) if failed_here else "Not run: an earlier cell failed."
    parts = []
    if cell["stdout"]:
        parts.append(_fence(cell["stdout"]))
    if cell["stderr"]:
        parts.append(":::{note}\n" + _fence(WARNING_LOCATION.sub("", cell["stderr"])) + ":::\n")
    for name in cell["figures"]:
        parts.append(f"![{name} ({LABELS[backend]})](figures/{section}/{backend}/{name}.svg)\n")
    if failed_here:
        parts.append(_failure(record))
    return "\n".join(parts)


def _failure(record):
    return ":::{error}\nThis run failed.\n\n" + _fence(record.get("error") or "") + ":::\n"


def _has_output(records, backends, position):
    for backend in backends:
        cell = next((c for c in records[backend]["cells"] if c["cell"] == position), None)
        if cell is None or any(cell[k] for k in ("stdout", "stderr", "figures")):
            return True
    return False


def _framework_tabs(group, section, backends, records, failures):
    """One tab per backend holding its framework's cells of ``group`` [(position, cell)] and their output."""
    items = []
    for backend in backends:
        own = [(p, c) for p, c in group if cells.framework_of(c.metadata.get("tags")) == backend]
        parts = [f"{_fence(c.source, 'python')}\n"
                 + _cell_output(records[backend], p, section, backend, failures[backend]) for p, c in own]
        items.append((backend, "\n".join(parts) or f"No {LABELS[backend]}-specific code in this step."))
    return _tab_set(items)


def section_page(source_file, section, backends, records, source_error=None):
    """The MyST page of one section (``records``: {backend: run record})."""
    downloads = _tab_set([(b, f"{{download}}`{section}.ipynb for {LABELS[b]} "
                              f"<notebooks/{b}/{section}.ipynb>` (executed)") for b in backends])
    if source_error:
        return f"# {section}\n\n:::{{error}}\n{_fence(source_error)}:::\n", section
    notebook = jupytext.read(source_file)
    code = [(p, c) for p, c in enumerate(notebook.cells) if c.cell_type == "code"]
    failures = {b: _failure_position(records[b], [p for p, c in code if cells.framework_of(
        c.metadata.get("tags")) in (None, b)]) for b in backends}
    lines, title, group = [], section, []
    for position, cell in enumerate(notebook.cells + [None]):
        framework = (cell is not None and cell.cell_type == "code"
                     and cells.framework_of(cell.metadata.get("tags")))
        if framework:
            group.append((position, cell))
            continue
        if group:
            lines.append(_framework_tabs(group, section, backends, records, failures))
            group = []
        if cell is None:
            break
        if cell.cell_type == "markdown":
            lines.append(cell.source + "\n")
            if position == 0:
                title = cell.source.splitlines()[0].lstrip("# ")
                lines.append("Download this section as a notebook:\n\n" + downloads)
        elif cell.cell_type == "code":
            lines.append(_fence(cell.source, "python"))
            if _has_output(records, backends, position):
                lines.append(_tab_set([(b, _cell_output(records[b], position, section, b, failures[b]))
                                       for b in backends]))
    if not lines or not lines[0].startswith("#"):
        lines.insert(0, f"# {title}\n")
    return "\n".join(lines), title


def index_page(sections, titles, backends, records):
    header = "| section | " + " | ".join(LABELS[b] for b in backends) + " |"
    rows = [header, "|" + "---|" * (len(backends) + 1)]
    for section in sections:
        cells = []
        for backend in backends:
            record = records[section, backend]
            cells.append(f"✓ {record['seconds']:.1f} s" if record["status"] == "ok" else "✗ failed")
        rows.append(f"| [{titles[section]}]({section}.md) | " + " | ".join(cells) + " |")
    toctree = "\n".join(sections + ["explorer", "consistency"])
    return f"""# Optimization Algorithms, on every framework

The "Optimization Algorithms" chapter of *Dive into Deep Learning*, written once with
[d2l-optim](https://pypi.org/project/d2l-optim/) and run on {", ".join(LABELS[b] for b in backends)}.
Every page shows the code once and, under each cell, one tab per framework with that framework's
output. Pick a framework on any tab: every tab follows, on this page and the next.

## Coverage

Each section ran on each framework, as an executed notebook (time to run):

{chr(10).join(rows)}

Whether the frameworks agree on every printed number and every plotted curve:
[consistency report](consistency.md).

```{{toctree}}
:maxdepth: 1

{toctree}
```
"""


def _cell_text(text):
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`" if text else ""


def consistency_page(report, backends):
    parts = ["# Consistency across frameworks\n",
             "Every printed line and every figure's plotted data of every section, compared across "
             "the frameworks under the policy its section declares (`section.compare(...)`, "
             "`section.save(..., compare=...)`): numbers are exact unless declared otherwise; "
             "figures agree within rtol 1e-5 of their largest value + atol 1e-5 unless declared "
             "otherwise; timing and framework-specific values, and the output of cells written for one "
             "framework, are not compared.\n"]
    for section, checks in report.items():
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
                parts.append(f"| {name} | {figure['policy']} | {worst} | {verdict} |")
            parts.append("")
    return "\n".join(parts)


def _copy_outputs(site_dir, src_dir, sections, backends, records):
    """Figures and notebooks into the site and the page sources, printed output into the site."""
    for section in sections:
        for backend in backends:
            run_dir = os.path.join(site_dir, "runs", section, backend)
            names = [n for cell in records[section, backend]["cells"] for n in cell["figures"]]
            for root in (site_dir, src_dir):
                figures = os.path.join(root, "figures", section, backend)
                os.makedirs(figures, exist_ok=True)
                for name in names:
                    for ext in (".svg", ".png"):
                        if os.path.exists(os.path.join(run_dir, name + ext)):
                            shutil.copy(os.path.join(run_dir, name + ext), figures)
                notebooks = os.path.join(root, "notebooks", backend)
                os.makedirs(notebooks, exist_ok=True)
                if os.path.exists(os.path.join(run_dir, "notebook.ipynb")):
                    shutil.copy(os.path.join(run_dir, "notebook.ipynb"),
                                os.path.join(notebooks, f"{section}.ipynb"))
            outputs = os.path.join(site_dir, "outputs", section)
            os.makedirs(outputs, exist_ok=True)
            with open(os.path.join(outputs, f"{backend}.txt"), "w") as file:
                file.write(records[section, backend]["stdout"])


def write_site(site_dir, source_dir, sections, backends, records, report, source_errors):
    """Write the pages and build the HTML into ``site_dir`` (which already holds ``runs/``);
    ``source_errors``: {section: why its script could not be read}."""
    with tempfile.TemporaryDirectory(prefix="d2l-optim-pages-") as work:
        src = os.path.join(work, "src")
        os.makedirs(src)
        _copy_outputs(site_dir, src, sections, backends, records)
        titles = {}
        for section in sections:
            page, titles[section] = section_page(
                os.path.join(source_dir, f"{section}.py"), section, backends,
                {b: records[section, b] for b in backends}, source_errors.get(section))
            _write(os.path.join(src, f"{section}.md"), page)
        _write(os.path.join(src, "index.md"), index_page(sections, titles, backends, records))
        _write(os.path.join(src, "consistency.md"), consistency_page(report, backends))
        _write(os.path.join(src, "explorer.md"), explorer.page(backends))
        _write(os.path.join(src, "conf.py"), CONF)
        command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-d",
                   os.path.join(work, "doctrees"), src, site_dir]
        process = subprocess.run(command, capture_output=True)
        if process.returncode != 0:
            raise BuildError(f"sphinx failed:\n{process.stderr.decode('utf-8', 'replace')[-3000:]}")


def _write(path, text):
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
