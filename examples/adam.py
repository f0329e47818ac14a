# %% [markdown]
# # Adam and Yogi
#
# The chapter has so far built two separate improvements on top of minibatch SGD. Momentum
# averages the gradients over time, which cancels noise and keeps the iterates moving along
# shallow, consistent directions. RMSProp divides each coordinate by a running estimate of its
# gradient's magnitude, which gives every coordinate a step size of its own. Adam, introduced by
# Kingma and Ba in 2014, simply does both, and adds one more ingredient: a correction for the fact
# that both running averages start at zero. The result is robust to the choice of its
# hyperparameters and has become the default optimizer of much of deep learning. It is not without
# flaws: on some problems it provably fails to converge (the section runs one), and the second half
# of the section looks at Yogi, a small change to Adam's second-moment estimate designed to fix one
# source of that failure.
#
# ## The algorithm
#
# Adam keeps two leaky averages per parameter, both starting at zero: $\mathbf{v}_t$, of the
# gradient (the momentum), and $\mathbf{s}_t$, of the squared gradient (as in RMSProp):
#
# $$\mathbf{v}_t = \beta_1\,\mathbf{v}_{t-1} + (1 - \beta_1)\,\mathbf{g}_t, \qquad
# \mathbf{s}_t = \beta_2\,\mathbf{s}_{t-1} + (1 - \beta_2)\,\mathbf{g}_t^2.$$
#
# The usual weights are $\beta_1 = 0.9$ and $\beta_2 = 0.999$. A leaky average with weight $\beta$
# remembers roughly the last $1/(1 - \beta)$ steps, so the momentum looks back about $10$ steps and
# the squared gradient about $1{,}000$: the normaliser changes much more slowly than the direction
# it normalises, which keeps the step sizes stable.
#
# **Bias correction.** Unrolling the recursion from $\mathbf{v}_0 = 0$ writes $\mathbf{v}_t$ as a
# weighted sum of the gradients seen so far,
#
# $$\mathbf{v}_t = (1 - \beta_1)\sum_{i=0}^{t-1} \beta_1^{\,i}\,\mathbf{g}_{t-i}.$$
#
# Its weights do not add up to one. Call their geometric sum $S = \sum_{i=0}^{t-1}\beta^i$; then
# $\beta S = \sum_{i=1}^{t}\beta^i$, and subtracting the two leaves $S - \beta S = 1 - \beta^t$, so
#
# $$\sum_{i=0}^{t-1}\beta^i = \frac{1 - \beta^t}{1 - \beta}, \qquad
# (1 - \beta)\sum_{i=0}^{t-1}\beta^i = 1 - \beta^t.$$
#
# If the gradients have a constant mean $\boldsymbol{\mu}$, then
# $\mathbb{E}[\mathbf{v}_t] = (1 - \beta_1^t)\,\boldsymbol{\mu}$: early on the average is biased
# towards its starting value zero, by a factor $0.1$ at $t = 1$ for $\beta_1 = 0.9$ and, worse, by
# $0.001$ for $\mathbf{s}_1$ with $\beta_2 = 0.999$. Dividing by the sum of the weights removes the
# bias:
#
# $$\hat{\mathbf{v}}_t = \frac{\mathbf{v}_t}{1 - \beta_1^t}, \qquad
# \hat{\mathbf{s}}_t = \frac{\mathbf{s}_t}{1 - \beta_2^t}.$$
#
# As $t$ grows, $\beta^t \to 0$ and the correction fades out; it matters during the first few
# hundred or thousand steps, exactly when the uncorrected averages are most wrong.
#
# **The update.** The step combines the two like RMSProp, with the momentum in place of the
# gradient:
#
# $$\mathbf{g}_t' = \frac{\eta\,\hat{\mathbf{v}}_t}{\sqrt{\hat{\mathbf{s}}_t} + \epsilon}, \qquad
# \mathbf{x}_t = \mathbf{x}_{t-1} - \mathbf{g}_t'.$$
#
# At $t = 1$ the corrections give $\hat{\mathbf{v}}_1 = \mathbf{g}_1$ and
# $\hat{\mathbf{s}}_1 = \mathbf{g}_1^2$, so the first step is $\eta\,\mathbf{g}_1/(|\mathbf{g}_1| +
# \epsilon) \approx \eta\operatorname{sign}(\mathbf{g}_1)$: exactly $\eta$ in every coordinate. More
# generally, as long as the gradient of a coordinate keeps its sign and size,
# $\hat{v}/\sqrt{\hat{s}} \approx \pm 1$ and the coordinate moves by about $\eta$ per step, however
# large or small its gradient. This gives $\eta$ a concrete meaning: the typical distance a
# parameter travels per step, in the parameter's own units.
#
# **How long can a step be?** Typical is not a cap. Kingma and Ba give two bounds on the step (for
# $\epsilon = 0$):
#
# $$|\Delta x_t| \le \eta\,\frac{1 - \beta_1}{\sqrt{1 - \beta_2}} \quad\text{when }
# 1 - \beta_1 > \sqrt{1 - \beta_2}, \qquad |\Delta x_t| \lesssim \eta \quad\text{otherwise}.$$
#
# The default weights fall in the first case, $1 - \beta_1 = 0.1 > \sqrt{0.001} \approx 0.032$, so
# the bound is $\eta\cdot 0.1/\sqrt{0.001} \approx 3.16\,\eta$. It is what a coordinate gets when its
# gradient has been zero for a long time and then is not: $v_t$ and $s_t$ hold that one gradient,
# $(1 - \beta_1)g$ and $(1 - \beta_2)g^2$, and their ratio is $(1 - \beta_1)/\sqrt{1 - \beta_2}$ once
# $t$ is large enough for the bias corrections to be $1$. In the common case, gradients of steady
# sign and size, the step is about $\eta$. These bounds describe the cases that motivate them, not
# every sequence of gradients. The exact worst case follows from the Cauchy–Schwarz inequality,
# $|\sum_i \beta_1^i g_{t-i}| \le \sqrt{\sum_i (\beta_1^2/\beta_2)^i}\,\sqrt{\sum_i \beta_2^i g_{t-i}^2}$
# (sums over $i = 0, \dots, t - 1$): with the defaults the bias-corrected step never exceeds its
# large-$t$ limit
#
# $$|\Delta x_t| \le \eta\,\frac{1 - \beta_1}{\sqrt{(1 - \beta_2)(1 - \beta_1^2/\beta_2)}}
# \approx 7.27\,\eta,$$
#
# with equality in the inequality for gradients that grow by the factor $\beta_2/\beta_1 \approx
# 1.11$ every step. Exercise 5 produces all three steps.
#
# **Where $\epsilon$ sits.** Adam adds $\epsilon$ *outside* the root, to $\sqrt{\hat{\mathbf{s}}_t}$,
# whereas this chapter's Adagrad, RMSProp and Adadelta put it inside, $\sqrt{\mathbf{s} + \epsilon}$.
# The difference is one of threshold. Outside, $\epsilon = 10^{-6}$ changes the step only where
# $\sqrt{\hat{s}}$ is itself about $10^{-6}$; inside, it would already damp coordinates whose
# gradients are about $\sqrt{\epsilon} = 10^{-3}$ in size. This section uses $\epsilon = 10^{-6}$.
#
# Run as a script: `python examples/adam.py --backend mxnet --out figures/`.

