"""The handout (d2l_optim/build/print.css, in the site's theme): a page of the course, printed to
PDF by Chromium, holds the lesson in the framework the reader chose, the solution unfolded and the
attribution, and none of the site's navigation; figures, code and equations are not split across
pages (the light theme in print and images kept whole are furo's own print rules).

The pages: a small Sphinx project with the course's own theme (d2l_optim/build/theme.py), its
framework tabs and a dropdown; and a real page of a built course, printed after the reader chose
PyTorch on another visit (sphinx-design keeps the choice in the browser's localStorage). Each check
is made on a control printed without print.css too, so that it can fail. Runs in tox's ``course``
env (Chromium, Debian's poppler-utils for pdftotext)."""
import os
import re
import shutil
import subprocess

import pytest

from d2l_optim import _config
from d2l_optim.build import theme
from helpers import served

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")
PAGE = """\
# The handout

A paragraph of the lesson.

## A part with a figure

<img src="_static/figure.svg" alt="a figure" class="d2l-figure">

$$x \\leftarrow x - \\eta \\nabla f(x)$$

:::::{tab-set}
:sync-group: framework

::::{tab-item} NumPy
:sync: numpy

```python
numpy_only_code = 1
```
::::

::::{tab-item} PyTorch
:sync: torch

```python
torch_only_code = 2
```
::::
:::::

::::::{dropdown} Solution

The worked solution, in words.
::::::
"""
#: turn print.css on (true) or off (false)
TOGGLE = "on => document.querySelector('link[href*=\"print.css\"]').disabled = !on"
FIGURE = ('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200"><rect width="300" '
          'height="200" fill="white"/><line x1="0" y1="200" x2="300" y2="0" stroke="black"/></svg>')


def _require(tool, hint):
    if tool is None:
        if os.environ.get("D2L_OPTIM_REQUIRE_BROWSER"):
            pytest.fail(f"D2L_OPTIM_REQUIRE_BROWSER is set but {hint}")
        pytest.skip(hint)


@pytest.fixture(scope="module")
def handout_page(tmp_path_factory):
    """A page built with the course's theme and print.css: its path."""
    pytest.importorskip("sphinx", reason='pip install "d2l-optim[course]"')
    from sphinx.cmd.build import build_main

    root = tmp_path_factory.mktemp("handout")
    source = root / "source"
    theme.write_theme(str(source))  # with print.css
    (source / "_static" / "figure.svg").write_text(FIGURE)
    (source / "index.md").write_text(PAGE)
    assert build_main([str(source), str(root / "html"), "-q", "-b", "html"]) == 0
    return root / "html" / "index.html"


@pytest.fixture(scope="module")
def browser():
    _require(CHROMIUM, "needs Debian's chromium: apt-get install chromium")
    playwright = pytest.importorskip("playwright.sync_api", reason='pip install "d2l-optim[browser]"')
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(handout_page, browser):
    page = browser.new_page()
    page.goto(handout_page.as_uri())
    page.locator('label.sd-tab-label[data-sync-id="torch"]').click()  # the reader picks PyTorch
    yield page
    page.close()


