"""The optimizer explorer's paths: for a page where a student picks an optimizer and an objective,
moves the learning-rate slider (and β, γ or ρ) and sees the path and the final value at once, with
no kernel (the page: :mod:`~d2l_optim.build.explorer_page`).

Every path is computed here, by the package's own optimizers: for each optimizer and objective, the
whole grid of hyperparameters (:data:`LEARNING_RATES` × the optimizer's second hyperparameter) runs
as one batched optimisation (:func:`d2l_optim.traces.sweep_traces`). The build runs this on every
backend, in that backend's environment, as a run like a section's (planned, cached, stopped, timed
out and recorded the same way): ``python -m d2l_optim.build.explorer BACKEND OUT_DIR`` writes
``OUT_DIR/paths.json``, the runs and the surfaces' contours. The assembly publishes the paths only
if every backend's agree (:func:`agreement`) under the figure tolerance of :mod:`~d2l_optim.compare`.

A run *diverges* when a point is not finite or lies beyond the plot's box widened by
:data:`FAR` box sizes on every side: its path stops there (the last segment cut at that border),
and the page says "diverged" instead of a value.
"""
import json
import math
import os
import sys
from typing import Callable, NamedTuple, Optional, Tuple

import numpy as np

from d2l_optim import _config, compare, objectives, ops, optimizers
from d2l_optim._registry import LABELS
from d2l_optim.traces import TRACE_DTYPE, sweep_traces

STEPS = 20
#: the rates of the learning-rate slider, about evenly spaced on a log scale (the book's 0.1, 0.4, 0.6, 2 in)
LEARNING_RATES = (0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3,
                  0.4, 0.5, 0.6, 0.8, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0)
FAR = 10
PIXELS = 500  # a published coordinate is rounded to about 1/PIXELS of its plot's box
CONTOUR_GRID = 61
CURVE_POINTS = 241
TOLERANCE = compare.FIGURE_DEFAULT
NUDGE = 1e-12  # moves the start, to find the chaotic runs


class Method(NamedTuple):
    """An optimizer of the explorer: ``make(lr=..., <second>=...)`` builds it; ``second`` is
    (keyword, symbol, values) of its second hyperparameter, or None."""

    label: str
    rule: str
    make: Callable
    second: Optional[Tuple[str, str, Tuple[float, ...]]]
    defaults: Tuple[Optional[float], Optional[float]]  # (lr, second) shown first
    uses_lr: bool = True


METHODS = {
    "sgd": Method("Gradient descent", "x ← x − η ∇f(x)", optimizers.sgd, None, (0.4, None)),
    "momentum": Method("Momentum", "v ← β v + ∇f(x);   x ← x − η v", optimizers.momentum,
                       ("beta", "β", (0.0, 0.25, 0.5, 0.75, 0.9)), (0.6, 0.5)),
    "adagrad": Method("Adagrad", "s ← s + g²;   x ← x − η g / √(s + ε)", optimizers.adagrad, None,
                      (0.4, None)),
    "rmsprop": Method("RMSProp", "s ← γ s + (1 − γ) g²;   x ← x − η g / √(s + ε)", optimizers.rmsprop,
                      ("gamma", "γ", (0.5, 0.75, 0.9, 0.95, 0.99)), (0.4, 0.9)),
    "adadelta": Method("Adadelta (no learning rate)",
                       "s ← ρ s + (1 − ρ) g²;   g′ = √(Δ + ε) / √(s + ε) · g;   x ← x − g′;   "
                       "Δ ← ρ Δ + (1 − ρ) g′²", lambda rho: optimizers.adadelta(rho),
                       ("rho", "ρ", (0.5, 0.75, 0.9, 0.95, 0.99, 0.999)), (None, 0.9), uses_lr=False),
    "adam": Method("Adam", "v ← β₁ v + (1 − β₁) g;   s ← β₂ s + (1 − β₂) g²;   "
                   "x ← x − η v̂ / (√ŝ + ε)", optimizers.adam, None, (0.5, None)),
    "yogi": Method("Yogi", "Adam with s ← s + (1 − β₂) g² ⊙ sign(g² − s)", optimizers.yogi, None,
                   (0.5, None)),
}


class Surface(NamedTuple):
    """An objective of the explorer, the start of every run and the plotted box (one (low, high)
    per variable)."""

    label: str
    objective: objectives.Objective
    x0: Tuple[float, ...]
    box: Tuple[Tuple[float, float], ...]


