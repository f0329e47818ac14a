"""The course build: manifest, figures, notebooks, cache, consistency, framework cells, the web pages
(outputs shown once where the backends agree, solutions folded, a lean site, maths rendered).

Builds a small subset (two sections on NumPy and PyTorch) and two small made-up sections. Runs in
tox's ``course`` env, with tests/test_course_safety.py (output folder, lock, signals, failures,
cache integrity).
"""
import functools
import html
import html.parser
import inspect
import json
import os
import re
import shutil
from pathlib import Path

import pytest

import d2l_optim
from d2l_optim import __main__ as cli
from d2l_optim import _config
from d2l_optim.build import figure_export, plan
from helpers import ROOT, UNKNOWN_BACKEND, run_example, served

pipeline = pytest.importorskip("d2l_optim.build.pipeline",
                               reason='the course build needs: pip install "d2l-optim[course]"')

nbformat = pytest.importorskip("nbformat", reason='the course build needs: pip install "d2l-optim[course]"')
jupytext = pytest.importorskip("jupytext", reason='the course build needs: pip install "d2l-optim[course]"')
BACKENDS = ["numpy", "torch"]
EXAMPLES = Path(ROOT) / "examples"
SAME = '<p class="d2l-same">Identical on NumPy and PyTorch:</p>'
SECTIONS = ["gd", "convexity"]
SETUP = '''# %% tags=["remove-cell"]
import d2l_optim as d2l

section = d2l.Section("{}")
'''
GOOD = '''# %% [markdown]
# # A good section
''' + SETUP.format("good") + '''# %%
import d2l_optim as d2l

print(f"cos(0) = {d2l.to_float(d2l.cos(0.0)):.3f}")
'''
BAD = GOOD.replace("A good", "A bad").replace('"good"', '"bad"') + 'raise ValueError("boom")\n'
SPLIT = GOOD.replace('"good"', '"split"').replace(
    'print(f"cos(0) = {d2l.to_float(d2l.cos(0.0)):.3f}")',
    "print(f\"backend number: {['numpy', 'torch'].index(d2l.get_backend())}\")")
MIXED = '''# %% [markdown]
# # Mixed outputs
''' + SETUP.format("mixed") + '''section.compare(r"number: (\\d)", atol=1)
section.compare(r"took (\\S+) s", "timing")
# %%
import d2l_optim as d2l

print(f"backend number: {['numpy', 'torch'].index(d2l.get_backend())}")
# %% figures=["line"]
print("took 0.5 s")
d2l.plot([0.0, 1.0], [0.0, 1.0])
# %%
print("the same everywhere")
# %% [markdown]
# **Exercise.** Print $1 + 1$.
# %% tags=["solution"]
print("two")
# %% [markdown] tags=["solution"]
# It prints $2$.
# %% [markdown] tags=["porting"]
# **For instructors porting code.** Every framework adds integers exactly.
'''
TAGGED = '''# %% [markdown]
# # Framework cells
''' + SETUP.format("tagged") + '''# %%
print("shared")
# %% tags=["framework-torch"]
import torch
print("torch says", torch.ones(1).item())
# %% tags=["framework-numpy"]
print("numpy says 1.0")
# %% tags=["framework-numpy"]
print("numpy again")
# %%
print("the end")
'''


NOTED = '''# %% [markdown]
# # A note on one framework
# %%
import sys

import d2l_optim as d2l

section = d2l.Section("noted")
print("everywhere")
if d2l.get_backend() == "torch":
    sys.stderr.write("a note from PyTorch only\\n")
'''


@pytest.fixture(scope="module")
def backends():
    for name in BACKENDS:
        if not _config.is_installed(name):
            pytest.skip(f"the course tests build on {BACKENDS}: {_config.install_hint(name)}")
    return BACKENDS


@pytest.fixture(scope="module")
def site(tmp_path_factory, backends):
    out = tmp_path_factory.mktemp("course") / "site"
    failed = pipeline.build(out=str(out), backends=backends, sections=SECTIONS, jobs=2,
                            progress=False, log=lambda *a: None)
    assert failed == []
    return out


@pytest.fixture(scope="module")
def small_site(tmp_path_factory, backends):
    """A site of two made-up sections (framework cells; outputs that differ, agree, or are timings)."""
    sources = tmp_path_factory.mktemp("small") / "sources"
    sources.mkdir()
    (sources / "tagged.py").write_text(TAGGED)
    (sources / "mixed.py").write_text(MIXED)
    (sources / "noted.py").write_text(NOTED)
    out = sources.parent / "site"
    assert pipeline.build(out=str(out), backends=backends, source_dir=str(sources), progress=False,
                          log=lambda *a: None) == []
    return out, sources


