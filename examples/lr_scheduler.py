# %% [markdown]
# # Learning-rate scheduling
#
# Every section so far has changed *how* a step is computed: with momentum, with per-coordinate
# scaling, with bias corrections. This one keeps the simplest optimizer, plain minibatch SGD, and
# changes only *how long* its steps are as training goes on. A learning-rate schedule is a rule
# $t \mapsto \eta_t$ that gives the rate of epoch (or update) $t$. It sounds like a detail, yet in
# practice it can matter as much as the choice of the optimizer, for several reasons.
#
# * **Size and decay are two decisions.** A rate that is too large makes the iterates overshoot,
#   oscillate or diverge; one that is too small wastes epochs. Once the size is right, the *speed*
#   at which the rate goes down is a second decision: decay too early and training stalls before
#   it reaches a good region (the exponential schedule of the SGD section stopped far from the
#   minimum for exactly this reason), decay too late and the last epochs are spent jittering.
# * **The noise of SGD does not vanish.** A minibatch gradient is the full gradient plus noise,
#   and that noise stays even at a minimum of the training loss. With a constant rate the iterates
#   therefore never settle: they keep moving in a region around the minimum whose size grows with
#   $\eta$. Lowering the rate shrinks that region. The SGD section's bound made this precise: the
#   accumulated noise enters through $\sum_t \eta_t^2$ and the progress through $\sum_t \eta_t$, and
#   the classical conditions for convergence are $\sum_t \eta_t = \infty$ together with
#   $\sum_t \eta_t^2 < \infty$.
# * **The rate scales the regularisation too.** With weight decay, a penalty
#   $\tfrac{\lambda}{2}\lVert\mathbf{w}\rVert^2$ added to the loss, each step becomes
#   $\mathbf{w} \leftarrow (1 - \eta_t\lambda)\,\mathbf{w} - \eta_t\,\mathbf{g}_t$. The shrinkage per
#   step is proportional to the rate, so a schedule that lowers $\eta_t$ also weakens the weight
#   decay, and the two cannot be tuned independently (Exercise 4 puts numbers on it).
# * **The first steps are special.** The weights start random, the gradients can be large and
#   badly scaled, and a large rate in the first few updates can throw the network into a state it
#   never recovers from, for example ReLU units that output zero for every input and so receive no
#   gradient again. A *warm-up* raises the rate gently over the first epochs.
# * **The goal is the test set.** A schedule changes not only how low the training loss gets but
#   also *which* solution training ends in, and with it the accuracy on unseen data. The theory of
#   why is incomplete; what we have are measurements, so this section measures.
#
# ## The experiment
#
# The book trains on Fashion-MNIST: 60,000 training and 10,000 test images of $28 \times 28$
# pixels, which would have to be downloaded. We use the handwritten digits that ship inside
# scikit-learn instead: 1797 grey images of $8 \times 8$ pixels, about 180 of each digit 0–9, with
# intensities 0–16 that we scale to $[0, 1]$. Nothing is downloaded, and the data are small enough
# to train five networks for 30 epochs each on a CPU, on each of the four backends. The split is
# fixed: one permutation drawn by `np.random.default_rng(0)`, its first 1500 images for
# training and the remaining 297 for testing, the same on every backend. The test set is small, so
# one image is worth $1/297 \approx 0.0034$ of accuracy: a difference of one percentage point
# between two runs is three images, and should not be over-read.
#
# The network is LeNet, scaled down to $8 \times 8$ inputs and written once on the shim:
#
# * a convolution with 6 channels of $5 \times 5$ kernels, padding 2, and a ReLU ($6 \times 8 \times 8$),
#   then $2 \times 2$ max-pooling ($6 \times 4 \times 4$);
# * a convolution with 16 channels of $3 \times 3$ kernels, padding 1, and a ReLU
#   ($16 \times 4 \times 4$), then max-pooling again ($16 \times 2 \times 2$);
# * flattening to 64 numbers, dense layers of 120 and 84 units with ReLU, and 10 output logits.
#
# Every backend builds the same weights (Xavier-normal draws from one seeded generator, zero
# biases) and uses ReLU and max-pooling. The loss is the softmax
# cross-entropy averaged over a minibatch of $N$ examples with logits $\mathbf{o}_n$ and labels
# $y_n$,
#
# $$\ell = -\frac{1}{N}\sum_{n=1}^{N} \log \frac{\exp(o_{n, y_n})}{\sum_{k=1}^{10} \exp(o_{n,k})}.$$
#
# Minibatches hold 100 images, so an epoch is 15 updates. The curves record the training loss and
# accuracy five times per epoch (every three minibatches, where the book plotted every 50 of its
# 235) and the test accuracy once, at the end of each epoch.
#
# **One rule on every backend.** A scheduler is a function of the epoch number, and epoch $e$
# trains at the rate $\eta_e$ = `scheduler(e)`, set before its first minibatch. Each run gets a
# fresh scheduler, and every scheduler is a pure function of $t$: calling it, to plot it for
# instance, never changes what it returns later. The frameworks' own schedulers do not all behave
# this way; a section below shows where they differ.
#
# Run as a script: `python examples/lr_scheduler.py --backend torch --out figures/`.

