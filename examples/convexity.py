# %% [markdown]
# # Convexity
#
# A function is convex when every chord between two points of its graph lies on or above the
# graph. Convex objectives are the ones optimisation can fully analyse: every local minimum is
# a global one.
#
# Run as a script: `python examples/convexity.py --backend tensorflow --out figures/`.

# %%
import d2l_optim as d2l
from d2l_optim import objectives

section = d2l.Section("convexity")

# %% [markdown]
# Chords from x = −1.5 to x = 1 on x²/2 (convex), cos(πx) (not convex) and exp(x/2) (convex).

# %%
x = d2l.arange(-2, 2, 0.01)
segment = d2l.tensor([-1.5, 1])
fig, axes = d2l.plt.subplots(1, 3, figsize=(9, 3))
for func, ax in zip([objectives.half_square, objectives.cos_pi, objectives.exp_half], axes):
    d2l.plot([x, segment], [func(x), func(segment)], axes=ax)
section.save(fig, "convex-chords")

# %% [markdown]
# (x − 1)² is convex, so its only local minimum, x = 1, is its global minimum.

# %%
f = objectives.shifted_square
ax = d2l.plot([x, segment], [f(x), f(segment)], "x", "f(x)")
section.save(ax, "local-is-global")
