# %% [markdown]
# # Gradient descent
#
# Gradient descent steps against the gradient, $x \leftarrow x - \eta f'(x)$. The learning rate
# $\eta$ decides everything: too small and progress is slow, too large and the iterates overshoot
# and diverge. Newton's method rescales the step by the curvature,
# $x \leftarrow x - \eta f'(x) / f''(x)$. All derivatives below come from the backend's autograd.
#
# Run as a script: `python examples/gd.py --backend mxnet --out figures/`.

# %%
import d2l_optim as d2l
from d2l_optim import objectives

section = d2l.Section("gd")
square = objectives.square

# %% [markdown]
# ## One dimension
# On f(x) = x², from x = 10, ten steps with η = 0.2 shrink x by 0.6 each time.

# %%
results = d2l.gd(0.2, d2l.grad(square))
section.save(d2l.show_trace(results, square), "gd-lr-0.2")

# %% [markdown]
# With η = 0.05 progress is slow; with η = 1.1 every step overshoots further and x diverges.

# %%
section.save(d2l.show_trace(d2l.gd(0.05, d2l.grad(square)), square), "gd-lr-0.05")
section.save(d2l.show_trace(d2l.gd(1.1, d2l.grad(square)), square), "gd-lr-1.1")

# %% [markdown]
# On the nonconvex f(x) = x cos(cx) a large rate, η = 2, ends up bouncing around a poor local
# minimum near x ≈ −1.83.

# %%
x_cos = objectives.x_cos
section.save(d2l.show_trace(d2l.gd(2, d2l.grad(x_cos)), x_cos), "gd-local-minimum")

# %% [markdown]
# ## Two dimensions
# On f(x1, x2) = x1² + 2 x2², from (−5, −2), twenty steps with η = 0.1.

# %%
quadratic = objectives.quadratic_2d
eta = 0.1


def gd_2d(x1, x2, s1, s2, f_grad):
    g1, g2 = f_grad(x1, x2)
    return (x1 - eta * g1, x2 - eta * g2, 0, 0)


results = d2l.train_2d(gd_2d, f_grad=d2l.grad(quadratic, argnums=(0, 1)))
section.save(d2l.show_trace_2d(quadratic, results), "gd-2d")

# %% [markdown]
# ## Newton's method
# On the convex cosh(x/2), Newton's method reaches the minimum at 0 in a handful of steps.

# %%
cosh = objectives.cosh
section.save(d2l.show_trace(d2l.newton(cosh), cosh), "newton-cosh")

# %% [markdown]
# On x cos(cx) it heads for a point of negative curvature and converges to a local *maximum*
# near x ≈ 26.83. Halving the step (η = 0.5) keeps it in the basin of the minimum near 7.27.
# (MXNet's autograd cannot differentiate twice here; on it Newton uses the objective's
# hand-written Hessian and warns.)

# %%
section.save(d2l.show_trace(d2l.newton(x_cos), x_cos), "newton-x-cos")
section.save(d2l.show_trace(d2l.newton(x_cos, 0.5), x_cos), "newton-x-cos-lr-0.5")
