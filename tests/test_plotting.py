"""Plots are headless, return their Axes and show the same data on every backend."""
import matplotlib
import pytest

import d2l_optim as d2l
from d2l_optim import objectives as O
from d2l_optim.build import compare
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


def test_trace_2d_grid_is_the_books_unless_the_trace_leaves_it(backend):
    x1, x2 = d2l.plotting.trace_2d_grid([(-5.0, -2.0), (0.0, 0.0)])
    assert d2l.shape(x1) == (65,) and d2l.shape(x2) == (40,)
    x1, x2 = d2l.plotting.trace_2d_grid([(-5.0, -2.0), (-0.4, -1673.4)])
    assert d2l.to_float(x2[0]) < -1673.4 and d2l.shape(x1) == (65,)


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
