"""The exercises' checks: every exercise is checked or has a rubric, each worked solution names the
answers its check reads, and a realistic wrong answer to each checked exercise fails with a hint
(on every backend: the answers are that backend's tensors where a student would have them).

That the worked solutions pass every check, on every backend, is tested by running the sections
with ``d2l-optim check`` (tests/test_check_command.py)."""
import ast
import math
import os

import jupytext
import numpy as np
import pytest

import d2l_optim as d2l
from d2l_optim import exercises, objectives
from d2l_optim.build import editions
from d2l_optim.examples import SECTIONS
from helpers import ROOT


def _notebook(section):
    return jupytext.read(os.path.join(ROOT, "examples", f"{section}.py"))


def _exercises(section):
    return editions.exercises_of(_notebook(section))


def test_every_exercise_is_checked_or_has_a_rubric():
    kinds, counted = {}, 0
    for section in SECTIONS:
        checks = exercises.checks_of(section)
        found = _exercises(section)
        counted += len(found)
        assert set(checks) <= {exercise.number for exercise in found}, section
        for exercise in found:
            check = checks.get(exercise.number)
            kind = check.kind if check else "text"
            kinds[kind] = kinds.get(kind, 0) + 1
            assert check or exercise.rubric_points, f"{section}-{exercise.number}: no check, no rubric"
    assert counted == 58 and sum(kinds.values()) == 58
    assert kinds["text"] == 12 and sum(count for kind, count in kinds.items() if kind != "text") == 46, kinds


@pytest.mark.parametrize("section", SECTIONS)
def test_each_worked_solution_defines_the_answers_its_check_reads(section):
    notebook = _notebook(section)
    for exercise in editions.exercises_of(notebook):
        check = exercises.checks_of(section).get(exercise.number)
        if check is None:
            continue
        bound = set()
        for index in exercise.solutions:
            cell = notebook.cells[index]
            if cell.cell_type == "code":
                for node in ast.walk(ast.parse(cell.source)):
                    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                        bound.add(node.id)
                    elif isinstance(node, ast.FunctionDef):
                        bound.add(node.name)
        missing = [answer.name for answer in check.answers if answer.name not in bound]
        assert not missing, f"{check.id}: the solution does not define {missing}"


def test_rubrics_give_their_points_and_are_part_of_the_solution():
    for section in SECTIONS:
        notebook = _notebook(section)
        for exercise in editions.exercises_of(notebook):
            rubrics = [i for i in exercise.solutions if "rubric" in editions.tags_of(notebook.cells[i])]
            assert len(rubrics) <= 1 and (not rubrics or rubrics[0] == exercise.solutions[-1]), exercise
            if rubrics:
                items = notebook.cells[rubrics[0]].source.count("point")
                assert exercise.rubric_points and items > exercise.rubric_points // 2, exercise


def _ids():
    return [check.id for section in SECTIONS for check in exercises.checks_of(section).values()]


def test_nothing_given_is_not_attempted_and_a_part_is_a_failure():
    for exercise_id in _ids():
        check = exercises.find(exercise_id)
        assert exercises.evaluate(exercise_id, {}).status == exercises.NOT_ATTEMPTED
        placeholders = {answer.name: ... for answer in check.answers}
        outcome = exercises.evaluate(exercise_id, placeholders)
        assert outcome.status == exercises.NOT_ATTEMPTED and outcome.points == 0
        assert f"`{check.answers[0].name}`" in outcome.message
        if len(check.answers) > 1:
            partial = dict(placeholders, **{check.answers[0].name: 1.0})
            outcome = exercises.evaluate(exercise_id, partial)
            assert outcome.status == exercises.FAILED and f"`{check.answers[1].name}`" in outcome.message


def test_a_function_left_as_the_stub_is_not_an_answer_and_one_that_raises_fails():
    namespace = {}
    exec(exercises.placeholders(exercises.find("adam-2")), namespace)
    outcome = exercises.evaluate("adam-2", namespace)
    assert outcome.status == exercises.NOT_ATTEMPTED and "write it in the answer cell" in outcome.message
    namespace["peak_step"] = 12
    outcome = exercises.evaluate("adam-2", namespace)
    assert outcome.status == exercises.FAILED and "`uncorrected_factor`, `stuck_factor`" in outcome.message

    def broken(t):
        return 1 / 0

    outcome = exercises.evaluate("adam-2", dict(namespace, uncorrected_factor=broken, stuck_factor=broken))
    assert outcome.status == exercises.FAILED and "ZeroDivisionError" in outcome.message