SURFACES = {
    # x2 up to 3: momentum's first step (η = 0.6, β = 0.5) goes to x2 = 2.8
    "elongated_2d": Surface("Ill-conditioned quadratic", objectives.elongated_2d, (-5.0, -2.0),
                            ((-5.5, 1.5), (-3.0, 3.0))),
    "quadratic_2d": Surface("Quadratic", objectives.quadratic_2d, (-5.0, -2.0), ((-5.5, 1.5), (-3.0, 2.0))),
    "saddle": Surface("Saddle", objectives.saddle, (-1.0, 0.05), ((-1.2, 1.2), (-1.2, 1.2))),
    "x_cos": Surface("x cos(cx), one variable", objectives.x_cos, (10.0,), ((-13.0, 13.0),)),
}

#: (caption, optimizer, objective, lr, second): the book's examples and the classic failures
PRESETS = (
    ("The ravine: gd, η = 0.4", "sgd", "elongated_2d", 0.4, None),
    ("Too large: gd, η = 0.6", "sgd", "elongated_2d", 0.6, None),
    ("Momentum tames it: η = 0.6, β = 0.5", "momentum", "elongated_2d", 0.6, 0.5),
    ("Adagrad stalls: η = 0.4", "adagrad", "elongated_2d", 0.4, None),
    ("Escaping a saddle: gd, η = 0.1", "sgd", "saddle", 0.1, None),
    ("A local minimum: gd, η = 2", "sgd", "x_cos", 2.0, None),
)


def grid(method):
    """The hyperparameters of every run of ``method``, as equal-length lists per keyword: the
    learning rates vary fastest (run ``j * len(LEARNING_RATES) + i`` has lr i and second value j)."""
    seconds = method.second[2] if method.second else (None,)
    lrs = LEARNING_RATES if method.uses_lr else (None,)
    values = {}
    if method.uses_lr:
        values["lr"] = [lr for _ in seconds for lr in lrs]
    if method.second:
        values[method.second[0]] = [s for s in seconds for _ in lrs]
    return values


def _far_box(box):
    return [(low - FAR * (high - low), high + FAR * (high - low)) for low, high in box]


def _cut(previous, point, far):
    """The point where the segment ``previous`` → ``point`` leaves the box ``far``."""
    fraction = 1.0
    for p, q, (low, high) in zip(point, previous, far):
        if p > high:
            fraction = min(fraction, (high - q) / (p - q))
        elif p < low:
            fraction = min(fraction, (low - q) / (p - q))
    return [q + fraction * (p - q) for p, q in zip(point, previous)]


def _values(surface, points):
    """f at each of ``points`` (an array of shape (n, dims)), on the active backend."""
    with np.errstate(over="ignore", invalid="ignore"):
        return ops.numpy(surface.objective(*(ops.tensor(points[:, d], TRACE_DTYPE)
                                             for d in range(points.shape[1]))))


def _runs(points, surface):
    """Per run: its published path, the step it diverged at (or None) and its final value (or None).

    A path is a list of points; in one variable each point is (x, f(x)), the curve's coordinates."""
    far = _far_box(surface.box)
    inside = np.all([(points[..., d] >= low) & (points[..., d] <= high) for d, (low, high) in enumerate(far)],
                    axis=0)  # False for nan and inf too
    values = _values(surface, points[:, -1, :])
    runs = []
    for path, ok, value in zip(points, inside, values):
        step = None if ok.all() else int(np.argmin(ok))
        kept = path.tolist() if step is None else path[:step].tolist()
        if step is not None and np.isfinite(path[step]).all():
            kept.append(_cut(kept[-1], path[step].tolist(), far))
        if len(surface.x0) == 1:
            kept = [[x, y] for (x,), y in zip(kept, _values(surface, np.array(kept)).tolist())]
        runs.append({"path": kept, "diverged": step, "value": None if step is not None else float(value),
                     "end": None if step is not None else path[-1].tolist()})
    return runs


