# %% [markdown]
# # Adagrad
#
# Adagrad gives each coordinate its own learning rate, η/√(s + ε), where s sums the squared
# gradients seen so far: coordinates with large or frequent gradients slow down. Since s only
# grows, so does the slowdown.
#
# Run as a script: `python examples/adagrad.py --backend mxnet --out figures/`.

# %%
import d2l_optim as d2l
from d2l_optim import objectives

section = d2l.Section("adagrad")
f = objectives.elongated_2d
f_grad = d2l.grad(f, argnums=(0, 1))

# %% [markdown]
# With η = 0.4 the ever-shrinking rate stalls x1 far from the minimum; η = 2 gets there.

# %%
for eta in (0.4, 2):
    results = d2l.train_2d(d2l.adagrad(eta), f_grad=f_grad)
    section.save(d2l.show_trace_2d(f, results), f"adagrad-lr-{eta}")

# %% [markdown]
# ## Adagrad from scratch, on real data
# One accumulator s per parameter, of its shape, starting at 0; ε = 10⁻⁶ sits inside the root.

# %%
def init_adagrad_states(feature_dim):
    s_w = d2l.Variable(d2l.zeros((feature_dim, 1)))
    s_b = d2l.Variable(d2l.zeros(1))
    return (s_w, s_b)


def adagrad(params, states, hyperparams):
    eps = 1e-6
    for p, s in zip(params, states):
        s.data = s.data + d2l.square(p.grad)
        p.data = p.data - hyperparams["lr"] * p.grad / d2l.sqrt(s.data + eps)


# %% [markdown]
# Minibatches of 10 with η = 0.1, a larger rate than plain SGD could take: Adagrad's shrinking
# per-coordinate rates make up for it.

# %%
d2l.seed(0)
data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
run = d2l.train_ch11(adagrad, init_adagrad_states(feature_dim), {"lr": 0.1}, data_iter, feature_dim)
section.save(run.animator, "train-adagrad")