# %% [markdown] tags=["porting"]
# **For instructors porting code.** The frameworks' Adams default to a smaller $\epsilon$:
# $10^{-8}$ in PyTorch and MXNet, $10^{-7}$ in Keras. Keras and MXNet also add theirs in another
# place. Writing the step with the corrections pulled out,
#
# $$\frac{\eta\,\hat{\mathbf{v}}_t}{\sqrt{\hat{\mathbf{s}}_t} + \epsilon}
# = \eta\,\frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}\cdot
# \frac{\mathbf{v}_t}{\sqrt{\mathbf{s}_t} + \epsilon\sqrt{1 - \beta_2^t}},$$
#
# shows that Keras and MXNet, which add a constant $\hat{\epsilon}$ to the *uncorrected*
# $\sqrt{\mathbf{s}_t}$, apply the book's rule with an $\epsilon$ that changes over time,
# $\epsilon_t = \hat{\epsilon}/\sqrt{1 - \beta_2^t}$: about $32\,\hat{\epsilon}$ at the first step,
# $\hat{\epsilon}$ in the long run. With $\epsilon$ this small, none of it is visible in a loss
# curve, and it takes a careful float64 comparison, in the note at the end of the section, to tell
# the forms apart.

# %% tags=["remove-cell"]
import d2l_optim as d2l

section = d2l.Section("adam")
# printed losses agree across frameworks to their last digit; seconds are measurements
section.compare(r"loss: (\S+),", atol=1.5e-3)
section.compare(r"(\S+) sec/epoch", "timing")
# from-scratch loss curves agree across frameworks to 1e-4
section.compare_figures(["train-adam", "train-adam-tensorflow-tab", "train-yogi"], atol=1e-4)
section.compare_figures("train-concise", "framework")  # each framework's own optimizer
section.compare(r"^\|.*", "framework")  # each framework's own equivalence table
section.compare(r"^Loss: .*", "framework")
section.compare(r"float32 rounding alone: (\S+)", atol=1e-7)  # rounding differs between frameworks

# %%
import math

import numpy as np

import d2l_optim as d2l
from d2l_optim import equivalence, objectives

f = objectives.elongated_2d
f_grad = d2l.grad(f, argnums=(0, 1))

# %% [markdown]
# ## Adam and Yogi in two dimensions
#
# The book shows no two-dimensional runs for this section; here are Adam and Yogi (introduced below)
# on the elongated quadratic $f(\mathbf{x}) = 0.1x_1^2 + 2x_2^2$ from $(-5, -2)$, with $\eta = 0.4$
# for $20$ steps.
#
# **What to notice.** Both traces start with steps of length $0.4$ in *each* coordinate, a
# diagonal line, although the gradient is eight times steeper in $x_2$: the normalisation by
# $\sqrt{\hat{\mathbf{s}}}$ ignores the gradient's size. In $x_2$ the run crosses $0$ after about
# five steps, but the momentum carries it on to about $+0.8$ before it turns back, and it crosses
# again only near the end: a slow, wide swing rather than gradient descent's quick zigzag. In
# $x_1$ the steps stay close to $0.4$ for a long time, and the run passes the minimum around step
# $14$ and reaches $x_1 \approx 1.0$ after $20$. A step of nearly constant length does not shrink
# near the minimum the way gradient descent's does; only the averaging of gradients of opposite
# signs in $\mathbf{v}$ brakes it, which is one reason Adam is often combined with a decaying
# learning rate. The two traces are almost identical: on this smooth problem Yogi's different
# second moment barely changes anything.

# %% figures=["adam", "yogi"]
for make in (d2l.adam, d2l.yogi):
    d2l.show_trace_2d(f, d2l.train_2d(make(0.4), f_grad=f_grad))

# %% [markdown]
# ## Every optimizer of the chapter
#
# The same problem and starting point, $20$ steps of every optimizer of the chapter, each with the
# learning rate its own section used. Adam and Yogi nearly coincide, so they are drawn with
# different line styles and markers.
#
# **What to notice.** Gradient descent with $\eta = 0.4$ settles $x_2$ at once but crawls along the
# flat $x_1$ direction. Momentum, Adagrad with its large $\eta = 2$ and RMSProp all end near the
# origin. Adadelta, with no learning rate, has barely moved from its starting point. Adam and Yogi
# overshoot in $x_1$ as described above. This is a picture of one problem, one step budget and
# one choice of learning rates, not a ranking: the next figure shows how much each method's result
# depends on its learning rate.

# %% figures=["all-optimizers"]
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
d2l.show_traces_2d(f, traces, figsize=(6, 4))

# %% [markdown]
# ## Sensitivity to the learning rate
#
# For each optimizer, the value of $f$ after $20$ steps, for $25$ learning rates spaced evenly on
# a logarithmic scale from $10^{-2}$ to $10$. All $25$ runs of an optimizer go at once: the
# coordinates and the learning rate are vectors with one entry per run, and the optimizer's
# element-wise arithmetic updates them all in one call. A gap in a curve marks learning rates
# whose run diverged (ended above $10\,f(\mathbf{x}_0)$). Adadelta has no learning rate and is left
# out.
#
# **What to notice.** Gradient descent has a hard edge: above $\eta = 2/\lambda_{\max} = 0.5$,
# where $\lambda_{\max} = 4$ is the curvature in $x_2$, it diverges, and momentum's curve ends a
# little later. The adaptive methods never diverge in this range, because their steps are
# normalised: a huge $\eta$ makes them bounce around with a large amplitude, but not explode.
# At the smallest rates Adam and Yogi are *slower* than gradient descent, because their step is
# about $\eta$ per coordinate while gradient descent's is $\eta$ times a gradient of up to $8$.
# Adagrad does best with the largest rates, since its accumulated sum shrinks the steps anyway.
#
# Adam's curve has two regimes, which the code below locates. Call the curve *erratic* where it
# changes direction more than once: a curve with a single best learning rate falls, turns once and
# rises. Adam's final value falls with every larger rate up to $\eta \approx 0.13$; from there on it
# goes up and down, changing direction $10$ times over the $15$ larger rates. Its lowest value,
# $f \approx 0.062$ at $\eta \approx 0.75$, lies inside the erratic range, between neighbours that end
# $11$ and $8$ times higher ($f \approx 0.68$ at $\eta \approx 0.56$, $f \approx 0.48$ at $\eta = 1$):
# a lucky rate, not a reliable one. Yogi's curve has the same two regimes, with the same turning point and
# the same lowest rate. The robustness of Adam is real, but it is robustness against divergence, not
# a guarantee of a good result at any $\eta$.

# %% figures=["lr-sensitivity"]
lrs = np.logspace(-2, 1, 25)
sweep = {name: d2l.lr_sweep(make, f, lrs) for name, make in [
    ("gd", d2l.sgd), ("momentum, β=0.5", lambda lr: d2l.momentum(lr, 0.5)),
    ("adagrad", d2l.adagrad), ("rmsprop", d2l.rmsprop), ("adam", d2l.adam), ("yogi", d2l.yogi)]}
