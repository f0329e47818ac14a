"""Book-compatible plotting helpers on matplotlib's object API.

They work headless, accept tensors of any backend, return the Axes they drew on, and evaluate
objectives on one grid for all backends, so every backend draws the same picture.
"""
import io
import itertools
import os
import sys

import numpy as np

from d2l_optim import ops

FMTS = ("-", "m--", "g-.", "r:")
FIGSIZE = (3.5, 2.5)
TRACE_COLOR = "#ff7f0e"
CONTOUR_COLOR = "#1f77b4"
#: the book's contour grid for the 2-D traces: x1 in arange(-5.5, 1.0, 0.1), x2 in arange(-3.0, 1.0, 0.1)
TRACE_2D_GRID = ((-5.5, 1.0, 0.1), (-3.0, 1.0, 0.1))
MAX_CURVE_POINTS = 20001


def pyplot():
    """``matplotlib.pyplot``, imported on first use so that ``import d2l_optim`` stays light."""
    import matplotlib.pyplot

    return matplotlib.pyplot


def __getattr__(name):
    """``plotting.plt`` (and so ``d2l.plt``) is ``matplotlib.pyplot``, imported when first asked for."""
    if name == "plt":
        return pyplot()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def use_svg_display():
    """Show figures as SVG in Jupyter (does nothing outside IPython)."""
    try:
        from IPython import get_ipython
        from matplotlib_inline import backend_inline
    except ImportError:
        return
    if get_ipython() is not None:
        backend_inline.set_matplotlib_formats("svg")


def set_figsize(figsize=FIGSIZE):
    """Use SVG in Jupyter and make ``figsize`` the default size of new figures."""
    use_svg_display()
    pyplot().rcParams["figure.figsize"] = figsize


def set_axes(axes, xlabel=None, ylabel=None, xlim=None, ylim=None, xscale="linear",
             yscale="linear", legend=None):
    """Set the labels, limits, scales and legend of ``axes`` and draw a grid."""
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid()


def new_axes(figsize=FIGSIZE, **subplot_kw):
    """A new figure with one Axes, returned."""
    fig = pyplot().figure(figsize=figsize)
    return fig.add_subplot(111, **subplot_kw)


def _series(data):
    """``data`` (a tensor, an array, a list of numbers or a list of those) as a list of arrays."""
    if isinstance(data, (list, tuple)) and data and not np.isscalar(data[0]) \
            and np.ndim(ops.numpy(data[0])) >= 1:
        return [ops.numpy(d).reshape(-1) for d in data]
    array = ops.numpy(data) if not isinstance(data, (list, tuple)) else np.asarray(
        [ops.to_float(d) for d in data])
    return [array.reshape(-1)] if array.ndim <= 1 else list(array)


def plot(X, Y=None, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
         xscale="linear", yscale="linear", fmts=FMTS, figsize=FIGSIZE, axes=None):
    """Plot one or several curves and return the Axes.

    ``X`` and ``Y`` are each a sequence of values or a list of such sequences (tensors of any
    backend welcome); with ``Y`` omitted, ``X`` holds the y values. One x sequence serves every
    y sequence. A new figure of ``figsize`` is made unless ``axes`` is given.
    """
    if Y is None:
        X, Y = [], X
    ys = _series(Y)
    xs = _series(X) if len(X) else [None]
    if len(xs) == 1:
        xs = xs * len(ys)
    if len(xs) != len(ys):
        raise ValueError(f"plot: got {len(xs)} x sequences for {len(ys)} y sequences")
    axes = axes if axes is not None else new_axes(figsize)
    axes.cla()
    for x, y, fmt in zip(xs, ys, itertools.cycle(fmts)):
        if x is None:
            axes.plot(y, fmt)
        else:
            if len(x) != len(y):
                raise ValueError(f"plot: x has {len(x)} values but y has {len(y)}")
            axes.plot(x, y, fmt)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
    return axes


def annotate(text, xy, xytext, axes=None):
    """Label the point ``xy`` with ``text`` at ``xytext``, joined by an arrow."""
    axes = axes if axes is not None else pyplot().gca()
    axes.annotate(text, xy=xy, xytext=xytext, arrowprops=dict(arrowstyle="->"))
    return axes


def _curve_grid(lo, hi, step):
    """``arange(lo, hi, step)``, with the step widened so at most ``MAX_CURVE_POINTS`` values."""
    return ops.arange(lo, hi, max(step, (hi - lo) / (MAX_CURVE_POINTS - 1)))