def test_manifest_lists_every_run(site):
    manifest = json.loads((site / "outputs.json").read_text())
    assert sorted(manifest["sections"]) == sorted(SECTIONS)
    gd = manifest["sections"]["gd"]
    assert sorted(gd) == BACKENDS
    for backend, entry in gd.items():
        assert entry["status"] == "ok" and entry["seconds"] > 0
        assert entry["lines"][0] == "epoch 10, x: 0.060466" and len(entry["lines"]) == 25
        assert len(entry["figures"]) == 10  # 8 figures and 2 in the solutions, each one SVG
        for path in entry["figures"]:  # every backend drew them alike: one copy, shared
            assert re.fullmatch(r"figures/gd/[\w.-]+\.svg", path), path
            assert (site / path).stat().st_size > 1000, path
        assert (site / "outputs" / "gd" / f"{backend}.txt").read_text().splitlines() == entry["lines"]
    assert gd["numpy"]["figures"] == gd["torch"]["figures"]


def test_notebooks_are_executed_and_match_the_script(site):
    for backend in BACKENDS:
        notebook = nbformat.read(str(site / "notebooks" / backend / "gd.ipynb"), as_version=4)
        nbformat.validate(notebook)
        assert f'os.environ["D2L_OPTIM_BACKEND"] = "{backend}"' in notebook.cells[0].source
        printed = "".join(o.text for c in notebook.cells if c.cell_type == "code"
                          for o in c.outputs if o.output_type == "stream" and o.name == "stdout")
        script = run_example("gd", backend)
        assert script.returncode == 0 and printed == script.stdout
        figures = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
                   if o.output_type == "display_data"]
        assert figures == []  # stored once, on the page; the cache keeps the notebook as it ran
        executed = nbformat.read(str(_cache(site) / "gd" / backend / "notebook.ipynb"), as_version=4)
        setup = [c for c in executed.cells if "remove-cell" in c.metadata.get("tags", [])]
        assert len(setup) == 1 and 'd2l.Section("gd")' in setup[0].source  # run, not published
        assert [c.source for c in executed.cells if c not in setup] == [c.source for c in notebook.cells]
        assert sum(o.output_type == "display_data" for c in executed.cells if c.cell_type == "code"
                   for o in c.outputs) == 10


def test_no_page_or_published_notebook_shows_the_build_plumbing(site, small_site):
    for folder, sections in ((site, SECTIONS), (small_site[0], ["tagged", "mixed"])):
        notebooks = sorted(p for p in (folder / "notebooks").rglob("*.ipynb") if p.stem in sections)
        assert len(notebooks) == len(sections) * len(BACKENDS)
        for path in notebooks:
            notebook = nbformat.read(str(path), as_version=4)
            assert not [c for c in notebook.cells if "remove-cell" in c.metadata.get("tags", [])], path
            for cell in notebook.cells:
                assert not re.search(r"\bsection\.|Section\(|compare=", cell.source), (path, cell.source)
        for page in (folder / f"{name}.html" for name in sections):
            assert not re.search(r"section\.(compare|save)|d2l\.Section|remove-cell", page.read_text()), page


def test_consistency_report_compares_every_number_and_figure(site):
    report = json.loads((site / "consistency.json").read_text())
    lines = report["gd"]["lines"]
    assert len(lines) == 25 and all(line["agree"] and line["compared"] for line in lines)
    assert {line["policy"] for line in lines} == {"exact"}
    assert lines[2]["values"] == {"numpy": "epoch 10, x: 61.917364", "torch": "epoch 10, x: 61.917364"}
    assert len(report["gd"]["figures"]) == 10
    for figure in report["gd"]["figures"].values():
        assert figure["agree"] and figure["policy"] == "within rtol 1e-05 + atol 1e-05"
    page = (site / "consistency.html").read_text()
    assert "within rtol 1e-05 + atol 1e-05" in page and "<td><p>exact</p></td>" in page


def test_pages_have_a_tab_per_framework_and_fetch_nothing(site):
    page = (site / "gd.html").read_text()
    for backend in BACKENDS:
        assert f'data-sync-group="framework" data-sync-id="{backend}"' in page
    assert 'src="_static/mathjax/tex-chtml.js' in page and (site / "_static/mathjax/tex-chtml.js").exists()
    for name in os.listdir(site):
        if name.endswith(".html"):
            html = (site / name).read_text()
            for tag in ("<script", "<link", "<img"):
                for chunk in html.split(tag)[1:]:
                    head = chunk.split(">")[0]
                    assert "http://" not in head and "https://" not in head, (name, head)


