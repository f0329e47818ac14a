"""Checks of the exercises of the learning-rate-scheduling section (30 epochs, 15 updates an epoch)."""
import math

import numpy as np

from d2l_optim import exercises
from d2l_optim.exercises import Wrong, function
from d2l_optim.exercises.expect import array, expect_near, near, number, show
from d2l_optim.schedules import CosineScheduler, FactorScheduler, MultiFactorScheduler, SquareRootScheduler

exercise = exercises.section("lr_scheduler")
EPOCHS, UPDATES = 30, 15


def _schedules():
    """The five schedules of the section's runs, in its order."""
    return (lambda epoch: 0.3, SquareRootScheduler(lr=0.1),
            MultiFactorScheduler(step=[15, 30], factor=0.5, base_lr=0.5),
            CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01),
            CosineScheduler(20, warmup_steps=5, base_lr=0.3, final_lr=0.01))


def _rates(scheduler, epochs=EPOCHS):
    return np.array([scheduler(epoch) for epoch in range(epochs)], dtype=float)


@exercise(1, "number", budgets="for the constant, square-root, multi-factor, cosine and warm-up cosine "
                               "schedules: (sum of the rates, sum of their squares, last rate)",
          square_root_sums="the square-root schedule's (sum, sum of squares) over 30, 300, 3000 and 30000 "
                           "epochs")
def the_rate_budget(budgets, square_root_sums):
    found = array(budgets, "budgets", (5, 3))
    expected = [(rates.sum(), (rates**2).sum(), rates[-1]) for rates in map(_rates, _schedules())]
    if near(found[:, 0], [rates[1] for rates in expected], rtol=1e-6):
        raise Wrong("in each triple of `budgets` the sum of the rates comes first, then the sum of their "
                    "squares")
    expect_near("budgets", found, expected, rtol=1e-6,
                hint="for each schedule take its rates at epochs 0 to 29, then their sum, the sum of their "
                     "squares and the last one")
    sums = array(square_root_sums, "square_root_sums", (4, 2))
    reference = [(rates.sum(), (rates**2).sum()) for rates in
                 (_rates(SquareRootScheduler(lr=0.1), epochs) for epochs in (30, 300, 3000, 30000))]
    expect_near("square_root_sums", sums, reference, rtol=1e-6,
                hint="the rates of SquareRootScheduler(lr=0.1) at epochs 0 to T - 1, summed and squared")


@exercise(2, "function", first_at_floor="the first step at which the factor schedule returns its floor",
          smooth=function("epoch", "the rate of a factor schedule that starts at 0.5 and halves every 15 "
                                   "epochs (a FactorScheduler)"),
          smooth_budget="the sum of its rates over the 30 epochs")
def the_factor_floor_and_a_smooth_twin(first_at_floor, smooth, smooth_budget):
    factor = FactorScheduler(factor=0.9, stop_factor_lr=1e-2, base_lr=2.0)
    floor_step = next(t for t in range(1000) if factor(t) == 1e-2)
    found = number(first_at_floor, "first_at_floor")
    if abs(found - floor_step) == 1:
        raise Wrong(f"`first_at_floor` = {found:g} is off by one: eta_t = max(eta_min, eta_0 alpha^(t + 1)), "
                    "the exponent is t + 1")
    expect_near("first_at_floor", found, floor_step, atol=0.5,
                hint="solve eta_0 alpha^(t + 1) <= eta_min for the smallest whole t")
    reference = 0.5 * 0.5 ** (np.arange(EPOCHS) / 15)
    rates = np.array([number(smooth(epoch), f"smooth({epoch})") for epoch in range(EPOCHS)])
    if near(rates[1:], reference[:-1] * 2 ** (-1 / 15) * 2 ** (-1 / 15), rtol=1e-6) or near(
            rates, reference * 2 ** (-1 / 15), rtol=1e-6):
        raise Wrong(f"`smooth` starts at {rates[0]:.6g}, not 0.5: FactorScheduler multiplies by the factor "
                    "already on its first call, so give it base_lr = 0.5 / factor")
    expect_near("smooth", rates, reference, rtol=1e-6,
                hint=f"the rate should halve every 15 epochs from 0.5 at epoch 0 (yours at 0, 15, 29: "
                     f"{show(rates[[0, 15, 29]])})")
    expect_near("smooth_budget", number(smooth_budget, "smooth_budget"), reference.sum(), rtol=1e-6,
                hint="add up the smooth schedule's rates at epochs 0 to 29")


