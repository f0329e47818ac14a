"""Ours equals theirs, measured: each framework's built-in optimizer against d2l's rule.

For each of d2l's rules a framework has built in (its ``facts.BUILTINS``), :func:`equivalence_table`
runs the concise path's framework optimizer (configured as the backend says,
:meth:`~d2l_optim.backend_api.Training.builtin_optimizer`) and d2l's optimizer from the same start
on the same minibatches of a small seeded linear regression, and records the largest difference
between the two parameter trajectories. The comparison runs in float64 (a wrong ε placement or
default moves the trajectory by only about 1e-7, so float32 could not tell it from rounding),
except where the framework keeps state in float32 (MXNet 1.9). Where no setting of the framework
reproduces d2l's rule, the table also compares the built-in with the formula it does apply,
written on d2l's optimizers.

``d2l-optim equivalence --out docs/optimizer-equivalence.md`` writes the tables of every backend
installed in the environment it runs in (:func:`write_document`), keeping from the file those of
the backends installed elsewhere (MXNet lives in an environment of its own).
"""
import os
import re
from typing import NamedTuple

import numpy as np

from d2l_optim import _config, _registry, ops, optimizers
from d2l_optim.concise import BOOK_VARIANTS, half_squared_loss, our_hyperparams

#: the concise sections' hyperparameters (the book's MXNet tab); Yogi's as Adam's
HYPERPARAMS = {"sgd": {"lr": 0.05}, "momentum": {"lr": 0.005, "beta": 0.9}, "adagrad": {"lr": 0.1},
               "rmsprop": {"lr": 0.01, "gamma": 0.9}, "adadelta": {"rho": 0.9}, "adam": {"lr": 0.01},
               "yogi": {"lr": 0.01}}
#: the largest difference that counts as equal: float64 rounding, or float32 rounding over the run
TOLERANCE = {"float64": 1e-12, "float32": 5e-7}
STEPS = 30


class Row(NamedTuple):
    """One line of the table: ``max_diff`` is the built-in against the formula it applies (d2l's rule
    when ``formula`` is empty), ``max_diff_ours`` against d2l's rule itself."""

    framework: str
    optimizer: str
    settings: str
    formula: str
    defaults: str
    dtype: str
    max_diff: float
    max_diff_ours: float

    @property
    def equal(self):
        """Whether the built-in applies exactly the compared formula, to the dtype's tolerance."""
        return self.max_diff <= TOLERANCE[self.dtype]


def regression_batches(dtype, batch_size=10, n=50, seed=0):
    """A small linear-regression problem of its own seed: (minibatches of (X, y), initial [w, b])."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    y = X @ np.array([-0.6, -0.4, -0.5, 0.2, -0.3]) + 0.1 + 0.1 * rng.normal(size=n)
    batches = [(ops.tensor(X[i:i + batch_size], dtype), ops.tensor(y[i:i + batch_size], dtype))
               for i in range(0, n, batch_size)]
    return batches, [rng.normal(0, 0.01, size=(5, 1)).astype(dtype), np.zeros(1, dtype)]


def builtin_trajectory(name, hyperparams, dtype, steps=STEPS):
    """The parameters after each step of the framework's optimizer for d2l's rule ``name``."""
    backend = _config.current()
    batches, start = regression_batches(dtype)
    parameters = backend.make_parameters(start)
    builtin = backend.builtin_optimizer(name, our_hyperparams(name, hyperparams), parameters)
    settings, trajectory = builtin.settings, []
    for t in range(steps):
        parameters, builtin = backend.builtin_step(builtin, parameters, half_squared_loss,
                                                   batches[t % len(batches)])
        trajectory.append(_flat(backend.parameter_values(parameters)))
    return np.array(trajectory), settings


def rule_trajectory(name, hyperparams, dtype, steps=STEPS):
    """The parameters after each step of d2l's optimizer ``name`` (gradients from the shim)."""
    batches, start = regression_batches(dtype)
    rule = getattr(optimizers, name)(**hyperparams)
    params = [ops.tensor(a, dtype) for a in start]
    state, trajectory = rule.init(params), []
    for t in range(steps):
        grads = ops.grad(lambda w, b, X, y: half_squared_loss([w, b], X, y), argnums=(0, 1))(
            *params, *batches[t % len(batches)])
        params, state = rule.update(grads, state, params)
        trajectory.append(_flat(params))
    return np.array(trajectory)


def _flat(values):
    return np.concatenate([ops.numpy(v).astype(np.float64).ravel() for v in values])