def _cache(site):
    return Path(plan.cache_folder(str(site)))


def _run_record(site, section, backend):
    return json.loads((_cache(site) / section / backend / "run.json").read_text())


def test_agreeing_outputs_are_shown_once_and_solutions_fold(site):
    page = (site / "gd.html").read_text()
    assert len(_tab_sets(page)) == 1  # the notebooks: all of gd prints and draws alike on NumPy and PyTorch
    record = _run_record(site, "gd", "numpy")
    with_output = [c for c in record["cells"] if c["stdout"] or c["stderr"] or c["figures"]]
    assert page.count(SAME) == len(with_output)
    figures = json.loads((site / "outputs.json").read_text())["sections"]["gd"]["numpy"]["figures"]
    assert sorted(re.findall(r'<img src="([^"]+)"', page)) == sorted(figures)  # each figure once

    cells = jupytext.read(str(EXAMPLES / "gd.py")).cells
    solutions = [p for p, c in enumerate(cells) if "solution" in c.metadata.get("tags", [])]
    rubrics = [p for p in solutions if "rubric" in cells[p].metadata["tags"]]
    dropdowns = re.findall(r"<details.*?</details>", page, re.S)
    runs = [p for p in solutions if p - 1 not in solutions]
    assert len(runs) == 6 and len(rubrics) == 2 and len(dropdowns) == len(runs) + len(rubrics)
    titles = [re.sub(r"<[^>]+>|\s+", " ", re.search(r"<summary.*?</summary>", d, re.S).group()).split()
              for d in dropdowns]
    assert [" ".join(t) for t in titles].count("Solution") == 6  # a rubric folds on its own, titled by it
    assert sorted(" ".join(t) for t in titles)[:2] == ["Rubric (4 points)", "Rubric (5 points)"]
    folded = "".join(dropdowns)
    outside = "".join(re.split(r"<details.*?</details>", page, flags=re.S))
    for cell in record["cells"]:
        for name in cell["figures"]:
            assert (f"figures/gd/{name}.svg" in folded) == (cell["cell"] in solutions), name
            assert (f"figures/gd/{name}.svg" in outside) == (cell["cell"] not in solutions), name
    for position in solutions:  # the worked answers are folded too
        if cells[position].cell_type == "markdown":
            first = cells[position].source.splitlines()[0]
            words = max(re.split(r"\$[^$]*\$|[*`']", first), key=len).strip()  # the page typesets ' as ’
            assert len(words) > 10 and words in folded, words


def test_the_site_is_lean_with_the_footer_and_the_api_on_every_page(site):
    files = [p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()]
    assert not [f for f in files if f.split("/")[0] in ("runs", "_images", "_downloads", "_sources")
                or f == "records.json"]
    assert not [f for f in files if os.path.basename(f) in ("run.json", "compare.json", "figure-data.json")
                or f.endswith(".png") and not f.startswith("_static/")]
    pages = {f: (site / f).read_text() for f in files if f.endswith(".html")}
    linked = {link for page in pages.values()
              for link in re.findall(r'(?:src|href)="((?:figures|notebooks|downloads)/[^"]+)"', page)}
    assert linked == {f for f in files if f.startswith(("figures/", "notebooks/", "downloads/"))}  # all used
    mathjax = sum((site / f).stat().st_size for f in files if f.startswith("_static/mathjax/"))
    assert 1_000_000 < mathjax < 3_000_000
    for name, page in pages.items():
        footer = page[page.index('<div class="d2l-footer">'):]
        for credit in ("d2l-optim", "NASA airfoil self-noise", "UCI Machine Learning Repository (id 291)",
                       "scikit-learn", "CC BY 4.0"):
            assert credit in footer, (name, credit)
        # the same words as under each figure for slides: one source
        for credit in [figure_export.BOOK] + [what for what, _ in figure_export.DATA.values()]:
            assert html.escape(credit) in footer, (name, credit)
    cache = _cache(site)
    assert (cache / "records.json").is_file() and (cache / "gd/torch/figure-data.json").is_file()

    api = pages["api.html"]
    public = [n for n, v in vars(d2l_optim).items() if not n.startswith("_")
              and (inspect.isfunction(v) or inspect.isclass(v))]
    assert len(public) > 80 and "sgd" in public and "Section" in public
    for name in public:
        assert f'id="d2l_optim.{name}"' in api, name
    assert 'id="d2l_optim.backend_api.Autograd.value_and_grad"' in api
    assert 'id="d2l_optim.backend_api.Facts.run_environment"' in api
    assert "system-message" not in api and "problematic" not in api  # every docstring is valid RST


