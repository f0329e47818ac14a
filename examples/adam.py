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
# flaws: on some problems it fails to converge, and the second half of the section looks at Yogi, a
# small change to Adam's second-moment estimate designed to fix one source of that failure.
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
# large or small its gradient. This gives $\eta$ a concrete meaning: the distance each parameter
# may travel per step, in the parameter's own units.
#
# **Where $\epsilon$ sits.** Adam adds $\epsilon$ *outside* the root, to $\sqrt{\hat{\mathbf{s}}_t}$,
# whereas this chapter's Adagrad, RMSProp and Adadelta put it inside, $\sqrt{\mathbf{s} + \epsilon}$.
# The difference is one of threshold. Outside, $\epsilon = 10^{-6}$ changes the step only where
# $\sqrt{\hat{s}}$ is itself about $10^{-6}$; inside, it would already damp coordinates whose
# gradients are about $\sqrt{\epsilon} = 10^{-3}$ in size. This section uses $\epsilon = 10^{-6}$;
# PyTorch and MXNet default to $10^{-8}$, Keras to $10^{-7}$.
#
# Frameworks do not all add their $\epsilon$ in the same place either. Writing the step with the
# corrections pulled out,
#
# $$\frac{\eta\,\hat{\mathbf{v}}_t}{\sqrt{\hat{\mathbf{s}}_t} + \epsilon}
# = \eta\,\frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}\cdot
# \frac{\mathbf{v}_t}{\sqrt{\mathbf{s}_t} + \epsilon\sqrt{1 - \beta_2^t}},$$
#
# shows that Keras and MXNet, which add a constant $\hat{\epsilon}$ to the *uncorrected*
# $\sqrt{\mathbf{s}_t}$, apply the book's rule with an $\epsilon$ that changes over time,
# $\epsilon_t = \hat{\epsilon}/\sqrt{1 - \beta_2^t}$: about $32\,\hat{\epsilon}$ at the first step,
# $\hat{\epsilon}$ in the long run. With $\epsilon$ this small, none of it is visible in a loss
# curve, and it takes a careful float64 comparison, at the end of the section, to tell the forms
# apart.
#
# Run as a script: `python examples/adam.py --backend mxnet --out figures/`.

# %%
import numpy as np

import d2l_optim as d2l
from d2l_optim import equivalence, objectives

section = d2l.Section("adam")
# printed losses agree across frameworks to their last digit; seconds are measurements
section.compare(r"loss: (\S+),", atol=1.5e-3)
section.compare(r"(\S+) sec/epoch", "timing")
CURVE = {"atol": 1e-4}  # from-scratch loss curves agree across frameworks to 1e-4
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

# %%
for name, make in [("adam", d2l.adam), ("yogi", d2l.yogi)]:
    section.save(d2l.show_trace_2d(f, d2l.train_2d(make(0.4), f_grad=f_grad)), name)

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
# Adam and Yogi are best around $\eta = 0.3$ and erratic above $1$; at the smallest rates they are
# *slower* than gradient descent, because their step is about $\eta$ per coordinate while gradient
# descent's is $\eta$ times a gradient of up to $8$. Adagrad does best with the largest rates, since
# its accumulated sum shrinks the steps anyway. The robustness of Adam is real, but it is
# robustness against divergence, not a guarantee of a good result at any $\eta$.

# %%
lrs = np.logspace(-2, 1, 25)
sweep = {name: d2l.lr_sweep(make, f, lrs) for name, make in [
    ("gd", d2l.sgd), ("momentum, β=0.5", lambda lr: d2l.momentum(lr, 0.5)),
    ("adagrad", d2l.adagrad), ("rmsprop", d2l.rmsprop), ("adam", d2l.adam), ("yogi", d2l.yogi)]}
start_value = d2l.to_float(f(-5.0, -2.0))
section.save(d2l.show_lr_sweep(lrs, sweep, ceiling=10 * start_value), "lr-sensitivity")

