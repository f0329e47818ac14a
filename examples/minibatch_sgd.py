# %% [markdown]
# # Minibatch stochastic gradient descent
#
# Gradient descent uses every example for one step; stochastic gradient descent uses one. Neither
# is what we run in practice. A single example wastes the hardware, which computes many numbers
# at once far faster than one at a time; the whole data set makes each step slow. A minibatch of
# b examples sits in between: its gradient is an average, so its noise shrinks by a factor
# b^(−1/2), and it is computed with a few large, vectorised operations.
#
# Run as a script: `python examples/minibatch_sgd.py --backend torch --out figures/`.

# %%
import numpy as np

import d2l_optim as d2l

section = d2l.Section("minibatch_sgd")

# %% [markdown]
# ## Vectorisation
# A processor core at 2 GHz with AVX-512 could consume 2·10⁹ · 16 cores · 32 bytes ≈ 10¹² bytes
# per second, ten times what memory delivers (about 100 GB/s): what keeps the arithmetic units
# busy is reusing numbers already in the caches. So the same arithmetic can run at very
# different speeds. We compute A = BC for two 256 × 256 matrices in four ways: one dot product
# per entry, one matrix-vector product per column, one matrix product, and four products of 64
# columns each. The product costs about 2 · 256³ ≈ 0.03 billion floating-point operations, so
# 0.03 / seconds is the speed in Gigaflops.
#
# One tiny operation per entry means 65,536 calls into the framework; to keep this section fast
# on every backend we time only the first 8 rows (2,048 entries) and scale the speed to match.
# Each way ends by copying its result to NumPy, which also waits for frameworks that compute
# asynchronously (MXNet). One untimed product first lets the framework set itself up.

# %%
d2l.seed(0)
B, C = d2l.normal((256, 256)), d2l.normal((256, 256))
gigaflop = 2 * 256**3 / 1e9
d2l.numpy(d2l.matmul(B, C))  # warm-up, not timed
timer = d2l.Timer()

# %%
rows = 8  # element-wise, for the first 8 rows only
timer.start()
entries = [d2l.stack([d2l.reduce_sum(B[i] * C[:, j]) for j in range(256)]) for i in range(rows)]
A_rows = d2l.numpy(d2l.stack(entries))
element = gigaflop * rows / 256 / timer.stop()

# %%
timer.start()  # column by column
A_columns = d2l.numpy(d2l.stack([d2l.reshape(d2l.matmul(B, C[:, j:j + 1]), [256])
                                 for j in range(256)], axis=1))
column = gigaflop / timer.stop()

# %%
timer.start()  # all at once
A = d2l.numpy(d2l.matmul(B, C))
full = gigaflop / timer.stop()
print(f"performance in Gigaflops: element {element:.3f}, column {column:.3f}, full {full:.3f}")

# %% [markdown]
# Four blocks of 64 columns cost a few more calls than one product, far fewer than 256.

# %%
timer.start()
A_blocks = [d2l.numpy(d2l.matmul(B, C[:, j:j + 64])) for j in range(0, 256, 64)]
print(f"performance in Gigaflops: block {gigaflop / timer.stop():.3f}")

# %% [markdown]
# Every way computes the same product (up to rounding):

# %%
for way in (A_rows, A_columns, np.hstack(A_blocks)):
    assert np.allclose(way, A[:len(way)], atol=1e-3)

# %% [markdown]
# ## Minibatches of a real data set
# NASA's airfoil self-noise data (it ships with d2l-optim): 1,503 measurements of the sound an
# airfoil makes, from 5 features. Every column, the target included, is standardised to mean 0
# and standard deviation 1, and we train on the first 1,500 rows. Each pass over the data visits
# them in a new random order, drawn from the one seeded generator, so every backend sees the
# same minibatches.
#
# The optimizer written from scratch acts on `d2l.Variable`s: `p.data` is a parameter's value,
# `p.grad` the gradient of the minibatch loss from the backend's autograd. Every trainer of this
# chapter has the book's signature `trainer(params, states, hyperparams)`; plain SGD keeps no
# state.

# %%
def sgd(params, states, hyperparams):
    for p in params:
        p.data = p.data - hyperparams["lr"] * p.grad


# %% [markdown]
# `d2l.train_ch11` fits a linear model by minimising the mean squared loss of each minibatch,
# and every 200 examples measures the loss on all the data (not timed) and draws it.

# %%
def train_sgd(lr, batch_size, num_epochs=2):
    data_iter, feature_dim = d2l.get_data_ch11(batch_size)
    return d2l.train_ch11(sgd, None, {"lr": lr}, data_iter, feature_dim, num_epochs)


# %% [markdown]
# Gradient descent: one step per pass over the 1,500 examples, η = 1, 10 epochs. The loss is
# recorded only every second epoch (every 3,000 examples are a multiple of 200). It stops
# improving after about 6 steps: at η = 1 one direction of this problem (curvature 2.1) is
# slightly unstable.

# %%
d2l.seed(0)
gd_res = train_sgd(1, 1500, 10)
section.save(gd_res.animator, "train-gd")

# %% [markdown]
# Stochastic gradient descent: one example per step, η = 0.005. 1,500 steps per epoch make
# progress fast per epoch, but each epoch takes longer than one of gradient descent.

# %%
sgd_res = train_sgd(0.005, 1)
section.save(sgd_res.animator, "train-sgd")

# %% [markdown]
# Minibatches of 100 (η = 0.4) and of 10 (η = 0.05): the first beats gradient descent in time,
# the second is slower per epoch than batches of 100, since it makes ten times the calls.

# %%
mini1_res = train_sgd(.4, 100)
section.save(mini1_res.animator, "train-batch-100")

# %%
mini2_res = train_sgd(.05, 10)
section.save(mini2_res.animator, "train-batch-10")

# %% [markdown]
# The loss against the time spent training. The book shows the range 10⁻² to 10 seconds; it is
# widened where a run here was faster than that.

# %%
runs = [gd_res, sgd_res, mini1_res, mini2_res]
seconds, losses = [run[0] for run in runs], [run[1] for run in runs]
shortest = min(min(times) for times in seconds)
ax = d2l.plot(seconds, losses, "time (sec)", "loss", xscale="log", figsize=(6, 3),
              xlim=[min(1e-2, shortest / 2), 10],
              legend=["gd", "sgd", "batch size=100", "batch size=10"])
section.save(ax, "loss-vs-time")