def test_rebuild_with_nothing_changed_runs_nothing(site, backends):
    messages = []
    assert pipeline.build(out=str(site), backends=backends + ["np"], sections=SECTIONS + ["gd"],
                          progress=False, log=messages.append) == []  # repeats and aliases merged
    assert messages == [f"{site} is up to date: nothing to run"]


def test_changed_section_reruns_alone_and_failures_publish_the_rest(tmp_path, backends):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "good.py").write_text(GOOD)
    out, messages = tmp_path / "site", []
    build = functools.partial(pipeline.build, out=str(out), backends=["numpy"], source_dir=str(sources),
                              progress=False, log=messages.append)
    assert build() == []
    (sources / "bad.py").write_text(BAD)
    assert build() == [("bad", "numpy")]
    assert "1 of 3 runs to do (2 cached), 2 at a time" in messages  # bad, not good or the explorer
    assert any(m.startswith("FAILED bad on numpy:") and "boom" in m for m in messages)
    manifest = json.loads((out / "outputs.json").read_text())
    assert manifest["sections"]["good"]["numpy"]["lines"] == ["cos(0) = 1.000"]
    assert manifest["sections"]["bad"]["numpy"]["status"] == "failed"
    assert "boom" in manifest["sections"]["bad"]["numpy"]["error"]
    assert "This run failed." in (out / "bad.html").read_text()
    assert cli.main(["build", "--out", str(out), "--backends", "numpy", "--sources", str(sources),
                     "--no-progress"]) == 1


def test_outputs_are_shown_once_where_they_agree_and_in_tabs_where_they_differ(small_site):
    out, _ = small_site
    line = json.loads((out / "consistency.json").read_text())["mixed"]["lines"][0]
    assert line["agree"] and line["policy"] == "within atol 1"
    page = (out / "mixed.html").read_text()
    assert _tab_sets(page)[1:] == [
        {"numpy": "backend number: 0", "torch": "backend number: 1"},  # they agree within atol 1, not alike
        {"numpy": "took 0.5 s", "torch": "took 0.5 s"},  # a timing: alike this time, never shown once
    ]
    assert re.findall(r'<img src="([^"]+)"', page) == ["figures/mixed/line.svg"]  # drawn alike: once
    assert sorted(p.relative_to(out).as_posix() for p in (out / "figures").rglob("*.svg")) == [
        "figures/mixed/line.svg"]
    assert page.count(SAME) == 3  # the figure, "the same everywhere", and in the solution "two"
    dropdowns = re.findall(r"<details.*?</details>", page, re.S)
    assert len(dropdowns) == 2 and "Solution" in dropdowns[0] and SAME in dropdowns[0]
    assert re.search(r"<pre>(<span></span>)?two\s*</pre>", dropdowns[0]) and "It prints" in dropdowns[0]
    assert "It prints" not in page.replace(dropdowns[0], "")
    # the porting note: its own dropdown, titled by its lead, which is not repeated inside
    assert dropdowns[1].count("For instructors porting code") == 1 and "integers exactly" in dropdowns[1]
    assert "integers exactly" not in page.replace(dropdowns[1], "")


def test_output_of_one_framework_is_shown_with_its_label_outside_the_tabs(small_site):
    page = (small_site[0] / "noted.html").read_text()
    assert len(_tab_sets(page)) == 1  # the notebooks' downloads: no tab hides the note
    only = page.index('<p class="d2l-same">Only on PyTorch:</p>')
    assert page.index(SAME) < only < page.index("a note from PyTorch only", only)  # after the code
    assert "No other output" not in page


def test_disagreeing_backends_fail_the_build_and_leave_the_site(small_site, backends):
    out, sources = small_site
    before = (out / "outputs.json").read_text()
    (sources / "split.py").write_text(SPLIT)
    try:
        with pytest.raises(pipeline.BuildError, match=r"split, printed line 1 \(exact\): NumPy 'backend "
                                                      r"number: 0'; PyTorch 'backend number: 1'"):
            pipeline.build(out=str(out), backends=backends, source_dir=str(sources), progress=False,
                           log=lambda *a: None)
    finally:
        (sources / "split.py").unlink()
    assert (out / "outputs.json").read_text() == before
    assert [p for p in os.listdir(out.parent) if p.startswith(".")] == [f".site{plan.CACHE_SUFFIX}"]