# %% [markdown]
# ## Adam from scratch, on real data
#
# Each parameter gets two states of its own shape, `v` and `s`, both zeros. The step counter $t$
# is shared: it lives in the hyperparameter dictionary, starts at $1$, and the trainer increments
# it once, after *both* parameters have been updated. (Incrementing it inside the loop over
# parameters would advance it twice per minibatch and give the bias $b$ a different correction
# than the weights.) The constants are fixed inside the trainer: $\beta_1 = 0.9$,
# $\beta_2 = 0.999$ and $\epsilon = 10^{-6}$, outside the root.
#
# **The book's TensorFlow tab, and why it is not reproduced.** The book writes this trainer once
# per framework, and its TensorFlow version has two bugs, copied into several translations since.
# Its update computes $\mathbf{x} - \eta\,\hat{\mathbf{v}}/\sqrt{\hat{\mathbf{s}}} + \epsilon$ for
# lack of parentheses: $\epsilon$ is added to the *parameter* rather than to the denominator, so every step
# shifts each parameter by $10^{-6}$, and a coordinate whose gradients are all zero would divide
# zero by zero. And the counter $t$ is never incremented, so the correction stays at its $t = 1$
# value forever, $\hat{\mathbf{v}} = 10\,\mathbf{v}$ and $\hat{\mathbf{s}} = 1000\,\mathbf{s}$; once
# the averages have warmed up that makes every step $10/\sqrt{1000} \approx 0.32$ times the correct
# one, an Adam with a smaller learning rate (Exercise 2 compares the factors). Neither bug shows in
# the airfoil loss (that variant ends near $0.2426$, as good as the correct one), which is
# precisely how they went unnoticed. Here the trainer is written once, on `d2l.Variable`, and the
# same rule runs on every backend; the table at the end checks it against every framework's own
# Adam.

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
# $\eta = 0.01$ each weight moves by at most about $0.01$ per step, and the optimal weights are as
# large as $0.58$, so Adam needs some sixty steps to get there whatever the gradients say. From
# about half an epoch on the loss stays close to the floor $0.2417$, wobbling slightly, as every
# constant-rate method on noisy minibatches
# does. A bounded step is a safety feature and a speed limit at the same time.

# %%
d2l.seed(0)
data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
run = d2l.train_ch11(adam, init_adam_states(feature_dim), {"lr": 0.01, "t": 1}, data_iter,
                     feature_dim)
section.save(run.animator, "train-adam", compare=CURVE)

# %% [markdown]
# ## Concise implementation
#
# Every framework has Adam built in: `torch.optim.Adam`, `tf.keras.optimizers.Adam`, and gluon's
# `"adam"`; NumPy, which has none, uses d2l's `d2l.adam`. Each tab passes only the learning rate,
# $0.01$, and so runs with its framework's defaults: $\beta_1 = 0.9$, $\beta_2 = 0.999$ everywhere,
# but $\epsilon = 10^{-8}$ (PyTorch, MXNet) or $10^{-7}$ (Keras) instead of the book's $10^{-6}$,
# and, in Keras and MXNet, added to the uncorrected $\sqrt{\mathbf{s}}$ as derived above. On the
# airfoil data, where $\sqrt{\hat{s}}$ is of order $0.1$ to $1$, all of this changes the trajectory
# by far less than the noise of the minibatches, and the tabs end at the same loss to within a
# few thousandths.

# %%
d2l.seed(0)
data_iter, _ = d2l.get_data_ch11(10)

# %% tags=["framework-torch"]
import torch

run = d2l.train_concise_ch11(torch.optim.Adam, {"lr": 0.01}, data_iter)

# %% tags=["framework-tensorflow"]
import tensorflow as tf

run = d2l.train_concise_ch11(tf.keras.optimizers.Adam, {"learning_rate": 0.01}, data_iter)

# %% tags=["framework-mxnet"]
run = d2l.train_concise_ch11("adam", {"learning_rate": 0.01}, data_iter)

# %% tags=["framework-numpy"]
run = d2l.train_concise_ch11(d2l.adam, {"lr": 0.01}, data_iter)

# %% tags=["framework-jax"]
import optax

run = d2l.train_concise_ch11(optax.adam, {"learning_rate": 0.01}, data_iter)

# %%
section.save(run.animator, "train-concise", compare="framework")

