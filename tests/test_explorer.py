"""The optimizer explorer's data: batched whole paths (``d2l.sweep_traces``), the same paths on
every backend, a run's paths file, and the page's data (the page itself: tests/test_explorer_page.py)."""
import json
import re

import numpy as np
import pytest

import d2l_optim as d2l
from d2l_optim import objectives as O
from d2l_optim.build import explorer, explorer_page


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


@pytest.fixture(scope="module")
def paths(reference):
    """What an explorer run on NumPy records."""
    with d2l.use_backend("numpy"):
        return {"runs": reference, "drawings": explorer.drawings()}


def test_a_run_writes_its_paths_and_the_surfaces_drawings(backend, tmp_path, paths):
    explorer.write_paths(str(tmp_path / "run"))
    written = json.loads((tmp_path / "run" / explorer.PATHS).read_text())
    assert sorted(written) == ["drawings", "runs"] and sorted(written["runs"]) == sorted(paths["runs"])
    assert explorer.agreement({"numpy": paths["runs"], backend: written["runs"]}) == []
    for name, surface in explorer.SURFACES.items():
        drawing = written["drawings"][name]
        if len(surface.x0) == 2:
            assert len(drawing["contours"]) == 12 and all(level["lines"] for level in drawing["contours"])
            assert drawing["contours"] == paths["drawings"][name]["contours"], name  # rounded to 2 decimals
        else:
            np.testing.assert_allclose(drawing["curve"], paths["drawings"][name]["curve"], atol=0.01)


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
    far = (-3.0 - explorer.FAR * 6.0, 3.0 + explorer.FAR * 6.0)  # the last point is cut at the far box
    assert too_large["path"][-1][1] in (pytest.approx(far[0]), pytest.approx(far[1]))
    curve = reference["sgd/x_cos"][lrs.index(2.0)]["path"]  # one variable: the points are (x, f(x))
    assert curve[0] == pytest.approx([10.0, 10 * np.cos(0.15 * np.pi * 10)])
    adadelta = reference["adadelta/elongated_2d"]
    assert len(adadelta) == len(explorer.METHODS["adadelta"].second[2])
    momentum = reference["momentum/elongated_2d"]
    assert len(momentum) == len(lrs) * len(explorer.METHODS["momentum"].second[2])


def test_the_page_data_is_small_rounded_and_offline(reference, paths):
    data = explorer_page.page_data(paths, ["numpy"], {})
    text = explorer_page.widget(data)
    assert len(text.encode()) < 450_000
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", text) and "fetch(" not in text
    embedded = json.loads(re.search(r'id="d2l-explorer-data">(.*?)</script>', text, re.S).group(1))
    assert embedded == json.loads(json.dumps(data))
    gd = embedded["runs"]["sgd/elongated_2d"]
    for flat, run in zip(gd["paths"], reference["sgd/elongated_2d"]):
        np.testing.assert_allclose(np.reshape(flat, (-1, 2)), run["path"], atol=0.005 + 1e-12)
    assert [v is None for v in gd["values"]] == [d is not None for d in gd["diverged"]]


def test_the_readout_holds_the_lessons_digits(backend, capsys, paths):
    """Where a run ends the page shows x as the lesson prints it; a path holds the decimals of
    about a pixel of its plot, no more (and the page shows no more)."""
    data = explorer_page.page_data(paths, ["numpy"], {})
    lrs, betas = list(explorer.LEARNING_RATES), explorer.METHODS["momentum"].second[2]
    index = betas.index(0.5) * len(lrs) + lrs.index(0.6)
    d2l.train_2d(d2l.momentum(0.6, 0.5), f_grad=d2l.grad(O.elongated_2d, (0, 1)))
    assert capsys.readouterr().out == "epoch 20, x1: 0.007188, x2: 0.002553\n"
    assert data["runs"]["momentum/elongated_2d"]["ends"][index] == ["0.007188", "0.002553"]
    for key, runs in data["runs"].items():
        decimals = data["decimals"][key.split("/")[1]]
        for flat in runs["paths"]:
            assert all(round(v, decimals) == v for v in flat), key
        assert [end is None for end in runs["ends"]] == [d is not None for d in runs["diverged"]]


def test_the_presets_on_a_bowl_stay_on_the_plot(reference):
    """A preset that converges on a bowl shows its whole path (momentum's first step goes to
    x2 = 2.8); only the presets that show a failure leave the plot."""
    lrs = list(explorer.LEARNING_RATES)
    for label, method, surface, lr, second in explorer.PRESETS:
        if surface not in ("elongated_2d", "quadratic_2d"):
            continue
        values = explorer.METHODS[method].second
        run = reference[f"{method}/{surface}"][(values[2].index(second) * len(lrs) if values else 0)
                                              + lrs.index(lr)]
        box = explorer.SURFACES[surface].box
        on_plot = all(low <= x <= high for point in run["path"] for x, (low, high) in zip(point, box))
        assert on_plot == (run["diverged"] is None), label
