"""The course build: manifest, figures, notebooks, cache, consistency, framework cells, the web page.

Builds a small subset (two sections on NumPy and PyTorch). Runs in tox's ``course`` env, with
tests/test_course_safety.py (output folder, lock, signals, failures, cache integrity).
"""
import functools
import html.parser
import http.server
import json
import os
import re
import shutil
import threading

import pytest

from d2l_optim import __main__ as cli
from d2l_optim import _config
from helpers import run_example

pipeline = pytest.importorskip("d2l_optim.build.pipeline",
                               reason='the course build needs: pip install "d2l-optim[course]"')

nbformat = pytest.importorskip("nbformat", reason='the course build needs: pip install "d2l-optim[course]"')
BACKENDS = ["numpy", "torch"]
SECTIONS = ["gd", "convexity"]
GOOD = '''# %% [markdown]
# # A good section
# %%
import d2l_optim as d2l

section = d2l.Section("good")
print(f"cos(0) = {d2l.to_float(d2l.cos(0.0)):.3f}")
'''
BAD = GOOD.replace("A good", "A bad").replace('"good"', '"bad"') + 'raise ValueError("boom")\n'
SPLIT = GOOD.replace('"good"', '"split"').replace(
    'print(f"cos(0) = {d2l.to_float(d2l.cos(0.0)):.3f}")',
    'print(f"backend number: {d2l.available_backends().index(d2l.get_backend())}")')
TOLERANT = SPLIT.replace('"split"', '"tolerant"').replace(
    'print(f"backend', 'section.compare(r"number: (\\d)", atol=1)\nprint(f"backend')