def show_trace(results, f, axes=None):
    """Plot a 1-D trace over f on [−n, n], n the largest |x| visited; return the Axes."""
    n = max(abs(min(results)), abs(max(results)))
    f_line = _curve_grid(-n, n, 0.01)
    xs = ops.tensor(list(results))
    return plot([f_line, xs], [f(f_line), f(xs)], "x", "f(x)", fmts=["-", "-o"], axes=axes)


def trace_2d_grid(results, grid=TRACE_2D_GRID):
    """The contour axes for a 2-D trace: the book's grid, widened to contain every point."""
    axes = []
    for (lo, hi, step), values in zip(grid, zip(*results)):
        new_lo, new_hi = min(lo, min(values)), max(hi, max(values))
        if (new_lo, new_hi) != (lo, hi):
            pad = 0.05 * (new_hi - new_lo)
            new_lo, new_hi = min(lo, new_lo - pad), max(hi, new_hi + pad)
            step *= (new_hi - new_lo) / (hi - lo)
        axes.append(ops.arange(new_lo, new_hi, step))
    return axes


def show_trace_2d(f, results, axes=None):
    """Plot a 2-D trace (orange) over the contours of f (blue); return the Axes."""
    return show_traces_2d(f, {None: results}, axes)


#: colour-blind-safe colours (Okabe and Ito) for several traces on one plot
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#0072B2", "#000000", "#F0E442")
LINESTYLES = ("-", "--", "-.", ":")


def show_traces_2d(f, traces, axes=None, figsize=FIGSIZE):
    """Plot several labelled 2-D traces ``{label: trace}`` over one contour plot of f.

    The contour grid is the book's, widened to hold every point. A single unlabelled trace is
    drawn as the book draws it (orange); several get colour-blind-safe colours and a legend.
    """
    axes = axes if axes is not None else new_axes(figsize)
    points = [p for trace in traces.values() for p in trace]
    x1, x2 = ops.meshgrid(*trace_2d_grid(points))
    single = len(traces) == 1
    styles = itertools.cycle(LINESTYLES)
    for (label, trace), color, style in zip(traces.items(), PALETTE, styles):
        axes.plot(*zip(*trace), style, marker="o", color=TRACE_COLOR if single else color,
                  label=label, markersize=None if single else 3)
    axes.contour(ops.numpy(x1), ops.numpy(x2), ops.numpy(f(x1, x2)), colors=CONTOUR_COLOR)
    axes.set_xlabel("x1")
    axes.set_ylabel("x2")
    if not single:
        axes.legend(fontsize="small")
    return axes


def show_lr_sweep(lrs, finals, ceiling=None, figsize=(4.5, 3.0), axes=None):
    """Final objective value against learning rate, one curve per ``{label: values}``.

    Runs that overflowed, or ended above ``ceiling`` (say, 10 times the starting value), count as
    diverged and leave a gap, which keeps the axes on the interesting range. Both axes are
    logarithmic.
    """
    axes = axes if axes is not None else new_axes(figsize)
    lrs = ops.numpy(lrs)
    styles = itertools.cycle(LINESTYLES)
    for (label, values), color, style in zip(finals.items(), PALETTE, styles):
        values = np.asarray(values, dtype=float)
        diverged = ~np.isfinite(values) | (values > (np.inf if ceiling is None else ceiling))
        axes.plot(lrs, np.where(diverged, np.nan, values), style, marker="o", color=color,
                  label=label, markersize=3)
    set_axes(axes, "learning rate", "final f (gap: diverged)", xscale="log", yscale="log")
    axes.legend(fontsize="small")
    return axes


def show_surface_3d(f, lim=(-1.0, 1.0), num=101, point=(0.0, 0.0), ticks=(-1, 0, 1),
                    figsize=None):
    """Wireframe of f(x, y) on a square grid with ``point`` marked by a red cross; return Axes."""
    x, y = ops.meshgrid(ops.linspace(*lim, num), ops.linspace(*lim, num))
    axes = new_axes(figsize or pyplot().rcParams["figure.figsize"], projection="3d")
    axes.plot_wireframe(ops.numpy(x), ops.numpy(y), ops.numpy(f(x, y)), rstride=10, cstride=10)
    axes.plot([point[0]], [point[1]], [ops.to_float(f(*point))], "rx")
    axes.set_xticks(ticks)
    axes.set_yticks(ticks)
    axes.set_zticks(ticks)
    axes.set_xlabel("x")
    axes.set_ylabel("y")
    return axes


def in_notebook():
    """Whether this code runs in a Jupyter kernel."""
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return shell is not None and "ipykernel" in sys.modules


