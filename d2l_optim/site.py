"""The course web site: MyST pages built by Sphinx, one tab per framework on every output.

Each section page holds the section's explanation and code, written once, and after every code
cell a tab set with that cell's output on each backend. All tab sets share the sync group
``framework``: choosing PyTorch anywhere switches every tab on the page, and sphinx-design keeps
the choice in the browser's localStorage, so the next page opens on PyTorch too.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import jupytext

from d2l_optim._registry import LABELS
from d2l_optim.course import BuildError

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


def _cell_output(record, index, section, backend):
    if record["status"] != "ok" and index >= len(record["cells"]):
        return "Not run: an earlier cell failed." if record["cells"] else _failure(record)
    cell = record["cells"][index]
    parts = []
    if cell["stdout"]:
        parts.append(_fence(cell["stdout"]))
    if cell["stderr"]:
        parts.append(":::{note}\n" + _fence(WARNING_LOCATION.sub("", cell["stderr"])) + ":::\n")
    for name in cell["figures"]:
        parts.append(f"![{name} ({LABELS[backend]})](figures/{section}/{backend}/{name}.svg)\n")
    if record["status"] != "ok" and index == len(record["cells"]) - 1:
        parts.append(_failure(record))
    return "\n".join(parts)


def _failure(record):
    return ":::{error}\nThis run failed.\n\n" + _fence(record.get("error") or "") + ":::\n"


def _has_output(records, backends, section, index):
    for backend in backends:
        cells = records[section, backend]["cells"]
        if index >= len(cells) or any(cells[index][k] for k in ("stdout", "stderr", "figures")):
            return True
    return False


def section_page(source_file, section, backends, records):
    """The MyST page of one section."""
    notebook = jupytext.read(source_file)
    lines, code_index, title = [], 0, section
    downloads = _tab_set([(b, f"{{download}}`{section}.ipynb for {LABELS[b]} "
                              f"<notebooks/{b}/{section}.ipynb>` (executed)") for b in backends])
    for position, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            lines.append(cell.source + "\n")
            if position == 0:
                title = cell.source.splitlines()[0].lstrip("# ")
                lines.append("Download this section as a notebook:\n\n" + downloads)
        elif cell.cell_type == "code":
            lines.append(_fence(cell.source, "python"))
            if _has_output(records, backends, section, code_index):
                lines.append(_tab_set([(b, _cell_output(records[section, b], code_index, section, b))
                                       for b in backends]))
            code_index += 1
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
    toctree = "\n".join(sections + ["consistency"])
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


def consistency_page(report, backends):
    parts = ["# Consistency across frameworks\n",
             "Every printed number of every section, compared across the frameworks (numbers in "
             "timing lines are measurements and may differ), and every figure's plotted data "
             "(largest difference relative to the data's scale; agreement means at most 1e-5).\n"]
    for section, checks in report.items():
        parts.append(f"## {section}\n")
        if checks["lines"]:
            parts.append("| line | " + " | ".join(LABELS[b] for b in backends) + " | agree |")
            parts.append("|" + "---|" * (len(backends) + 2))
            for line in checks["lines"]:
                values = " | ".join(f"`{line['values'].get(b, '')}`" for b in backends)
                verdict = "yes" if line["agree"] else ("**no**" if line["deterministic"] else "timing")
                parts.append(f"| {line['line']} | {values} | {verdict} |")
            parts.append("")
        if checks["figures"]:
            parts.append("| figure | max relative difference | agree |\n|---|---|---|")
            for name, figure in checks["figures"].items():
                verdict = "yes" if figure["agree"] else "**no**"
                parts.append(f"| {name} | {figure['max_relative_difference']:.1e} | {verdict} |")
            parts.append("")
    return "\n".join(parts)


def _copy_outputs(site_dir, src_dir, sections, backends, records):
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


def write_site(site_dir, source_dir, sections, backends, records, report):
    """Write the pages and build the HTML into ``site_dir`` (which already holds ``runs/``)."""
    with tempfile.TemporaryDirectory(prefix="d2l-optim-pages-") as work:
        src = os.path.join(work, "src")
        os.makedirs(src)
        _copy_outputs(site_dir, src, sections, backends, records)
        titles = {}
        for section in sections:
            page, titles[section] = section_page(os.path.join(source_dir, f"{section}.py"),
                                                 section, backends, records)
            _write(os.path.join(src, f"{section}.md"), page)
        _write(os.path.join(src, "index.md"), index_page(sections, titles, backends, records))
        _write(os.path.join(src, "consistency.md"), consistency_page(report, backends))
        _write(os.path.join(src, "conf.py"), CONF)
        command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-d",
                   os.path.join(work, "doctrees"), src, site_dir]
        process = subprocess.run(command, capture_output=True, text=True)
        if process.returncode != 0:
            raise BuildError(f"sphinx failed:\n{process.stderr[-3000:]}")


def _write(path, text):
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