def compute():
    """Every run of every method on every surface, on the active backend:
    ``{"method/surface": [run, ...]}`` (unrounded; see :func:`_runs`).

    A run is marked ``sensitive`` when starting it :data:`NUDGE` away changes its path beyond
    :data:`TOLERANCE`: such a run is chaotic, and the frameworks' different roundings (10⁻¹⁶) grow
    into different paths, so the backends are not compared on it.
    """
    data = {}
    for method_name, method in METHODS.items():
        for surface_name, surface in SURFACES.items():
            runs = _runs(sweep_traces(method.make, surface.objective, grid(method), STEPS, surface.x0),
                         surface)
            nudged = _runs(sweep_traces(method.make, surface.objective, grid(method), STEPS,
                                        tuple(x + NUDGE for x in surface.x0)), surface)
            for run, other in zip(runs, nudged):
                run["sensitive"] = not compare.compare_figure(_flat(other), _flat(run), TOLERANCE)["agree"]
            data[f"{method_name}/{surface_name}"] = runs
    return data


def _flat(run):
    """A run as numbers, for the tolerance policy (diverged step, value, length, then the path)."""
    return [-1 if run["diverged"] is None else run["diverged"],
            math.nan if run["value"] is None else run["value"], len(run["path"]),
            *(c for point in run["path"] for c in point)]


def agreement(computed):
    """Lines naming every run (not ``sensitive``) that differs from the first backend's beyond
    :data:`TOLERANCE`."""
    reference_backend, *others = computed
    found = []
    for backend in others:
        for key, runs in computed[reference_backend].items():
            theirs = computed[backend].get(key) or []
            for i, run in enumerate(runs):
                if run["sensitive"]:
                    continue
                result = compare.compare_figure(_flat(theirs[i]) if i < len(theirs) else [], _flat(run),
                                                TOLERANCE)
                if not result["agree"]:
                    found.append(f"{key}, run {i}: {LABELS[backend]} differs from "
                                 f"{LABELS[reference_backend]} by {result['max_difference']:.2e}, "
                                 f"allowed {result['policy']}")
    return found


def pixel_decimals(surface):
    """Decimals that keep a coordinate of ``surface``'s plot within about a pixel."""
    return max(0, math.ceil(-math.log10(min(high - low for low, high in surface.box) / PIXELS)))


def rounded(values, decimals):
    """``values`` rounded, whole numbers written without ".0" and no "-0" (a smaller page)."""
    rounded = (round(float(v), decimals) + 0.0 for v in values)
    return [int(v) if v.is_integer() else v for v in rounded]


def _contours(surface):
    """Contour lines of a 2-D surface: [{"level", "lines": [[x, y, x, y, ...], ...]}]."""
    import contourpy

    (x_low, x_high), (y_low, y_high) = surface.box
    x, y = np.meshgrid(np.linspace(x_low, x_high, CONTOUR_GRID), np.linspace(y_low, y_high, CONTOUR_GRID))
    z = ops.numpy(surface.objective(ops.tensor(x, TRACE_DTYPE), ops.tensor(y, TRACE_DTYPE)))
    if z.min() >= 0:  # a bowl: levels evenly spaced in √f, so the ellipses are evenly spaced
        levels = np.linspace(0, math.sqrt(z.max()), 14)[1:-1] ** 2
    else:
        levels = np.linspace(z.min(), z.max(), 14)[1:-1]
    generator = contourpy.contour_generator(x, y, z)
    return [{"level": float(f"{level:.4g}"),
             "lines": [rounded(line.ravel(), 2) for line in generator.lines(level) if len(line) > 1]}
            for level in levels]


def _curve(surface):
    ((low, high),) = surface.box
    y = ops.numpy(surface.objective(ops.tensor(np.linspace(low, high, CURVE_POINTS), TRACE_DTYPE)))
    return rounded(y, pixel_decimals(surface))


def drawings():
    """What the page draws of each surface, on the active backend: its contour lines (2-D) or its
    curve (1-D), ``{name: {"contours": ...} or {"curve": ...}}``."""
    return {name: {"contours": _contours(s)} if len(s.x0) == 2 else {"curve": _curve(s)}
            for name, s in SURFACES.items()}


#: the file of a run's folder that holds its paths
PATHS = "paths.json"


def write_paths(out_dir):
    """Compute every path on the active backend and write them, with the drawings, to ``out_dir``."""
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, PATHS), "w", encoding="utf-8") as file:
        json.dump({"runs": compute(), "drawings": drawings()}, file, allow_nan=False)


if __name__ == "__main__":
    from d2l_optim.build.bounds import end_with_the_build

    end_with_the_build()
    _config.set_backend(sys.argv[1])
    write_paths(sys.argv[2])
