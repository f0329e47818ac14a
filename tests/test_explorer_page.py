"""The optimizer explorer's page in Chromium: moving the slider redraws the path and the value, as
the build computed them. It builds the explorer page alone with Sphinx, from the paths computed here
(no section runs), and runs in tox's ``course`` env.
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import d2l_optim as d2l
from d2l_optim.build import explorer
from d2l_optim.build import explorer_page as page_module

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _expected_value(text):
    return float(text.replace("−", "-"))


@pytest.fixture(scope="module")
def explorer_page(tmp_path_factory):
    pytest.importorskip("sphinx", reason='the course build needs: pip install "d2l-optim[course]"')
    from d2l_optim.build import theme

    src, out = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("html")
    theme.write_theme(str(src))
    with d2l.use_backend("numpy"):
        paths = {"runs": explorer.compute(), "drawings": explorer.drawings()}
    (src / "index.md").write_text(page_module.page({"numpy": paths}, {}))
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", str(src), str(out)], check=True)
    return out / "index.html"


def _browser():
    if CHROMIUM is None:
        if os.environ.get("D2L_OPTIM_REQUIRE_BROWSER"):
            pytest.fail("D2L_OPTIM_REQUIRE_BROWSER is set but Debian's chromium is not installed")
        pytest.skip("needs Debian's chromium: apt-get install chromium")
    return pytest.importorskip("playwright.sync_api", reason='pip install "d2l-optim[browser]"')


def _drawn(page):
    """(run index, drawn points in screen coordinates, printed value text) of the page's path."""
    path = page.locator("polyline.dx-path")
    points = [[float(v) for v in p.split(",")] for p in path.get_attribute("points").split()]
    return int(path.get_attribute("data-run")), np.array(points), page.locator(".dx-value").inner_text()


def _assert_drawn_is(points, flat):
    """The drawn points are the data's, through one scale per axis (the same, in 2-D) and an offset."""
    data = np.reshape(flat, (-1, 2))[:len(points)]
    assert len(points) == len(data) > 1
    scales = []
    for axis in (0, 1):
        design = np.stack([data[:, axis], np.ones(len(data))], axis=1)
        (scale, offset), *_ = np.linalg.lstsq(design, points[:, axis], rcond=None)
        assert np.abs(design @ [scale, offset] - points[:, axis]).max() < 0.02
        scales.append(scale)
    assert scales[0] > 0 > scales[1] and scales[0] == pytest.approx(-scales[1], rel=1e-3)


def momentum_index(data, lr, beta):
    momentum = next(m for m in data["methods"] if m["key"] == "momentum")
    return momentum["second"]["values"].index(beta) * len(data["lrs"]) + data["lrs"].index(lr)


def test_moving_the_slider_redraws_the_path_and_the_value(explorer_page):
    playwright = _browser()
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_page()
        outside = []
        page.on("request", lambda request: outside.append(request.url)
                if not request.url.startswith("file://") else None)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(explorer_page.as_uri())
        page.wait_for_selector("#d2l-explorer[data-ready=true]")
        data = json.loads(page.locator("#d2l-explorer-data").text_content())
        lrs, runs = data["lrs"], data["runs"]["sgd/elongated_2d"]
        slider = page.locator(".dx-lr input")

        index, points, value = _drawn(page)
        assert index == int(slider.input_value()) == lrs.index(0.4)
        _assert_drawn_is(points, runs["paths"][index])
        assert _expected_value(value) == pytest.approx(runs["values"][index], rel=1e-3)

        slider.focus()
        page.keyboard.press("ArrowLeft")  # the student moves the slider one notch
        moved, moved_points, moved_value = _drawn(page)
        assert moved == index - 1 == int(slider.input_value())
        assert page.locator(".dx-lr output").inner_text() == str(lrs[moved])
        assert not np.array_equal(moved_points, points) and moved_value != value
        _assert_drawn_is(moved_points, runs["paths"][moved])
        assert _expected_value(moved_value) == pytest.approx(runs["values"][moved], rel=1e-3)

        for _ in range(lrs.index(0.6) - moved):
            page.keyboard.press("ArrowRight")
        diverged, _, shown = _drawn(page)
        assert runs["diverged"][diverged] is not None and shown == "diverged"
        assert page.locator("circle.dx-exit").count() == 1

        page.select_option(".dx-method select", label="Momentum")
        second = page.locator(".dx-second input")
        assert page.locator(".dx-second .dx-name").inner_text() == "β"
        second.focus()
        page.keyboard.press("ArrowRight")
        index, points, value = _drawn(page)
        momentum = data["runs"]["momentum/elongated_2d"]
        assert index == int(second.input_value()) * len(lrs) + int(slider.input_value())
        _assert_drawn_is(points, momentum["paths"][index])

        page.select_option(".dx-surface select", label="x cos(cx), one variable")
        index, points, value = _drawn(page)
        curve = data["runs"]["momentum/x_cos"]["paths"][index]
        assert np.allclose(np.reshape(curve, (-1, 2))[0], [10.0, 10 * np.cos(1.5 * np.pi)], atol=0.01)

        # the book's momentum run: on the plot all the way, and it ends where the lesson prints it ends
        page.get_by_role("button", name="Momentum tames it: η = 0.6, β = 0.5").click()
        index, points, value = _drawn(page)
        assert index == momentum_index(data, 0.6, 0.5) and len(points) == data["steps"] + 1
        assert page.locator("circle.dx-exit").count() == 0
        assert "at x = (0.007188, 0.002553)" in page.locator(".dx-readout").inner_text()
        page.locator(".dx-step input").focus()
        page.keyboard.press("ArrowLeft")  # an earlier step: the digits its point holds, no more
        x1, x2 = np.reshape(data["runs"]["momentum/elongated_2d"]["paths"][index], (-1, 2))[-2]
        earlier = f"step 19: x = ({x1:.2f}, {x2:.2f})".replace("-", "−")
        assert earlier in page.locator(".dx-readout").inner_text()
        assert errors == [] and outside == []
        browser.close()
