"""The optimizer explorer's page, from the paths each backend's explorer run recorded
(:mod:`~d2l_optim.build.explorer`): the page embeds one backend's data as JSON (checked against the
others' at assembly); its script (``explorer.js``, plain JavaScript, no library, no network) only
draws.

The page shows only digits its data holds: a path's points are rounded to about a pixel of the
plot (:func:`~d2l_optim.build.explorer.pixel_decimals`, the readout of an intermediate step shows
that many), and where a run ends the page shows x with :data:`END_DECIMALS` decimals, written here as
the lesson's ``train_2d`` prints it (momentum, η = 0.6, β = 0.5, on the ill-conditioned quadratic:
0.007188, 0.002553).
"""
import json
import os
import re

from d2l_optim._registry import LABELS
from d2l_optim.build.explorer import (
    FAR,
    LEARNING_RATES,
    METHODS,
    NUDGE,
    PRESETS,
    STEPS,
    SURFACES,
    TOLERANCE,
    pixel_decimals,
    rounded,
)

END_DECIMALS = 6  # where a run ends, as the lessons print it
HERE = os.path.dirname(os.path.abspath(__file__))


def _surface_data(name, surface, drawing):
    return {"key": name, "label": surface.label, "formula": surface.objective.formula,
            "dims": len(surface.x0), "x0": list(surface.x0), "box": [list(b) for b in surface.box],
            "stationary": [{"x": list(p.x), "kind": p.kind} for p in surface.objective.stationary
                           if all(low <= c <= high for c, (low, high) in zip(p.x, surface.box))],
            **drawing}


def page_data(paths, checked_on, failed):
    """What the page embeds: the controls, the surfaces and every run (coordinates rounded), from the
    ``paths`` one backend recorded (``{"runs": ..., "drawings": ...}``)."""
    methods = [{"key": name, "label": m.label, "rule": m.rule, "lr": m.uses_lr,
                "second": m.second and {"name": m.second[0], "symbol": m.second[1],
                                        "values": list(m.second[2])},
                "defaults": list(m.defaults)} for name, m in METHODS.items()]
    runs = {key: {"paths": [rounded([c for point in run["path"] for c in point],
                                    pixel_decimals(SURFACES[key.split("/")[1]])) for run in key_runs],
                  "values": [None if run["value"] is None else float(f"{run['value']:.6g}")
                             for run in key_runs],
                  "ends": [None if run["end"] is None else [f"{x:.{END_DECIMALS}f}" for x in run["end"]]
                           for run in key_runs],
                  "diverged": [run["diverged"] for run in key_runs],
                  "sensitive": [i for i, run in enumerate(key_runs) if run["sensitive"]]}
            for key, key_runs in paths["runs"].items()}
    return {"steps": STEPS, "far": FAR, "nudge": f"{NUDGE:g}", "lrs": list(LEARNING_RATES),
            "decimals": {name: pixel_decimals(s) for name, s in SURFACES.items()},
            "methods": methods,
            "surfaces": [_surface_data(name, s, paths["drawings"][name]) for name, s in SURFACES.items()],
            "presets": [dict(zip(("label", "method", "surface", "lr", "second"), p)) for p in PRESETS],
            "runs": runs, "checked": {"backends": [LABELS[b] for b in checked_on],
                                      "failed": [LABELS[b] for b in failed],
                                      "policy": TOLERANCE.describe()}}


def _asset(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as file:
        return file.read()


def widget(data):
    """The explorer as one HTML fragment: its style, its markup, its data (JSON) and its script."""
    payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    payload = payload.replace("<", "\\u003c")  # nothing in the data can close the script element
    return (f"<style>\n{_asset('explorer.css')}</style>\n"
            f'<div class="d2l-explorer" id="d2l-explorer"></div>\n'
            f'<script type="application/json" id="d2l-explorer-data">{payload}</script>\n'
            f"<script>\n{_asset('explorer.js')}</script>\n")


def _fence(text):
    return "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)


def page(computed, failed, not_built=()):
    """The MyST page of the explorer: ``computed`` is ``{backend: paths}`` (checked to agree),
    ``failed`` ``{backend: why its run failed}``, ``not_built`` the backends with no explorer record."""
    failures = "".join(f"\n\n:::{{warning}}\nThe paths could not be computed on {LABELS[b]}:\n\n"
                       f"{_fence(why)}text\n{why}\n{_fence(why)}\n:::" for b, why in failed.items())
    if not_built:
        failures += (f"\n\n:::{{note}}\nNot computed on {', '.join(LABELS[b] for b in not_built)}: "
                     "there is no record of it (see the coverage matrix on the first page).\n:::")
    if not computed:
        return f"# Optimizer explorer\n\nNo framework could compute the explorer's paths.{failures}\n"
    checked_on = list(computed)
    html = widget(page_data(computed[checked_on[0]], checked_on, failed))
    fence, frameworks = _fence(html), ", ".join(LABELS[b] for b in checked_on)
    return f"""# Optimizer explorer

Pick an optimizer and an objective, then move the sliders: the path of {STEPS} steps from the
start (hollow circle) and the value it ends at change as you go. Use the step slider to watch
the run unfold. Every path was computed when this site was built, by the package's own optimizers
(`d2l.sweep_traces` runs the whole grid of learning rates at once), on {frameworks}: they agree
{TOLERANCE.describe()}, except on the few chaotic runs, which the page points out. The page needs no
Python; it only draws.{failures}

{fence}{{raw}} html
{html}
{fence}
"""