@exercise(3, "function", warmup_fraction="the fraction of the book's first epoch (235 updates) after which "
                                         "its warm-up of 5 updates was over",
          cosine_fraction="the same for the cosine of 20 updates",
          per_update=function("step", "the per-update rate: a cosine with warm-up counting updates (a "
                                      "CosineScheduler)"))
def per_epoch_or_per_update(warmup_fraction, cosine_fraction, per_update):
    book_updates = math.ceil(60000 / 256)
    expect_near("warmup_fraction", number(warmup_fraction, "warmup_fraction"), 5 / book_updates,
                hint=f"5 updates out of the {book_updates} of an epoch")
    expect_near("cosine_fraction", number(cosine_fraction, "cosine_fraction"), 20 / book_updates,
                hint=f"20 updates out of {book_updates}")
    reference = CosineScheduler(20 * UPDATES, warmup_steps=5 * UPDATES, base_lr=0.3, final_lr=0.01)
    per_epoch = CosineScheduler(20, warmup_steps=5, base_lr=0.3, final_lr=0.01)
    steps = np.arange(EPOCHS * UPDATES)
    rates = np.array([number(per_update(int(step)), f"per_update({step})") for step in steps])
    if not near(rates[::UPDATES], [per_epoch(epoch) for epoch in range(EPOCHS)], rtol=1e-9, atol=1e-12):
        raise Wrong("`per_update` should give the per-epoch rate at the first update of every epoch "
                    f"(step = {UPDATES} epoch): scale the warm-up and the cosine by the {UPDATES} updates "
                    "an epoch")
    expect_near("per_update", rates, [reference(int(step)) for step in steps], rtol=1e-9, atol=1e-12,
                hint="a CosineScheduler counting updates, with the per-epoch lengths times 15")


@exercise(4, "number", shrinkages="for the five schedules: the factor by which weight decay 0.01 alone "
                                  "shrinks the weights over the 30 epochs (15 updates each)",
          matching_weight_decay="the weight decay that gives the cosine schedule the constant rate's "
                                "shrinkage")
def weight_decay_under_a_schedule(shrinkages, matching_weight_decay):
    def shrinkage(rates, weight_decay):
        return np.prod((1 - rates * weight_decay) ** UPDATES)

    epoch_rates = [_rates(scheduler) for scheduler in _schedules()]
    found = array(shrinkages, "shrinkages", (5,))
    approximations = [math.exp(-UPDATES * 0.01 * rates.sum()) for rates in epoch_rates]
    if near(found, approximations, rtol=1e-9):
        raise Wrong("`shrinkages` are the exponential approximations: multiply the factors "
                    "(1 - eta_t lambda) of all the updates instead")
    expect_near("shrinkages", found, [shrinkage(rates, 0.01) for rates in epoch_rates], rtol=1e-6,
                hint="multiply (1 - eta_e * 0.01) over the 15 updates of each of the 30 epochs")
    target, low, high = shrinkage(epoch_rates[0], 0.01), 0.01, 1.0
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if shrinkage(epoch_rates[3], middle) > target else (low, middle)
    expect_near("matching_weight_decay", number(matching_weight_decay, "matching_weight_decay"), low,
                rtol=1e-4,
                hint="find, by bisection, the lambda at which the cosine schedule's shrinkage equals the "
                     "constant rate's with lambda = 0.01")