# %% [markdown] tags=["porting"]
# **For instructors porting code.** The book's text describes LeNet with ReLU and max-pooling, as
# here, but its TensorFlow tab used average pooling and a sigmoid instead; here every backend
# trains one and the same network. That tab also printed `learning rate is now , 0.1`, with a stray
# comma; the line printed below is the same on every backend.

# %% tags=["remove-cell"]
import d2l_optim as d2l

section = d2l.Section("lr_scheduler")
# Training is chaotic: float32 rounding differs between frameworks and grows over 30 epochs of
# SGD, so the losses and accuracies are framework-specific (each is checked to be well above chance).
section.compare(r"train loss (\S+), train acc (\S+), test acc (\S+)", "framework")
# and so are the training curves
section.compare_figures(["lr-constant", "lr-square-root-training", "lr-multi-factor-training",
                         "lr-cosine-training", "lr-cosine-warmup-training"], "framework")

# %%
import d2l_optim as d2l

d2l.seed(0)  # the initial weights and the order of the minibatches, the same on every backend
batch_size, num_epochs = 100, 30
train_iter, test_iter = d2l.load_data_digits(batch_size)
loss = d2l.cross_entropy


def rates(scheduler):
    """The rate of each epoch under ``scheduler``."""
    return [scheduler(epoch) for epoch in range(num_epochs)]


def describe(epoch_rates):
    """The runs of equal rates, e.g. '0.5 for epochs 0-14, 0.25 for epochs 15-29'."""
    runs, start = [], 0
    for epoch in range(1, len(epoch_rates) + 1):
        if epoch == len(epoch_rates) or epoch_rates[epoch] != epoch_rates[start]:
            runs.append(f"{epoch_rates[start]:g} for epochs {start}-{epoch - 1}")
            start = epoch
    return ", ".join(runs)

# %% [markdown]
# ## A constant rate
#
# The baseline keeps $\eta = 0.3$ for all 30 epochs.
#
# **What to notice.** For the first few epochs the training loss hovers near
# $\ln 10 \approx 2.303$, the loss of a uniform guess over ten classes: with small random weights
# all logits are nearly equal, and SGD needs some epochs to break out of that flat start. Then the
# loss falls quickly. By the end the training loss is close to $0$ and the training accuracy is
# $1.000$, while the test accuracy stopped improving many epochs earlier: the remaining epochs only
# learn the training images by heart. A large constant rate is also restless: in some runs the
# loss jumps back up for an epoch in the middle of training, and the test accuracy dips with it,
# a burst of the gradient noise that a constant rate never damps. On these easy digits the damage
# to the test accuracy is small; on Fashion-MNIST the same constant rate leaves a clearer gap
# between training and test accuracy.

# %% figures=["lr-constant"]
lr = 0.3
net = d2l.LeNet()
trainer = d2l.Trainer(net, lr)
d2l.train(net, train_iter, test_iter, num_epochs, loss, trainer)

# %% [markdown]
# The simplest schedule is a person changing the rate between steps. Our `Trainer` has
# `set_learning_rate` for it, like gluon's `Trainer.set_learning_rate`; in PyTorch one writes the
# `lr` entry of an optimizer's parameter group, in Keras one assigns the optimizer's
# `learning_rate`. The line below prints the same on every backend. Everything that follows
# automates this one call.

# %%
trainer.set_learning_rate(0.1)
print(f"learning rate is now {trainer.learning_rate:.2f}")

# %% [markdown]
# ## Square-root decay
#
# The first schedule divides the initial rate by the square root of the epoch count:
#
# $$\eta_t = \eta_0\,(t + 1)^{-1/2}, \qquad \eta_0 = 0.1.$$
#
# Rates that shrink like $1/\sqrt{t}$ come from the analysis of SGD on convex problems: they
# balance the two sums of the SGD bound, since $\sum_{t<T} \eta_t$ grows like $2\eta_0\sqrt{T}$ while
# $\sum_{t<T} \eta_t^2 = \eta_0^2 \sum_{t \le T} 1/t$ grows only like $\eta_0^2 \ln T$.
#
# **What to notice.** The plot falls steeply and then flattens: $0.1$ at $t = 0$, $0.0707$ at
# $t = 1$, already half at $t = 3$ ($0.05$), but halving again takes until $t = 15$ ($0.025$), and
# the last epoch, $t = 29$, still trains at $0.0183$.

# %% figures=["lr-square-root"]
scheduler = d2l.SquareRootScheduler(lr=0.1)
d2l.plot(d2l.arange(num_epochs), rates(scheduler), "epoch", "learning rate")

