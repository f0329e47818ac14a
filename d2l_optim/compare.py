"""The one tolerance policy: how a printed value or a figure may differ between backends.

A rule is one of

- ``exact`` — equal, digit for digit (the default for every number a section prints);
- ``close`` with ``rtol``/``atol`` — a printed number ``a`` agrees with the reference ``b`` when
  ``|a - b| <= atol + rtol * |b|``; a figure agrees when every plotted value does, with ``rtol``
  taken relative to the largest magnitude the figure plots (its scale, as the eye sees it);
- ``framework`` — framework-specific, not compared (a framework's own API, printed names);
- ``timing`` — a measurement, never compared.

Figures default to ``close(rtol=1e-5, atol=1e-5)``. A section declares its rules in its hidden
setup cell with ``section.compare(pattern, ...)`` (printed lines: the numbers inside the pattern's
groups, or its whole match without groups, follow the rule) and
``section.compare_figures(names, ...)``; the run records them, the build's consistency check and
the tests read them from here.
"""
import re
from typing import NamedTuple

import numpy as np

KINDS = ("exact", "close", "framework", "timing")
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)\b")


class Rule(NamedTuple):
    """How values may differ: ``kind`` is one of :data:`KINDS`; tolerances apply to ``close``."""

    kind: str
    rtol: float = 0.0
    atol: float = 0.0

    def describe(self):
        if self.kind == "close":
            parts = [f"rtol {self.rtol:g}" if self.rtol else "", f"atol {self.atol:g}" if self.atol else ""]
            return "within " + " + ".join(p for p in parts if p)
        return {"exact": "exact", "framework": "framework-specific, not compared",
                "timing": "timing, not compared"}[self.kind]


EXACT = Rule("exact")
FIGURE_DEFAULT = Rule("close", rtol=1e-5, atol=1e-5)


def rule(kind=None, rtol=None, atol=None):
    """A checked :class:`Rule`: ``rule("timing")``, ``rule(atol=1e-3)``, ``rule("close", rtol=1e-4)``."""
    if isinstance(kind, (tuple, list)):  # a Rule, or one as recorded in JSON (zeros: no tolerance)
        kind, rtol, atol = kind[0], kind[1] or None, kind[2] or None
    if isinstance(kind, dict):
        unknown = set(kind) - {"rtol", "atol"}
        if unknown:
            raise ValueError(f"a tolerance takes rtol and atol, not {sorted(unknown)}")
        kind, rtol, atol = None, kind.get("rtol"), kind.get("atol")
    tolerances = [t for t in (rtol, atol) if t is not None]
    if kind is None:
        if not tolerances:
            raise ValueError("give a kind (exact, framework, timing) or a tolerance (rtol=..., atol=...)")
        kind = "close"
    if kind not in KINDS:
        raise ValueError(f"unknown comparison {kind!r}; use one of {', '.join(KINDS)}")
    if tolerances and kind != "close":
        raise ValueError(f"rtol/atol apply to 'close' comparisons, not to {kind!r}")
    for name, value in (("rtol", rtol), ("atol", atol)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not value >= 0 or value == float("inf")):
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return Rule(kind, float(rtol or 0.0), float(atol or 0.0))


def line_rule(pattern, kind=None, rtol=None, atol=None):
    """A declaration for printed lines: ``[pattern, kind, rtol, atol]`` (as recorded by a run)."""
    if not isinstance(pattern, str) or not pattern:
        raise ValueError(f"the pattern must be a non-empty regular expression, got {pattern!r}")
    try:
        re.compile(pattern)
    except re.error as error:
        raise ValueError(f"the pattern {pattern!r} is not a regular expression: {error}") from None
    return [pattern, *rule(kind, rtol, atol)]


def _spans(line, line_rules):
    """[(start, end, Rule)] of the parts of ``line`` that declarations cover (first match wins)."""
    spans = []
    for pattern, *spec in line_rules:
        found = re.search(pattern, line)
        if found is None:
            continue
        groups = range(1, (found.re.groups or 0) + 1) or [0]
        spans += [(*found.span(g), Rule(*spec)) for g in groups if found.start(g) >= 0]
    return spans


