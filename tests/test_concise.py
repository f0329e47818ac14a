"""The concise path: each framework's own optimizers on framework parameters, proven equal to d2l's."""
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

import d2l_optim as d2l
from d2l_optim import _config, _registry
from d2l_optim import equivalence as E
from d2l_optim.concise import half_squared_loss, make_builtin
from helpers import ROOT

#: the concise sections' runs, with d2l's names and hyperparameters
SECTION_RUNS = [("sgd", {"lr": 0.05}), ("momentum", {"lr": 0.005, "beta": 0.9}), ("adagrad", {"lr": 0.1}),
                ("rmsprop", {"lr": 0.01, "gamma": 0.9}), ("adadelta", {}), ("adam", {"lr": 0.01})]
LINE = re.compile(r"^loss: (\d\.\d{3}), \d+\.\d{3} sec/epoch$")


def test_every_framework_optimizer_applies_the_formula_the_table_names(backend):
    builtins = _registry.facts(backend).BUILTINS
    rows = E.equivalence_table()
    assert [row.optimizer for row in rows] == list(builtins)
    for row in rows:
        assert row.dtype == builtins[row.optimizer].dtype and row.equal, row
        if not row.formula:  # d2l's own rule
            assert row.max_diff_ours == row.max_diff, row
        else:  # the formula the table names instead; whether it is d2l's, the table's last column says
            assert row.formula == builtins[row.optimizer].formula
    table = E.format_table(rows)
    assert table.count("\n| ") == len(rows) and _config.current().BOOK_CONCISE_LOSS in table


def test_a_formula_that_is_not_d2ls_rule_shows_in_the_table():
    """A built-in whose formula moves the table's trajectory beyond the tolerance (PyTorch's RMSprop:
    ε outside the root) is summed up as differing from d2l's rule; one within it as equal."""
    cells = []
    with d2l.use_backend("numpy"):
        for name in _registry.BACKENDS:
            for rule, facts in _registry.facts(name).BUILTINS.items():
                if facts.rule_changes:
                    ours = E.rule_trajectory(rule, E.HYPERPARAMS[rule], facts.dtype)
                    theirs = E.rule_trajectory(rule, dict(E.HYPERPARAMS[rule], **facts.rule_changes),
                                               facts.dtype)
                    gap = float(np.abs(theirs - ours).max())
                    cell = E._summary_cell(E.Row("", rule, "", facts.formula, "", facts.dtype, 0.0, gap))
                    assert cell.startswith("equal" if gap <= E.TOLERANCE[facts.dtype] else "no setting")
                    cells.append(cell)
    assert any(cell.startswith("no setting") for cell in cells)


def test_the_tolerances_separate_an_eps_placement_from_rounding():
    """On the table's problem a wrong ε placement moves the trajectory far more than either tolerance."""
    with d2l.use_backend("numpy"):
        inside = E.rule_trajectory("rmsprop", E.HYPERPARAMS["rmsprop"], "float64")
        outside = E.rule_trajectory("rmsprop", dict(E.HYPERPARAMS["rmsprop"], eps_in_sqrt=False), "float64")
    gap = np.abs(inside - outside).max()
    assert gap > 10 * E.TOLERANCE["float32"] and gap > 1e6 * E.TOLERANCE["float64"]


@pytest.mark.parametrize("name, hyperparams", SECTION_RUNS)
def test_concise_training_ends_in_the_specs_range(backend, name, hyperparams, capsys):
    d2l.seed(0)
    data_iter, _ = d2l.get_data_ch11(10)
    seconds, losses = d2l.train_concise_ch11(name, hyperparams, data_iter)
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert LINE.match(line), line
    assert len(losses) == len(seconds) == 15
    assert 0.2416 <= losses[-1] <= 0.28 and float(LINE.match(line).group(1)) == round(losses[-1], 3)


def test_concise_sgd_is_the_from_scratch_run(backend):
    """Same seed, same start, same minibatches: the framework's SGD retraces train_ch11's."""
    d2l.seed(3)
    data_iter, feature_dim = d2l.get_data_ch11(100)
    _, scratch = d2l.train_ch11(d2l.sgd(0.05), None, None, data_iter, feature_dim)
    d2l.seed(3)
    _, concise = d2l.train_concise_ch11(d2l.sgd, {"lr": 0.05}, data_iter)
    np.testing.assert_allclose(concise, scratch, rtol=1e-5)


def test_the_frameworks_own_optimizer_as_the_book_passes_it(backend):
    d2l.seed(1)
    data_iter, _ = d2l.get_data_ch11(100)
    _, ours = d2l.train_concise_ch11("sgd", {"lr": 0.05}, data_iter)
    d2l.seed(1)
    _, theirs = d2l.train_concise_ch11(*_registry.facts(backend).book_sgd(), data_iter)
    np.testing.assert_allclose(theirs, ours, rtol=1e-6)