# %% [markdown]
# **What to notice.** This run starts at a third of the baseline's rate and only goes down. The
# loss stays near $2.3$ for much longer, then comes down slowly, and at epoch 30 the training loss
# is still of the order of $0.3$ and the training accuracy near $0.9$: the network is *under*fitting, still
# learning when training stops, and the gap between training and test accuracy is close to zero.
# Summed over the 30 epochs its rates come to about $0.96$, against $9$ for the constant $0.3$
# (Exercise 1): the schedule suits long runs from a larger start, not 30 epochs from $0.1$.

# %% figures=["lr-square-root-training"]
net = d2l.LeNet()
trainer = d2l.Trainer(net, lr)
d2l.train(net, train_iter, test_iter, num_epochs, loss, trainer,
          scheduler=d2l.SquareRootScheduler(lr=0.1))

# %% [markdown]
# ## Factor decay
#
# The factor schedule multiplies the rate by a constant $\alpha < 1$ at every step, but never
# lets it fall below a floor $\eta_{\min}$:
#
# $$\eta_{t+1} = \max(\eta_{\min},\ \alpha\,\eta_t).$$
#
# Unrolled, it is geometric decay cut off at the floor. `FactorScheduler` multiplies before it
# returns its first rate, so with the base rate $\eta_{\text{base}}$ the rate of step $t$ is
#
# $$\eta_t = \max\big(\eta_{\min},\ \eta_{\text{base}}\,\alpha^{t+1}\big).$$
#
# With $\alpha = 0.9$, $\eta_{\min} = 0.01$ and $\eta_{\text{base}} = 2$, the plot over 50 steps
# starts at $1.8$ (not $2$), then $1.62$, $1.458$, $1.3122$, and comes down to $0.0103$ at
# $t = 49$: just above the floor, which it reaches one step later (Exercise 2). This schedule is
# only plotted; its first rates, above $1$, are far beyond what our network tolerates.

# %% [markdown] tags=["porting"]
# **For instructors porting code.** The book's `FactorScheduler` is stateful: each call
# multiplies its stored rate again, so its value depends on how often it was called before, not on
# $t$ (plotting it advances it). Ours computes $\eta_t$ from $t$; called with $t = 0, 1, 2, \ldots$
# in order, it returns exactly the book's values.

# %% figures=["lr-factor"]
scheduler = d2l.FactorScheduler(factor=0.9, stop_factor_lr=1e-2, base_lr=2.0)
d2l.plot(d2l.arange(50), [scheduler(t) for t in range(50)])

# %% [markdown]
# ## Piecewise constant (multi-factor)
#
# A piecewise-constant schedule holds the rate fixed and multiplies it by $\alpha$ at a set of
# milestones $s$, that is whenever $t \in s$. With $k(t)$ the number of milestones already reached,
#
# $$\eta_t = \eta_0\,\alpha^{k(t)}, \qquad k(t) = \big\lvert\{\tau \in s : \tau \le t\}\big\rvert.$$
#
# Here $\eta_0 = 0.5$, $\alpha = 0.5$ and $s = \{15, 30\}$: the rate is $0.5$ for epochs 0–14 and
# $0.25$ for epochs 15–29 (the milestone 30 lies after the last epoch). This is the schedule of many
# published image classifiers: train at a large rate until progress stalls, then divide the rate
# and continue. The large rate makes fast progress while the loss is far from its floor; once the
# loss only jitters around that floor, a smaller rate shrinks the jitter, and the loss usually
# drops right after the milestone.

# %% figures=["lr-multi-factor"]
scheduler = d2l.MultiFactorScheduler(step=[15, 30], factor=0.5, base_lr=0.5)
d2l.plot(d2l.arange(num_epochs), rates(scheduler))

# %% [markdown]
# **What to notice.** This run starts at $0.5$, the largest rate of the section, and its early
# epochs are noisier than the baseline's. On these digits the network has nearly fit the training
# set well before epoch 15, so the switch to $0.25$ shows only as a calmer tail; on a harder data
# set, where the loss is still high at the milestone, a visible drop right after it is the
# signature of this schedule. A rate of $0.5$ is close to the largest this network tolerates, as
# the measured ranges in the summary show.

# %% figures=["lr-multi-factor-training"]
net = d2l.LeNet()
trainer = d2l.Trainer(net, 0.5)
d2l.train(net, train_iter, test_iter, num_epochs, loss, trainer,
          scheduler=d2l.MultiFactorScheduler(step=[15, 30], factor=0.5, base_lr=0.5))

# %% [markdown]
# ### The frameworks' own schedulers
#
# Each framework ships schedulers of its own, and they agree with ours only when they are called
# at the same moments with the same counter: a PyTorch scheduler is stepped once per epoch, after
# that epoch's optimizer steps; Keras's `LearningRateScheduler` callback calls the schedule at the
# start of each epoch; an MXNet schedule is a function of a counter that gluon's `Trainer`
# advances on every update, and its multi-factor schedule switches one count later than ours; an
# optax schedule is a function of the update count that optax calls before each update. NumPy has
# none: d2l's schedulers are plain Python functions of $t$. The tab of your framework
# shows its classes producing the multi-factor rates epoch by epoch next to ours (the code asserts
# that they are equal; the tests check the other schedules).