start_value = d2l.to_float(f(-5.0, -2.0))
d2l.show_lr_sweep(lrs, sweep, ceiling=10 * start_value)

# %%
for name in ("adam", "yogi"):
    finals = sweep[name]
    falling_until = next(k for k in range(len(lrs) - 1) if finals[k + 1] > finals[k])
    rises_and_falls = np.sign(np.diff(finals[falling_until:]))
    direction_changes = int(np.sum(rises_and_falls[1:] != rises_and_falls[:-1]))
    best = int(np.argmin(finals))
    print(f"{name}: f falls with every larger rate up to eta = {lrs[falling_until]:.3f}, then changes "
          f"direction {direction_changes} times over the {len(lrs) - 1 - falling_until} larger rates")
    print(f"{name}: lowest f = {finals[best]:.4f} at eta = {lrs[best]:.3f}; its neighbours end at "
          f"f = {finals[best - 1]:.4f} (eta = {lrs[best - 1]:.3f}) and {finals[best + 1]:.4f} "
          f"(eta = {lrs[best + 1]:.3f})")

# %% [markdown]
# ## Adam from scratch, on real data
#
# Each parameter gets two states of its own shape, `v` and `s`, both zeros. The step counter $t$
# is shared: it lives in the hyperparameter dictionary, starts at $1$, and the trainer increments
# it once, after *both* parameters have been updated. (Incrementing it inside the loop over
# parameters would advance it twice per minibatch and give the bias $b$ a different correction
# than the weights.) The constants are fixed inside the trainer: $\beta_1 = 0.9$,
# $\beta_2 = 0.999$ and $\epsilon = 10^{-6}$, outside the root.

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
# The airfoil regression again: batches of $10$, $\eta = 0.01$, two epochs, $t$ starting at $1$.
#
# **What to notice.** The first recorded loss, after $20$ steps, is still about $0.38$. With
# $\eta = 0.01$ a weight whose gradient keeps its sign moves by about $0.01$ per step (a few times
# that at most, by the bounds above), and the optimal weights are as large as $0.58$, so at the
# typical step Adam needs some sixty steps to get there whatever the size of the gradients. From
# about half an epoch on the loss stays close to the floor $0.2417$, wobbling slightly, as every
# constant-rate method on noisy minibatches does. A step of about $\eta$ is a safety feature and a
# speed limit at the same time.

# %% figures=["train-adam"]
d2l.seed(0)
data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
run = d2l.train_ch11(adam, init_adam_states(feature_dim), {"lr": 0.01, "t": 1}, data_iter,
                     feature_dim)

# %% [markdown] tags=["porting"]
# **For instructors porting code.** The book writes this trainer once per framework, and its
# TensorFlow version has two bugs, copied into several translations since. Its update computes
# $\mathbf{x} - \eta\,\hat{\mathbf{v}}/\sqrt{\hat{\mathbf{s}}} + \epsilon$ for lack of parentheses:
# $\epsilon$ is added to the *parameter* rather than to the denominator, so every step shifts each
# parameter by $10^{-6}$, and a coordinate whose gradients are all zero would divide zero by zero.
# And its counter $t$ is never incremented, so the correction stays at its $t = 1$ value,
# $\hat{\mathbf{v}} = 10\,\mathbf{v}$ and $\hat{\mathbf{s}} = 1000\,\mathbf{s}$. From the same
# averages $\mathbf{v}_t$ and $\mathbf{s}_t$ its step is then
#
# $$\frac{10\,\mathbf{v}_t/\sqrt{1000\,\mathbf{s}_t}}{\hat{\mathbf{v}}_t/\sqrt{\hat{\mathbf{s}}_t}}
# = \frac{\sqrt{1 - \beta_2}}{1 - \beta_1}\cdot\frac{1 - \beta_1^t}{\sqrt{1 - \beta_2^t}}$$
#
# times Adam's ($\epsilon$ aside). This factor is $1$ at $t = 1$, and it reaches its limit
# $\sqrt{0.001}/0.1 \approx 0.32$ only after several thousand steps (Exercise 2 tabulates it). The
# airfoil run has $300$ steps, and the cell below runs the buggy trainer on it and evaluates the
# factor at every one of them: the steps are larger than Adam's, up to $2.08$ times at $t = 12$,
# until $t = 105$, and smaller after that, down to $0.62$ times Adam's at $t = 300$. So in this run
# the bug is no "Adam with a smaller learning rate": it takes larger steps first and smaller ones
# later. Neither bug shows in the loss: its curve falls faster at first, as the larger early
# steps predict, and ends as low as Adam's; that is precisely how they went unnoticed. Here the
# trainer is written once, on `d2l.Variable`, and the same rule runs on every backend.

# %% tags=["porting"] figures=["train-adam-tensorflow-tab"]
def adam_tensorflow_tab(params, states, hyperparams):
    """The book's TensorFlow trainer, bugs kept: eps added to the parameter, t never advanced."""
    beta1, beta2, eps = 0.9, 0.999, 1e-6
    for p, (v, s) in zip(params, states):
        v.data = beta1 * v.data + (1 - beta1) * p.grad
        s.data = beta2 * s.data + (1 - beta2) * d2l.square(p.grad)
        v_bias_corr = v.data / (1 - beta1 ** hyperparams["t"])
        s_bias_corr = s.data / (1 - beta2 ** hyperparams["t"])
        p.data = p.data - hyperparams["lr"] * v_bias_corr / d2l.sqrt(s_bias_corr) + eps


d2l.seed(0)
data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
run = d2l.train_ch11(adam_tensorflow_tab, init_adam_states(feature_dim), {"lr": 0.01, "t": 1},
                     data_iter, feature_dim)
steps = 2 * len(data_iter)  # two epochs of minibatches
stuck_over_adam = {t: math.sqrt(1 - 0.999) / (1 - 0.9) * (1 - 0.9**t) / math.sqrt(1 - 0.999**t)
                   for t in range(1, steps + 1)}
largest = max(stuck_over_adam, key=stuck_over_adam.get)
last_larger = max(t for t, factor in stuck_over_adam.items() if factor > 1)
print(f"the stuck correction's step over Adam's in the {steps}-step run: {stuck_over_adam[1]:.2f} "
      f"at t = 1, largest {stuck_over_adam[largest]:.2f} at t = {largest}, above 1 until t = "
      f"{last_larger}, {stuck_over_adam[steps]:.2f} at t = {steps}")

# %% [markdown]
# ## Concise implementation
#
# Every framework has Adam built in: `torch.optim.Adam`, `tf.keras.optimizers.Adam`, and gluon's
# `"adam"`; NumPy, which has none, uses d2l's `d2l.adam`. Each tab passes only the learning rate,
# $0.01$, and so runs with its framework's defaults: $\beta_1 = 0.9$, $\beta_2 = 0.999$ everywhere,
# but an $\epsilon$ smaller than the book's $10^{-6}$, and in Keras and MXNet added in another place
# (the first note for instructors above has the details). On the
# airfoil data, where $\sqrt{\hat{s}}$ is of order $0.1$ to $1$, all of this changes the trajectory
# by far less than the noise of the minibatches, and the tabs end at the same loss to within a
# few thousandths.