TAGGED = '''# %% [markdown]
# # Framework cells
# %%
import d2l_optim as d2l

section = d2l.Section("tagged")
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


def test_manifest_lists_every_run(site):
    manifest = json.loads((site / "outputs.json").read_text())
    assert sorted(manifest["sections"]) == sorted(SECTIONS)
    gd = manifest["sections"]["gd"]
    assert sorted(gd) == BACKENDS
    for backend, entry in gd.items():
        assert entry["status"] == "ok" and entry["seconds"] > 0
        assert entry["lines"][0] == "epoch 10, x: 0.060466" and len(entry["lines"]) == 21
        assert len(entry["figures"]) == 20  # 8 figures and 2 in the solutions, SVG and PNG
        for path in entry["figures"]:
            assert (site / path).stat().st_size > 1000, path
        assert (site / "outputs" / "gd" / f"{backend}.txt").read_text().splitlines() == entry["lines"]


def test_notebooks_are_executed_and_match_the_script(site):
    for backend in BACKENDS:
        notebook = nbformat.read(str(site / "notebooks" / backend / "gd.ipynb"), as_version=4)
        nbformat.validate(notebook)
        assert f'os.environ["D2L_OPTIM_BACKEND"] = "{backend}"' in notebook.cells[0].source
        printed = "".join(o.text for c in notebook.cells if c.cell_type == "code"
                          for o in c.outputs if o.output_type == "stream" and o.name == "stdout")
        script = run_example("gd", backend)
        assert script.returncode == 0 and printed == script.stdout


def test_consistency_report_compares_every_number_and_figure(site):
    report = json.loads((site / "consistency.json").read_text())
    lines = report["gd"]["lines"]
    assert len(lines) == 21 and all(line["agree"] and line["compared"] for line in lines)
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
    assert 'src="_static/mathjax/tex-chtml.js"' in page and (site / "_static/mathjax/tex-chtml.js").exists()
    for name in os.listdir(site):
        if name.endswith(".html"):
            html = (site / name).read_text()
            for tag in ("<script", "<link", "<img"):
                for chunk in html.split(tag)[1:]:
                    head = chunk.split(">")[0]
                    assert "http://" not in head and "https://" not in head, (name, head)


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
    assert "1 of 2 runs to do (1 cached), 2 at a time" in messages
    assert any(m.startswith("FAILED bad on numpy:") and "boom" in m for m in messages)
    manifest = json.loads((out / "outputs.json").read_text())
    assert manifest["sections"]["good"]["numpy"]["lines"] == ["cos(0) = 1.000"]
    assert manifest["sections"]["bad"]["numpy"]["status"] == "failed"
    assert "boom" in manifest["sections"]["bad"]["numpy"]["error"]
    assert "This run failed." in (out / "bad.html").read_text()
    assert cli.main(["build", "--out", str(out), "--backends", "numpy", "--sources", str(sources),
                     "--no-progress"]) == 1


def test_disagreeing_backends_fail_the_build_unless_the_section_tolerates_it(tmp_path, backends):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "tolerant.py").write_text(TOLERANT)
    out = tmp_path / "site"
    assert pipeline.build(out=str(out), backends=backends, source_dir=str(sources), progress=False,
                          log=lambda *a: None) == []
    line = json.loads((out / "consistency.json").read_text())["tolerant"]["lines"][0]
    assert line["agree"] and line["policy"] == "within atol 1"
    before = (out / "outputs.json").read_text()
    (sources / "split.py").write_text(SPLIT)
    with pytest.raises(pipeline.BuildError, match=r"split, printed line 1 \(exact\): NumPy 'backend "
                                                  r"number: 0'; PyTorch 'backend number: 1'"):
        pipeline.build(out=str(out), backends=backends, source_dir=str(sources), progress=False,
                       log=lambda *a: None)
    assert (out / "outputs.json").read_text() == before
    assert [p for p in os.listdir(tmp_path) if p.startswith(".")] == []


def test_framework_cells_run_on_their_backend_and_share_one_tab_set(tmp_path, backends):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "tagged.py").write_text(TAGGED)
    out = tmp_path / "site"
    assert pipeline.build(out=str(out), backends=backends, source_dir=str(sources), progress=False,
                          log=lambda *a: None) == []
    for backend, own in [("numpy", ["numpy says 1.0", "numpy again"]), ("torch", ["torch says 1.0"])]:
        notebook = nbformat.read(str(out / "notebooks" / backend / "tagged.ipynb"), as_version=4)
        code = [c.source for c in notebook.cells if c.cell_type == "code"]
        assert ("import torch" in "".join(code)) == (backend == "torch")
        printed = (out / "outputs" / "tagged" / f"{backend}.txt").read_text().splitlines()
        assert printed == ["shared", *own, "the end"]
    report = json.loads((out / "consistency.json").read_text())["tagged"]["lines"]
    assert [line["values"]["numpy"] for line in report] == ["shared", "the end"]  # not framework cells
    tab_sets = _tab_sets((out / "tagged.html").read_text())
    assert len(tab_sets) == 4  # downloads, the output of "shared", the framework cells, that of "the end"
    assert tab_sets[2] == {
        "numpy": 'print("numpy says 1.0")\nnumpy says 1.0\nprint("numpy again")\nnumpy again',
        "torch": 'import torch\nprint("torch says", torch.ones(1).item())\ntorch says 1.0'}
    assert tab_sets[3] == {"numpy": "the end", "torch": "the end"}


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
    assert [p for p in os.listdir(tmp_path) if p.startswith(".")] == []


@pytest.mark.parametrize("argv, message", [
    (["build", "--sections", "nope"], "unknown section(s) ['nope']; the sections are: optimization_intro"),
    (["build", "--backends", "jax"], "unknown backend 'jax'"),
    (["build", "--jobs", "0"], "--jobs must be at least 1"),
    (["build", "--cell-timeout", "0"], "--cell-timeout must be more than 0 seconds"),
])
def test_command_line_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv + ["--no-progress"])
    assert exit_.value.code == 2 and message in capsys.readouterr().err


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def served(site):
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_picking_pytorch_switches_every_tab_and_is_remembered(served):
    if CHROMIUM is None:
        if os.environ.get("D2L_OPTIM_REQUIRE_BROWSER"):
            pytest.fail("D2L_OPTIM_REQUIRE_BROWSER is set but Debian's chromium is not installed")
        pytest.skip("needs Debian's chromium: apt-get install chromium")
    playwright = pytest.importorskip("playwright.sync_api", reason='pip install "d2l-optim[browser]"')
    selected = """id => [...document.querySelectorAll('label.sd-tab-label[data-sync-group="framework"]')]
        .filter(l => l.dataset.syncId === id)
        .map(l => document.getElementById(l.htmlFor).checked)"""
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_page()
        page.goto(f"{served}/gd.html")
        assert set(page.evaluate(selected, "numpy")) == {True}
        page.locator('label.sd-tab-label[data-sync-id="torch"]').nth(3).click()
        torch_tabs = page.evaluate(selected, "torch")
        assert len(torch_tabs) == 11 and set(torch_tabs) == {True}  # downloads + 6 outputs + 4 solutions
        assert set(page.evaluate(selected, "numpy")) == {False}
        page.goto(f"{served}/convexity.html")
        assert set(page.evaluate(selected, "torch")) == {True}
        browser.close()


def test_the_site_publishes_the_optimizer_explorer(site):
    page = (site / "explorer.html").read_text()
    assert 'id="d2l-explorer-data"' in page and "Optimizer explorer" in page
    assert 'href="explorer.html"' in (site / "index.html").read_text()
    assert re.search(r"on NumPy, PyTorch: they agree\s+within rtol", page)
