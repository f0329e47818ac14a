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
time = d2l.arange(40)
ax = d2l.plot(time, [beta**time for beta in betas], "time",
              legend=[f"beta = {beta:.2f}" for beta in betas])
section.save(ax, "leaky-average-weights")

# %% [markdown]
# On a quadratic λ/2 x², gradient descent multiplies x by (1 − ηλ) each step: it converges for
# 0 < ηλ < 2, in one step at ηλ = 1, and oscillates for ηλ > 1.

# %%
eta, lambdas = 0.1, [0.1, 1, 10, 19]
time = d2l.arange(20)
ax = d2l.plot(time, [(1 - eta * lam) ** time for lam in lambdas], "time", figsize=(6, 4),
              legend=[f"lambda = {lam:.2f}" for lam in lambdas])
section.save(ax, "gd-convergence-by-curvature")

# %% [markdown]
# ## Momentum from scratch, on real data
# On the airfoil minibatches of 10, each parameter gets a velocity of its own shape, starting at
# 0. Like every optimizer state here it is a `d2l.Variable`, which the trainer updates through
# `.data`.

# %%
def init_momentum_states(feature_dim):
    v_w = d2l.Variable(d2l.zeros((feature_dim, 1)))
    v_b = d2l.Variable(d2l.zeros(1))
    return (v_w, v_b)


def sgd_momentum(params, states, hyperparams):
    for p, v in zip(params, states):
        v.data = hyperparams["momentum"] * v.data + p.grad
        p.data = p.data - hyperparams["lr"] * v.data


# %%
def train_momentum(lr, momentum, num_epochs=2):
    return d2l.train_ch11(sgd_momentum, init_momentum_states(feature_dim),
                          {"lr": lr, "momentum": momentum}, data_iter, feature_dim, num_epochs)


d2l.seed(0)
data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
section.save(train_momentum(0.02, 0.5).animator, "train-momentum-lr-0.02-beta-0.5")

# %% [markdown]
# With β = 0.9 the velocity averages about 1/(1 − β) = 10 gradients, so the effective step
# η/(1 − β) grows from 0.04 to 0.1: with η = 0.01 the loss is noisier than before.

# %%
section.save(train_momentum(0.01, 0.9).animator, "train-momentum-lr-0.01-beta-0.9")

# %% [markdown]
# Halving the learning rate to 0.005 brings the effective step back to 0.05, and the loss with it.

# %%
section.save(train_momentum(0.005, 0.9).animator, "train-momentum-lr-0.005-beta-0.9")