# %%
d2l.seed(0)
data_iter, _ = d2l.get_data_ch11(10)

# %% tags=["framework-torch"] figures=["train-concise"]
import torch

run = d2l.train_concise_ch11(torch.optim.Adam, {"lr": 0.01}, data_iter)

# %% tags=["framework-tensorflow"] figures=["train-concise"]
import tensorflow as tf

run = d2l.train_concise_ch11(tf.keras.optimizers.Adam, {"learning_rate": 0.01}, data_iter)

# %% tags=["framework-mxnet"] figures=["train-concise"]
run = d2l.train_concise_ch11("adam", {"learning_rate": 0.01}, data_iter)

# %% tags=["framework-numpy"] figures=["train-concise"]
run = d2l.train_concise_ch11(d2l.adam, {"lr": 0.01}, data_iter)

# %% tags=["framework-jax"] figures=["train-concise"]
import optax

run = d2l.train_concise_ch11(optax.adam, {"learning_rate": 0.01}, data_iter)

# %% [markdown]
# ## Yogi
#
# Reddi, Kale and Kumar showed in 2018 that Adam can fail to converge, even on simple convex
# problems (the next section runs their example), and traced the failure to the second moment.
# Rewrite Adam's update of $\mathbf{s}$ as
#
# $$\mathbf{s}_t = \mathbf{s}_{t-1} + (1 - \beta_2)\,\big(\mathbf{g}_t^2 - \mathbf{s}_{t-1}\big).$$
#
# Each step moves $\mathbf{s}$ by a fixed fraction of the gap between the new squared gradient and
# the current estimate. When a period of large gradients is followed by small ones,
# $\mathbf{g}_t^2 \ll \mathbf{s}_{t-1}$ and the update is nearly $-(1 - \beta_2)\,\mathbf{s}_{t-1}$:
# $\mathbf{s}$ decays geometrically towards the new, small $\mathbf{g}^2$, by the factor $\beta_2$ per
# step, and the effective learning rate $\eta/\sqrt{\hat{\mathbf{s}}}$ climbs as $\mathbf{s}$ falls.
# The climb is bounded, not exponential: it levels off at about $\eta/|\mathbf{g}|$ of the small
# gradients, the rate from before the large ones. But it gets there fast: the excess
# $\mathbf{s} - \mathbf{g}^2$ halves every $\ln 2/(1 - \beta_2) \approx 700$ steps for
# $\beta_2 = 0.999$, and shrinks tenfold in a single step for $\beta_2 = 0.1$. The method forgets that
# large gradients ever happened, and a rare but informative large gradient loses its influence on
# the step sizes.
#
# Yogi (Zaheer, Reddi, Sachan, Kale and Kumar, 2018) keeps the direction of the update but not its
# size:
#
# $$\mathbf{s}_t = \mathbf{s}_{t-1} + (1 - \beta_2)\,\mathbf{g}_t^2 \odot
# \operatorname{sgn}\big(\mathbf{g}_t^2 - \mathbf{s}_{t-1}\big),$$
#
# with $\operatorname{sgn}(0) = 0$. The estimate still moves towards $\mathbf{g}_t^2$, but always by
# $(1 - \beta_2)\,\mathbf{g}_t^2$, whatever the gap. When the squared gradient exceeds the
# estimate, Yogi raises it by slightly more than Adam would; when it falls below, Yogi lowers it by
# an amount proportional to the *small* new gradient, so $\mathbf{s}$ decreases slowly and the
# effective learning rate can only creep up (Exercise 3 shows both on a gradient burst).
# Everything else is Adam's: the same momentum, the same bias corrections (borrowed from Adam; for
# Yogi's $\mathbf{s}$ they are a heuristic rather than an exact unbiasing) and the same update,
# with a larger $\epsilon = 10^{-3}$, the value the Yogi paper recommends.
#
# The trainer below differs from `adam` in two lines: the update of `s`, and $\epsilon$.

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


# %% [markdown] tags=["porting"]
# **For instructors porting code.** The book's TensorFlow Yogi uses $\epsilon = 10^{-6}$, added to
# the parameter as in its Adam (its counter $t$ does advance). Here $\epsilon = 10^{-3}$ sits in the
# denominator on every backend, as in the book's other tabs.

# %% [markdown]
# The airfoil run, with fresh minibatches of $10$, $\eta = 0.01$ and $t$ starting at $1$.
#
# **What to notice.** The curve is almost indistinguishable from Adam's. Nothing on this problem
# provokes the situation Yogi is built for: the gradients of a linear regression on standardised
# data do not switch between very different scales, so both second-moment estimates track the
# same quantity. Yogi's advantages show on problems with heavy-tailed or suddenly changing
# gradients, such as sparse features or the early phase of training very deep networks.

# %% figures=["train-yogi"]
data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
run = d2l.train_ch11(yogi, init_adam_states(feature_dim), {"lr": 0.01, "t": 1}, data_iter,
                     feature_dim)

# %% [markdown]
# ## An online problem on which Adam fails
#
# Reddi, Kale and Kumar's counterexample is an *online* problem: at every step $t$ the learner
# plays a point $x_t \in [-1, 1]$, then is shown a loss $f_t$ and pays $f_t(x_t)$. The losses repeat
# with period $3$,
#
# $$f_t(x) = \begin{cases} C\,x & \text{if } t \bmod 3 = 1,\\ -x & \text{otherwise,}\end{cases}
# \qquad C > 2.$$
#
# Over a period they add up to $(C - 2)\,x$, so the best fixed point is $x = -1$ and the worst is
# $x = +1$. A learner is judged by its *regret*
# $R_T = \sum_{t=1}^{T} \big(f_t(x_t) - f_t(-1)\big)$: a method that converges to the best point has
# an average regret $R_T/T$ that tends to $0$; one that sits at $x = +1$ pays
# $f_t(1) - f_t(-1) = 2g_t$ per step, on average $2(C - 2)/3$. After each step the point is projected
# back onto $[-1, 1]$, which in one dimension means clipping.
#
# Reddi et al. prove that Adam with $\beta_1 = 0$, $\beta_2 = 1/(1 + C^2)$ and a decaying rate
# $\eta_t = \eta/\sqrt{t}$ (with $\eta < \sqrt{1 - \beta_2}$) has an average regret that does not tend
# to $0$: it ends up at the worst point. The reason is the one just described. With $\beta_2$ this
# small, $s$ is close to $C^2$ right after the large gradient and back below $2$ a step later, so
# the large gradient, divided by about $C$, moves the point by only about $\eta_t$ towards $-1$, and
# the two small ones, divided by about $1$, move it back by more: for $C = 3$ the net move is about
# $+0.68\,\eta_t$ per period (Exercise 6 computes it). The normalisation erases exactly the
# information, the size of the rare gradient, that decides the direction. The fix they propose,
# **AMSGrad**, divides by the largest second moment seen so far,
# $s^{\max}_t = \max(s^{\max}_{t-1}, s_t)$, so that the effective learning rate
# $\eta_t/\sqrt{s^{\max}_t}$ never grows; they prove it converges. Yogi, whose $s$ can fall by only
# $(1 - \beta_2)\,g_t^2$ per step, also keeps the memory of $C^2$.
#
# Below, $C = 3$, $\beta_2 = 0.1$, $\eta_t = 0.5/\sqrt{t}$, from $x_1 = 0$, for $600$ steps: Adam and
# Yogi are the package's (`d2l.adam` and `d2l.yogi`, with $\beta_1 = 0$; their bias corrections
# barely matter at this $\beta_2$), AMSGrad is written out on the shim as in the paper, without
# bias correction.
#
# **What to notice.** After a first step towards $-1$, Adam heads for $+1$, gets there within about
# $50$ steps and stays at it or just below, with an average regret of $0.67$ over the $600$ steps:
# the $2(C - 2)/3 = 2/3$ that the worst point costs. AMSGrad and Yogi head for $-1$, and their
# average regrets, $0.033$ and $0.047$, are at least fourteen times smaller. They hover a little
# above $-1$: in each period the two small gradients push the point up by about $2\eta_t/\sqrt{s}$
# before the large one pushes it back, an excursion that shrinks as $\eta_t$ does.

