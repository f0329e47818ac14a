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
