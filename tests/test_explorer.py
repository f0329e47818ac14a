"""The optimizer explorer: batched whole paths (``d2l.sweep_traces``), the same paths on every
backend, the page's data, and the page itself in Chromium (moving the slider redraws the path
and the value, as the build computed them).

The browser test builds the explorer page alone with Sphinx (no section runs); it runs in tox's
``course`` env.
"""
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

import d2l_optim as d2l
from d2l_optim import objectives as O
from d2l_optim.build import explorer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_sweep_traces_are_the_runs_one_by_one(backend, capsys):
    grid = {"lr": [0.1, 0.6, 0.6], "beta": [0.0, 0.5, 0.25]}
    paths = d2l.sweep_traces(d2l.momentum, O.elongated_2d, grid, steps=12)
    assert paths.shape == (3, 13, 2)
    f_grad = d2l.grad(O.elongated_2d, (0, 1))
    for path, lr, beta in zip(paths, grid["lr"], grid["beta"]):
        np.testing.assert_allclose(path, d2l.train_2d(d2l.momentum(lr, beta), steps=12, f_grad=f_grad),
                                   rtol=1e-12, atol=1e-12)
    finals = d2l.lr_sweep(d2l.sgd, O.elongated_2d, [0.1, 0.4], steps=12)
    paths = d2l.sweep_traces(d2l.sgd, O.elongated_2d, {"lr": [0.1, 0.4]}, steps=12)
    np.testing.assert_allclose(finals, 0.1 * paths[:, -1, 0] ** 2 + 2 * paths[:, -1, 1] ** 2, rtol=1e-12)
    one_variable = d2l.sweep_traces(d2l.adadelta, O.x_cos, {"rho": [0.5, 0.9]}, steps=3, x0=(10.0,))
    assert one_variable.shape == (2, 4, 1) and one_variable[0, 0, 0] == 10.0
    for grid in ({}, {"lr": []}, {"lr": [0.1], "beta": [0.5, 0.9]}):
        with pytest.raises(ValueError, match="sweep_traces needs a grid of hyperparameters"):
            d2l.sweep_traces(d2l.momentum, O.elongated_2d, grid)


@pytest.fixture(scope="module")
def reference():
    with d2l.use_backend("numpy"):
        return explorer.compute()


def test_every_backend_computes_the_same_paths(backend, reference):
    computed = explorer.compute()
    assert explorer.agreement({"numpy": reference, backend: computed}) == []
    sensitive = [(key, i) for key, runs in computed.items() for i, run in enumerate(runs) if run["sensitive"]]
    assert len(sensitive) < 10, sensitive  # the chaotic runs are exceptions, not the rule


def test_the_paths_are_the_optimizers_runs(reference):
    lrs = list(explorer.LEARNING_RATES)
    gd = reference["sgd/elongated_2d"]
    with d2l.use_backend("numpy"):
        trace = d2l.train_2d(d2l.sgd(0.4), steps=explorer.STEPS, f_grad=d2l.grad(O.elongated_2d, (0, 1)))
    run = gd[lrs.index(0.4)]
    assert run["diverged"] is None and not run["sensitive"]
    np.testing.assert_allclose(run["path"], trace, rtol=1e-12)
    assert run["value"] == pytest.approx(0.1 * trace[-1][0] ** 2 + 2 * trace[-1][1] ** 2, rel=1e-12)
    too_large = gd[lrs.index(0.6)]  # |1 - 4 * 0.6| > 1: x2 grows until it is FAR boxes out
    assert too_large["value"] is None and 1 < too_large["diverged"] <= explorer.STEPS
    assert len(too_large["path"]) == too_large["diverged"] + 1
    far = (-3.0 - explorer.FAR * 5.0, 2.0 + explorer.FAR * 5.0)  # the last point is cut at the far box
    assert too_large["path"][-1][1] in (pytest.approx(far[0]), pytest.approx(far[1]))
    curve = reference["sgd/x_cos"][lrs.index(2.0)]["path"]  # one variable: the points are (x, f(x))
    assert curve[0] == pytest.approx([10.0, 10 * np.cos(0.15 * np.pi * 10)])
    adadelta = reference["adadelta/elongated_2d"]
    assert len(adadelta) == len(explorer.METHODS["adadelta"].second[2])
    momentum = reference["momentum/elongated_2d"]
    assert len(momentum) == len(lrs) * len(explorer.METHODS["momentum"].second[2])


def test_the_page_data_is_small_rounded_and_offline(reference):
    data = explorer.page_data(reference, ["numpy"], {})
    text = explorer.widget(data)
    assert len(text.encode()) < 450_000
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", text) and "fetch(" not in text
    embedded = json.loads(re.search(r'id="d2l-explorer-data">(.*?)</script>', text, re.S).group(1))
    assert embedded == json.loads(json.dumps(data))
    gd = embedded["runs"]["sgd/elongated_2d"]
    for flat, run in zip(gd["paths"], reference["sgd/elongated_2d"]):
        np.testing.assert_allclose(np.reshape(flat, (-1, 2)), run["path"], atol=0.005 + 1e-12)
    assert [v is None for v in gd["values"]] == [d is not None for d in gd["diverged"]]


def _expected_value(text):
    return float(text.replace("−", "-"))


@pytest.fixture(scope="module")
def explorer_page(tmp_path_factory):
    pytest.importorskip("sphinx", reason='the course build needs: pip install "d2l-optim[course]"')
    from d2l_optim.build import site

    src, out = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("html")
    (src / "conf.py").write_text(site.CONF)
    (src / "index.md").write_text(explorer.page(["numpy"]))
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
        assert errors == [] and outside == []
        browser.close()
