# %% [markdown]
# # Minibatch stochastic gradient descent
#
# The two previous sections stood at opposite ends of a scale. Gradient descent averages the
# gradients of all $n$ training examples before it moves once; stochastic gradient descent moves
# after every single example and accepts a very noisy direction in exchange for a cheap step.
# Almost every network is trained somewhere in between: draw a **minibatch** $\mathcal{B}_t$ of
# $b$ examples, average their gradients, and take one step,
#
# $$\mathbf{g}_t = \frac{1}{b}\sum_{i \in \mathcal{B}_t} \nabla \ell_i(\mathbf{w}_{t-1}), \qquad
# \mathbf{w}_t = \mathbf{w}_{t-1} - \eta_t\,\mathbf{g}_t.$$
#
# With $b = n$ this is gradient descent, with $b = 1$ it is stochastic gradient descent. Two
# independent arguments make the middle of the range attractive, and this section follows both.
#
# The first is about hardware. A processor is far more efficient at one large operation than at
# many small ones, so the time a step takes grows much more slowly than $b$: up to a point, a batch
# of 100 examples costs little more than a single one.
#
# The second is statistical. When the batch is drawn uniformly at random, $\mathbf{g}_t$ is an
# unbiased estimate of the full gradient, $\mathbb{E}[\mathbf{g}_t] = \nabla f(\mathbf{w}_{t-1})$.
# If one example's gradient has covariance $\boldsymbol{\Sigma}$, the average of $b$ independent
# draws has covariance $\boldsymbol{\Sigma}/b$, so its standard deviation shrinks by the factor
# $b^{-1/2}$. The noise does go down, but with diminishing returns: halving it takes four times
# the batch, and so roughly four times the arithmetic per step.
#
# Where the two arguments meet is an empirical question, and the end of the section answers it on
# a real data set by plotting the loss against the wall-clock time for four batch sizes.
#
# Run as a script: `python examples/minibatch_sgd.py --backend torch --out figures/`.

# %% tags=["remove-cell"]
import d2l_optim as d2l

section = d2l.Section("minibatch_sgd")
# printed losses agree across frameworks to their last digit; seconds are measurements
section.compare(r"loss: (\S+),", atol=1.5e-3)
section.compare(r"(\S+) sec/epoch", "timing")
section.compare(r"Gigaflops: (.*)", "timing")
section.compare(r"batch size +\d+: (\S+) ms per step, +\d+ steps per epoch, (\S+) ms per epoch", "timing")
# from-scratch loss curves agree across frameworks to 1e-4
section.compare_figures(["train-gd", "train-sgd", "train-batch-100", "train-batch-10"], atol=1e-4)
section.compare_figures("loss-vs-time", "timing")  # measured seconds
section.compare_figures("train-concise", "framework")  # each framework's own optimizer

# %%
import numpy as np

import d2l_optim as d2l

# %% [markdown]
# ## Vectorisation and caches
#
# Start with a budget. Take a processor at $2$ GHz with $16$ cores, each able to apply one AVX-512
# instruction per cycle to a vector register; count $32$ bytes of operands per core and cycle.
# The cores could then consume
#
# $$2 \cdot 10^9 \cdot 16 \cdot 32 \approx 10^{12} \ \text{bytes per second},$$
#
# while main memory delivers about $100$ GB/s, that is $10^{11}$ bytes per second. An algorithm that
# fetches every operand from memory therefore leaves the arithmetic units idle most of the time:
# its speed is set by the **memory bandwidth**, not by the number of operations. The way out is
# reuse. The processor keeps recently used data in small, fast **caches** (registers, then the L1,
# L2 and L3 caches, each larger and slower than the one before), and code is fast when every
# number brought in from memory takes part in many operations before it is evicted. Graphics
# processors change the sizes (thousands of cores, several TB/s of memory bandwidth) but not the
# principle.
#
# Matrix multiplication is the standard example of reuse. The product of an $m \times n$ and an
# $n \times p$ matrix consists of $mp$ dot products of length $n$, each with $n$ multiplications and
# $n - 1$ additions, so it costs about
#
# $$2mnp \ \text{floating-point operations (flops)}.$$
#
# It reads only $mn + np$ numbers, so each of them is used about $p$ or $m$ times, and a good
# library arranges its loops in cache-sized tiles to exploit this. A single dot product, in
# contrast, uses each number it reads exactly once.
#
# The cells below compute $\mathbf{A} = \mathbf{B}\mathbf{C}$ for two $256 \times 256$ matrices of
# standard normal numbers in four ways: one dot product per entry of $\mathbf{A}$, one
# matrix-vector product per column, one matrix product, and four products of $64$ columns each.
# All four do the same $2 \cdot 256^3 \approx 3.4 \cdot 10^7$ flops, about $0.03$ billion, so
# dividing that by the seconds a way takes gives its speed in gigaflops.
#
# There is a second cost besides memory: every call from Python into a framework takes a few
# microseconds of bookkeeping (checking arguments, choosing a kernel, allocating the result),
# whatever the size of the work. Entry by entry that is $65{,}536$ dot products, each of them four
# calls (two slices, a product and a sum); to keep this section fast on every backend the first
# way is timed on the first $2$ rows only ($512$ entries) and its speed scaled to the whole
# product. Each way ends by copying its result to NumPy, which also makes the timer wait for
# frameworks that compute asynchronously (MXNet queues the work and returns at once). One untimed
# product first lets the framework set itself up.
#
# A single timing is a poor measurement: anything else the machine does at the same moment (another
# program, the operating system, a cache that another process has just emptied) can only make a
# run slower, never faster. So each way runs several times and the **fastest** run counts:
# `best_time` returns the result and the shortest of `repeats` timings.

