# %% [markdown]
# # Stochastic gradient descent
#
# With a minibatch or a single example, the gradient is a noisy estimate of the true one. We
# simulate that noise on f(x1, x2) = x1² + 2 x2² by adding N(0, 1) to each gradient coordinate.
# With a constant learning rate the iterates never settle; shrinking the rate over time damps the
# noise, but shrinking it too fast (exponentially) stops progress far from the minimum.
#
# The noise is drawn from one seeded generator, so every backend draws the same trace.
#
# Run as a script: `python examples/sgd.py --backend torch --out figures/`.

# %%
import d2l_optim as d2l
from d2l_optim import objectives

section = d2l.Section("sgd")
f = objectives.quadratic_2d
f_grad = d2l.with_gradient_noise(d2l.grad(f, argnums=(0, 1)), std=1.0)
eta = 0.1

# %% [markdown]
# A constant learning rate, η = 0.1, for 50 steps.

# %%
d2l.seed(0)
results = d2l.train_2d(d2l.sgd(d2l.constant_lr(eta)), steps=50, f_grad=f_grad)
section.save(d2l.show_trace_2d(f, results), "sgd-constant-lr")

# %% [markdown]
# Exponential decay, η_t = η e^(−0.1 t): the steps shrink so fast (their sum is only about 0.86)
# that 1000 steps end far from the minimum. A schedule gives the learning rate of each update
# (step 0, 1, ...); the book's counter t starts at 2, so η is first multiplied by e^(−0.2).

# %%
schedule = d2l.exponential_lr(eta)
print("exponential multipliers:", ", ".join(f"{schedule(step) / eta:f}" for step in range(5)))
d2l.seed(0)
results = d2l.train_2d(d2l.sgd(schedule), steps=1000, f_grad=f_grad)
section.save(d2l.show_trace_2d(f, results), "sgd-exponential-lr")

# %% [markdown]
# Polynomial decay, η_t = η (1 + 0.1 t)^(−1/2), converges in 50 steps.

# %%
schedule = d2l.polynomial_lr(eta)
print("polynomial multipliers:", ", ".join(f"{schedule(step) / eta:f}" for step in range(5)))
d2l.seed(0)
results = d2l.train_2d(d2l.sgd(schedule), steps=50, f_grad=f_grad)
section.save(d2l.show_trace_2d(f, results), "sgd-polynomial-lr")