# %% figures=["online-counterexample"]
C, online_steps = 3.0, 600


def online_gradient(t):
    """The gradient of f_t: C when t % 3 == 1, otherwise -1 (it does not depend on x)."""
    return C if t % 3 == 1 else -1.0


def decaying_lr(step):
    """eta_t = 0.5 / sqrt(t), where t = step + 1 counts the updates from 1."""
    return 0.5 / math.sqrt(step + 1)


def project(x):
    """The point of [-1, 1] closest to x."""
    return d2l.minimum(d2l.maximum(x, -1.0), 1.0)


def online_run(optimizer):
    """The points x_1 = 0, x_2, ... that ``optimizer`` plays, each projected onto [-1, 1]."""
    x, played = (d2l.tensor(0.0, "float64"),), []
    state = optimizer.init(x)
    for t in range(1, online_steps + 1):
        played.append(d2l.to_float(x[0]))
        x, state = optimizer.update((d2l.tensor(online_gradient(t), "float64"),), state, x)
        x = (project(x[0]),)
    return played


def amsgrad_run(beta2, eps=1e-6):
    """AMSGrad with beta1 = 0: x <- x - eta_t g / (sqrt(s_max) + eps), s_max the largest s so far."""
    x, s, s_max, played = d2l.tensor(0.0, "float64"), 0.0, d2l.tensor(0.0, "float64"), []
    for t in range(1, online_steps + 1):
        played.append(d2l.to_float(x))
        g = online_gradient(t)
        s = beta2 * s + (1 - beta2) * g**2
        s_max = d2l.maximum(s_max, s)
        x = project(x - decaying_lr(t - 1) * g / (d2l.sqrt(s_max) + eps))
    return played


def average_regret(played):
    """(1/T) sum_t (f_t(x_t) - f_t(-1)), where f_t(x) = g_t x."""
    return sum(online_gradient(t) * (x + 1) for t, x in enumerate(played, start=1)) / len(played)


beta2 = 1 / (1 + C**2)
online = {"adam": online_run(d2l.adam(decaying_lr, beta1=0.0, beta2=beta2)),
          "amsgrad": amsgrad_run(beta2),
          "yogi": online_run(d2l.yogi(decaying_lr, beta1=0.0, beta2=beta2))}
for name, played in online.items():
    print(f"{name:>7}: x_{online_steps} = {played[-1]:+.4f}, average regret {average_regret(played):.4f}")
d2l.plot(list(range(1, online_steps + 1)), list(online.values()), "t", "x_t", legend=list(online),
         ylim=[-1.05, 1.05])

# %% [markdown] tags=["porting"]
# **For instructors porting code.** *Ours equals theirs.* The concise cells above let each
# framework run its own Adam with its own defaults. How do we
# know that, set up properly, the frameworks' optimizers apply exactly the rules written from
# scratch in this chapter? The table below answers it for the active framework, for all six of
# d2l's optimizers that the frameworks have built in. NumPy has no optimizers of its own, and its
# concise tab runs `d2l.adam`; its tab checks instead that `d2l.adam` is the from-scratch trainer
# `adam` of this section, which it is, bit for bit.
#
# For each row, the framework's optimizer is **configured to our rule**: every hyperparameter is
# passed explicitly (never left to a default), and where the framework's formula differs in form
# it is set so that the formulas coincide. Examples from the tables: PyTorch's Adagrad gets
# `initial_accumulator_value=1e-06, eps=0.0`, which puts $\epsilon$ inside the root as the book
# does; Keras' Adam gets its `epsilon` reset to $\epsilon\sqrt{1 - \beta_2^t}$ before step $t$, which
# undoes the time-varying $\epsilon_t$ derived in the first note; MXNet's Adam gets $\beta_1$ and $\beta_2$ as
# the float32 numbers its kernel uses anyway. Then the framework's optimizer and d2l's run side by
# side for $30$ steps, from the same start, on the same minibatches of a small seeded linear
# regression, and the table reports the largest difference between the two parameter
# trajectories. The last column compares against the book's rule itself; where no setting of the
# framework can reproduce it (PyTorch's RMSprop always adds $\epsilon$ outside the root), the column
# before names the formula the framework applies and compares against that.
#
# **Why float64.** A wrong $\epsilon$ placement or a wrong default moves an Adam trajectory on this
# problem by only about $10^{-7}$ to $10^{-6}$ (Exercise 4 measures it). In float32 the rounding
# errors of two otherwise identical computations, performed in different orders by different
# libraries, already reach about $10^{-7}$ after a few dozen steps, so a tolerance loose enough to
# accept correct implementations would also accept the wrong ones. In float64 rounding errors are
# about $10^{-16}$: equal means equal to about sixteen digits, and a difference of $10^{-6}$ is ten
# orders of magnitude above the noise. MXNet 1.x keeps some optimizer states in float32 whatever
# the parameters' type, so its table is computed in float32 and its "equal" is correspondingly
# weaker.

# %% tags=["framework-torch", "porting"]
print(equivalence.format_table(equivalence.equivalence_table()))

# %% tags=["framework-tensorflow", "porting"]
print(equivalence.format_table(equivalence.equivalence_table()))

# %% tags=["framework-mxnet", "porting"]
print(equivalence.format_table(equivalence.equivalence_table()))

# %% tags=["framework-jax", "porting"]
print(equivalence.format_table(equivalence.equivalence_table()))

# %% tags=["framework-numpy", "porting"]
# NumPy has no optimizers of its own: its concise tab runs d2l.adam, so compare that with the
# from-scratch trainer `adam` above, on the same regression and in float64
batches, start = equivalence.regression_batches("float64")
package = equivalence.rule_trajectory("adam", {"lr": 0.01}, "float64")
params = [d2l.Variable(d2l.tensor(a, "float64")) for a in start]
states = [(d2l.Variable(d2l.zeros(a.shape, "float64")), d2l.Variable(d2l.zeros(a.shape, "float64")))
          for a in start]