def equivalence_table(steps=STEPS):
    """One :class:`Row` per d2l rule the active backend's framework has built in."""
    backend = _config.current()
    rows = []
    for name, facts in _registry.facts(backend.NAME).BUILTINS.items():
        hyperparams = HYPERPARAMS[name]
        theirs, settings = builtin_trajectory(name, hyperparams, facts.dtype, steps)
        ours = rule_trajectory(name, hyperparams, facts.dtype, steps)
        formula = (rule_trajectory(name, dict(hyperparams, **facts.rule_changes), facts.dtype, steps)
                   if facts.rule_changes else ours)
        rows.append(Row(_registry.LABELS[backend.NAME], name, settings, facts.formula, facts.defaults,
                        facts.dtype, float(np.abs(theirs - formula).max()),
                        float(np.abs(theirs - ours).max())))
    return rows


HEADER = ("| optimizer | built-in, configured to d2l's rule | compared with | defaults that differ "
          "from the book | dtype | max abs difference | vs d2l's rule |")


def format_table(rows):
    """The rows as a Markdown table, with the book tab's loss beneath it."""
    lines = [HEADER, "|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row.optimizer} | `{row.settings}` | {row.formula or 'd2l rule'} | "
                     f"{row.defaults} | {row.dtype} | {row.max_diff:.1e} | {row.max_diff_ours:.1e} |")
    backend = _config.current()
    return "\n".join(lines) + f"\n\nLoss: {backend.BOOK_CONCISE_LOSS}\n"


def _summary_cell(row):
    """``equal (4.4e-16)``, or how far from d2l's rule the built-in's own formula lands."""
    if row.max_diff_ours <= TOLERANCE[row.dtype]:
        return f"equal ({row.max_diff_ours:.1e}{', float32' if row.dtype == 'float32' else ''})"
    return f"no setting: {row.max_diff_ours:.1e} (its formula: {row.max_diff:.1e})"


def summary_table(tables):
    """A rule × framework Markdown table of ``tables`` (framework label -> its Rows)."""
    rules = [name for name in HYPERPARAMS if any(r.optimizer == name for rows in tables.values()
                                                  for r in rows)]
    lines = ["| d2l rule | " + " | ".join(tables) + " |", "|---" * (len(tables) + 1) + "|"]
    for rule in rules:
        cells = [next((_summary_cell(r) for r in rows if r.optimizer == rule), "—")
                 for rows in tables.values()]
        lines.append(f"| {rule} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


_SECTION = re.compile(r"<!-- backend: (\w+) -->\n(.*?)(?=<!-- backend: |<!-- end of backends -->)", re.S)


def _rows_of(section, label):
    """The Rows of a table written by :func:`format_table` (to merge an earlier file's sections)."""
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells[0] in HYPERPARAMS:
            formula = "" if cells[2] == "d2l rule" else cells[2]
            rows.append(Row(label, cells[0], cells[1].strip("`"), formula, cells[3], cells[4],
                            float(cells[5]), float(cells[6])))
    return rows


def write_document(path=None, backends=None, log=print):
    """Write the tables of ``backends`` (default: every installed one) as Markdown to ``path``
    (None: return the text only); backends not computed here keep their section from the existing
    ``path``, so runs in several environments make one document. Returns the text."""
    names = [_config.canonical_name(b) for b in backends] if backends else _config.available_backends()
    sections = {}
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as file:
            sections = dict(_SECTION.findall(file.read()))
    tables = {}
    for name in _registry.BACKENDS:
        label = _registry.LABELS[name]
        if name in names:
            with _config.use_backend(name):
                log(f"computing the {label} table")
                rows = equivalence_table()
                sections[name] = f"## {label}\n\n{format_table(rows)}\n"
        elif name not in sections:
            continue
        else:
            log(f"keeping the {label} table of {path}")
            rows = _rows_of(sections[name], label)
        tables[label] = rows
    text = "\n".join([
        "# Built-in optimizers against d2l's rules\n",
        f"Generated by `d2l-optim equivalence` ({STEPS} minibatch steps of a seeded linear regression; "
        "see `d2l_optim/equivalence.py`): each backend's table in the environment where its framework "
        "is installed, the others kept from the file. Equal means a max difference "
        f"≤ {TOLERANCE['float64']:g} in float64 (≤ {TOLERANCE['float32']:g} in float32).\n",
        "## Summary: each framework's built-in, configured to d2l's rule\n",
        summary_table(tables),
        *(f"<!-- backend: {name} -->\n{sections[name]}" for name in _registry.BACKENDS if name in sections),
        "<!-- end of backends -->\n",
        f"## The book's per-tab variants of the concise path\n\n{BOOK_VARIANTS}"])
    if path:
        with open(path, "w", encoding="utf-8") as file:
            file.write(text)
    return text