# %% [markdown] tags=["porting"]
# **For instructors porting code.** When each framework calls its scheduler, and where the book's
# tabs went wrong. Here every run gets a fresh scheduler, and epoch $e$ trains at `scheduler(e)`.
#
# * **PyTorch.** `torch.optim.lr_scheduler.MultiStepLR` (and `LambdaLR`, which wraps any formula)
#   stepped once per epoch, after that epoch's optimizer steps, gives epoch $e$ our rate. The
#   book's PyTorch tab sets a custom scheduler's rate at the end of each epoch, so its epoch 0 runs
#   at the optimizer's initial rate and epoch $e + 1$ at `scheduler(e)`: one epoch late. With the
#   warm-up, that first epoch runs at $0.3$, the full rate the warm-up was meant to avoid. Its
#   multi-factor run reuses the `MultiStepLR` object that its plotting cell had already stepped 30
#   times, so it trains at $0.5 \cdot 0.5^2 = 0.125$ throughout instead of following the plotted
#   schedule.
# * **TensorFlow.** Keras's `LearningRateScheduler` calls the schedule at the *start* of each
#   epoch, which is our rule. It first tries `schedule(epoch, lr)`; ours take one argument, so Keras
#   falls back to `schedule(epoch)`. Keras keeps the rate in a float32 variable, so it applies our
#   rates rounded to float32: $0.5$ and $0.25$ exactly, the cosine values to about seven digits.
#   The book's TensorFlow multi-factor scheduler is stateful like its factor scheduler, and its
#   training continued from the state its plot had left behind: $0.25$, then $0.125$ from epoch 15.
# * **MXNet.** gluon's `Trainer` calls an `mx.lr_scheduler` schedule with the *update* count
#   $n = 1, 2, \ldots$ on every minibatch, not once per epoch. In the book, with 235 updates per
#   epoch, the milestones 15 and 30, the 20-step cosine and the 5-step warm-up all elapse inside
#   the first epoch. Its `CosineScheduler` has our formula (the same value for the same $n$, bit for
#   bit), but its `MultiFactorScheduler` decays *after* a milestone, when $n > 15$. Called with the
#   epoch it therefore gives $0.5$ up to epoch 15, one epoch longer than ours; called with
#   epoch $+ 1$ (counting from 1, as gluon does) it gives ours.
# * **JAX.** An optax schedule is a function of the update count $n = 0, 1, \ldots$ that
#   `optax.sgd` calls before update $n$: stepped once per epoch, `piecewise_constant_schedule` gives
#   our multi-factor rates exactly and `warmup_cosine_decay_schedule` our warm-up cosine to float32
#   rounding (optax's warm-up divides an int32 count). In a real training loop the count is the
#   minibatch, as in gluon.
# * **The book's cosine scheduler** stores its rate only when called with $t \le T$, so an object
#   first called beyond $T$ fails. Ours returns $\eta_T$ for every $t > T$, whatever was called
#   before.

# %% tags=["framework-numpy"]
multi_factor = d2l.MultiFactorScheduler(step=[15, 30], factor=0.5, base_lr=0.5)
print("d2l MultiFactorScheduler:", describe(rates(multi_factor)))

# %% tags=["framework-torch"]
import torch


def torch_rates(make_scheduler, lr):
    """The rate of each epoch when a torch scheduler is stepped once per epoch."""
    weight = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([weight], lr=lr)
    torch_scheduler = make_scheduler(optimizer)
    epoch_rates = []
    for _ in range(num_epochs):
        epoch_rates.append(optimizer.param_groups[0]["lr"])  # this epoch's steps use it
        optimizer.step()  # ... the epoch's minibatch steps ...
        torch_scheduler.step()  # then the scheduler, once per epoch
    return epoch_rates

multi_step = torch_rates(
    lambda optimizer: torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[15, 30], gamma=0.5),
    lr=0.5)
square_root = torch_rates(
    lambda optimizer: torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: (epoch + 1) ** -0.5),
    lr=0.1)
assert multi_step == rates(d2l.MultiFactorScheduler(step=[15, 30], factor=0.5, base_lr=0.5))
assert square_root == rates(d2l.SquareRootScheduler(lr=0.1))
print("torch MultiStepLR:", describe(multi_step))

# %% tags=["framework-tensorflow"]
import numpy as np
import tensorflow as tf


class RecordRate(tf.keras.callbacks.Callback):
    """Records the optimizer's rate at the start of each epoch (after the scheduler's callback)."""

    def __init__(self):
        super().__init__()
        self.rates = []

    def on_epoch_begin(self, epoch, logs=None):
        self.rates.append(float(self.model.optimizer.learning_rate))

model = tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(1)])
model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.1), loss="mse")

