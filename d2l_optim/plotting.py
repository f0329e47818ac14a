"""Book-compatible plotting helpers on matplotlib's object API.

They work headless, accept tensors of any backend, return the Axes they drew on, and evaluate
objectives on one grid for all backends, so every backend draws the same picture.
"""
import io
import itertools
import math
import os
import sys
import time

import numpy as np

from d2l_optim import ops

FMTS = ("-", "m--", "g-.", "r:")
#: legend keywords that put it beside the plot, top-aligned, out of the data's way
LEGEND_OUTSIDE = {"loc": "upper left", "bbox_to_anchor": (1.02, 1.0), "borderaxespad": 0.0}
FIGSIZE = (3.5, 2.5)
TRACE_COLOR = "#ff7f0e"
CONTOUR_COLOR = "#1f77b4"
#: the book's contour grid for the 2-D traces: x1 in arange(-5.5, 1.0, 0.1), x2 in arange(-3.0, 1.0, 0.1)
TRACE_2D_GRID = ((-5.5, 1.0, 0.1), (-3.0, 1.0, 0.1))
#: the box that grid fills: the first and last value of each axis
TRACE_2D_BOX = tuple((lo, hi - step) for lo, hi, step in TRACE_2D_GRID)
MAX_CURVE_POINTS = 20001
#: while a Section saves the figures of each cell: the Animators made since it last did, else None
_new_animators = None


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


def in_notebook():
    """Whether this code runs in a Jupyter kernel."""
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return shell is not None and "ipykernel" in sys.modules


def _show_no_axes_repr():
    """In a Jupyter kernel, a cell ending in a plot call shows the figure without an ``<Axes: ...>``
    line (the helpers return their Axes, which IPython would show as the cell's result)."""
    if in_notebook():
        # by name: matplotlib is imported on first use, not by import d2l_optim
        sys.modules["IPython"].get_ipython().display_formatter.ipython_display_formatter.for_type_by_name(
            "matplotlib.axes._axes", "Axes", lambda axes: None)


_show_no_axes_repr()


def set_figsize(figsize=FIGSIZE):
    """Use SVG in Jupyter and make ``figsize`` the default size of new figures."""
    use_svg_display()
    pyplot().rcParams["figure.figsize"] = figsize


def set_axes(axes, xlabel=None, ylabel=None, xlim=None, ylim=None, xscale="linear",
             yscale="linear", legend=None, legend_outside=False):
    """Set the labels, limits, scales and legend of ``axes`` and draw a grid.

    ``legend_outside=True`` puts the legend to the right of the plot, where it covers no data.
    """
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)
    if legend:
        axes.legend(legend, **(LEGEND_OUTSIDE if legend_outside else {}))
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
    """Plot a 1-D trace over f on [−n, n], n the largest ``|x|`` visited; return the Axes."""
    n = max(abs(min(results)), abs(max(results)))
    f_line = _curve_grid(-n, n, 0.01)
    xs = ops.tensor(list(results))
    return plot([f_line, xs], [f(f_line), f(xs)], "x", "f(x)", fmts=["-", "-o"], axes=axes)


def show_trace_2d(f, results, axes=None):
    """Plot a 2-D trace (orange) over the contours of f (blue); return the Axes."""
    return show_traces_2d(f, {None: results}, axes)


#: colour-blind-safe colours (Okabe and Ito) for several curves on one plot
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#0072B2", "#000000", "#F0E442")
LINESTYLES = ("-", "--", "-.", ":")
#: markers for several curves: large hollow shapes alternate with small open strokes
MARKERS = ("o", "x", "s", "+", "D", "*", "^", ".")


def _curve_styles(count):
    """Matplotlib keywords for ``count`` curves on one plot, so that every curve can be told apart.

    Colour, line style and marker change from one curve to the next, and the curves alternate
    between wide lines with large hollow markers and thin lines, drawn on top, with small open
    markers: where two neighbouring curves coincide, the thin one shows inside the wide one.
    """
    return [{"color": color, "linestyle": style, "marker": marker, "markerfacecolor": "none",
             "linewidth": 1.2 if thin else 2.5, "markersize": 4.5 if thin else 8,
             "zorder": 2.5 if thin else 2}
            for thin, color, style, marker in zip([i % 2 == 1 for i in range(count)],
                                                  itertools.cycle(PALETTE), itertools.cycle(LINESTYLES),
                                                  itertools.cycle(MARKERS))]


def _strays_far(points, box):
    """Whether a point lies farther outside ``box`` than the box is wide (or high)."""
    return any(not lo - (hi - lo) <= v <= hi + (hi - lo)
               for point in points for v, (lo, hi) in zip(point, box))


