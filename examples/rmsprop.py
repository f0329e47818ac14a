# %% [markdown]
# # RMSProp
#
# RMSProp replaces Adagrad's growing sum by a leaky average, s ← γ s + (1 − γ) g², so the
# per-coordinate rate η/√(s + ε) no longer decays to zero.
#
# Run as a script: `python examples/rmsprop.py --backend torch --out figures/`.

# %%
import d2l_optim as d2l
from d2l_optim import objectives

section = d2l.Section("rmsprop")

# %% [markdown]
# The weight of a squared gradient τ steps back is (1 − γ) γ^τ: larger γ, longer memory.

# %%
gammas = [0.95, 0.9, 0.8, 0.7]
time = d2l.arange(40)
ax = d2l.plot(time, [(1 - gamma) * gamma**time for gamma in gammas], "time",
              legend=[f"gamma = {gamma:.2f}" for gamma in gammas])
section.save(ax, "ewma-weights")

# %% [markdown]
# On 0.1 x1² + 2 x2², η = 0.4 and γ = 0.9 reach the minimum.

# %%
f = objectives.elongated_2d
results = d2l.train_2d(d2l.rmsprop(0.4, gamma=0.9), f_grad=d2l.grad(f, argnums=(0, 1)))
section.save(d2l.show_trace_2d(f, results), "rmsprop")

# %% [markdown]
# ## RMSProp from scratch, on real data
# The same state as Adagrad, one s per parameter starting at 0, now a leaky average with γ read
# from the hyperparameters; ε = 10⁻⁶ inside the root.

# %%
def init_rmsprop_states(feature_dim):
    s_w = d2l.Variable(d2l.zeros((feature_dim, 1)))
    s_b = d2l.Variable(d2l.zeros(1))
    return (s_w, s_b)


def rmsprop(params, states, hyperparams):
    gamma, eps = hyperparams["gamma"], 1e-6
    for p, s in zip(params, states):
        s.data = gamma * s.data + (1 - gamma) * d2l.square(p.grad)
        p.data = p.data - hyperparams["lr"] * p.grad / d2l.sqrt(s.data + eps)


# %% [markdown]
# Minibatches of 10, η = 0.01 and γ = 0.9.

# %%
d2l.seed(0)
data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
run = d2l.train_ch11(rmsprop, init_rmsprop_states(feature_dim), {"lr": 0.01, "gamma": 0.9},
                     data_iter, feature_dim)
section.save(run.animator, "train-rmsprop")