# %%
d2l.seed(0)
B, C = d2l.normal((256, 256)), d2l.normal((256, 256))
gigaflop = 2 * 256**3 / 1e9
d2l.numpy(d2l.matmul(B, C))  # warm-up, not timed


def best_time(work, repeats=5):
    """Run ``work()`` ``repeats`` times; return its result and the seconds of the fastest run."""
    timer = d2l.Timer()
    for _ in range(repeats):
        timer.start()
        result = work()
        timer.stop()
    return result, min(timer.times)


# %%
rows = 2  # element-wise, for the first 2 rows only


def entry_by_entry():
    return d2l.numpy(d2l.stack([d2l.stack([d2l.reduce_sum(B[i] * C[:, j]) for j in range(256)])
                                for i in range(rows)]))


A_rows, seconds = best_time(entry_by_entry, repeats=3)  # the slowest way: fewer repetitions
element = gigaflop * rows / 256 / seconds

# %%
def column_by_column():
    return d2l.numpy(d2l.stack([d2l.reshape(d2l.matmul(B, C[:, j:j + 1]), [256])
                                for j in range(256)], axis=1))


A_columns, seconds = best_time(column_by_column)
column = gigaflop / seconds

# %%
A, seconds = best_time(lambda: d2l.numpy(d2l.matmul(B, C)))  # all at once
full = gigaflop / seconds
print(f"performance in Gigaflops: element {element:.3f}, column {column:.3f}, full {full:.3f}")

# %% [markdown]
# **What to notice.** The printed speeds are measurements of this machine and this framework, so
# each tab shows its own, and they change from machine to machine and, a little, from run to run.
# What carries over is the size of the gaps, because it comes from the number of calls. Entry by
# entry, the framework spends nearly all its time on the overhead of about a quarter of a million
# tiny calls, and the speed is a small fraction of a gigaflop. Column by column, about $800$ calls do
# the same arithmetic, typically tens to hundreds of times faster. A single product is faster
# again, usually by an order of magnitude or more, because it pays the overhead once and the
# library is free to tile the whole computation for the caches. The arithmetic is identical in all
# three: only the number of calls and the traffic to memory differ.
#
# The fourth way splits $\mathbf{C}$ into four blocks of $64$ columns and multiplies $\mathbf{B}$ by
# each. Four products (with four slices and four copies) instead of one add some overhead, while
# each block product still reuses every number at least $64$ times. Its speed is therefore of the
# same order as the full product's: somewhat lower where a framework call is expensive next to a
# $64$-column product, close to it (now and then even above it, when the smaller pieces fit better
# in the cache) where calls are cheap; and far above the column-by-column speed either way. This is
# the situation of minibatch training: a batch is a block of examples processed with one call.

# %%
A_blocks, seconds = best_time(lambda: [d2l.numpy(d2l.matmul(B, C[:, j:j + 64]))
                                       for j in range(0, 256, 64)])