# %% [markdown]
# ## Yogi
#
# Reddi, Kale and Kumar showed in 2018 that Adam can fail to converge, even on simple convex
# problems, and traced the failure to the second moment. Rewrite Adam's update of $\mathbf{s}$ as
#
# $$\mathbf{s}_t = \mathbf{s}_{t-1} + (1 - \beta_2)\,\big(\mathbf{g}_t^2 - \mathbf{s}_{t-1}\big).$$
#
# Each step moves $\mathbf{s}$ by a fixed fraction of the gap between the new squared gradient and
# the current estimate. When a period of large gradients is followed by small ones,
# $\mathbf{g}_t^2 \ll \mathbf{s}_{t-1}$ and the update is nearly $-(1 - \beta_2)\,\mathbf{s}_{t-1}$:
# $\mathbf{s}$ decays geometrically, by the factor $\beta_2$ per step, and the effective learning
# rate $\eta/\sqrt{\hat{\mathbf{s}}}$ grows exponentially. The method quickly forgets that large
# gradients ever happened, and a rare but informative large gradient loses its influence on the
# step sizes.
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
# with a larger $\epsilon = 10^{-3}$, the value the Yogi paper recommends. The book's TensorFlow tab
# uses $10^{-6}$ with the same misplaced "$+\,\epsilon$" as its Adam; here $\epsilon = 10^{-3}$ sits in
# the denominator on every backend.
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


# %% [markdown]
# The airfoil run, with fresh minibatches of $10$, $\eta = 0.01$ and $t$ starting at $1$.
#
# **What to notice.** The curve is almost indistinguishable from Adam's. Nothing on this problem
# provokes the situation Yogi is built for: the gradients of a linear regression on standardised
# data do not switch between very different scales, so both second-moment estimates track the
# same quantity. Yogi's advantages show on problems with heavy-tailed or suddenly changing
# gradients, such as sparse features or the early phase of training very deep networks.

# %%
data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
run = d2l.train_ch11(yogi, init_adam_states(feature_dim), {"lr": 0.01, "t": 1}, data_iter,
                     feature_dim)
section.save(run.animator, "train-yogi", compare=CURVE)

# %% [markdown]
# ## Ours equals theirs
#
# The concise cells above let each framework run its own Adam with its own defaults. How do we
# know that, set up properly, the frameworks' optimizers apply exactly the rules written from
# scratch in this chapter? The table below answers it for the active framework, for all six of
# d2l's optimizers that the frameworks have built in.
#
# For each row, the framework's optimizer is **configured to our rule**: every hyperparameter is
# passed explicitly (never left to a default), and where the framework's formula differs in form
# it is set so that the formulas coincide. Examples from the tables: PyTorch's Adagrad gets
# `initial_accumulator_value=1e-06, eps=0.0`, which puts $\epsilon$ inside the root as the book
# does; Keras' Adam gets its `epsilon` reset to $\epsilon\sqrt{1 - \beta_2^t}$ before step $t$, which
# undoes the time-varying $\epsilon_t$ derived above; MXNet's Adam gets $\beta_1$ and $\beta_2$ as
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

# %%
section.compare(r"^\|.*", "framework")  # each framework's own table
section.compare(r"^Loss: .*", "framework")
print(equivalence.format_table(equivalence.equivalence_table()))
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
for t in range(1, 6):
    x, state = optimizer.update(gradient, state, x)
    ((v, s),) = state.slots
    v, s = d2l.to_float(v), d2l.to_float(s)
    print(f"t = {t}: v = {v:.6f}, s = {s:.6f}, v_hat = {v / (1 - 0.9**t):.6f}, "
          f"s_hat = {s / (1 - 0.999**t):.6f}, v = (1 - 0.9^t) g: {abs(v - (1 - 0.9**t) * 2) < 1e-12}")
print(f"after 5 steps: x = {d2l.to_float(x[0]):.6f}")

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
import math