def keras_rates(schedule):
    """The rate of each epoch of a Keras fit with the LearningRateScheduler callback."""
    record = RecordRate()
    model.fit(np.zeros((1, 1)), np.zeros((1, 1)), epochs=num_epochs, verbose=0,
              callbacks=[tf.keras.callbacks.LearningRateScheduler(schedule), record])
    return record.rates

multi_factor = d2l.MultiFactorScheduler(step=[15, 30], factor=0.5, base_lr=0.5)
keras_multi_factor = keras_rates(multi_factor)
assert keras_multi_factor == rates(multi_factor)
print("Keras LearningRateScheduler:", describe(keras_multi_factor))

# %% tags=["framework-mxnet"]
from mxnet import lr_scheduler


def mxnet_rates(make_scheduler, first=0):
    """The rates of a fresh MXNet scheduler called with first, first + 1, ... (it is stateful)."""
    mxnet_scheduler = make_scheduler()
    return [mxnet_scheduler(first + epoch) for epoch in range(num_epochs)]

make_multi_factor = lambda: lr_scheduler.MultiFactorScheduler(step=[15, 30], factor=0.5, base_lr=0.5)
assert mxnet_rates(make_multi_factor, first=1) == rates(
    d2l.MultiFactorScheduler(step=[15, 30], factor=0.5, base_lr=0.5))
assert mxnet_rates(lambda: lr_scheduler.CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01)) \
    == rates(d2l.CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01))
print("mxnet MultiFactorScheduler(epoch):", describe(mxnet_rates(make_multi_factor)))
print("mxnet MultiFactorScheduler(epoch + 1):", describe(mxnet_rates(make_multi_factor, first=1)))

# %% tags=["framework-jax"]
import jax.numpy as jnp
import optax


def optax_rates(schedule):
    """The rate of each update of optax.sgd(schedule), stepped once per epoch."""
    optimizer = optax.sgd(schedule)
    weight = jnp.zeros(1)
    state, epoch_rates = optimizer.init(weight), []
    for _ in range(num_epochs):
        updates, state = optimizer.update(jnp.ones(1), state, weight)  # a gradient of 1 ...
        epoch_rates.append(-float(updates[0]))  # ... moves the weight by minus the rate
    return epoch_rates

multi_factor = optax_rates(optax.piecewise_constant_schedule(0.5, {15: 0.5, 30: 0.5}))
warmup_cosine = optax_rates(optax.warmup_cosine_decay_schedule(0.0, 0.3, warmup_steps=5, decay_steps=20,
                                                               end_value=0.01))
assert multi_factor == rates(d2l.MultiFactorScheduler(step=[15, 30], factor=0.5, base_lr=0.5))
assert jnp.allclose(jnp.array(warmup_cosine),
                    jnp.array(rates(d2l.CosineScheduler(20, warmup_steps=5, base_lr=0.3, final_lr=0.01))),
                    rtol=1e-6, atol=0)
print("optax piecewise_constant_schedule:", describe(multi_factor))

# %% [markdown]
# ## Cosine
#
# Loshchilov and Hutter's cosine schedule lowers the rate from $\eta_0$ to a final $\eta_T$ along
# half a period of a cosine, over $T$ epochs, and holds $\eta_T$ afterwards:
#
# $$\eta_t = \eta_T + \frac{\eta_0 - \eta_T}{2}\left(1 + \cos\frac{\pi t}{T}\right)
# \quad\text{for } 0 \le t \le T, \qquad \eta_t = \eta_T \quad\text{for } t > T.$$
#
# With $\eta_0 = 0.3$, $\eta_T = 0.01$ and $T = 20$, it starts at $0.3$, passes
# $(\eta_0 + \eta_T)/2 = 0.155$ exactly at the halfway point $t = 10$, reaches $0.01$ at $t = 20$ and
# stays there for the last nine epochs.
#
# **What to notice.** The curve is flat at both ends, $0.298215$ at $t = 1$ and $0.0117852$ at
# $t = 19$, and steepest in the middle. It spends its first epochs near the full rate, where
# progress is fast, and its last ones near the final rate, where the noise is small, and moves
# between the two smoothly instead of in one jump. There are no milestones to choose, only $T$.

# %% figures=["lr-cosine"]
scheduler = d2l.CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01)
d2l.plot(d2l.arange(num_epochs), rates(scheduler))

# %% [markdown]
# **What to notice.** The training loss falls about as fast as the baseline's at first, since the
# rate is still near $0.3$, then flattens and loses its jitter as the rate approaches $0.01$; the
# last ten epochs, at the final rate, change almost nothing. The training loss typically ends a
# little above the baseline's near-zero value: less memorisation for a similar test accuracy.

# %% figures=["lr-cosine-training"]
net = d2l.LeNet()
trainer = d2l.Trainer(net, 0.3)
d2l.train(net, train_iter, test_iter, num_epochs, loss, trainer,
          scheduler=d2l.CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01))

