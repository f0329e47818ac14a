# %% [markdown]
# # Optimization and deep learning
#
# Training minimises the *empirical* risk, the average loss on the training data, while what we
# care about is the *risk*, the expected loss on all data. The two differ, and so do their minima.
# Optimisation itself meets local minima, saddle points and vanishing gradients.
#
# Run as a script: `python examples/optimization_intro.py --backend torch --out figures/`.

# %%
import d2l_optim as d2l
from d2l_optim import objectives

section = d2l.Section("optimization_intro")
risk, empirical_risk = objectives.risk, objectives.empirical_risk

# %% [markdown]
# The risk f(x) = x cos(πx) and an empirical risk with a wiggle, g(x) = f(x) + 0.2 cos(5πx):
# their minima lie at different places.

# %%
x = d2l.arange(0.5, 1.5, 0.01)
ax = d2l.plot(x, [risk(x), empirical_risk(x)], "x", "risk", figsize=(4.5, 2.5))
d2l.annotate("min of\nempirical risk", (1.0, -1.2), (0.5, -1.1), axes=ax)
d2l.annotate("min of risk", (1.1, -1.05), (0.95, -0.5), axes=ax)
section.save(ax, "risk")

# %% [markdown]
# On −1 ≤ x ≤ 2 the risk has a local minimum near x ≈ −0.27 and its global minimum near x ≈ 1.09.

# %%
x = d2l.arange(-1.0, 2.0, 0.01)
ax = d2l.plot(x, [risk(x)], "x", "f(x)")
d2l.annotate("local minimum", (-0.3, -0.25), (-0.77, -1.0), axes=ax)
d2l.annotate("global minimum", (1.1, -0.95), (0.6, 0.8), axes=ax)
section.save(ax, "local-global-minimum")

# %% [markdown]
# At a saddle point the gradient vanishes without a minimum: x³ at 0 in one dimension ...

# %%
x = d2l.arange(-2.0, 2.0, 0.01)
ax = d2l.plot(x, [objectives.cubic(x)], "x", "f(x)")
d2l.annotate("saddle point", (0, -0.2), (-0.52, -5.0), axes=ax)
section.save(ax, "saddle-1d")

# %% [markdown]
# ... and x² − y² at the origin in two: a minimum along x, a maximum along y.

# %%
ax = d2l.show_surface_3d(objectives.saddle)
section.save(ax, "saddle-3d")

# %% [markdown]
# Far from 0, tanh is flat: its gradient 1 − tanh²(x) nearly vanishes and progress stalls.
# Autograd gives the slope at x = 4:

# %%
print(f"f'(4) = {d2l.to_float(d2l.grad(objectives.tanh)(4.0)):.4f}")
x = d2l.arange(-2.0, 5.0, 0.01)
ax = d2l.plot(x, [objectives.tanh(x)], "x", "f(x)")
d2l.annotate("vanishing gradient", (4, 1), (2, 0.0), axes=ax)
section.save(ax, "vanishing-gradient")