READS = '''# %%
import d2l_optim as d2l

section = d2l.Section("reads")
with open({data!r}) as file:
    print(file.read())
'''


def test_a_disagreement_that_comes_from_the_cache_says_so(tmp_path, backends):
    sources, data = tmp_path / "sources", tmp_path / "data.txt"
    sources.mkdir()
    (sources / "reads.py").write_text(READS.format(data=str(data)))  # data the cache key does not cover
    data.write_text("old data")
    build = functools.partial(pipeline.build, out=str(tmp_path / "site"), source_dir=str(sources),
                              progress=False, log=lambda *a: None)
    assert build(backends=backends) == []
    data.write_text("new data")
    assert build(backends=["torch"], force=True) == []  # keeps NumPy's run in the cache
    with pytest.raises(pipeline.BuildError) as error:
        build(backends=backends)
    assert "reads, printed line 1 (exact): NumPy 'old data'; PyTorch 'new data'" in str(error.value)
    assert ("The runs of reads (NumPy, PyTorch) come from the cache, made by an earlier build: if you did "
            "not expect this difference, build again with --force, which runs everything anew"
            ) in str(error.value)
    assert build(backends=backends, force=True) == []


def test_framework_cells_run_on_their_backend_and_share_one_tab_set(small_site):
    out, _ = small_site
    for backend, own in [("numpy", ["numpy says 1.0", "numpy again"]), ("torch", ["torch says 1.0"])]:
        notebook = nbformat.read(str(out / "notebooks" / backend / "tagged.ipynb"), as_version=4)
        code = [c.source for c in notebook.cells if c.cell_type == "code"]
        assert ("import torch" in "".join(code)) == (backend == "torch")
        printed = (out / "outputs" / "tagged" / f"{backend}.txt").read_text().splitlines()
        assert printed == ["shared", *own, "the end"]
    report = json.loads((out / "consistency.json").read_text())["tagged"]["lines"]
    assert [line["values"]["numpy"] for line in report] == ["shared", "the end"]  # not framework cells
    page = (out / "tagged.html").read_text()
    tab_sets = _tab_sets(page)
    assert len(tab_sets) == 2  # the notebooks and the framework cells; "shared" and "the end" shown once
    assert tab_sets[1] == {
        "numpy": 'print("numpy says 1.0")\nnumpy says 1.0\nprint("numpy again")\nnumpy again',
        "torch": 'import torch\nprint("torch says", torch.ones(1).item())\ntorch says 1.0'}
    assert page.count(SAME) == 2


class _TabSets(html.parser.HTMLParser):
    """Each synced tab set of a page as {sync id: the text of its tab, one line per non-blank line}."""

    def __init__(self, page):
        super().__init__()
        self.found, self.depth, self.tab, self.text, self.sync_id = [], 0, None, [], None
        self.feed(page)

    def handle_starttag(self, tag, attributes):
        attributes = dict(attributes)
        if tag == "div":
            self.depth += 1
            if "sd-tab-set" in attributes.get("class", ""):
                self.found.append({})
            elif "sd-tab-content" in attributes.get("class", "") and self.tab is None:
                self.tab, self.text = self.depth, []
        elif tag == "label" and attributes.get("data-sync-group") == "framework":
            self.sync_id = attributes["data-sync-id"]

    def handle_endtag(self, tag):
        if tag == "div":
            if self.depth == self.tab:
                lines = "".join(self.text).splitlines()
                self.found[-1][self.sync_id] = "\n".join(line for line in lines if line.strip())
                self.tab = None
            self.depth -= 1

    def handle_data(self, data):
        if self.tab is not None:
            self.text.append(data)


def _tab_sets(page):
    return _TabSets(page).found