hyperparams, scratch = {"lr": 0.01, "t": 1}, []
regression_grad = d2l.grad(lambda w, b, X, y: d2l.reduce_mean(
    d2l.square(d2l.reshape(d2l.matmul(X, w) + b, [-1]) - y)) / 2, argnums=(0, 1))
for step in range(len(package)):
    for p, g in zip(params, regression_grad(*(p.data for p in params), *batches[step % len(batches)])):
        p.grad = g
    adam(params, states, hyperparams)
    scratch.append(np.concatenate([d2l.numpy(p.data).ravel() for p in params]))
print(f"NumPy has no optimizers of its own. d2l.adam against the from-scratch adam above, "
      f"{len(package)} float64 steps: max abs difference {np.abs(np.array(scratch) - package).max():.1e}")

# %% [markdown]
# ## Summary
#
# * Adam keeps two leaky averages per parameter, of the gradient ($\mathbf{v}$, momentum) and of its
#   square ($\mathbf{s}$, as in RMSProp), divides each by $1 - \beta^t$ to undo their start at zero,
#   and steps by $\eta\,\hat{\mathbf{v}}/(\sqrt{\hat{\mathbf{s}}} + \epsilon)$; the usual weights are
#   $\beta_1 = 0.9$, $\beta_2 = 0.999$, with $\epsilon$ outside the root.
# * A coordinate moves by about $\eta$ per step whatever the size of its gradient. That is typical,
#   not a cap: a lone gradient after a run of zeros moves it by up to about $3.16\,\eta$, and no
#   sequence of gradients by more than about $7.27\,\eta$.
# * The normalised step makes Adam hard to push into divergence, not easy to tune: on the
#   quadratic its result stops improving steadily with $\eta$ well before its best rate, and beyond
#   that point it jumps from one rate to the next.
# * Without bias correction the first hundreds of steps would be several times too large; a
#   correction stuck at $t = 1$ makes them up to twice too large first and too small later.
# * After large gradients give way to small ones, Adam's $\mathbf{s}$ forgets them at the rate
#   $1 - \beta_2$ and its effective learning rate climbs back, boundedly, to where it was. On Reddi,
#   Kale and Kumar's online problem this lets Adam converge to the worst point; AMSGrad (the
#   largest $\mathbf{s}$ so far) and Yogi converge to the best.
# * Yogi changes only the update of $\mathbf{s}$,
#   $\mathbf{s} \leftarrow \mathbf{s} + (1 - \beta_2)\,\mathbf{g}^2 \odot
#   \operatorname{sgn}(\mathbf{g}^2 - \mathbf{s})$, so $\mathbf{s}$ moves by at most
#   $(1 - \beta_2)\,\mathbf{g}^2$ per step; it uses $\epsilon = 10^{-3}$.

# %% [markdown]
# ## Exercises
#
# **Exercise 1 (bias correction, exactly).** Run $5$ steps of `d2l.adam` with $\eta = 0.1$ on a
# constant gradient $g = 2$ and print $v_t$, $s_t$, $\hat{v}_t$, $\hat{s}_t$ and $x_t$ from the
# optimizer's state. Check that $v_t = (1 - \beta_1^t)\,g$.

# %% tags=["solution"]
optimizer = d2l.adam(0.1)
x, gradient = (d2l.tensor(0.0, "float64"),), (d2l.tensor(2.0, "float64"),)
state = optimizer.init(x)
v_history, s_history = [], []
for t in range(1, 6):
    x, state = optimizer.update(gradient, state, x)
    ((v, s),) = state.slots
    v, s = d2l.to_float(v), d2l.to_float(s)
    v_history.append(v)
    s_history.append(s)
    print(f"t = {t}: v = {v:.6f}, s = {s:.6f}, v_hat = {v / (1 - 0.9**t):.6f}, "
          f"s_hat = {s / (1 - 0.999**t):.6f}, v = (1 - 0.9^t) g: {abs(v - (1 - 0.9**t) * 2) < 1e-12}")
x_after_5 = d2l.to_float(x[0])
print(f"after 5 steps: x = {x_after_5:.6f}")

# %% [markdown] tags=["solution"]
# The raw averages creep up from zero, $v_1 = 0.2$ and $s_1 = 0.004$, a tenth and a thousandth of
# their targets $g = 2$ and $g^2 = 4$, exactly as $(1 - \beta)\sum_{i<t}\beta^i = 1 - \beta^t$
# predicts. The corrected averages are exact from the first step, $\hat{v}_t = 2$ and
# $\hat{s}_t = 4$, so every step is $\eta \cdot 2/(2 + \epsilon) \approx 0.1$: the parameter moves
# by $\eta$ per step, as the text said it would on a steady gradient.

# %% [markdown]
# **Exercise 2 (without the correction).** With $\beta_1 = 0.9$ and $\beta_2 = 0.999$, how much
# larger than Adam's step is the step $\eta\,\mathbf{v}_t/\sqrt{\mathbf{s}_t}$ of an Adam without
# bias correction? And the step of the book's TensorFlow tab, whose correction is stuck at
# $t = 1$? Tabulate both factors for $t$ from $1$ to $10{,}000$ (ignore $\epsilon$).

# %% tags=["solution"]
beta1, beta2 = 0.9, 0.999


def uncorrected_factor(t):
    """The step of Adam without bias correction, in units of Adam's step (eps ignored)."""
    return (1 - beta1**t) / math.sqrt(1 - beta2**t)


def stuck_factor(t):
    """The step with the correction stuck at t = 1 (v_hat = 10 v, s_hat = 1000 s), in the same units."""
    return uncorrected_factor(t) * math.sqrt(1 - beta2) / (1 - beta1)


for t in (1, 2, 5, 12, 50, 100, 1000, 10000):
    print(f"t = {t:5d}: no correction x {uncorrected_factor(t):.3f}, "
          f"correction stuck at t = 1 x {stuck_factor(t):.3f}")
peak_step = max(range(1, 1000), key=uncorrected_factor)
print(f"without correction the step is largest at t = {peak_step}: "
      f"{uncorrected_factor(peak_step):.3f} times Adam's")

# %% [markdown] tags=["solution"]
# Dividing the uncorrected step by the corrected one leaves
# $(1 - \beta_1^t)/\sqrt{1 - \beta_2^t}$. It starts at $0.1/\sqrt{0.001} \approx 3.16$, peaks at
# $6.57$ around $t = 12$, and only returns to $1$ after several thousand steps: without the
# correction the first hundreds of steps are several times too large, exactly when the
# estimates are least reliable. The second moment is the culprit, since its bias $1 - \beta_2^t$
# is the larger one; correcting only the momentum would make it worse. The stuck correction
# multiplies this by $10/\sqrt{1000} \approx 0.316$: right at $t = 1$, up to twice too large around
# $t = 12$, back to Adam's step near $t = 100$, and smaller after that, reaching its limit of
# $0.316$ times Adam's step only after several thousand steps.