print(f"performance in Gigaflops: block {gigaflop / seconds:.3f}")

# %% [markdown]
# The four ways compute the same product up to rounding. In float32 each entry is a sum of $256$
# products whose order of summation differs between the ways, so their last bits may differ;
# entries are of size about $\sqrt{256} = 16$, and an absolute tolerance of $10^{-3}$ is far above
# that rounding and far below any real error.

# %%
for way in (A_rows, A_columns, np.hstack(A_blocks)):
    assert np.allclose(way, A[:len(way)], atol=1e-3)

# %% [markdown]
# ## Minibatches
#
# For a model the same reasoning applies to the examples of a batch. With a linear model
# $\hat{y} = \mathbf{x}^\top\mathbf{w} + b$ and the squared loss, the minibatch loss and its
# gradient with respect to $\mathbf{w}$ are
#
# $$\ell_{\mathcal{B}}(\mathbf{w}, b) = \frac{1}{|\mathcal{B}|}\sum_{i \in \mathcal{B}}
# \tfrac{1}{2}\big(\mathbf{x}_i^\top\mathbf{w} + b - y_i\big)^2, \qquad
# \nabla_{\mathbf{w}}\,\ell_{\mathcal{B}} = \frac{1}{|\mathcal{B}|}\,\mathbf{X}_{\mathcal{B}}^\top
# \big(\mathbf{X}_{\mathcal{B}}\mathbf{w} + b - \mathbf{y}_{\mathcal{B}}\big),$$
#
# two matrix-vector products with the $b \times d$ matrix $\mathbf{X}_{\mathcal{B}}$ of the batch,
# whatever $b$ is. A batch of $b$ examples is one call, not $b$ of them. On parallel hardware there
# is also a lower limit: a server with $8$ GPUs, and a cluster of $16$ such servers, needs at
# least one example per GPU, so a minibatch of at least $8 \cdot 16 = 128$ examples, and in
# practice many more per GPU to keep each one busy.
#
# ### The airfoil data
#
# The experiments use NASA's airfoil self-noise measurements (Brooks, Pope and Marcolini, 1989,
# from the UCI repository; the file ships with d2l-optim, so nothing is downloaded). Each of the
# $1{,}503$ rows describes a blade section in a wind tunnel by $5$ features: the frequency (in Hz),
# the angle of attack (in degrees), the chord length (in metres), the free-stream velocity (in
# m/s) and the suction-side displacement thickness (in metres). The target is the scaled sound
# pressure level, in decibels.
#
# The raw features live on wildly different scales: frequencies in the thousands, thicknesses in
# the thousandths. As the gradient descent section showed, badly scaled coordinates give the loss a
# huge condition number and force a learning rate small enough for the steepest direction. So
# every column, the target included, is **standardised**: its mean is subtracted and the result
# divided by its standard deviation, both computed over all $1{,}503$ rows, giving
#
# $$\tilde{x}_{ij} = \frac{x_{ij} - \mu_j}{\sigma_j}.$$
#
# Training uses the first $1{,}500$ rows. After standardisation the model that predicts $0$ has a
# loss of about $\tfrac{1}{2}$ ($0.4933$ to four digits), and the best linear model, found by least
# squares, reaches $0.2417$. No optimizer in this chapter can go below this **loss floor** on the airfoil
# data: a linear model explains only about half of the variance of the sound level, so every
# training curve that follows flattens out somewhere above $0.2417$ (Exercise 1 computes it).
#
# Each pass over the data visits the rows in a new random order, drawn from the one seeded
# generator, so every backend sees the same minibatches in the same order, and the loss curves of
# the four frameworks agree to about $10^{-4}$.
#
# ### The optimizer, written once
#
# The from-scratch optimizer acts on `d2l.Variable`s: `p.data` is a parameter's current value and
# `p.grad` the gradient of the minibatch loss, which the backend's autograd has just computed.
# Every trainer of this chapter has the same signature, `trainer(params, states, hyperparams)`:
# the parameters, the optimizer's own state (one entry per parameter) and a dictionary of
# hyperparameters. Plain minibatch SGD keeps no state and implements
# $\mathbf{w} \leftarrow \mathbf{w} - \eta\,\mathbf{g}$ for each parameter. It does not divide by
# the batch size: the loss is already a mean over the batch.