def _pieces(line, line_rules):
    """(text with compared numbers as ``#`` and ignored spans as ``…``, [(number, Rule)], rules used)."""
    spans = _spans(line, line_rules)

    def rule_at(start, end):
        return next((r for s, e, r in spans if s <= start and end <= e), EXACT)

    ignored = sorted((s, e) for s, e, r in spans if r.kind in ("framework", "timing"))
    text, numbers, position = [], [], 0
    for start, end in ignored:
        if start >= position:
            text.append(_mask(line[position:start], position, rule_at, numbers))
            text.append("…")
            position = end
    text.append(_mask(line[position:], position, rule_at, numbers))
    used = sorted({r.describe() for *_, r in spans} | ({"exact"} if any(r == EXACT for _, r in numbers)
                                                        else set()))
    return "".join(text), numbers, used


def _mask(text, offset, rule_at, numbers):
    def replace(found):
        numbers.append((float(found.group()), rule_at(offset + found.start(), offset + found.end())))
        return "#"

    return NUMBER.sub(replace, text)


def _numbers_agree(a, b, tolerance):
    if tolerance.kind == "exact":
        return a == b or (np.isnan(a) and np.isnan(b))
    return bool(np.isclose(a, b, rtol=tolerance.rtol, atol=tolerance.atol, equal_nan=True))


def compare_line(texts, line_rules=()):
    """Compare one printed line across backends (``{backend: text}``, the first is the reference).

    Returns ``{"agree": bool, "compared": bool, "policy": "..."}``: text outside the numbers must be
    equal, the numbers must agree under their rule, ignored spans are skipped.
    """
    pieces = {b: _pieces(t, line_rules) for b, t in texts.items()}
    policies = sorted({p for _, _, used in pieces.values() for p in used}) or ["exact"]
    compared = any(numbers or text.strip("…") for text, numbers, _ in pieces.values())
    if not pieces:
        return {"agree": True, "compared": False, "policy": "exact"}
    reference_text, reference_numbers, _ = next(iter(pieces.values()))
    agree = True
    for text, numbers, _ in pieces.values():
        if text != reference_text or len(numbers) != len(reference_numbers):
            agree = False
            continue
        agree &= all(_numbers_agree(a, b, r) for (a, r), (b, _) in zip(numbers, reference_numbers))
    return {"agree": bool(agree), "compared": compared, "policy": "; ".join(policies)}


def compare_output(outputs, line_rules=()):
    """Compare printed output line by line: ``{backend: stdout}`` -> list of per-line results."""
    split = {b: text.splitlines() for b, text in outputs.items()}
    results = []
    for i in range(max((len(lines) for lines in split.values()), default=0)):
        texts = {b: (lines[i] if i < len(lines) else "") for b, lines in split.items()}
        results.append({"line": i + 1, "values": texts, **compare_line(texts, line_rules)})
    return results


def compare_figure(drawn, reference, tolerance=FIGURE_DEFAULT):
    """``{"agree", "max_difference", "policy"}`` for two flattened figure data arrays."""
    tolerance = rule(tolerance)
    drawn, reference = np.asarray(drawn, dtype=float), np.asarray(reference, dtype=float)
    result = {"policy": tolerance.describe()}
    if tolerance.kind in ("framework", "timing"):
        return {**result, "agree": True, "max_difference": None}
    if drawn.shape != reference.shape:
        return {**result, "agree": False, "max_difference": float("inf")}
    same = (drawn == reference) | (np.isnan(drawn) & np.isnan(reference))
    difference = np.where(same, 0.0, np.abs(drawn - reference))
    finite = np.abs(reference[np.isfinite(reference)])
    scale = float(finite.max()) if finite.size else 0.0
    worst = float(np.max(difference, initial=0.0))
    allowed = tolerance.atol + tolerance.rtol * scale if tolerance.kind == "close" else 0.0
    return {**result, "agree": bool(worst <= allowed), "max_difference": worst}


def assert_figures_agree(drawn, reference, tolerance=FIGURE_DEFAULT, name="figure"):
    """Raise AssertionError unless ``drawn`` agrees with ``reference`` (flattened figure data)."""
    result = compare_figure(drawn, reference, tolerance)
    assert result["agree"], (f"{name}: differs by {result['max_difference']:.3e}, "
                             f"allowed {result['policy']}")


def assert_outputs_agree(stdout, reference, line_rules=()):
    """Raise AssertionError naming every printed line that disagrees with ``reference``."""
    lines = compare_output({"drawn": stdout, "reference": reference}, line_rules)
    wrong = [f"line {r['line']}: {r['values']['drawn']!r} vs {r['values']['reference']!r} ({r['policy']})"
             for r in lines if not r["agree"]]
    assert not wrong, "printed output differs:\n" + "\n".join(wrong)