def _first_exit(trace, box):
    """Where ``trace``, drawn as straight segments, first crosses the edge of ``box``.

    Returns ``(step, point, arrow)``, ``arrow`` a marker pointing out through that edge, or None
    when every point lies inside.
    """
    outside = [step for step, point in enumerate(trace)
               if not all(lo <= v <= hi for v, (lo, hi) in zip(point, box))]
    if not outside:
        return None
    step = outside[0]
    end = trace[step]
    start = trace[step - 1] if step else [min(max(v, lo), hi) for v, (lo, hi) in zip(end, box)]
    crossings = []  # (fraction of the segment, axis, upper edge?) for every edge it crosses
    for axis, (a, b, (lo, hi)) in enumerate(zip(start, end, box)):
        if not lo <= b <= hi:
            edge = hi if b > hi else lo
            crossings.append(((edge - a) / (b - a), axis, edge == hi))
    fraction, axis, upper = min(crossings)
    point = tuple(a + fraction * (b - a) for a, b in zip(start, end))
    return step, point, (("<", ">"), ("v", "^"))[axis][upper]


def _mark_exit(axes, trace, box, color):
    """Mark where ``trace`` first leaves ``box``: an arrow there and a note with the step and the end.

    Returns the trace up to that point (all of it if it stays inside).
    """
    exit_ = _first_exit(trace, box)
    if exit_ is None:
        return trace
    step, point, arrow = exit_
    axes.plot(*point, arrow, color=color, markersize=9, clip_on=False)
    # the note sits just inside the edge, and extends towards the middle of the plot
    inward = -12 if arrow in ">^" else 12
    left_half, low_half = (v < (lo + hi) / 2 for v, (lo, hi) in zip(point, box))
    if arrow in "^v":
        offset, ha, va = (0, inward), "left" if left_half else "right", "bottom" if inward > 0 else "top"
    else:
        offset, ha, va = (inward, 0), "left" if inward > 0 else "right", "bottom" if low_half else "top"
    end = ", ".join(f"x{i} = {v:.4g}" for i, v in enumerate(trace[-1], start=1))
    axes.annotate(f"leaves the grid at step {step}\nstep {len(trace) - 1}: {end}", point,
                  xytext=offset, textcoords="offset points", color=color, fontsize="small",
                  ha=ha, va=va, bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": color,
                                      "alpha": 0.9})
    return trace[:step] + [point]


def show_traces_2d(f, traces, axes=None, figsize=FIGSIZE):
    """Plot several labelled 2-D traces ``{label: trace}`` over one contour plot of f.

    The contours cover the book's grid (``TRACE_2D_GRID``) whatever the traces, and the axes
    scale to the traces as in the book, unless a trace strays farther outside the grid than the
    grid is wide: then the plot is clipped to the grid, and each trace that leaves it gets an
    arrow and a note where it first does, and is faint from there on (that line holds every
    point). A single unlabelled trace is drawn as the book draws it (orange); several get a
    colour, line style and marker each, and a legend beside the plot.
    """
    axes = axes if axes is not None else new_axes(figsize)
    traces = {label: [tuple(ops.to_float(v) for v in point) for point in trace]
              for label, trace in traces.items()}
    box = TRACE_2D_BOX
    clip = _strays_far([p for trace in traces.values() for p in trace], box)
    single = len(traces) == 1
    styles = [{"color": TRACE_COLOR, "linestyle": "-", "marker": "o"}] if single else \
        _curve_styles(len(traces))
    for (label, trace), style in zip(traces.items(), styles):
        if clip:  # the whole trace faint, the part up to where it leaves as usual
            axes.plot(*zip(*trace), style["linestyle"], color=style["color"], alpha=0.35,
                      linewidth=0.8)
            trace = _mark_exit(axes, trace, box, style["color"])
        axes.plot(*zip(*trace), label=label, **style)
    x1, x2 = ops.meshgrid(*(ops.arange(*axis) for axis in TRACE_2D_GRID))
    axes.contour(ops.numpy(x1), ops.numpy(x2), ops.numpy(f(x1, x2)), colors=CONTOUR_COLOR)
    if clip:
        axes.set_xlim(box[0])
        axes.set_ylim(box[1])
    axes.set_xlabel("x1")
    axes.set_ylabel("x2")
    if not single:
        axes.legend(fontsize="small", **LEGEND_OUTSIDE)
    return axes