# %%
def sgd(params, states, hyperparams):
    for p in params:
        p.data = p.data - hyperparams["lr"] * p.grad


# %% [markdown]
# `d2l.train_ch11` puts the pieces together. It initialises $\mathbf{w}$ with small normal values
# ($\sigma = 0.01$) and $b$ with zero, then for each minibatch computes the mean loss, asks the
# backend for the gradients and calls the trainer. Every $200$ examples it stops the clock,
# evaluates the loss on **all** $1{,}500$ examples, draws it, and restarts the clock, so the
# reported times exclude the evaluations. It returns the cumulative training times and the losses
# at those points, which the last figure uses, and prints the final loss with the average seconds
# per epoch. `train_sgd` fixes the trainer to plain SGD and varies the learning rate, the batch
# size and the number of epochs.

# %%
def train_sgd(lr, batch_size, num_epochs=2):
    data_iter, feature_dim = d2l.get_data_ch11(batch_size)
    return d2l.train_ch11(sgd, None, {"lr": lr}, data_iter, feature_dim, num_epochs)


# %% [markdown]
# ### What a step costs
#
# Before training, measure what one step costs for each batch size used below: the gradient of
# the minibatch loss and one update, on the first $b$ examples, ten steps in a row, the best of
# five repetitions. The step is the one `train_ch11` takes, without the data loading; only the
# loop around it is ours.

# %%
features, labels = d2l.get_data_ch11(1500)[0].whole()


def seconds_per_step(batch_size, steps=10):
    """Seconds of one SGD step on ``batch_size`` examples: the fastest of 5 runs of ``steps`` steps."""
    X, y = features[:batch_size], labels[:batch_size]
    w, b = d2l.Variable(d2l.zeros((5, 1))), d2l.Variable(d2l.zeros(1))
    loss_grad = d2l.grad(lambda w, b: d2l.reduce_mean(d2l.squared_loss(d2l.linreg(X, w, b), y)),
                         argnums=(0, 1))

    def run():
        for _ in range(steps):
            w.grad, b.grad = loss_grad(w.data, b.data)
            sgd([w, b], None, {"lr": 0.01})
        return d2l.numpy(w.data)

    return best_time(run)[1] / steps


for batch_size in (1, 10, 100, 1500):
    step = seconds_per_step(batch_size)
    print(f"batch size {batch_size:4d}: {1e3 * step:.3f} ms per step, {1500 // batch_size:4d} steps "
          f"per epoch, {1500 // batch_size * 1e3 * step:.1f} ms per epoch")

# %% [markdown]
# **What to notice.** The time of a step hardly changes with the batch size: from one example to all
# $1{,}500$ it grows by a small factor at most, while the arithmetic grows $1{,}500$-fold. A linear
# model with $5$ features needs a few dozen flops per example and step, so even the full batch is
# some tens of thousands of flops, microseconds of work; the framework calls of the forward pass,
# the backward pass and the update cost more than that whatever the batch holds. For a model this
# small the cost of an epoch is therefore roughly proportional to its number of steps, $n/b$:
# $1{,}500$ steps for $b = 1$, one for $b = 1{,}500$. Keep this in mind when reading the times of
# the training runs below. Each of those is a single run, so its last digits change from run to
# run; the ratios that follow from the numbers of steps do not.

# %% [markdown]
# ### Gradient descent: the whole data set per step
#
# With $b = 1{,}500$ every step uses every example, so one epoch is one step. The run uses
# $\eta = 1$ for $10$ epochs. The loss is recorded whenever the count of examples seen is a
# multiple of $200$; with $1{,}500$ examples per step that first happens after $3{,}000$, so the
# curve has only five points, at epochs $2, 4, 6, 8, 10$.
#
# **What to notice:** the loss falls quickly at first, reaches its lowest value around the sixth
# step, then creeps up again (Exercise 2 continues this run, from $\mathbf{w} = 0$, for $40$
# epochs). The learning rate is slightly too large. The loss is quadratic,
# with Hessian $\mathbf{H} = \frac{1}{n}\tilde{\mathbf{X}}^\top\tilde{\mathbf{X}}$ where
# $\tilde{\mathbf{X}}$ is the data matrix with a column of ones for the bias. Along an
# eigenvector of $\mathbf{H}$ with eigenvalue $\lambda$ every gradient step multiplies the error by
# $1 - \eta\lambda$. The eigenvalues here run from $0.174$ to $2.098$, so with $\eta = 1$ the
# largest gives the factor $1 - 2.098 = -1.098$: in that one direction the error flips sign and
# grows by about $10\%$ per step. At first this error is small and the other directions, which all
# shrink, dominate the loss; after about six steps they have converged and the growing direction
# takes over. The stability condition of the gradient descent section, $\eta < 2/\lambda_{\max}
# \approx 0.953$, is violated by a few percent, and Exercise 2 shows what happens on either side.

