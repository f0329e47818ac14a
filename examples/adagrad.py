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
