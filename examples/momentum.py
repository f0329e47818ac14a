# %% [markdown]
# # Momentum
#
# On the elongated f(x1, x2) = 0.1 x1² + 2 x2², gradient descent must choose: a small rate crawls
# along x1, a large one makes x2 oscillate and diverge. Momentum averages past gradients,
# v ← β v + g, x ← x − η v: the oscillating x2 components cancel while the steady x1 ones add up.
#
# Run as a script: `python examples/momentum.py --backend tensorflow --out figures/`.

# %%
import d2l_optim as d2l
from d2l_optim import objectives

section = d2l.Section("momentum")
f = objectives.elongated_2d
f_grad = d2l.grad(f, argnums=(0, 1))

# %% [markdown]
# Gradient descent with η = 0.4 is slow along x1; with η = 0.6, x2 diverges.

# %%
section.save(d2l.show_trace_2d(f, d2l.train_2d(d2l.sgd(0.4), f_grad=f_grad)), "gd-lr-0.4")
section.save(d2l.show_trace_2d(f, d2l.train_2d(d2l.sgd(0.6), f_grad=f_grad)), "gd-lr-0.6")

# %% [markdown]
# Momentum with the same η = 0.6 converges, with β = 0.5 and (more slowly) with β = 0.25.

# %%
for beta in (0.5, 0.25):
    results = d2l.train_2d(d2l.momentum(0.6, beta), f_grad=f_grad)
    section.save(d2l.show_trace_2d(f, results), f"momentum-beta-{beta}")

# %% [markdown]
# The velocity is a leaky average: a gradient from τ steps back carries weight β^τ, so β sets how
# far back the average reaches (about 1/(1 − β) steps).

# %%
betas = [0.95, 0.9, 0.6, 0]
time = list(range(40))  # Python numbers: exact, so every backend plots the same values
ax = d2l.plot(time, [[beta**t for t in time] for beta in betas], "time",
              legend=[f"beta = {beta:.2f}" for beta in betas])
section.save(ax, "leaky-average-weights")

# %% [markdown]
# On a quadratic λ/2 x², gradient descent multiplies x by (1 − ηλ) each step: it converges for
# 0 < ηλ < 2, in one step at ηλ = 1, and oscillates for ηλ > 1.

# %%
eta, lambdas = 0.1, [0.1, 1, 10, 19]
time = list(range(20))  # Python numbers, exact as above
ax = d2l.plot(time, [[(1 - eta * lam) ** t for t in time] for lam in lambdas], "time", figsize=(6, 4),
              legend=[f"lambda = {lam:.2f}" for lam in lambdas])
section.save(ax, "gd-convergence-by-curvature")