# %% figures=["train-gd"]
d2l.seed(0)
gd_res = train_sgd(1, 1500, 10)

# %% [markdown]
# ### Stochastic gradient descent: one example per step
#
# At the other end, $b = 1$ and $\eta = 0.005$: $1{,}500$ steps per epoch, each on a single
# example. **What to notice:** per epoch this is by far the most efficient run, with most of the
# improvement made within the first few hundred examples. After that the curve wobbles instead of
# settling: with a constant learning rate the noise of single-example gradients keeps the
# parameters moving around the minimum, the noise floor of the previous section. Per second,
# however, it is the slowest. An epoch is $1{,}500$ steps, each a handful of tiny framework calls
# (forward pass, backward pass, update), and, as in the entry-by-entry product above, their
# overhead dwarfs the arithmetic: a step costs about as much as gradient descent's single step on
# all the data (the table above), so an epoch takes roughly as long as $1{,}500$ epochs of gradient
# descent, whose printed seconds per epoch round to a few thousandths or less.

# %% figures=["train-sgd"]
sgd_res = train_sgd(0.005, 1)

# %% [markdown]
# ### Minibatches of 100 and of 10
#
# Now the middle of the range: batches of $100$ with $\eta = 0.4$ ($15$ steps per epoch), then
# batches of $10$ with $\eta = 0.05$ ($150$ steps per epoch). The learning rates grow with the batch
# size, and this is no accident: a larger batch gives a less noisy gradient, which tolerates a
# larger step.
#
# **What to notice.** With batches of $100$ the loss drops to about $0.245$ within the first epoch,
# after some ten steps, something gradient descent needed several epochs (and so several passes
# over the data) for: per epoch, minibatches use the data far better. An epoch is fifteen steps,
# so it costs roughly fifteen times as much as one of gradient descent, and a hundredth of one of
# stochastic gradient descent. Batches of $10$ make better progress per epoch still, but an epoch
# is $150$ steps, about ten times the cost of one with batches of $100$. Both runs end near $0.244$
# to $0.247$, within a few thousandths of the floor.

# %% figures=["train-batch-100"]
mini1_res = train_sgd(.4, 100)

# %% figures=["train-batch-10"]
mini2_res = train_sgd(.05, 10)

# %% [markdown]
# ### Loss against time
#
# The fair comparison is not per epoch but per second. The figure plots, for the four runs, the
# full-data loss against the cumulative training time, on a logarithmic time axis. The book shows
# the range from $10^{-2}$ to $10$ seconds; the axis starts lower where a run here was faster
# than that.
#
# **What to notice.** Each curve is a single run, so its exact position changes from machine to
# machine, from framework to framework (the tabs show theirs) and from run to run. What holds
# everywhere follows from the numbers of steps, since here a step costs about the same at every
# batch size. Each curve starts at its first recorded point, so the gradient descent curve begins
# after two full steps and has few points; it is near $0.245$ after four steps, and batches of
# $100$ need about ten steps for the same loss. The two therefore get there at comparable times,
# and which of them is first depends on the machine. Batches of $10$ need several times longer,
# and stochastic gradient descent, the most efficient per example, is the least efficient per
# second: it lies about an order of magnitude to the right of batches of $10$.
#
# This small data set flatters gradient descent. With $1{,}500$ rows of $5$ features a full-batch
# step is still mostly call overhead; with millions of examples its arithmetic grows with $n$ and
# dominates, while a minibatch step costs the same as before. That is the regime of deep learning,
# in which minibatches win per second as well as per epoch. On a GPU, where a call costs more
# overhead and a large operation relatively less, the balance shifts further towards large
# batches. The lesson: choose the batch large enough to keep the hardware busy and small enough to
# make many steps per epoch.