class Animator:
    """Curves that grow point by point, e.g. a loss during training (book: ``d2l.Animator``).

    ``add(x, y)`` appends one point to each curve (``y`` a number or one per curve, a scalar ``x``
    serves every curve, a ``None`` value is skipped). In Jupyter the figure is redrawn in place
    after every point; elsewhere it is drawn once, when ``fig`` (or ``figure``) is read, e.g. by
    ``section.save(animator, name)``. Attributes as in the book: ``X``, ``Y``, ``fig``, ``axes``.
    """

    def __init__(self, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
                 xscale="linear", yscale="linear", fmts=FMTS, nrows=1, ncols=1, figsize=FIGSIZE):
        self._layout = (nrows, ncols, figsize)
        self._figure, self._axes = None, None  # made when first drawn: a run nobody looks at draws nothing
        self._axes_settings = (xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
        self.fmts = fmts
        self.X, self.Y = None, None
        self.display_handle = None  # the live Jupyter display, updated in place
        self._stale = True

    def add(self, x, y):
        """Append the point (x, y[i]) to curve i, for every curve."""
        ys = list(y) if isinstance(y, (list, tuple)) else [y]
        xs = list(x) if isinstance(x, (list, tuple)) else [x] * len(ys)
        if len(xs) != len(ys) or (self.Y is not None and len(ys) != len(self.Y)):
            curves = len(ys) if self.Y is None else len(self.Y)
            raise ValueError(f"Animator.add: expected one x and one y for each of the {curves} "
                             f"curves, got {len(xs)} x and {len(ys)} y values")
        if self.Y is None:
            self.X, self.Y = [[] for _ in ys], [[] for _ in ys]
        for i, (a, b) in enumerate(zip(xs, ys)):
            if a is not None and b is not None:
                self.X[i].append(ops.to_float(a))
                self.Y[i].append(ops.to_float(b))
        self._stale = True
        if in_notebook():
            self._show()

    @property
    def axes(self):
        """The Axes of the figure, a list (``nrows * ncols`` of them)."""
        if self._axes is None:
            from matplotlib.figure import Figure

            nrows, ncols, figsize = self._layout
            # A figure outside pyplot, so that Jupyter shows only the live display, once.
            self._figure = Figure(figsize=figsize)
            self._axes = list(self._figure.subplots(nrows, ncols, squeeze=False).ravel())
        return self._axes

    @property
    def fig(self):
        """The matplotlib Figure, drawn with every point added so far."""
        if self._stale or self._figure is None:
            axes = self.axes[0]
            axes.cla()
            for x, y, fmt in zip(self.X or [], self.Y or [], itertools.cycle(self.fmts)):
                axes.plot(x, y, fmt)
            set_axes(axes, *self._axes_settings)
            self._stale = False
        return self._figure

    figure = fig

    def _show(self):
        from IPython.display import SVG, display

        svg = io.BytesIO()
        self.fig.savefig(svg, format="svg", bbox_inches="tight")
        picture = SVG(svg.getvalue())
        if self.display_handle is None:
            self.display_handle = display(picture, display_id=True)
        else:
            self.display_handle.update(picture)


def save_figure(figure, path):
    """Save ``figure`` (or the figure of an Axes) to ``path``, byte-identical from run to run.

    The format follows the file suffix (``.svg``, ``.png``, ``.pdf``); the background is opaque.
    """
    figure = getattr(figure, "figure", figure)
    suffix = os.path.splitext(path)[1].lower()
    metadata = {"Date": None} if suffix in (".svg", ".pdf") else {"Software": None}
    with pyplot().rc_context({"svg.hashsalt": "d2l-optim", "svg.fonttype": "path"}):
        figure.savefig(path, metadata=metadata, facecolor="white", bbox_inches="tight", dpi=150)
    return path


def figure_data(figure):
    """The data a figure shows: per Axes, its lines' (x, y) and its collections' paths (contours).

    Used to check that every backend draws the same picture.
    """
    figure = getattr(figure, "figure", figure)
    data = []
    for axes in figure.axes:
        lines = [np.asarray(line.get_xydata(), dtype=float).tolist() for line in axes.lines]
        paths = [[np.asarray(path.vertices, dtype=float).tolist() for path in c.get_paths()]
                 for c in axes.collections]
        data.append({"lines": lines, "collections": paths})
    return data


def flatten_figure_data(data):
    """All the numbers of :func:`figure_data` output (or a dict/list of them) as one 1-D array."""
    if isinstance(data, dict):
        return np.concatenate([flatten_figure_data(data[k]) for k in sorted(data)] or [np.zeros(0)])
    if isinstance(data, list) and data and isinstance(data[0], (list, dict)):
        return np.concatenate([flatten_figure_data(v) for v in data])
    return np.asarray(data, dtype=float).ravel()


def close(figure):
    """Release a figure made by these helpers."""
    pyplot().close(getattr(figure, "figure", figure))