# %% [markdown]
# ## Warm-up
#
# At the start the weights are random and the gradients may be large; a full-size rate in the
# first updates can throw training off course. A warm-up raises the rate linearly from
# $\eta_{\text{begin}}$ to $\eta_0$ over the first $t_w$ epochs, and the cosine decay then runs
# over the remaining $T - t_w$:
#
# $$\eta_t = \eta_{\text{begin}} + (\eta_0 - \eta_{\text{begin}})\,\frac{t}{t_w} \quad\text{for } t < t_w,
# \qquad
# \eta_t = \eta_T + \frac{\eta_0 - \eta_T}{2}\left(1 + \cos\frac{\pi (t - t_w)}{T - t_w}\right)
# \quad\text{for } t_w \le t \le T.$$
#
# With $t_w = 5$ and $\eta_{\text{begin}} = 0$ the rates are $0$, $0.06$, $0.12$, $0.18$, $0.24$, then
# $0.3$ at $t = 5$; the decay is now squeezed into 15 epochs, reaching $0.2275$ at $t = 10$ and
# $0.01$ at $t = 20$.
#
# Epoch 0 trains at rate $0$, so it leaves the weights exactly as they were: its curve points only
# measure the initial network.

# %% figures=["lr-cosine-warmup"]
scheduler = d2l.CosineScheduler(20, warmup_steps=5, base_lr=0.3, final_lr=0.01)
d2l.plot(d2l.arange(num_epochs), rates(scheduler))

# %% [markdown]
# **What to notice.** The start is slower: the loss stays at $2.3$ through the first, tiny rates,
# then falls steeply once the rate nears its peak. There is no spike afterwards, and the end looks
# like the cosine run's. On a network this small the warm-up costs a few epochs and does not change
# the final accuracy much; its value shows with larger rates, deeper networks and adaptive
# optimizers, whose state estimates are unreliable during the first steps.

# %% figures=["lr-cosine-warmup-training"]
net = d2l.LeNet()
trainer = d2l.Trainer(net, 0.3)
d2l.train(net, train_iter, test_iter, num_epochs, loss, trainer,
          scheduler=d2l.CosineScheduler(20, warmup_steps=5, base_lr=0.3, final_lr=0.01))

# %% [markdown]
# ## Summary
#
# * A schedule here is a pure function of the epoch, $t \mapsto \eta_t$. Epoch $e$ trains at
#   `scheduler(e)` on every backend, with a fresh scheduler for every run.
# * Frameworks differ in *when* they call a scheduler (per update or per epoch, before or after the
#   epoch), in *what* they count, and in whether a piecewise-constant schedule switches at the
#   milestone or one step after it. Check it before comparing runs, as the tabs above do.
# * Measured with seeds 0, 1 and 2 on each of the four backends (the numbers printed above are
#   seed 0; the backends round differently, so their last digits differ), the test accuracies
#   after 30 epochs are: constant $0.3$, $0.973$–$0.990$; square root, $0.909$–$0.933$, still
#   learning at epoch 30; cosine, $0.960$–$0.976$; cosine with warm-up, $0.960$–$0.983$;
#   multi-factor, $0.919$–$0.990$ in eleven of its twelve runs. The twelfth (NumPy, seed 1) shows
#   what a too-large rate can do: a step in epoch 5 threw the loss up to $3.7$, every ReLU went
#   dark, and the network was left at chance, with the loss stuck at $\ln 10 \approx 2.303$. That is
#   the failure a warm-up guards against.
# * With 297 test images, most of these differences are a handful of images. What the schedules
#   change reliably is the *shape* of training: how fast the loss falls, how noisy it is at the
#   end, and how far training and test accuracy drift apart.

# %% [markdown]
# ## Exercises
#
# The solutions below need no training: a schedule is arithmetic on $t$, and most questions about
# it can be answered before a single minibatch is drawn.
#
# **Exercise 1 (the rate budget).** For each of the five schedules trained above, compute over the
# 30 epochs the sum of the rates $\sum_e \eta_e$, the sum of their squares $\sum_e \eta_e^2$ and
# the final rate. By the SGD bound, the first measures how far the weights can travel, the second
# how much noise accumulates, the third how large the jitter is at the end. Which schedule has the
# smallest budget? How do the square-root schedule's two sums grow over $300$, $3{,}000$ and
# $30{,}000$ epochs?

# %% tags=["solution"]
schedules = {
    "constant 0.3": lambda epoch: 0.3,
    "square root": d2l.SquareRootScheduler(lr=0.1),
    "multi-factor": d2l.MultiFactorScheduler(step=[15, 30], factor=0.5, base_lr=0.5),
    "cosine": d2l.CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01),
    "cosine, warm-up": d2l.CosineScheduler(20, warmup_steps=5, base_lr=0.3, final_lr=0.01),
}
budgets = []  # per schedule: the sum of the rates, the sum of their squares, the last rate
for name, scheduler in schedules.items():
    epoch_rates = rates(scheduler)
    budgets.append((sum(epoch_rates), sum(rate**2 for rate in epoch_rates), epoch_rates[-1]))
    print(f"{name:>15}: sum {budgets[-1][0]:7.4f}, sum of squares {budgets[-1][1]:6.4f}, "
          f"last {budgets[-1][2]:.4f}")