# %% [markdown]
# **Exercise 3 (a burst of large gradients).** Feed Adam and Yogi ($\eta = 0.01$) a scalar
# gradient of $0.01$ for $200$ steps, then $1$ for $10$ steps, then $0.01$ again for $1{,}000$
# steps. Print $\mathbf{s}_t$ and the effective learning rate $\eta/(\sqrt{\hat{s}_t} + \epsilon)$
# just before the burst, just after it, and later; plot $\mathbf{s}_t$ for both.

# %% tags=["solution"] figures=["exercise-adam-yogi-burst"]
gradients = [0.01] * 200 + [1.0] * 10 + [0.01] * 1000
second_moments = {}
for name, make in (("adam", d2l.adam), ("yogi", d2l.yogi)):
    optimizer = make(0.01)
    x = (d2l.tensor(0.0, "float64"),)
    state, second_moments[name] = optimizer.init(x), []
    for value in gradients:
        x, state = optimizer.update((d2l.tensor(value, "float64"),), state, x)
        second_moments[name].append(d2l.to_float(state.slots[0][1]))
    for t in (200, 210, 410, 710, 1210):
        s = second_moments[name][t - 1]
        rate = 0.01 / (math.sqrt(s / (1 - 0.999**t)) + optimizer.hyperparams["eps"])
        print(f"{name} at t = {t:4d}: s = {s:.2e}, effective learning rate {rate:.3f}")
d2l.plot(list(range(1, len(gradients) + 1)), list(second_moments.values()), "step",
         "s", legend=list(second_moments), yscale="log")

# %% [markdown] tags=["solution"]
# Before the burst the two estimates are similar, and the burst lifts both to about $10^{-2}$.
# Then they part ways. Adam's $s$ decays towards the new $g^2 = 10^{-4}$, its excess shrinking by
# the factor $0.999$ per step, to about a third of its peak after $1{,}000$ steps, and its effective
# learning rate triples, from $0.044$ to $0.137$. It would keep climbing for a few thousand steps
# more, but not without bound: as $s$ approaches $10^{-4}$ the rate levels off at about
# $\eta/|g| = 1$, its value before the burst. Yogi lowers $s$ by only $(1 - \beta_2)\,g^2 = 10^{-7}$ per
# step, so $s$ stays near $10^{-2}$; its effective learning rate still grows a little, from $0.043$
# to $0.083$, but only because the bias correction $1/(1 - \beta_2^t)$ keeps fading, which is
# bounded. The figure shows Adam's nearly straight decline on the log scale (the geometric decay
# of the excess) against Yogi's flat line.
# Which behaviour is better depends on the problem: Yogi remembers that large gradients can occur
# and stays cautious, which is what its convergence analysis needs; Adam adapts back to small
# gradients faster.

# %% [markdown]
# **Exercise 4 (how much does $\epsilon$'s placement matter?).** On the seeded regression that the
# equivalence table uses (`equivalence.regression_batches`), run $30$ steps of Adam ($\eta = 0.01$,
# $\epsilon = 10^{-6}$) in float64 with $\epsilon$ outside the root (the book), inside it, as
# Keras' and MXNet's $\hat{\epsilon}$, with PyTorch's default $\epsilon = 10^{-8}$, and with no
# $\epsilon$ at all, and print the largest difference from the book's trajectory. Compare with the
# difference that float32 rounding alone makes to the book's rule.

# %% tags=["solution"]
def adam_trajectory(denominator, dtype="float64", steps=30, lr=0.01):
    """Adam's parameters after each step, with ``denominator(s_hat, t)`` under the momentum."""
    batches, start = equivalence.regression_batches(dtype)

    def loss(w, b, X, y):
        return d2l.reduce_mean(d2l.square(d2l.reshape(d2l.matmul(X, w) + b, [-1]) - y)) / 2

    loss_grad = d2l.grad(loss, argnums=(0, 1))
    params, v, s, trajectory = [d2l.tensor(a, dtype) for a in start], [0.0, 0.0], [0.0, 0.0], []
    for t in range(1, steps + 1):
        for i, g in enumerate(loss_grad(*params, *batches[(t - 1) % len(batches)])):
            v[i] = 0.9 * v[i] + 0.1 * g
            s[i] = 0.999 * s[i] + 0.001 * g * g
            params[i] = params[i] - lr * v[i] / (1 - 0.9**t) / denominator(s[i] / (1 - 0.999**t), t)
        trajectory.append(np.concatenate([d2l.numpy(p).astype(np.float64).ravel() for p in params]))
    return np.array(trajectory)


book = adam_trajectory(lambda s_hat, t: d2l.sqrt(s_hat) + 1e-6)
placements = {"inside the root": lambda s_hat, t: d2l.sqrt(s_hat + 1e-6),
              "epsilon-hat (Keras, MXNet)": lambda s_hat, t: d2l.sqrt(s_hat) + 1e-6 * math.sqrt(1 - 0.999**t),
              "eps = 1e-8 (PyTorch's default)": lambda s_hat, t: d2l.sqrt(s_hat) + 1e-8,
              "no epsilon": lambda s_hat, t: d2l.sqrt(s_hat)}
differences = []
for name, denominator in placements.items():
    differences.append(np.abs(adam_trajectory(denominator) - book).max())
    print(f"{name:>30}: {differences[-1]:.1e}")
in_float32 = adam_trajectory(lambda s_hat, t: d2l.sqrt(s_hat) + 1e-6, dtype="float32")
float32_difference = np.abs(in_float32 - book).max()
print(f"float32 rounding alone: {float32_difference:.1e}")

# %% [markdown] tags=["solution"]
# Every variant stays within about $6 \times 10^{-7}$ of the book's trajectory, and float32 rounding
# alone moves it by about $5 \times 10^{-8}$ to $10^{-7}$, depending on the framework: the two
# effects are within a factor of ten of each other. A float32 comparison of two implementations
# needs a tolerance of a few times $10^{-7}$ to pass when they are equal, and at that tolerance an
# $\epsilon$ in the wrong place, or even a missing one, passes too. In float64 the same
# implementations agree to about $10^{-16}$, so the equivalence table can tell a correct
# configuration from a wrong one with ten orders of magnitude to spare.

# %% [markdown]
# **Exercise 5 (how long can one step be?).** Take $\eta = 1$, so that a step's length is its
# multiple of $\eta$, and run $1{,}000$ steps of `d2l.adam` (with $\epsilon = 10^{-12}$, too small to
# matter) on three coordinates at once: one whose gradient is always $1$, one whose gradient is $0$
# until the last step and $1$ then, and one whose gradient grows by the factor $\beta_2/\beta_1$ per
# step, ending at $1$. Compare the last step of each with the bounds in the text.

# %% tags=["solution"]
beta1, beta2, steps = 0.9, 0.999, 1000
optimizer = d2l.adam(1.0, eps=1e-12)
x = (d2l.zeros(3, "float64"),)
state = optimizer.init(x)
for t in range(1, steps + 1):
    gradients = d2l.tensor([1.0, 1.0 if t == steps else 0.0, (beta2 / beta1) ** (t - steps)], "float64")
    before = x[0]
    x, state = optimizer.update((gradients,), state, x)
