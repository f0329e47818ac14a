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
# printed losses agree across frameworks to their last digit; seconds are measurements
section.compare(r"loss: (\S+),", atol=1.5e-3)
section.compare(r"(\S+) sec/epoch", "timing")
CURVE = {"atol": 1e-4}  # from-scratch loss curves agree across frameworks to 1e-4

# %% [markdown]
# The weight of a squared gradient τ steps back is (1 − γ) γ^τ: larger γ, longer memory.

# %%
gammas = [0.95, 0.9, 0.8, 0.7]
time = list(range(40))  # Python numbers: exact, so every backend plots the same values
ax = d2l.plot(time, [[(1 - gamma) * gamma**t for t in time] for gamma in gammas], "time",
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
section.save(run.animator, "train-rmsprop", compare=CURVE)

# %% [markdown]
# ## Concise implementation
# The decay γ has a different name in each framework: `alpha` in PyTorch (whose default, 0.99,
# is not the book's), `rho` in Keras, `gamma1` in MXNet. PyTorch also adds its ε outside the root,
# and no setting moves it inside.

# %%
d2l.seed(0)
data_iter, _ = d2l.get_data_ch11(10)

# %% tags=["framework-torch"]
import torch

run = d2l.train_concise_ch11(torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.9}, data_iter)

# %% tags=["framework-tensorflow"]
import tensorflow as tf

run = d2l.train_concise_ch11(tf.keras.optimizers.RMSprop, {"learning_rate": 0.01, "rho": 0.9}, data_iter)

# %% tags=["framework-mxnet"]
run = d2l.train_concise_ch11("rmsprop", {"learning_rate": 0.01, "gamma1": 0.9}, data_iter)

# %% tags=["framework-numpy"]
run = d2l.train_concise_ch11(d2l.rmsprop, {"lr": 0.01, "gamma": 0.9}, data_iter)

# %%
section.save(run.animator, "train-concise", compare="framework")