square_root = d2l.SquareRootScheduler(lr=0.1)
square_root_sums = []
for epochs in (30, 300, 3000, 30000):
    long_rates = [square_root(t) for t in range(epochs)]
    square_root_sums.append((sum(long_rates), sum(rate**2 for rate in long_rates)))
    print(f"square root over {epochs:5d} epochs: sum {square_root_sums[-1][0]:7.4f}, "
          f"sum of squares {square_root_sums[-1][1]:6.4f}")

# %% [markdown] tags=["solution"]
# The square-root schedule has by far the smallest budget: its rates add up to $0.96$, a tenth of
# the constant rate's $9$, which is why its run was still learning at epoch 30. The multi-factor
# schedule has the largest, $11.25$, and also the largest sum of squares, $4.69$: the most progress
# and the most noise, and the only schedule with a run that collapsed. The cosine schedules spend
# about a third of the constant budget and end at $0.01$, thirty times below the constant rate, so
# their final jitter is much smaller. Over longer runs the square-root sums behave as predicted:
# $\sum_t \eta_t \approx 2\eta_0\sqrt{T}$ grows without bound ($0.96$, $3.32$, $10.81$, $34.50$), while
# $\sum_t \eta_t^2 \approx \eta_0^2 \ln T$ grows too, but only by about $0.023$ per factor of ten.
# Strictly, $1/\sqrt{t}$ violates the classical condition $\sum_t \eta_t^2 < \infty$; the SGD bound
# still goes to zero, since its ratio behaves like $\ln T/\sqrt{T}$.

# %% [markdown]
# **Exercise 2 (the factor schedule's floor, and a smooth twin of the staircase).** (a) At which
# step does `FactorScheduler(factor=0.9, stop_factor_lr=1e-2, base_lr=2.0)` first return its floor?
# Derive it from $\eta_t = \max(\eta_{\min}, \eta_0\alpha^{t+1})$ and check it. (b) Build a factor
# schedule that starts at $0.5$ and halves every 15 epochs, like the multi-factor schedule, plot
# the two for 30 epochs and compare their sums of rates.

# %% tags=["solution"] figures=["exercise-factor-vs-multi-factor"]
import math

factor = d2l.FactorScheduler(factor=0.9, stop_factor_lr=1e-2, base_lr=2.0)
closed_form = math.ceil(math.log(1e-2 / 2.0) / math.log(0.9)) - 1
first_at_floor = next(t for t in range(1000) if factor(t) == 1e-2)
print(f"floor from the closed form at t = {closed_form}, first returned at t = {first_at_floor}; "
      f"rate at t = {first_at_floor - 1}: {factor(first_at_floor - 1):.6f}")

alpha = 0.5 ** (1 / 15)
# the first call already multiplies, so base_lr = 0.5 / alpha makes the rate of epoch 0 exactly 0.5
smooth = d2l.FactorScheduler(factor=alpha, stop_factor_lr=1e-7, base_lr=0.5 / alpha)
staircase = d2l.MultiFactorScheduler(step=[15, 30], factor=0.5, base_lr=0.5)
print(f"alpha = {alpha:.6f}: rate {smooth(0):.6f} at epoch 0, {smooth(15):.6f} at 15, "
      f"{smooth(29):.6f} at 29")
smooth_budget = sum(rates(smooth))
print(f"sum of the rates: staircase {sum(rates(staircase)):.4f}, smooth {smooth_budget:.4f}")
d2l.plot(list(range(num_epochs)), [rates(staircase), rates(smooth)], "epoch",
         "learning rate", legend=["multi-factor", "factor, same halving"])

# %% [markdown] tags=["solution"]
# Solving $\eta_0\alpha^{t+1} \le \eta_{\min}$ for $t$ gives
# $t + 1 \ge \ln(\eta_{\min}/\eta_0)/\ln\alpha = \ln 0.005/\ln 0.9 \approx 50.29$, so the floor is
# first returned at $t = 50$, one step after the plotted range, whose last value is $0.010308$.
# For (b), halving in 15 steps needs $\alpha^{15} = 1/2$, that is $\alpha = 2^{-1/15} \approx 0.954842$,
# and because the class multiplies on its first call the base rate must be $0.5/\alpha$. The two
# schedules agree at epochs 0 and 15, but the smooth one is below the staircase everywhere in
# between, and by epoch 29 it is down to $0.13$: it spends $8.30$ of rate against the staircase's
# $11.25$. Matching the staircase's milestones is not the same as matching its budget.

# %% [markdown]
# **Exercise 3 (per epoch or per update).** (a) The book's MXNet tab counted *updates*, 235 per
# epoch, with a warm-up of 5 and a cosine of 20 steps. After what fraction of the first epoch were
# they over? (b) For our loader, 15 updates per epoch, build a per-update cosine with warm-up that
# agrees with the per-epoch one at the first update of every epoch, plot both against the epoch,
# and compare the mean rate of the updates of each epoch with the per-epoch rate.