beta1, beta2 = 0.9, 0.999
for t in (1, 2, 5, 12, 50, 100, 1000, 10000):
    uncorrected = (1 - beta1**t) / math.sqrt(1 - beta2**t)
    stuck = uncorrected * math.sqrt(1 - beta2) / (1 - beta1)  # v_hat = 10 v, s_hat = 1000 s
    print(f"t = {t:5d}: no correction x {uncorrected:.3f}, correction stuck at t = 1 x {stuck:.3f}")
largest = max(range(1, 1000), key=lambda t: (1 - beta1**t) / math.sqrt(1 - beta2**t))
print(f"without correction the step is largest at t = {largest}: "
      f"{(1 - beta1**largest) / math.sqrt(1 - beta2**largest):.3f} times Adam's")

# %% [markdown] tags=["solution"]
# Dividing the uncorrected step by the corrected one leaves
# $(1 - \beta_1^t)/\sqrt{1 - \beta_2^t}$. It starts at $0.1/\sqrt{0.001} \approx 3.16$, peaks at
# $6.57$ around $t = 12$, and only returns to $1$ after several thousand steps: without the
# correction the first hundreds of steps are several times too large, exactly when the
# estimates are least reliable. The second moment is the culprit, since its bias $1 - \beta_2^t$
# is the larger one; correcting only the momentum would make it worse. The stuck correction
# multiplies this by $10/\sqrt{1000} \approx 0.316$: right at $t = 1$, up to twice too large around
# $t = 12$, and $0.316$ times Adam's step for good once the averages have warmed up.

# %% [markdown]
# **Exercise 3 (a burst of large gradients).** Feed Adam and Yogi ($\eta = 0.01$) a scalar
# gradient of $0.01$ for $200$ steps, then $1$ for $10$ steps, then $0.01$ again for $1{,}000$
# steps. Print $\mathbf{s}_t$ and the effective learning rate $\eta/(\sqrt{\hat{s}_t} + \epsilon)$
# just before the burst, just after it, and later; plot $\mathbf{s}_t$ for both.

# %% tags=["solution"]
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
section.save(d2l.plot(list(range(1, len(gradients) + 1)), list(second_moments.values()), "step",
                      "s", legend=list(second_moments), yscale="log"), "exercise-adam-yogi-burst")

# %% [markdown] tags=["solution"]
# Before the burst the two estimates are similar, and the burst lifts both to about $10^{-2}$.
# Then they part ways. Adam's $s$ decays by the factor $0.999$ per step, to about a third of its
# peak after $1{,}000$ steps, and its effective learning rate triples, from $0.044$ to $0.137$, and
# would keep growing exponentially. Yogi lowers $s$ by only $(1 - \beta_2)\,g^2 = 10^{-7}$ per step,
# so $s$ stays near $10^{-2}$; its effective learning rate still grows a little, from $0.043$ to
# $0.083$, but only because the bias correction $1/(1 - \beta_2^t)$ keeps fading, which is bounded.
# The figure shows Adam's straight exponential decline on the log scale against Yogi's flat line.
# Which behaviour is better depends on the problem: Yogi remembers that large gradients can occur
# and stays cautious, which is what its convergence analysis needs; Adam adapts back to small
# gradients faster.

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
for name, denominator in placements.items():
    print(f"{name:>30}: {np.abs(adam_trajectory(denominator) - book).max():.1e}")
section.compare(r"float32 rounding alone: (\S+)", atol=1e-7)  # rounding differs between frameworks
in_float32 = adam_trajectory(lambda s_hat, t: d2l.sqrt(s_hat) + 1e-6, dtype="float32")
print(f"float32 rounding alone: {np.abs(in_float32 - book).max():.1e}")

# %% [markdown] tags=["solution"]
# Every variant stays within about $6 \times 10^{-7}$ of the book's trajectory, and float32 rounding
# alone moves it by about $5 \times 10^{-8}$ to $10^{-7}$, depending on the framework: the two
# effects are within a factor of ten of each other. A float32 comparison of two implementations
# needs a tolerance of a few times $10^{-7}$ to pass when they are equal, and at that tolerance an
# $\epsilon$ in the wrong place, or even a missing one, passes too. In float64 the same
# implementations agree to about $10^{-16}$, so the equivalence table can tell a correct
# configuration from a wrong one with ten orders of magnitude to spare.