# %% figures=["loss-vs-time"]
runs = [gd_res, sgd_res, mini1_res, mini2_res]
seconds, losses = [run[0] for run in runs], [run[1] for run in runs]
shortest = min(min(times) for times in seconds)
ax = d2l.plot(seconds, losses, "time (sec)", "loss", xscale="log", figsize=(6, 3),
              xlim=[min(1e-2, shortest / 2), 10],
              legend=["gd", "sgd", "batch size=100", "batch size=10"])

# %% [markdown]
# ## Concise implementation
#
# Every framework ships its own optimizers. `d2l.train_concise_ch11` trains the same linear model
# on the same minibatches, but with the framework's own parameters (`nn.Parameter`, `tf.Variable`,
# gluon parameters) stepped by the framework's own optimizer: `torch.optim.SGD`,
# `tf.keras.optimizers.SGD`, or a gluon `Trainer` with `"sgd"`. NumPy has no built-in optimizers,
# so its tab uses d2l's own `d2l.sgd`. Each tab passes the learning rate under the name its
# framework uses (`lr` or `learning_rate`).
#
# On every backend the loss is the mean of $\tfrac{1}{2}(\hat{y} - y)^2$, exactly as from scratch,
# and the learning rate is $0.05$, for $2$ epochs. The four tabs train the same problem with the
# same hyperparameters and differ only in whose code takes the step, so their final losses can be
# compared directly.

# %% [markdown] tags=["porting"]
# **For instructors porting code.** These settings are those of the book's MXNet tab. Its PyTorch
# and TensorFlow tabs minimise the mean squared error without the $\tfrac{1}{2}$, whose gradient is
# twice as large, so each of their learning rates acts as if doubled (they then halve the loss they
# display); its PyTorch tab also uses $\eta = 0.01$ for $4$ epochs.

# %%
d2l.seed(0)
data_iter, _ = d2l.get_data_ch11(10)

# %% tags=["framework-torch"] figures=["train-concise"]
import torch

run = d2l.train_concise_ch11(torch.optim.SGD, {"lr": 0.05}, data_iter)

# %% tags=["framework-tensorflow"] figures=["train-concise"]
import tensorflow as tf

run = d2l.train_concise_ch11(tf.keras.optimizers.SGD, {"learning_rate": 0.05}, data_iter)

# %% tags=["framework-mxnet"] figures=["train-concise"]
run = d2l.train_concise_ch11("sgd", {"learning_rate": 0.05}, data_iter)

# %% tags=["framework-numpy"] figures=["train-concise"]
run = d2l.train_concise_ch11(d2l.sgd, {"lr": 0.05}, data_iter)

# %% tags=["framework-jax"] figures=["train-concise"]
import optax

run = d2l.train_concise_ch11(optax.sgd, {"learning_rate": 0.05}, data_iter)

# %% [markdown]
# ## Summary
#
# * Minibatch SGD averages the gradients of $b$ random examples per step: $b = n$ is gradient
#   descent, $b = 1$ stochastic gradient descent. The estimate stays unbiased, and its standard
#   deviation falls like $b^{-1/2}$: halving the noise takes four times the batch.
# * Hardware rewards few large operations. Every framework call has a fixed overhead, and memory is
#   slower than arithmetic, so code that reuses what it reads (a matrix product) runs orders of
#   magnitude faster than the same arithmetic done entry by entry or column by column.
# * A minibatch is processed with one call. For a small model a step costs about the same for any
#   batch size, so the time of an epoch is roughly proportional to its $n/b$ steps.
# * Per epoch, small batches make the most progress; per second, larger batches catch up, and on
#   large data sets, where a full-batch step is expensive, minibatches win on both counts.
# * Measure speed with repetitions and keep the fastest run; compare orders of magnitude, not last
#   digits, between machines and frameworks.
# * Standardised features keep the loss well conditioned, and the full-batch learning rate must
#   stay below $2/\lambda_{\max}$ of the Hessian ($0.953$ on the airfoil data; $\eta = 1$ is just
#   past it). No optimizer goes below the least-squares floor, $0.2417$ here.