def test_interrupted_build_leaves_the_previous_site(tmp_path, monkeypatch, backends):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "good.py").write_text(GOOD)
    out = tmp_path / "site"
    pipeline.build(out=str(out), backends=["numpy"], source_dir=str(sources), progress=False,
                   log=lambda *a: None)
    before = sorted(os.listdir(out))
    (sources / "good.py").write_text(GOOD.replace("A good", "A changed"))

    def interrupt(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr("d2l_optim.build.site.write_site", interrupt)
    with pytest.raises(KeyboardInterrupt):
        pipeline.build(out=str(out), backends=["numpy"], source_dir=str(sources), progress=False,
                       log=lambda *a: None)
    assert sorted(os.listdir(out)) == before
    assert "A good section" in (out / "good.html").read_text()
    assert [p for p in os.listdir(tmp_path) if p.startswith(".")] == [f".site{plan.CACHE_SUFFIX}"]


@pytest.mark.parametrize("argv, message", [
    (["build", "--sections", "nope"], "unknown section(s) ['nope']; the sections are: optimization_intro"),
    (["build", "--backends", UNKNOWN_BACKEND], f"unknown backend '{UNKNOWN_BACKEND}'"),
    (["build", "--jobs", "0"], "argument --jobs: must be at least 1"),
    (["build", "--cell-timeout", "0"], "argument --cell-timeout: must be a number of seconds from 1 to"),
])
def test_command_line_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv + ["--no-progress"])
    assert exit_.value.code == 2 and message in capsys.readouterr().err


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: TeX left unrendered: a dollar sign, a control sequence such as \frac, or \( \) \[ \] delimiters
RAW_TEX = re.compile(r"\$|\\[A-Za-z]+|\\[()\[\]]")
#: the text of the page that is not code or rendered maths, hidden tabs and folded solutions included
PROSE = """() => { const copy = document.body.cloneNode(true);
    copy.querySelectorAll("pre, code, mjx-container, script, style").forEach(e => e.remove());
    return copy.textContent; }"""


@pytest.fixture(scope="module")
def chromium():
    if CHROMIUM is None:
        if os.environ.get("D2L_OPTIM_REQUIRE_BROWSER"):
            pytest.fail("D2L_OPTIM_REQUIRE_BROWSER is set but Debian's chromium is not installed")
        pytest.skip("needs Debian's chromium: apt-get install chromium")
    playwright = pytest.importorskip("playwright.sync_api", reason='pip install "d2l-optim[browser]"')
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


def test_picking_pytorch_switches_every_tab_and_is_remembered(small_site, chromium):
    selected = """id => [...document.querySelectorAll('label.sd-tab-label[data-sync-group="framework"]')]
        .filter(l => l.dataset.syncId === id)
        .map(l => document.getElementById(l.htmlFor).checked)"""
    with served(small_site[0]) as url:
        page = chromium.new_page()
        page.goto(f"{url}/mixed.html")
        assert set(page.evaluate(selected, "numpy")) == {True}
        page.locator('label.sd-tab-label[data-sync-id="torch"]').nth(1).click()
        torch_tabs = page.evaluate(selected, "torch")
        assert len(torch_tabs) == 3 and set(torch_tabs) == {True}  # the notebooks and two outputs
        assert set(page.evaluate(selected, "numpy")) == {False}
        page.goto(f"{url}/tagged.html")
        assert page.evaluate(selected, "torch") == [True, True]
        page.close()


def _note_failure(failed, request_or_response):
    if getattr(request_or_response, "status", 400) >= 400:
        failed.append(request_or_response.url)


def test_every_page_renders_its_maths_offline_and_leaves_no_raw_tex(site, chromium):
    rendered = {}
    with served(site) as url:
        for name in sorted(p.name for p in site.glob("*.html")):
            page, failed = chromium.new_page(), []
            page.on("requestfailed", functools.partial(_note_failure, failed))
            page.on("response", functools.partial(_note_failure, failed))
            page.goto(f"{url}/{name}")
            maths = page.locator(".math").count()  # what MyST's $...$ and $$...$$ became
            if maths:
                page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
                page.evaluate("() => MathJax.startup.promise.then(() => true)")
                assert page.locator(".math > mjx-container").count() == maths, name
                assert page.locator("mjx-merror, mjx-container [style*='color: red']").count() == 0, name
            raw = RAW_TEX.findall(page.evaluate(PROSE))
            assert not raw, (name, raw[:5])
            assert failed == [], (name, failed)  # every MathJax part it asked for is published
            rendered[name] = maths
            page.close()
    assert rendered["gd.html"] > 50 and rendered["convexity.html"] > 20
    assert {"index.html", "consistency.html", "api.html", "search.html"} <= set(rendered)


def test_the_site_publishes_the_optimizer_explorer(site):
    page = (site / "explorer.html").read_text()
    assert 'id="d2l-explorer-data"' in page and "Optimizer explorer" in page
    assert 'href="explorer.html"' in (site / "index.html").read_text()
    assert re.search(r"on NumPy, PyTorch: they agree\s+within rtol", page)