def _printed(page, path, with_print_css=True):
    """The text of the page printed to a PDF (A4), with or without print.css (on again after)."""
    _require(PDFTOTEXT, "needs pdftotext: apt-get install poppler-utils")
    page.evaluate(TOGGLE, with_print_css)
    try:
        page.pdf(path=str(path), format="A4")
    finally:
        page.evaluate(TOGGLE, True)
    return subprocess.run([PDFTOTEXT, str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_printed_page_is_the_lesson_in_the_chosen_framework_with_its_solution(page, tmp_path):
    handout = _printed(page, tmp_path / "handout.pdf")
    control = _printed(page, tmp_path / "control.pdf", with_print_css=False)
    for text in (handout, control):
        assert "A paragraph of the lesson." in text and "torch_only_code = 2" in text
    # the chosen framework only: the other tab's name is not printed
    assert "NumPy" in control.splitlines() and "NumPy" not in handout.splitlines()
    # the solution is printed unfolded
    assert "The worked solution, in words." in handout and "The worked solution, in words." not in control
    # no navigation or theme chrome (the theme's own footer line; its print rules already hide the
    # header and the previous and next links), the attribution kept
    for chrome in ("Made with", "Copyright"):
        assert chrome in control and chrome not in handout, chrome
    assert "NASA airfoil self-noise" in handout and "CC BY 4.0" in handout


def test_figures_code_and_equations_are_kept_on_one_page(page):
    measure = """() => [...['img.d2l-figure', '.highlight', '.math-wrapper'].map(
        selector => getComputedStyle(document.querySelector(selector)).breakInside),
        getComputedStyle(document.querySelector('.toc-drawer')).display]"""
    page.set_viewport_size({"width": 1600, "height": 900})  # as wide as a landscape A3 page
    page.emulate_media(media="print")
    try:
        measured = {}
        for with_print_css in (True, False):
            page.evaluate(TOGGLE, with_print_css)
            measured[with_print_css] = page.evaluate(measure)
    finally:
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": 1280, "height": 720})
        page.evaluate(TOGGLE, True)
    assert measured[True] == ["avoid", "avoid", "avoid", "none"]  # the figure: furo's own rule
    assert measured[False][1:] == ["auto", "auto", "block"]


LESSON = '''# %% [markdown]
# # A page to print
# %% tags=["remove-cell"]
import d2l_optim as d2l

section = d2l.Section("handout")
section.compare(r"framework number: (\\d)", "framework")
# %%
import d2l_optim as d2l

print("printed by every framework alike")
print(f"framework number: {['numpy', 'torch'].index(d2l.get_backend())}")
# %% tags=["framework-numpy"]
print("numpy_cell_output")
# %% tags=["framework-torch"]
print("torch_cell_output")
# %% figures=["a-line"]
d2l.plot([0.0, 1.0], [0.0, 1.0])
# %% [markdown]
# **Exercise 1 (a line).** Say which way the line goes.
# %% [markdown] tags=["solution"]
# The worked answer, in words: it rises.
'''


@pytest.fixture(scope="module")
def course_page(tmp_path_factory, browser):
    """A section page of a course built on NumPy and PyTorch, opened after the reader chose PyTorch
    on an earlier visit, as it is served."""
    pipeline = pytest.importorskip("d2l_optim.build.pipeline", reason='pip install "d2l-optim[course]"')
    if not _config.is_installed("torch"):
        pytest.skip(f"the printed course page is built on NumPy and PyTorch: {_config.install_hint('torch')}")
    root = tmp_path_factory.mktemp("course")
    (root / "sources").mkdir()
    (root / "sources" / "handout.py").write_text(LESSON)
    assert pipeline.build(out=str(root / "site"), backends=["numpy", "torch"], progress=False,
                          source_dir=str(root / "sources"), log=lambda *a: None) == []
    with served(root / "site") as url:
        page = browser.new_page()
        page.goto(f"{url}/handout.html")
        page.locator('label.sd-tab-label[data-sync-id="torch"]').first.click()
        page.goto(f"{url}/index.html")  # elsewhere on the site, then back: a new load of the page
        page.goto(f"{url}/handout.html")
        yield page
        page.close()


def test_a_printed_course_page_is_the_lesson_in_the_framework_the_reader_chose(course_page, tmp_path):
    stored = course_page.evaluate("() => window.localStorage.getItem('sphinx-design-tab-id-framework')")
    assert stored == "torch"  # what sphinx-design remembers, and opens every tab set on
    handout = _printed(course_page, tmp_path / "handout.pdf")
    control = _printed(course_page, tmp_path / "control.pdf", with_print_css=False)
    for text in (handout, control):  # the page opened on the framework chosen before, PyTorch
        assert "printed by every framework alike" in text and "torch_cell_output" in text
        assert "framework number: 1" in text
        assert "numpy_cell_output" not in text and "framework number: 0" not in text
    assert "NumPy" in control.splitlines() and "NumPy" not in handout.splitlines()  # the other tab's name
    assert "The worked answer, in words: it rises." in handout  # the instructor edition's solution, open
    assert "The worked answer, in words: it rises." not in control
    for chrome in ("Made with", "Copyright"):  # the theme's own footer line (the sidebar: see below)
        assert chrome in control and chrome not in handout, chrome
    assert "NASA airfoil self-noise" in handout and "Dive into Deep Learning" in handout
    assert re.search(r"handout\.ipynb for PyTorch", handout) and "handout.ipynb for NumPy" not in handout


def test_a_course_pages_figures_are_not_split_across_pages_and_its_sidebar_is_not_printed(course_page):
    course_page.set_viewport_size({"width": 1600, "height": 900})  # wide enough for furo's sidebar
    course_page.emulate_media(media="print")
    try:
        style = course_page.evaluate("""() => [...document.querySelectorAll('img.d2l-figure')].map(
            figure => getComputedStyle(figure).breakInside)""")
        sidebar = {}
        for with_print_css in (True, False):
            course_page.evaluate(TOGGLE, with_print_css)
            sidebar[with_print_css] = course_page.evaluate(
                "() => getComputedStyle(document.querySelector('.sidebar-drawer')).display")
    finally:
        course_page.evaluate(TOGGLE, True)
        course_page.emulate_media(media="screen")
        course_page.set_viewport_size({"width": 1280, "height": 720})
    assert style == ["avoid"] and sidebar == {True: "none", False: "flex"}