# %% tags=["solution"] figures=["exercise-per-update-cosine"]
book_updates = math.ceil(60000 / 256)  # Fashion-MNIST minibatches per epoch
warmup_fraction, cosine_fraction = 5 / book_updates, 20 / book_updates
print(f"book: the warm-up ends after 5 of {book_updates} updates ({warmup_fraction:.1%} of epoch 0), "
      f"the cosine after 20 ({cosine_fraction:.1%})")
updates = len(train_iter)
per_epoch = d2l.CosineScheduler(20, warmup_steps=5, base_lr=0.3, final_lr=0.01)
per_update = d2l.CosineScheduler(20 * updates, warmup_steps=5 * updates, base_lr=0.3, final_lr=0.01)
agree = all(math.isclose(per_update(epoch * updates), per_epoch(epoch), rel_tol=1e-12, abs_tol=1e-15)
            for epoch in range(num_epochs))
print(f"{updates} updates per epoch: the two agree at the start of every epoch: {agree}")
for epoch in (0, 4, 5, 10, 19):
    mean = sum(per_update(epoch * updates + i) for i in range(updates)) / updates
    print(f"epoch {epoch:2d}: per-epoch rate {per_epoch(epoch):.4f}, mean per-update rate {mean:.4f}")
steps = range(num_epochs * updates)
d2l.plot([step / updates for step in steps],
         [[per_epoch(step // updates) for step in steps], [per_update(step) for step in steps]],
         "epoch", "learning rate", legend=["per epoch", "per update"])

# %% [markdown] tags=["solution"]
# In the book's MXNet run the whole schedule was over after $20/235 \approx 8.5\%$ of the first
# epoch, and the warm-up after about 2%: the remaining 29.9 epochs trained at the final rate
# $0.01$, so that run compared essentially a short burst against a constant small rate, not the
# schedule in the plot. Scaling both lengths by the number of updates per epoch, $T = 20 \cdot 15$
# and $t_w = 5 \cdot 15$, makes the per-update schedule pass through the per-epoch values at every
# epoch start, since $(15e - 75)/(300 - 75) = (e - 5)/15$. Between those points the two differ:
# during the warm-up the per-update rates run ahead, by $0.028$ on average, half of one epoch's
# increase; during the decay they run behind. The per-epoch staircase is, roughly, the smooth
# per-update schedule delayed by half an epoch. Neither convention is wrong, but a schedule's
# numbers only mean something together with what $t$ counts.

# %% [markdown]
# **Exercise 4 (weight decay under a schedule).** With weight decay $\lambda$, every update
# multiplies the weights by $1 - \eta_t\lambda$ before subtracting the gradient. For $\lambda = 0.01$
# and our 15 updates per epoch, by what factor does this alone shrink the weights over 30 epochs
# under each schedule? Compare with $\exp(-15\lambda\sum_e \eta_e)$, and find the $\lambda$ that
# would give the cosine schedule the same shrinkage as the constant rate.

# %% tags=["solution"]
weight_decay = 0.01


def shrinkage(scheduler, weight_decay):
    """The product of (1 - rate * weight_decay) over all updates of the 30 epochs."""
    return math.prod((1 - rate * weight_decay) ** updates for rate in rates(scheduler))


shrinkages = []
for name, scheduler in schedules.items():
    approximation = math.exp(-updates * weight_decay * sum(rates(scheduler)))
    shrinkages.append(shrinkage(scheduler, weight_decay))
    print(f"{name:>15}: weights shrink by {shrinkages[-1]:.4f} (approximation {approximation:.4f})")
target = shrinkage(schedules["constant 0.3"], weight_decay)
low, high = weight_decay, 1.0  # bisection: more weight decay, more shrinkage
for _ in range(60):
    middle = (low + high) / 2
    low, high = (middle, high) if shrinkage(schedules["cosine"], middle) > target else (low, middle)
matching_weight_decay = low
print(f"cosine needs weight decay {matching_weight_decay:.4f} to shrink like the constant rate with "
      f"{weight_decay}")

# %% [markdown] tags=["solution"]
# Ignoring the gradient, the constant rate shrinks the weights to about a quarter over the 30
# epochs, the multi-factor schedule to a fifth, the cosine schedules only to about $0.6$ and the
# square-root schedule to $0.87$. The approximation is within half a percent because every factor
# $\eta_t\lambda$ is small, and it shows what governs the effect: the same sum of rates as in
# Exercise 1. A schedule that lowers the rate therefore also lowers the regularisation, and the
# cosine schedule needs a weight decay about $2.7$ times larger to match the constant rate's.
# When a schedule is changed, a weight decay tuned for the old one is no longer the same
# regularisation. (Some optimizers, such as AdamW, decouple the decay from the gradient step, but
# they still multiply it by the scheduled rate.)
