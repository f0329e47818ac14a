# %% [markdown]
# # Adam and Yogi
#
# Adam keeps leaky averages of the gradient (momentum, β₁ = 0.9) and of its square (RMSProp,
# β₂ = 0.999), corrects both for their start at zero, and steps by η v̂/(√ŝ + ε). Yogi changes
# only how s follows g²: by at most (1 − β₂) g² per step, so a sudden large gradient cannot blow
# the second moment up.
#
# Run as a script: `python examples/adam.py --backend mxnet --out figures/`.

# %%
import numpy as np

import d2l_optim as d2l
from d2l_optim import objectives

section = d2l.Section("adam")
f = objectives.elongated_2d
f_grad = d2l.grad(f, argnums=(0, 1))

# %% [markdown]
# Beyond the book: 2-D traces of Adam and Yogi, η = 0.4.

# %%
for name, make in [("adam", d2l.adam), ("yogi", d2l.yogi)]:
    section.save(d2l.show_trace_2d(f, d2l.train_2d(make(0.4), f_grad=f_grad)), name)

# %% [markdown]
# Every optimizer of the chapter on the same problem, each with the rate used in its section.

# %%
optimizers = {
    "gd, η=0.4": d2l.sgd(0.4),
    "momentum, η=0.6, β=0.5": d2l.momentum(0.6, 0.5),
    "adagrad, η=2": d2l.adagrad(2),
    "rmsprop, η=0.4": d2l.rmsprop(0.4),
    "adadelta": d2l.adadelta(),
    "adam, η=0.4": d2l.adam(0.4),
    "yogi, η=0.4": d2l.yogi(0.4),
}
traces = {}
for name, optimizer in optimizers.items():
    traces[name] = d2l.train_2d(optimizer, f_grad=f_grad)
section.save(d2l.show_traces_2d(f, traces, figsize=(6, 4)), "all-optimizers")

# %% [markdown]
# How sensitive is each optimizer to its learning rate? The final value of f after 20 steps, for
# 25 rates from 10⁻² to 10: every rate runs at once, as one batched tensor. Gaps are runs that
# diverged (ended above 10 f(x₀)). Adadelta has no learning rate.

# %%
lrs = np.logspace(-2, 1, 25)
sweep = {name: d2l.lr_sweep(make, f, lrs) for name, make in [
    ("gd", d2l.sgd), ("momentum, β=0.5", lambda lr: d2l.momentum(lr, 0.5)),
    ("adagrad", d2l.adagrad), ("rmsprop", d2l.rmsprop), ("adam", d2l.adam), ("yogi", d2l.yogi)]}
start_value = d2l.to_float(f(-5.0, -2.0))
section.save(d2l.show_lr_sweep(lrs, sweep, ceiling=10 * start_value), "lr-sensitivity")

# %% [markdown]
# ## Adam from scratch, on real data
# Two states per parameter, v and s, both starting at 0. The step counter t lives in the
# hyperparameters: both parameters use the same t, which goes up by one after each minibatch.
# β₁ = 0.9, β₂ = 0.999 and ε = 10⁻⁶, outside the root.

# %%
def init_adam_states(feature_dim):
    v_w, v_b = d2l.Variable(d2l.zeros((feature_dim, 1))), d2l.Variable(d2l.zeros(1))
    s_w, s_b = d2l.Variable(d2l.zeros((feature_dim, 1))), d2l.Variable(d2l.zeros(1))
    return ((v_w, s_w), (v_b, s_b))


def adam(params, states, hyperparams):
    beta1, beta2, eps = 0.9, 0.999, 1e-6
    for p, (v, s) in zip(params, states):
        v.data = beta1 * v.data + (1 - beta1) * p.grad
        s.data = beta2 * s.data + (1 - beta2) * d2l.square(p.grad)
        v_bias_corr = v.data / (1 - beta1 ** hyperparams["t"])
        s_bias_corr = s.data / (1 - beta2 ** hyperparams["t"])
        p.data = p.data - hyperparams["lr"] * v_bias_corr / (d2l.sqrt(s_bias_corr) + eps)
    hyperparams["t"] += 1


# %% [markdown]
# Minibatches of 10, η = 0.01, t starting at 1.

# %%
d2l.seed(0)
data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
run = d2l.train_ch11(adam, init_adam_states(feature_dim), {"lr": 0.01, "t": 1}, data_iter,
                     feature_dim)
section.save(run.animator, "train-adam")

# %% [markdown]
# Yogi changes one line, the update of s, and uses ε = 10⁻³.

# %%
def yogi(params, states, hyperparams):
    beta1, beta2, eps = 0.9, 0.999, 1e-3
    for p, (v, s) in zip(params, states):
        v.data = beta1 * v.data + (1 - beta1) * p.grad
        g2 = d2l.square(p.grad)
        s.data = s.data + (1 - beta2) * d2l.sign(g2 - s.data) * g2
        v_bias_corr = v.data / (1 - beta1 ** hyperparams["t"])
        s_bias_corr = s.data / (1 - beta2 ** hyperparams["t"])
        p.data = p.data - hyperparams["lr"] * v_bias_corr / (d2l.sqrt(s_bias_corr) + eps)
    hyperparams["t"] += 1


# %%
data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
run = d2l.train_ch11(yogi, init_adam_states(feature_dim), {"lr": 0.01, "t": 1}, data_iter,
                     feature_dim)
section.save(run.animator, "train-yogi")