def _steps(backend_module, name, count=25):
    d2l.seed(0)
    data_iter, _ = d2l.get_data_ch11(10)
    parameters = backend_module.make_parameters([np.full((5, 1), 0.01, "float32"), np.zeros(1, "float32")])
    optimizer = make_builtin(name, dict(SECTION_RUNS)[name], parameters)
    for _, batch in zip(range(count), data_iter):
        parameters, optimizer = backend_module.builtin_step(optimizer, parameters, half_squared_loss, batch)
    return parameters, optimizer


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_framework_parameters_grow_no_autograd_graph(backend, name):
    module = _config.current()
    parameters, optimizer = _steps(module, name)
    assert _registry.facts(backend).parameters_hold_no_graph(parameters, optimizer)
    values = module.parameter_values(parameters)
    assert all(isinstance(v, module.TENSOR_TYPES) for v in values)
    assert not any(getattr(v, "requires_grad", False) for v in values)  # PyTorch: no graph to extend


def test_values_read_back_are_the_trained_parameters(backend):
    module = _config.current()
    parameters, _ = _steps(module, "sgd", count=3)
    values = [d2l.numpy(v) for v in module.parameter_values(parameters)]
    assert values[0].shape == (5, 1) and values[1].shape == (1,)
    assert not np.allclose(values[0], 0.01) and values[0].dtype == np.float32


def test_bad_trainers_and_hyperparameters_name_what_is_allowed(backend):
    data_iter, _ = d2l.get_data_ch11(100)
    with pytest.raises(ValueError, match="unknown optimizer 'adamw'.*sgd, momentum, adagrad"):
        d2l.train_concise_ch11("adamw", {"lr": 0.1}, data_iter)
    with pytest.raises(ValueError, match="'momentum' has no hyperparameter 'momentum'; it takes: lr, beta"):
        d2l.train_concise_ch11("momentum", {"lr": 0.1, "momentum": 0.9}, data_iter)
    with pytest.raises(ValueError, match="'adam' needs lr"):
        d2l.train_concise_ch11(d2l.adam, {}, data_iter)
    with pytest.raises(ValueError, match="lr must be"):
        d2l.train_concise_ch11("sgd", {"lr": -1.0}, data_iter)
    with pytest.raises(TypeError, match="hyperparams must be a dict"):
        d2l.train_concise_ch11("sgd", [0.1], data_iter)
    native, hyperparams = _registry.facts(backend).book_sgd()
    with pytest.raises(ValueError, match="has no hyperparameter 'lrate'; it takes: .*"):
        d2l.train_concise_ch11(native, dict(hyperparams, lrate=0.1), data_iter)
    with pytest.raises(ValueError, match="one of d2l's optimizer"):
        d2l.train_concise_ch11(object, {}, data_iter)


@pytest.mark.parametrize("section", ["minibatch_sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam"])
def test_sections_show_each_frameworks_concise_code_in_a_cell_of_its_own(section):
    """One cell per backend with built-ins, next to each other, each ending in the training call and
    importing only its own framework."""
    with open(os.path.join(ROOT, "examples", f"{section}.py"), encoding="utf-8") as file:
        cells = re.split(r"(?m)^(?=# %%)", file.read())
    tagged = [(i, re.match(r'# %% tags=\["framework-(\w+)"\].*\n', cell)) for i, cell in enumerate(cells)]
    tagged = [(i, match.group(1), cells[i][match.end():]) for i, match in tagged if match]
    assert sorted(framework for _, framework, _ in tagged) == sorted(
        name for name in _registry.BACKENDS if _registry.facts(name).BUILTINS)
    assert [i for i, _, _ in tagged] == list(range(tagged[0][0], tagged[0][0] + len(tagged)))
    for _, framework, code in tagged:
        statements = re.split(r"(?m)^(?=\S)", code.strip())
        assert statements[-1].startswith("run = d2l.train_concise_ch11("), (section, framework)
        imported = set(re.findall(r"(?m)^import (\w+)", code))
        assert imported <= set(_registry.BACKENDS[framework].module_roots) - {"numpy"}, (section, imported)


def test_the_equivalence_command_works_from_the_clone_root_and_keeps_other_environments_tables(tmp_path):
    """``d2l-optim equivalence`` (the console script, so the installed package even in the clone's
    root) measures the backends asked for and keeps the committed tables of the others."""
    out = tmp_path / "equivalence.md"
    shutil.copy(os.path.join(ROOT, "docs", "optimizer-equivalence.md"), out)
    command = shutil.which("d2l-optim", path=os.path.dirname(sys.executable))
    result = subprocess.run([command, "equivalence", "--backends", "numpy", "--out", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert "computing the NumPy table" in result.stderr
    summary = text.split("## Summary")[1].split("<!--")[0]
    rules = {rule for name in _registry.BACKENDS for rule in _registry.facts(name).BUILTINS}
    assert summary.count("\n| ") == 1 + len(rules)  # the header and a row per rule
    for name, label in _registry.LABELS.items():
        assert f"<!-- backend: {name} -->\n## {label}\n" in text, name
        assert f" {label} |" in summary.splitlines()[2], label
        if name != "numpy":
            assert f"keeping the {label} table" in result.stderr