last_steps = d2l.numpy(before - x[0])
steady_step, lone_step, growing_step = last_steps
gamma = beta1**2 / beta2
lone_bound = (1 - beta1) / (1 - beta1**steps) * math.sqrt((1 - beta2**steps) / (1 - beta2))
growing_bound = lone_bound * math.sqrt((1 - gamma**steps) / (1 - gamma))
print(f"steady gradient: last step {steady_step:.4f} eta")
print(f"one gradient after {steps - 1} zeros: last step {lone_step:.4f} eta (formula {lone_bound:.4f}, "
      f"large-t limit {(1 - beta1) / math.sqrt(1 - beta2):.4f})")
print(f"gradient growing by beta2/beta1 per step: last step {growing_step:.4f} eta (Cauchy-Schwarz "
      f"bound {growing_bound:.4f}, large-t limit {(1 - beta1) / math.sqrt((1 - beta2) * (1 - gamma)):.4f})")

# %% [markdown] tags=["solution"]
# The steady gradient moves its coordinate by exactly $\eta$. The lone gradient after $999$ zeros
# gets $\frac{1 - \beta_1}{1 - \beta_1^t}\sqrt{\frac{1 - \beta_2^t}{1 - \beta_2}}\,\eta \approx 2.51\,\eta$
# at $t = 1{,}000$; the factor $\sqrt{1 - \beta_2^t}$ still holds it below Kingma and Ba's
# $3.16\,\eta$, which it approaches only when $\beta_2^t$ is negligible, after many thousand steps. The
# growing gradient attains the Cauchy–Schwarz bound, $5.78\,\eta$ at $t = 1{,}000$, well above
# Kingma and Ba's bound, on its way to $7.27\,\eta$. A gradient that grows by $11\%$ per step for a
# thousand steps is far from typical training, which is why $\eta$ is a good guide to the step;
# it is not a guarantee.

# %% [markdown]
# **Exercise 6 (Adam fails, Yogi converges).** Find a problem on which Adam fails to converge and
# Yogi does not. The online problem above is one, with $\beta_2 = 0.1$. Is the small $\beta_2$
# essential? Run Adam and Yogi on the same problem ($C = 3$, $\beta_1 = 0$,
# $\eta_t = 0.5/\sqrt{t}$, $600$ steps from $x_1 = 0$) for $\beta_2$ from $0.01$ to $0.999$, all values
# at once ($\beta_2$ may be a tensor, one run per entry). For which $\beta_2$ does Adam head for
# $+1$? Explain the boundary by how far Adam moves per period once $s$ has settled into a cycle.
# Does $\beta_2 = 0.999$ make Adam safe?

# %% tags=["solution"]
beta2_grid = [0.01, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 0.9, 0.99, 0.999]
ends = {}
for name, make in (("adam", d2l.adam), ("yogi", d2l.yogi)):
    optimizer = make(decaying_lr, beta1=0.0, beta2=d2l.tensor(beta2_grid, "float64"))
    x = (d2l.zeros(len(beta2_grid), "float64"),)
    state = optimizer.init(x)
    for t in range(1, online_steps + 1):
        gradients = online_gradient(t) * d2l.ones(len(beta2_grid), "float64")
        x, state = optimizer.update((gradients,), state, x)
        x = (project(x[0]),)
    ends[name] = d2l.numpy(x[0])
adam_ends, yogi_ends = ends["adam"], ends["yogi"]


def adam_move_per_period(beta2):
    """Adam's move over one period, in units of eta_t, once s cycles (bias corrections faded):
    -C / sqrt(s_1) + 1 / sqrt(s_2) + 1 / sqrt(s_3), s_1 after the large gradient."""
    s_1 = (C**2 + beta2 + beta2**2) / (1 + beta2 + beta2**2)
    s_2 = beta2 * s_1 + 1 - beta2
    s_3 = beta2 * s_2 + 1 - beta2
    return -C / math.sqrt(s_1) + 1 / math.sqrt(s_2) + 1 / math.sqrt(s_3)


for beta2, adam_end, yogi_end in zip(beta2_grid, ends["adam"], ends["yogi"]):
    print(f"beta2 = {beta2:5.3f}: Adam moves {adam_move_per_period(beta2):+.3f} eta_t per period; "
          f"after {online_steps} steps Adam x = {adam_end:+.3f}, Yogi x = {yogi_end:+.3f}")
low, high = beta2_grid[0], beta2_grid[-1]  # Adam moves up at the one, down at the other
for _ in range(50):
    middle = (low + high) / 2
    low, high = (middle, high) if adam_move_per_period(middle) > 0 else (low, middle)
adam_fails_below = low
print(f"Adam heads for the worst point x = +1 when beta2 < {adam_fails_below:.4f}")

# %% [markdown] tags=["solution"]
# Adam ends at $+1$ for every $\beta_2$ up to $0.3$, is on its way there at $0.4$ ($x = +0.517$
# after $600$ steps), and heads for $-1$ from $0.6$ on; Yogi ends near $-1$ for every $\beta_2$ of the
# grid. So for every small $\beta_2$ here, Adam fails and Yogi converges. The boundary follows from
# the cycle that $s$ settles into once the bias corrections have faded. Right after the large
# gradient, $s_1 = \beta_2 s_3 + (1 - \beta_2)C^2$, and after the small ones
# $s_2 = \beta_2 s_1 + 1 - \beta_2$ and $s_3 = \beta_2 s_2 + 1 - \beta_2$; solving the cycle gives
# $s_1 = (C^2 + \beta_2 + \beta_2^2)/(1 + \beta_2 + \beta_2^2)$. With $\beta_1 = 0$ each step is
# $\eta_t g/\sqrt{s}$, so over a period Adam moves by
# $\eta_t\,(-C/\sqrt{s_1} + 1/\sqrt{s_2} + 1/\sqrt{s_3})$ (taking $\eta_t$ as constant within a period),
# which is positive, towards the worst point, exactly when $\beta_2 < 0.47$ for $C = 3$. The smaller
# $\beta_2$, the faster $s$ forgets $C^2$ and the more the two small gradients weigh against the
# large one.
#
# A larger $\beta_2$ does not make Adam safe, only the counterexample longer: Reddi, Kale and Kumar
# prove (their Theorem 2) that for any $\beta_1 < \sqrt{\beta_2}$ there is an online problem of
# this kind on which Adam fails, with the large gradient rare enough that $s$ forgets it between two
# occurrences. Yogi's $s$ falls by at most $(1 - \beta_2)\,g_t^2$ per step, and AMSGrad's never falls.

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (3 points).** A complete answer:
#
# - It solves the cycle of $s$ once the corrections have faded,
#   $s_1 = (C^2 + \beta_2 + \beta_2^2)/(1 + \beta_2 + \beta_2^2)$ (1 point).
# - It shows that Adam's move per period, $-C/\sqrt{s_1} + 1/\sqrt{s_2} + 1/\sqrt{s_3}$, is positive
#   below $\beta_2 \approx 0.47$ (1 point).
# - It says that $\beta_2 = 0.999$ does not make Adam safe: for every $\beta_1 < \sqrt{\beta_2}$
#   there is a problem on which Adam fails (Reddi, Kale and Kumar) (1 point).
