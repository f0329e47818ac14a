"""Plots are headless, return their Axes and show the same data on every backend."""
import matplotlib
import numpy as np
import pytest

import d2l_optim as d2l
from d2l_optim import compare
from d2l_optim import objectives as O
from d2l_optim.plotting import figure_data, flatten_figure_data


def _pictures():
    """Each of the package's plot kinds, drawn on the active backend."""
    x = d2l.arange(0.5, 1.5, 0.01)
    segment = d2l.tensor([-1.5, 1])
    trace_2d = [(-5.0, -2.0), (-4.0, -1.2), (-3.2, -0.72)]
    return {
        "plot": d2l.plot(x, [O.risk(x), O.empirical_risk(x)], "x", "risk", figsize=(4.5, 2.5)),
        "chord": d2l.plot([d2l.arange(-2, 2, 0.01), segment], [O.cos_pi(d2l.arange(-2, 2, 0.01)),
                                                               O.cos_pi(segment)]),
        "show_trace": d2l.show_trace([10.0, -12.0, 14.4], O.x_cos),
        "show_trace_2d": d2l.show_trace_2d(O.quadratic_2d, trace_2d),
        "surface_3d": d2l.show_surface_3d(O.saddle),
    }


def test_plots_return_axes_and_honour_sizes(backend):
    pictures = _pictures()
    for axes in pictures.values():
        assert isinstance(axes, matplotlib.axes.Axes)
    assert tuple(pictures["plot"].figure.get_size_inches()) == (4.5, 2.5)
    assert tuple(pictures["show_trace"].figure.get_size_inches()) == d2l.plotting.FIGSIZE
    assert pictures["show_trace_2d"].get_xlabel() == "x1"


def test_every_backend_draws_the_same_data(backend):
    drawn = {name: figure_data(axes) for name, axes in _pictures().items()}
    with d2l.use_backend("numpy"):
        reference = {name: figure_data(axes) for name, axes in _pictures().items()}
    for name in drawn:
        compare.assert_figures_agree(flatten_figure_data(drawn[name]), flatten_figure_data(reference[name]),
                                     name=name)


BOX = ((-5.5, 0.9), (-3.0, 0.9))  # the book's contour grid, first and last values


def _contour_extent(axes):
    vertices = np.concatenate([p.vertices for c in axes.collections for p in c.get_paths()])
    return vertices.min(axis=0), vertices.max(axis=0)


def test_contours_cover_the_books_grid_whatever_the_trace(backend):
    near = d2l.show_trace_2d(O.elongated_2d, [(-5.0, -2.0), (-4.4, 2.8), (-3.6, -1.5)])
    far = d2l.show_trace_2d(O.elongated_2d, [(-5.0, -2.0), (-4.4, 2.8), (-3.9, -3.9), (-0.4, -1673.4)])
    for axes in (near, far):
        low, high = _contour_extent(axes)
        assert np.all(low >= [-5.5 - 1e-6, -3.0 - 1e-6]) and np.all(high <= [0.9 + 1e-6, 0.9 + 1e-6])
    assert near.get_ylim()[1] > 2.8  # a trace that stays near the grid is shown whole, as in the book
    assert (far.get_xlim(), far.get_ylim()) == BOX  # one that strays far is clipped to the grid


def test_a_diverging_trace_is_marked_where_it_leaves_and_kept_whole(backend):
    axes = d2l.show_trace_2d(O.elongated_2d, [(-5.0, -2.0), (-4.4, 2.8), (-3.9, -3.9), (-0.4, -1673.4)])
    lines = {line.get_marker(): line.get_xydata().tolist() for line in axes.lines}
    assert lines["None"] == [[-5.0, -2.0], [-4.4, 2.8], [-3.9, -3.9], [-0.4, -1673.4]]  # faint, whole
    exit_x = -5.0 + 0.6 * (0.9 + 2.0) / (2.8 + 2.0)  # where the first step crosses x2 = 0.9
    np.testing.assert_allclose(lines["^"], [[exit_x, 0.9]])  # an arrow pointing up, out of the grid
    np.testing.assert_allclose(lines["o"], [[-5.0, -2.0], [exit_x, 0.9]])  # drawn up to the edge
    (note,) = axes.texts
    assert note.get_text() == "leaves the grid at step 1\nstep 3: x1 = -0.4, x2 = -1673"


def test_overlapping_traces_differ_in_line_style_and_marker(backend):
    trace = [(-5.0, -2.0), (-4.0, -1.2), (-3.2, -0.72)]
    axes = d2l.show_traces_2d(O.elongated_2d, {"adam": trace, "yogi": list(trace), "gd": trace})
    adam, yogi, gd = axes.lines
    for a, b in [(adam, yogi), (yogi, gd), (adam, gd)]:
        assert a.get_linestyle() != b.get_linestyle() and a.get_marker() != b.get_marker()
        assert a.get_color() != b.get_color()
    assert yogi.get_linewidth() < adam.get_linewidth() and yogi.get_zorder() > adam.get_zorder()
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["adam", "yogi", "gd"]


def test_plot_errors(backend):
    with pytest.raises(ValueError, match="x has 3 values but y has 2"):
        d2l.plot(d2l.tensor([1.0, 2.0, 3.0]), d2l.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="2 x sequences for 3 y sequences"):
        d2l.plot([[1.0, 2.0], [1.0, 2.0]], [[1.0, 2.0]] * 3)


def test_saved_svg_is_byte_identical_between_runs(backend, tmp_path):
    paths = []
    for i in range(2):
        axes = d2l.show_trace_2d(O.quadratic_2d, [(-5.0, -2.0), (-4.0, -1.2)])
        paths.append(d2l.save_figure(axes, str(tmp_path / f"figure{i}.svg")))
    first, second = (open(p, "rb").read() for p in paths)
    assert first == second and first.startswith(b"<?xml")
