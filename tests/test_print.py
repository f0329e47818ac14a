"""The handout (d2l_optim/build/print.css): a page of the course's theme, printed to PDF by Chromium,
holds the lesson in the chosen framework, the solution unfolded and the attribution, and none of
the site's navigation; figures, code and equations are not split across pages (the light theme in
print and images kept whole are furo's own print rules).

The page is a small Sphinx project with the course's own theme (d2l_optim/build/theme.py), its
framework tabs and a dropdown; each check is made on a control printed without print.css too, so
that it can fail."""
import os
import shutil
import subprocess

import pytest

from d2l_optim.build import theme

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")
PRINT_CSS = os.path.join(os.path.dirname(theme.__file__), "print.css")
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
    theme.write_theme(str(source))
    shutil.copy(PRINT_CSS, source / "_static" / "print.css")
    (source / "_static" / "figure.svg").write_text(FIGURE)
    with open(source / "conf.py", "a") as conf:
        conf.write('html_css_files = ["d2l-optim.css", "print.css"]\n')  # what the site's theme adds
    (source / "index.md").write_text(PAGE)
    assert build_main([str(source), str(root / "html"), "-q", "-b", "html"]) == 0
    return root / "html" / "index.html"


@pytest.fixture(scope="module")
def page(handout_page):
    _require(CHROMIUM, "needs Debian's chromium: apt-get install chromium")
    playwright = pytest.importorskip("playwright.sync_api", reason='pip install "d2l-optim[browser]"')
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(handout_page.as_uri())
        page.locator('label.sd-tab-label[data-sync-id="torch"]').click()  # the reader picks PyTorch
        yield page
        browser.close()


def _printed(page, path, with_print_css=True):
    """The text of the page printed to a PDF (A4), with or without print.css."""
    _require(PDFTOTEXT, "needs pdftotext: apt-get install poppler-utils")
    page.evaluate(TOGGLE, with_print_css)
    page.pdf(path=str(path), format="A4")
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
