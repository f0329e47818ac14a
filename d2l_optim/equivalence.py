"""Ours equals theirs, measured: each framework's built-in optimizer against d2l's rule.

For each of d2l's rules, :func:`equivalence_table` runs the concise path's framework optimizer
(configured as the backend says, :meth:`~d2l_optim.backend_api.Backend.builtin_optimizer`) and d2l's
optimizer from the same start on the same minibatches of a small seeded linear regression, and
records the largest difference between the two parameter trajectories. The comparison runs in
float64 (a wrong ε placement or default moves the trajectory by only about 1e-7, so float32 could not
tell it from rounding), except where the framework keeps state in float32 (MXNet 1.9). Where no
setting of the framework reproduces d2l's rule, the table also compares the built-in with the
formula it does apply, written on d2l's optimizers.

``python -m d2l_optim.equivalence --out docs/optimizer-equivalence.md`` writes the tables of every
installed backend.
"""
import argparse
import sys
from typing import NamedTuple

import numpy as np

from d2l_optim import _config, ops, optimizers
from d2l_optim._registry import LABELS
from d2l_optim.concise import BOOK_VARIANTS, CONCISE_OPTIMIZERS, half_squared_loss, our_hyperparams

#: the concise sections' hyperparameters (the book's MXNet tab)
HYPERPARAMS = {"sgd": {"lr": 0.05}, "momentum": {"lr": 0.005, "beta": 0.9}, "adagrad": {"lr": 0.1},
               "rmsprop": {"lr": 0.01, "gamma": 0.9}, "adadelta": {"rho": 0.9}, "adam": {"lr": 0.01}}
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
    trajectory = []
    for t in range(steps):
        backend.builtin_step(builtin, half_squared_loss, batches[t % len(batches)])
        trajectory.append(_flat(backend.parameter_values(parameters)))
    return np.array(trajectory), builtin.settings


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
    """One :class:`Row` per d2l rule (sgd, momentum, adagrad, rmsprop, adadelta, adam) for the active
    backend's framework."""
    backend = _config.current()
    rows = []
    for name in CONCISE_OPTIMIZERS:
        facts = backend.builtin_facts(name)
        hyperparams = HYPERPARAMS[name]
        theirs, settings = builtin_trajectory(name, hyperparams, facts.dtype, steps)
        ours = rule_trajectory(name, hyperparams, facts.dtype, steps)
        formula = (rule_trajectory(name, dict(hyperparams, **facts.rule_changes), facts.dtype, steps)
                   if facts.rule_changes else ours)
        rows.append(Row(LABELS[backend.NAME], name, settings, facts.formula, facts.defaults, facts.dtype,
                        float(np.abs(theirs - formula).max()), float(np.abs(theirs - ours).max())))
    return rows


def format_table(rows):
    """The rows as a Markdown table, with the book tab's loss beneath it."""
    lines = ["| optimizer | built-in, configured to d2l's rule | compared with | defaults that differ "
             "from the book | dtype | max abs difference | vs d2l's rule |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row.optimizer} | `{row.settings}` | {row.formula or 'd2l rule'} | "
                     f"{row.defaults} | {row.dtype} | {row.max_diff:.1e} | {row.max_diff_ours:.1e} |")
    backend = _config.current()
    return "\n".join(lines) + f"\n\nLoss: {backend.BOOK_CONCISE_LOSS}\n"


def main(argv=None):
    """Write the tables of every installed backend as Markdown (to ``--out`` or stdout)."""
    parser = argparse.ArgumentParser(prog="python -m d2l_optim.equivalence", description=main.__doc__)
    parser.add_argument("--out", help="the Markdown file to write (default: print)")
    args = parser.parse_args(argv)
    parts = ["# Built-in optimizers against d2l's rules\n",
             f"Generated by `python -m d2l_optim.equivalence` ({STEPS} minibatch steps of a seeded "
             "linear regression; see `d2l_optim/equivalence.py`). Equal means a max difference "
             f"≤ {TOLERANCE['float64']:g} in float64 (≤ {TOLERANCE['float32']:g} in float32).\n"]
    for name in _config.available_backends():
        with _config.use_backend(name):
            parts.append(f"## {LABELS[name]}\n\n{format_table(equivalence_table())}")
    parts.append(f"## The book's per-tab variants of the concise path\n\n{BOOK_VARIANTS}")
    text = "\n".join(parts)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as file:
            file.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