# %% [markdown]
# ## Exercises
#
# **Exercise 1 (the floor and the curvature).** Compute, in float64, the least-squares solution of
# the airfoil regression (with a bias), the loss it attains, the loss of the zero model, and the
# eigenvalues of the Hessian $\frac{1}{n}\tilde{\mathbf{X}}^\top\tilde{\mathbf{X}}$. What is the
# largest stable learning rate for gradient descent?

# %% tags=["solution"]
data_iter, feature_dim = d2l.get_data_ch11(1500)
X, y = (d2l.tensor(d2l.numpy(a), "float64") for a in data_iter.whole())  # the 1,500 rows, in order
y = d2l.reshape(y, (-1, 1))
n = len(d2l.numpy(y))
with_bias = np.hstack([d2l.numpy(X), np.ones((n, 1))])
hessian = with_bias.T @ with_bias / n
hessian_eigenvalues = np.linalg.eigvalsh(hessian)
solution = np.linalg.solve(hessian, with_bias.T @ d2l.numpy(y) / n)


def airfoil_loss(w, b):
    return d2l.reduce_mean(d2l.square(d2l.matmul(X, w) + b - y)) / 2


w_best, b_best = d2l.tensor(solution[:5], "float64"), d2l.tensor(solution[5], "float64")
w_zero, b_zero = d2l.zeros((5, 1), "float64"), d2l.zeros((1,), "float64")
loss_floor = d2l.to_float(airfoil_loss(w_best, b_best))
zero_model_loss = d2l.to_float(airfoil_loss(w_zero, b_zero))
print(f"loss floor: {loss_floor:.6f}, loss of the zero model: {zero_model_loss:.6f}")
print("Hessian eigenvalues:", ", ".join(f"{value:.4f}" for value in hessian_eigenvalues))
largest_stable_lr = 2 / hessian_eigenvalues[-1]
print(f"largest stable learning rate 2 / lambda_max = {largest_stable_lr:.4f}")

# %% [markdown] tags=["solution"]
# The best linear model leaves a loss of $0.241688$, the floor quoted in the text; the zero model
# starts from $0.493259$. The Hessian's eigenvalues range from $0.174$ to $2.098$, a condition
# number of about $12$, mild thanks to the standardisation. Gradient descent is stable only for
# $\eta < 2/2.098 \approx 0.953$, so the section's $\eta = 1$ is just past the edge.

# %% [markdown]
# **Exercise 2 (the stall, continued).** Run full-batch gradient descent in float64 from
# $\mathbf{w} = 0$, $b = 0$ for $40$ epochs, with $\eta = 1$ and with $\eta = 0.9$. Print the loss
# every $10$ epochs and plot both curves.

# %% tags=["solution"] figures=["exercise-gd-stall"]
airfoil_grad = d2l.grad(airfoil_loss, argnums=(0, 1))
loss_curves = {}
for lr in (1.0, 0.9):
    w, b, loss_curves[lr] = w_zero, b_zero, []
    for _ in range(40):
        grad_w, grad_b = airfoil_grad(w, b)
        w, b = w - lr * grad_w, b - lr * grad_b
        loss_curves[lr].append(d2l.to_float(airfoil_loss(w, b)))
    print(f"eta = {lr}: loss after 10, 20, 30, 40 epochs: "
          + ", ".join(f"{loss_curves[lr][epoch]:.4f}" for epoch in (9, 19, 29, 39)))
d2l.plot(list(range(1, 41)), [loss_curves[1.0], loss_curves[0.9]], "epoch", "loss",
         legend=["eta = 1", "eta = 0.9"], yscale="log")

# %% [markdown] tags=["solution"]
# With $\eta = 1$ the loss bottoms out near epoch $6$ and then rises ever faster, $0.2750$ after
# $20$ epochs and $1.67$ after $40$: the error along the top eigenvector is multiplied by $-1.098$
# per step, so it grows like $1.098^t$ and its contribution to the loss like $1.098^{2t}$. With
# $\eta = 0.9$ that factor is $1 - 0.9 \cdot 2.098 \approx -0.89$, every direction shrinks, and the
# loss reaches the floor $0.2417$. A $10\%$ smaller learning rate turns divergence into
# convergence; in practice the loss curve rising after an initial drop is the typical sign of a
# learning rate slightly above the stability limit.