def show_lr_sweep(lrs, finals, ceiling=None, figsize=(4.5, 3.0), axes=None):
    """Final objective value against learning rate, one curve per ``{label: values}``.

    Runs that overflowed, or ended above ``ceiling`` (say, 10 times the starting value), count as
    diverged and leave a gap, which keeps the axes on the interesting range. Both axes are
    logarithmic; the legend sits beside the plot.
    """
    axes = axes if axes is not None else new_axes(figsize)
    lrs = ops.numpy(lrs)
    for (label, values), style in zip(finals.items(), _curve_styles(len(finals))):
        values = np.asarray(values, dtype=float)
        diverged = ~np.isfinite(values) | (values > (np.inf if ceiling is None else ceiling))
        axes.plot(lrs, np.where(diverged, np.nan, values), label=label, **style)
    set_axes(axes, "learning rate", "final f (gap: diverged)", xscale="log", yscale="log")
    axes.legend(fontsize="small", **LEGEND_OUTSIDE)
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


class Animator:
    """Curves that grow point by point, e.g. a loss during training (book: ``d2l.Animator``).

    ``add(x, y)`` appends one point to each curve (``y`` a number or one per curve, a scalar ``x``
    serves every curve, a ``None`` value is skipped). In Jupyter the figure is redrawn in place, at
    most every ``REDRAW_SECONDS`` (drawing an SVG costs more than a training step), and once more
    by :meth:`show` when a run ends; elsewhere it is drawn once, when ``fig`` (or ``figure``) is
    read, e.g. when a section saves the figures of a cell. ``legend_outside=True`` puts the legend
    beside the plot (see :func:`set_axes`). Attributes as in the book: ``X``, ``Y``, ``fig``,
    ``axes``.
    """

    REDRAW_SECONDS = 0.5

    def __init__(self, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None,
                 xscale="linear", yscale="linear", fmts=FMTS, nrows=1, ncols=1, figsize=FIGSIZE,
                 legend_outside=False):
        if _new_animators is not None:
            # the pyplot figures made before it: figures are saved in the order they were made
            _new_animators.append((_last_pyplot_number() + 0.5, self))
        self._layout = (nrows, ncols, figsize)
        self._figure, self._axes = None, None  # made when first drawn: a run nobody looks at draws nothing
        self._axes_settings = (xlabel, ylabel, xlim, ylim, xscale, yscale, legend, legend_outside)
        self.fmts = fmts
        self.X, self.Y = None, None
        self.display_handle = None  # the live Jupyter display, updated in place
        self._stale = True
        self._shown_at = -math.inf

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
        if in_notebook() and time.monotonic() - self._shown_at >= self.REDRAW_SECONDS:
            self.show()

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

    def show(self):
        """Draw the live display in Jupyter now, with every point added so far (no-op elsewhere)."""
        if not in_notebook() or self.display_handle is not None and not self._stale:
            return
        from IPython.display import SVG, display

        self._shown_at = time.monotonic()
        svg = io.BytesIO()
        self.fig.savefig(svg, format="svg", bbox_inches="tight")
        picture = SVG(svg.getvalue())
        if self.display_handle is None:
            self.display_handle = display(picture, display_id=True)
        else:
            self.display_handle.update(picture)

    def _ipython_display_(self):
        """A cell ending in an Animator (``d2l.train(...)``) shows its figure, once."""
        self.show()


def collect_animators():
    """From now on, remember every Animator made, for :func:`take_drawn_figures`."""
    global _new_animators
    if _new_animators is None:
        _new_animators = []


def _last_pyplot_number():
    pyplot_module = sys.modules.get("matplotlib.pyplot")
    return max(pyplot_module.get_fignums(), default=0) if pyplot_module else 0


def take_drawn_figures():
    """The figures drawn since the last call, in the order they were made: every open pyplot
    figure, and every Animator made since (after :func:`collect_animators`); the caller closes them."""
    global _new_animators
    made = list(_new_animators or ())
    if _new_animators is not None:
        _new_animators = []
    pyplot_module = sys.modules.get("matplotlib.pyplot")
    if pyplot_module is not None:
        made += [(number, pyplot_module.figure(number)) for number in pyplot_module.get_fignums()]
    return [figure for _, figure in sorted(made, key=lambda item: item[0])]


def save_figure(figure, path, dpi=150):
    """Save ``figure`` (or the figure of an Axes) to ``path``, byte-identical from run to run.

    The format follows the file suffix (``.svg``, ``.png``, ``.pdf``); the background is opaque;
    ``dpi`` sets a PNG's resolution.
    """
    figure = getattr(figure, "figure", figure)
    suffix = os.path.splitext(path)[1].lower()
    metadata = {"Date": None} if suffix in (".svg", ".pdf") else {"Software": None}
    with pyplot().rc_context({"svg.hashsalt": "d2l-optim", "svg.fonttype": "path"}):
        figure.savefig(path, metadata=metadata, facecolor="white", bbox_inches="tight", dpi=dpi)
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