def test_unknown_ids_say_what_ids_look_like():
    with pytest.raises(ValueError, match="gd-1, gd-2"):
        exercises.find("gd-9")
    with pytest.raises(ValueError, match="look like gd-1"):
        exercises.find("nonsense")


def test_check_prints_the_outcome_and_verify_raises_it(capsys):
    outcome = d2l.check("rmsprop-2", {"steps_inside": [1, 2, 3, 4], "steps_outside": [1, 2, 3, 4]})
    assert outcome.status == exercises.FAILED
    assert capsys.readouterr().out.startswith("rmsprop-2: failed. `steps_inside` = [1, 2, 3, 4] is not right")
    with pytest.raises(AssertionError, match="rmsprop-2: not attempted"):
        exercises.verify("rmsprop-2", {})


def _run(trainer, f=objectives.elongated_2d, **kwargs):
    return d2l.train_2d(trainer, f_grad=d2l.grad(f, argnums=(0, 1)), **kwargs)


def _airfoil():
    features, targets = (d2l.numpy(a).astype(float) for a in d2l.get_data_ch11(1500)[0].whole())
    return np.hstack([features, np.ones((len(features), 1))]), targets


def _schedules():
    return [lambda epoch: 0.3, d2l.SquareRootScheduler(lr=0.1),
            d2l.MultiFactorScheduler(step=[15, 30], factor=0.5, base_lr=0.5),
            d2l.CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01),
            d2l.CosineScheduler(20, warmup_steps=5, base_lr=0.3, final_lr=0.01)]


