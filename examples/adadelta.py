# %% [markdown]
# # Adadelta
#
# Adadelta has no learning rate: it rescales the gradient by √(Δ + ε)/√(s + ε), the ratio of a
# leaky average of past squared *updates* to one of squared gradients. It starts with tiny steps
# of about √ε and speeds up as updates accumulate.
#
# Run as a script: `python examples/adadelta.py --backend tensorflow --out figures/`.

# %%
import d2l_optim as d2l
from d2l_optim import objectives

section = d2l.Section("adadelta")

# %% [markdown]
# Beyond the book: a 2-D trace, ρ = 0.9, ε = 10⁻⁵. In 20 steps it has barely started.

# %%
f = objectives.elongated_2d
results = d2l.train_2d(d2l.adadelta(rho=0.9), f_grad=d2l.grad(f, argnums=(0, 1)))
section.save(d2l.show_trace_2d(f, results), "adadelta")

# %% [markdown]
# ## Adadelta from scratch, on real data
# Two states per parameter, both starting at 0: s, the leaky average of squared gradients, and
# Δ, that of squared updates; ε = 10⁻⁵. The only hyperparameter is ρ.

# %%
def init_adadelta_states(feature_dim):
    s_w, s_b = d2l.Variable(d2l.zeros((feature_dim, 1))), d2l.Variable(d2l.zeros(1))
    delta_w, delta_b = d2l.Variable(d2l.zeros((feature_dim, 1))), d2l.Variable(d2l.zeros(1))
    return ((s_w, delta_w), (s_b, delta_b))


def adadelta(params, states, hyperparams):
    rho, eps = hyperparams["rho"], 1e-5
    for p, (s, delta) in zip(params, states):
        s.data = rho * s.data + (1 - rho) * d2l.square(p.grad)
        g = d2l.sqrt(delta.data + eps) / d2l.sqrt(s.data + eps) * p.grad
        p.data = p.data - g
        delta.data = rho * delta.data + (1 - rho) * g * g


# %% [markdown]
# Minibatches of 10 with ρ = 0.9.

# %%
d2l.seed(0)
data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
run = d2l.train_ch11(adadelta, init_adadelta_states(feature_dim), {"rho": 0.9}, data_iter,
                     feature_dim)
section.save(run.animator, "train-adadelta")