# %% [markdown]
# **Exercise 3 (noise against batch size).** At the least-squares solution the full gradient is
# zero, so a minibatch gradient is pure noise. Compute the $1{,}500$ per-example gradients there,
# draw $2{,}000$ random minibatches (without replacement) of size $b = 1, 10, 100, 1000$, and
# compare the root-mean-square norm of their average gradient with $\sigma/\sqrt{b}$, where
# $\sigma^2$ is the mean squared norm of a single example's gradient.

# %% tags=["solution"]
residuals = d2l.matmul(d2l.tensor(with_bias, "float64"), d2l.tensor(solution, "float64")) - y
per_example = d2l.numpy(residuals * d2l.tensor(with_bias, "float64"))  # row i: example i's gradient
sigma2 = np.mean(np.sum(per_example**2, axis=1))
sigma, rms_norms = np.sqrt(sigma2), {}
print(f"mean of the per-example gradients is zero: {np.abs(per_example.mean(axis=0)).max() < 1e-12}")
rng = np.random.default_rng(0)
for size in (1, 10, 100, 1000):
    squared_norms = [np.sum(per_example[rng.permutation(n)[:size]].mean(axis=0) ** 2)
                     for _ in range(2000)]
    rms_norms[size] = np.sqrt(np.mean(squared_norms))
    print(f"b = {size:4d}: rms norm {rms_norms[size]:.4f}, "
          f"sigma / sqrt(b) = {np.sqrt(sigma2 / size):.4f}, "
          f"with the finite-population factor {np.sqrt(sigma2 / size * (n - size) / (n - 1)):.4f}")

# %% [markdown] tags=["solution"]
# Up to $b = 100$ the measured noise follows $\sigma/\sqrt{b}$ to within a few percent, the
# sampling error of $2{,}000$ draws: ten times the batch, $\sqrt{10} \approx 3.2$ times less noise.
# At $b = 1000$ it falls clearly below, to $0.033$ instead of $0.057$: drawn without replacement from only
# $1{,}500$ examples, a large batch covers a good part of the data set, and the variance carries the
# extra factor $(n - b)/(n - 1)$, which reaches zero at $b = n$, where the minibatch gradient is the
# exact one. For $b \ll n$ that factor is close to $1$, and the $b^{-1/2}$ law is all that matters.

# %% [markdown]
# **Exercise 4 (arithmetic intensity).** For $256 \times 256$ float32 matrices, count the flops and
# the bytes that must at least move between memory and processor (each input read once, the
# output written once) for one entry of $\mathbf{A}$ (a dot product), one column (a matrix-vector
# product), one block of $64$ columns, and the whole product. With about $10^{12}$ bytes per second
# of compute appetite and $10^{11}$ of memory bandwidth, which of them can keep the processor busy?

# %% tags=["solution"]
size, float_bytes = 256, 4
ways = {"one entry": (1, 1), "one column": (size, 1), "a 64-column block": (size, 64),
        "the whole product": (size, size)}
flop_counts, bytes_moved = [], []
for name, (rows, columns) in ways.items():
    flops = 2 * rows * size * columns
    moved = float_bytes * (rows * size + size * columns + rows * columns)
    flop_counts.append(flops)
    bytes_moved.append(moved)
    print(f"{name:>17}: {flops:>10,} flops, {moved:>9,} bytes, {flops / moved:6.2f} flops per byte")

# %% [markdown] tags=["solution"]
# The **arithmetic intensity**, flops per byte moved, is what decides. A dot product and a
# matrix-vector product do about one flop for every two to four bytes they read, so they run at
# the speed of memory, about $10^{11}$ bytes per second, however fast the arithmetic units are; in
# the entry-by-entry experiment the call overhead made things even worse. The full product does
# about $43$ flops per byte and a $64$-column block about $21$: enough reuse that, once the data is
# in the caches (three $256 \times 256$ float32 matrices take $768$ KB, which fit in a typical L3
# cache and in the L2 cache of some processors), the arithmetic units rather than the memory set
# the pace. The same holds for
# minibatches: a batch of $b$ examples turns matrix-vector products into matrix-matrix products
# with $b$ columns, and the intensity grows with $b$.

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (2 points).** A complete answer:
#
# - It compares the flops per byte with the ratio of compute to bandwidth, about $10$ flops per byte
#   here (1 point).
# - It concludes that the dot product and the matrix-vector product are limited by memory, while the
#   $64$-column block and the whole product can keep the processor busy (1 point).