def _wrong_answers():
    """{exercise id: (a function making a realistic wrong answer, a piece of the expected hint)}."""
    def tensor(values):
        return d2l.tensor(values, "float64")

    def opt_5():  # eigenvalues of A, not of (A + A^T) / 2
        entries = np.random.default_rng(0).normal(size=(100_000, 5, 5))
        return {"all_positive_fractions": [(np.linalg.eigvalsh(entries[:, :k, :k]) > 0).all(axis=1).mean()
                                           for k in range(1, 6)]}

    def project_without_sign(v, radius=1.0):
        size = np.abs(d2l.numpy(v))
        if size.sum() <= radius:
            return v
        u = np.sort(size)[::-1]
        sums = np.cumsum(u)
        last = np.nonzero(u - (sums - radius) / np.arange(1, len(u) + 1) > 0)[0][-1]
        return tensor(np.maximum(size - (sums[last] - radius) / (last + 1), 0.0))

    def sgd_3():
        rates = [[schedule(step) for step in range(1000)] for schedule in (
            d2l.constant_lr(0.1), d2l.constant_lr(1 / math.sqrt(1000)),
            lambda step: 0.1 * math.exp(-0.1 * (step + 1)), d2l.polynomial_lr(0.1))]
        return {"bounds": [(1 + sum(r * r for r in run)) / (2 * sum(run)) for run in rates]}

    def minibatch_2():  # the loss recorded before each step
        with_bias, targets = _airfoil()
        curves = {}
        for rate in (1.0, 0.9):
            weights, curves[rate] = np.zeros(6), []
            for _ in range(40):
                curves[rate].append(np.mean((with_bias @ weights - targets) ** 2) / 2)
                weights = weights - rate * with_bias.T @ (with_bias @ weights - targets) / len(targets)
        return {"loss_curves": curves}

    def yogi_moments():
        s, moments = 0.0, []
        for g in [0.01] * 200 + [1.0] * 10 + [0.01] * 1000:
            s = s + 0.001 * g * g * np.sign(g * g - s)
            moments.append(s)
        return {"second_moments": {"adam": moments, "yogi": moments}}

    def lr_1():
        rates = [[scheduler(epoch) for epoch in range(30)] for scheduler in _schedules()]
        return {"budgets": [(sum(r * r for r in run), sum(run), run[-1]) for run in rates],
                "square_root_sums": [(1.0, 1.0)] * 4}

    def lr_4():
        rates = [[scheduler(epoch) for epoch in range(30)] for scheduler in _schedules()]
        return {"shrinkages": [math.exp(-15 * 0.01 * sum(run)) for run in rates],
                "matching_weight_decay": 0.027}

    two = {(1.0, 0.0): [2.0, 6.0], (-1.0, 0.0): [-6.0, 2.0]}
    tilted_rates = {100: (0.01, 0.1 / math.sqrt(1 + 1e-6)),
                    1000: (0.1 / math.sqrt(1000 + 1e-6), 0.1 / math.sqrt(10 + 1e-6))}
    moved_back = {t: (-sum(0.1 / math.sqrt(k + 1e-6) for k in range(1, t + 1)),
                      -sum(0.1 / math.sqrt(k + 1e-6) for k in range(1, t // 100 + 1))) for t in (100, 1000)}
    decaying = lambda step: 0.6 * 0.9**step
    targets = np.random.default_rng(1).normal(2, 1, 100)
    return {
        "optimization_intro-1": (
            lambda: {"best_risk_x": 1.017, "best_empirical_x": 1.090, "risk_paid": 0.0312}, "swapped"),
        "optimization_intro-2": (
            lambda: {"hessian_eigenvalues": two,
                     "point_kinds": {(1.0, 0.0): "local minimum", (-1.0, 0.0): "local maximum"}},
            "both signs a saddle"),
        "optimization_intro-3": (
            lambda: {"tanh_slopes": tensor(1 - np.tanh([0.0, 2.0, 4.0, 6.0]) ** 2), "moved": 3.986426,
                     "steps_to_3": 324}, "where x ends"),
        "optimization_intro-4": (
            lambda: {"on_the_ridge": _run(d2l.sgd(0.1), objectives.saddle, x0=(1.0, 0.0)),
                     "nudged": _run(d2l.sgd(0.1), objectives.saddle, x0=(1.0, 0.0))},
            "never leaves the x axis"),
        "optimization_intro-5": (opt_5, "(A + A^T) / 2"),
        "gd-1": (lambda: {"end_by_rate": {0.5: 0.0, 0.99: 8.170728, 1.0: -10.0}}, "sign is wrong"),
        "gd-2": (lambda: {"newton_abs_end": tensor(26.834133), "is_minimum": False}, "plain Newton"),
        "gd-3": (lambda: {"bisection_minimizer": 2.0, "line_search_trace": [(0.0, 0.0)] * 6,
                          "fixed_rate_trace": [(0.0, 0.0)] * 6}, "end of the interval"),
        "gd-4": (lambda: {"aligned_trace": _run(d2l.sgd(0.1)), "rotated_trace": [(0.0, 0.0)] * 21,
                          "plain_trace": [(0.0, 0.0)] * 21}, "whole Hessian"),
        "convexity-1": (lambda: {"average_of_f": math.exp(0.4),
                                 "f_of_average": 0.2 * math.exp(-1) + 0.5 + 0.3 * math.exp(2)}, "swapped"),
        "convexity-2": (lambda: {"log_sum_exp": lambda v: d2l.log(d2l.reduce_mean(d2l.exp(v))),
                                 "smallest_gap": 1e-3}, "log of the sum"),
        "convexity-3": (lambda: {"project_l1": project_without_sign,
                                 "l2_projection": np.array([1.5, 0.2]) / math.hypot(1.5, 0.2),
                                 "l1_projection": tensor([1.0, 0.0]), "clipped_gradient": [0.6, 0.8]},
                        "keep each sign"),
        "convexity-4": (lambda: {"constrained_x": 0.5, "multiplier": -1.0, "penalized_x": {}}, ">= 0"),
        "sgd-1": (lambda: {"targets": tensor(targets), "full_gradient": float(targets.mean()),
                           "per_example_mean": 0.0, "sampled_mean": 0.0, "gradient_spread": 0.0}, "sign"),
        "sgd-2": (lambda: {"seen_at_least_once": 0.264, "seen_exactly_once": 0.368, "never_seen": 0.368,
                           "shuffled_each_once": True}, "twice or more"),
        "sgd-3": (sgd_3, "counter starts at t = 1"),
        "sgd-4": (lambda: {"mean_f_last": 0.044, "mean_f_average": 0.052}, "several times below"),
        "minibatch_sgd-1": (lambda: {"loss_floor": 2 * 0.241688, "zero_model_loss": 0.5,
                                     "hessian_eigenvalues": [1.0] * 6, "largest_stable_lr": 1.0},
                            "half the mean squared error"),
        "minibatch_sgd-2": (minibatch_2, "one epoch behind"),
        "minibatch_sgd-3": (lambda: {"sigma": 1.8009**2, "rms_norms": {}}, "root of the mean"),
        "minibatch_sgd-4": (lambda: {"flop_counts": [256, 65536, 4194304, 16777216],
                                     "bytes_moved": [0, 0, 0, 0]}, "two flops"),
        "momentum-1": (lambda: {"stable_limits": [2.0] * 4, "smallest_radii": [0.0] * 4},
                       "edge of stability"),
        "momentum-2": (lambda: {"tuned_beta": 0.9, "tuned_eta": 0.9,
                                "tuned_trace": _run(d2l.momentum(0.9, 0.9))},
                       "smallest beta"),
        "momentum-3": (lambda: {"velocities": [(1 - 0.9 ** (t - 1)) / 0.1 for t in (1, 5, 10, 20, 50)]},
                       "one step behind"),
        "momentum-4": (lambda: {"velocity_form_trace": _run(d2l.momentum(decaying, 0.5)),
                                "step_form_trace": _run(d2l.momentum(decaying, 0.5)), "same_method": True},
                       "velocity form's run"),
        "adagrad-1": (lambda: {"condition_numbers": {"aligned": (20.0, 1.0), "rotated": (20.0, 1.0)},
                               "gershgorin_bounds": {"aligned": 1.0, "rotated": 1.0}}, "(4.2, 4.2)"),
        "adagrad-2": (lambda: {"tilted_trace": _run(d2l.adagrad(2))}, "aligned f"),
        "adagrad-3": (lambda: {"original_trace": _run(d2l.adagrad(2)),
                               "scaled_trace": _run(d2l.adagrad(0.2))},
                      "100 f"),
        "adagrad-4": (lambda: {"rates_after": tilted_rates, "moved_after": moved_back}, "wrong sign"),
        "rmsprop-1": (lambda: {"step_lengths": {"rmsprop": [0.1, 0.0707, 0.0447, 0.0316, 0.0183, 0.01],
                                                "adagrad": [0.1] * 6}}, "d2l.rmsprop(0.1, gamma=0.9)"),
        "rmsprop-2": (lambda: {"steps_inside": [1.0] * 4, "steps_outside": [1.0, 1.0, 0.1, 0.001]},
                      "not right"),
        "rmsprop-3": (lambda: {"largest_distances": [0.04, 0.29, 0.02]}, "last 50 points"),
        "adadelta-1": (lambda: {"steps_by_scale": {0.01: [-0.01] * 5, 1.0: [-0.01] * 5, 100.0: [-0.01] * 5}},
                       "x before minus x after"),
        "adadelta-2": (lambda: {"step_sizes": [0.003, 0.01, 0.03, 0.1], "distances": [0.0] * 4,
                                "growths": [1.0] * 4}, "x before minus x after"),
        "adadelta-3": (lambda: {"final_values": [8.16, 2.0, 0.81, 0.005]}, "eps=eps"),
        "adadelta-4": (lambda: {"loss_curves": [[0.3] * 14 + [0.257], [0.3] * 14 + [0.245]]},
                       "reverse order"),
        "adam-1": (lambda: {"v_history": [2.0] * 5, "s_history": [4.0] * 5, "x_after_5": -0.5}, "v_hat"),
        "adam-2": (lambda: {"uncorrected_factor": lambda t: math.sqrt(1 - 0.999**t) / (1 - 0.9**t),
                            "stuck_factor": lambda t: 1.0, "peak_step": 12}, "inverse"),
        "adam-3": (yogi_moments, "Yogi's rule"),
        "adam-4": (lambda: {"differences": [0.0] * 4, "float32_difference": 0.0},
                   "largest absolute difference"),
        "adam-5": (lambda: {"last_steps": tensor([1.0, 1.0, 1.0])}, "1000 steps"),
        "adam-6": (lambda: {"adam_ends": [-1.0] * 10, "yogi_ends": [-1.0] * 10, "adam_fails_below": 0.47},
                   "online problem"),
        "lr_scheduler-1": (lr_1, "sum of the rates comes first"),
        "lr_scheduler-2": (lambda: {"first_at_floor": 51, "smooth": None, "smooth_budget": 8.3},
                           "off by one"),
        "lr_scheduler-3": (lambda: {"warmup_fraction": 5 / 234, "cosine_fraction": 20 / 234,
                                    "per_update": d2l.CosineScheduler(20, warmup_steps=5, base_lr=0.3,
                                                                      final_lr=0.01)}, "5 updates out of"),
        "lr_scheduler-4": (lr_4, "exponential approximations"),
    }


def test_every_checked_exercise_has_a_wrong_answer_below():
    assert sorted(_wrong_answers()) == sorted(_ids())


@pytest.mark.parametrize("exercise_id", _ids())
def test_a_realistic_wrong_answer_fails_with_a_hint(backend, exercise_id):
    make, hint = _wrong_answers()[exercise_id]
    outcome = exercises.evaluate(exercise_id, make())
    assert outcome.status == exercises.FAILED and outcome.points == 0, outcome
    assert hint in outcome.message, outcome.message
    assert "raised" not in outcome.message, outcome.message  # the check itself did not break
