# %% [markdown]
# # RMSProp
#
# Adagrad's per-coordinate rates are a good idea with one flaw: the accumulator $\mathbf{s}_t$ is
# a plain sum of squared gradients, so it never shrinks, and the rates $\eta/\sqrt{\mathbf{s}_t}$
# decay like $1/\sqrt{t}$ whether or not that suits the problem. For deep networks it usually
# does not: the landscape a network sees late in training has little to do with the one it saw in
# the first epoch, and gradients from back then should not keep braking the steps now. RMSProp
# (root mean square propagation) keeps Adagrad's scaling but measures the gradient size over a
# *recent* window only, with the same leaky average that momentum uses for the gradients
# themselves. This section derives the update, looks at the weights the leaky average assigns,
# runs it on the ill-conditioned quadratic, and trains the airfoil regression from scratch and
# with each framework's built-in optimizer, whose defaults and names differ.
#
# Run as a script: `python examples/rmsprop.py --backend torch --out figures/`.

# %% [markdown]
# ## The algorithm
#
# One way to stop Adagrad's rates from vanishing would be to divide $\mathbf{s}_t$ by $t$, turning
# the sum into a mean. But a mean over all of history still reacts ever more slowly to new
# information. RMSProp instead replaces the sum by a leaky average with a decay $\gamma \in [0, 1)$:
#
# $$\begin{aligned}
# \mathbf{s}_t &= \gamma\,\mathbf{s}_{t-1} + (1 - \gamma)\,\mathbf{g}_t^2, \\
# \mathbf{x}_t &= \mathbf{x}_{t-1} - \frac{\eta}{\sqrt{\mathbf{s}_t + \epsilon}} \odot \mathbf{g}_t,
# \end{aligned}$$
#
# with $\mathbf{s}_0 = \mathbf{0}$, elementwise squares and roots, and a small $\epsilon > 0$
# (typically $10^{-6}$) that keeps the division finite. Compared with Adagrad, only the first line
# changed: old squared gradients are multiplied by $\gamma$ at every step, so they fade away, and
# the new one enters with the weight $1 - \gamma$. As a result, $\mathbf{s}_t$ estimates the
# *mean* squared gradient of the last $1/(1 - \gamma)$ steps or so, and $\sqrt{\mathbf{s}_t}$ the
# root mean square that gives the method its name. If the gradient size stays roughly constant,
# so does $\mathbf{s}_t$, and so does the effective rate: the decay of the learning rate is no
# longer built in. It is left to a learning-rate schedule, which can then be chosen independently
# of the gradient statistics.
#
# The state is the same as Adagrad's, one vector per parameter, and the cost per step is about the
# same. RMSProp was first presented in a lecture course rather than a paper, and the frameworks
# did not agree on a name for its decay; more on that below.
#
# ## The weights of the leaky average
#
# Unrolling the recursion,
#
# $$\mathbf{s}_t = (1 - \gamma)\left(\mathbf{g}_t^2 + \gamma\,\mathbf{g}_{t-1}^2
# + \gamma^2\,\mathbf{g}_{t-2}^2 + \cdots\right) + \gamma^t\,\mathbf{s}_0,$$
#
# so a squared gradient from $\tau$ steps back enters with the weight $(1 - \gamma)\gamma^\tau$.
# Those weights add up to $(1 - \gamma)\sum_{\tau \ge 0}\gamma^\tau = 1$: unlike momentum's velocity,
# whose weights add up to $1/(1 - \beta)$, this is a genuine weighted average, so $\mathbf{s}_t$ has
# the units and the size of a squared gradient. The figure plots the weights for four decays.
# Notice the trade-off in it: with $\gamma = 0.7$ the newest gradient gets $30\%$ of the weight and
# the average forgets within about ten steps, responsive but noisy; with $\gamma = 0.95$ the
# newest gets only $5\%$ and the weights are still visible at the right edge of the plot, a
# smoother but slower estimate. Over an unending time axis, the area under each curve would be
# exactly one.

# %% tags=["remove-cell"]
import d2l_optim as d2l

section = d2l.Section("rmsprop")
# printed losses agree across frameworks to their last digit; seconds are measurements
section.compare(r"loss: (\S+),", atol=1.5e-3)
section.compare(r"(\S+) sec/epoch", "timing")
# from-scratch loss curves agree across frameworks to 1e-4
section.compare_figures("train-rmsprop", atol=1e-4)
section.compare_figures("train-concise", "framework")  # each framework's own optimizer

# %%
import d2l_optim as d2l
from d2l_optim import objectives

# %% figures=["ewma-weights"]
gammas = [0.95, 0.9, 0.8, 0.7]
time = list(range(40))  # Python numbers: exact, so every backend plots the same values
ax = d2l.plot(time, [[(1 - gamma) * gamma**t for t in time] for gamma in gammas], "time",
              legend=[f"gamma = {gamma:.2f}" for gamma in gammas])

# %% [markdown]
# One consequence of $\mathbf{s}_0 = \mathbf{0}$ shows right away: after the first step,
# $\mathbf{s}_1 = (1 - \gamma)\,\mathbf{g}_1^2$ is only a tenth of the squared gradient for
# $\gamma = 0.9$, because the missing history counts as zero. The first steps are therefore up to
# $1/\sqrt{1 - \gamma} \approx 3.16$ times longer than the steady state. Exercise 1 measures this
# start-up bias; Adam, two sections on, removes it.
#
# ## RMSProp on an ill-conditioned quadratic
#
# On $f(\mathbf{x}) = 0.1\,x_1^2 + 2\,x_2^2$ from $(-5, -2)$, with $\eta = 0.4$ and $\gamma = 0.9$,
# the figure shows the first step moving both coordinates by the same amount, about
# $0.4\sqrt{10} \approx 1.26$ (the start-up bias just described). After that, $x_2$ settles on
# the valley floor within a few steps while $x_1$ keeps moving at a steady pace, because its
# gradients shrink, but so does their recent root mean square. After 20 steps the iterate is at
# about $(-0.011, 0)$. Compare with Adagrad at the same $\eta = 0.4$, which stalled near
# $x_1 \approx -2.4$: the only difference is that the accumulator forgets. The flip side is that
# RMSProp does not settle by itself. Its normalised steps stay of the order of $\eta$ wherever the
# gradient is, so with a constant rate it ends up jittering around the minimum at a distance that
# grows with $\eta$ (Exercise 3). Long runs pair it with a decaying schedule.

# %% figures=["rmsprop"]
f = objectives.elongated_2d
results = d2l.train_2d(d2l.rmsprop(0.4, gamma=0.9), f_grad=d2l.grad(f, argnums=(0, 1)))
d2l.show_trace_2d(f, results)

# %% [markdown]
# ## RMSProp from scratch, on real data
#
# The state is Adagrad's, one accumulator per parameter with the parameter's shape, starting at
# zero. The trainer reads $\gamma$ from the hyperparameters next to the learning rate, updates the
# leaky average and then scales the step, with $\epsilon = 10^{-6}$ inside the root.

# %%
def init_rmsprop_states(feature_dim):
    s_w = d2l.Variable(d2l.zeros((feature_dim, 1)))
    s_b = d2l.Variable(d2l.zeros(1))
    return (s_w, s_b)


def rmsprop(params, states, hyperparams):
    gamma, eps = hyperparams["gamma"], 1e-6
    for p, s in zip(params, states):
        s.data = gamma * s.data + (1 - gamma) * d2l.square(p.grad)
        p.data = p.data - hyperparams["lr"] * p.grad / d2l.sqrt(s.data + eps)


# %% [markdown]
# We train on minibatches of 10 with $\eta = 0.01$ and $\gamma = 0.9$. The rate is ten times
# smaller than Adagrad's $0.1$ on the same data, and it has to be: RMSProp's rates do not decay,
# so each minibatch step stays of the order of $\eta$ in every coordinate, for the whole run. The
# loss curve shows it. It comes down more gradually over the first half epoch than Adagrad's did,
# reaches about $0.25$, and then keeps a little jitter to the end of the second epoch, the
# minibatch noise that a non-decaying step cannot average away. The final loss lands close to the
# best this linear model reaches.

# %% figures=["train-rmsprop"]
d2l.seed(0)
data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
run = d2l.train_ch11(rmsprop, init_rmsprop_states(feature_dim), {"lr": 0.01, "gamma": 0.9},
                     data_iter, feature_dim)

# %% [markdown]
# ## Concise implementation
#
# The frameworks' RMSProp optimizers implement the same idea, but the decay $\gamma$ has a
# different name in each, and the defaults differ:
#
# | framework | decay $\gamma$ | its default | $\epsilon$ | where $\epsilon$ goes |
# |---|---|---|---|---|
# | PyTorch `torch.optim.RMSprop` | `alpha` | $0.99$ | $10^{-8}$ | outside: $\eta\,g/(\sqrt{s} + \epsilon)$ |
# | Keras `tf.keras.optimizers.RMSprop` | `rho` | $0.9$ | $10^{-7}$ | inside the root |
# | MXNet `'rmsprop'` | `gamma1` | $0.9$ | $10^{-8}$ | inside the root |
#
# So the tabs pass $\gamma = 0.9$ under three names, and forgetting to set PyTorch's `alpha`
# silently gives a ten-times-longer memory. Where $\epsilon$ sits is a real difference, not a
# matter of notation: inside the root, $\epsilon$ acts as a floor on the mean square, so
# coordinates whose gradients are smaller than about $\sqrt{\epsilon}$ fall back to plain SGD
# with rate $\eta/\sqrt{\epsilon}$; outside, the threshold is about $\epsilon$ itself. PyTorch has no
# setting that moves its $\epsilon$ inside (Exercise 2 compares the two). All three also offer a
# "centered" variant, `centered=True` in PyTorch, Keras and MXNet alike. It keeps a second leaky
# average $\mathbf{m}_t$ of the gradients themselves and divides by the root of
# $\mathbf{s}_t - \mathbf{m}_t^2$ (with $\epsilon$ placed as in the table), an estimate of the
# gradients' standard deviation rather than of their root mean square; MXNet's centered version
# adds a momentum term as well (`gamma2`). It is off by default everywhere and is not the method of
# this section. On NumPy, without optimizers of its own, the package's `d2l.rmsprop` runs this
# section's rule.
#
# On the airfoil data, with these tiny values of $\epsilon$, the four curves look like the
# from-scratch one. Every backend minimises $\tfrac{1}{2}(\hat{y} - y)^2$, like the from-scratch
# code.

# %% [markdown] tags=["porting"]
# **For instructors porting code.** As with Adagrad, the book's PyTorch and TensorFlow tabs
# minimise the mean squared error without the $\tfrac{1}{2}$ and so double every gradient. RMSProp
# loses little to it: it divides the gradient by its own root mean square, which doubles too
# (only $\epsilon$ does not scale).

# %%
d2l.seed(0)
data_iter, _ = d2l.get_data_ch11(10)

# %% tags=["framework-torch"] figures=["train-concise"]
import torch

run = d2l.train_concise_ch11(torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.9}, data_iter)

# %% tags=["framework-tensorflow"] figures=["train-concise"]
import tensorflow as tf

run = d2l.train_concise_ch11(tf.keras.optimizers.RMSprop, {"learning_rate": 0.01, "rho": 0.9}, data_iter)

# %% tags=["framework-mxnet"] figures=["train-concise"]
run = d2l.train_concise_ch11("rmsprop", {"learning_rate": 0.01, "gamma1": 0.9}, data_iter)

# %% tags=["framework-numpy"] figures=["train-concise"]
run = d2l.train_concise_ch11(d2l.rmsprop, {"lr": 0.01, "gamma": 0.9}, data_iter)

# %% tags=["framework-jax"] figures=["train-concise"]
import optax

run = d2l.train_concise_ch11(optax.rmsprop, {"learning_rate": 0.01, "decay": 0.9}, data_iter)

# %% [markdown]
# ## Summary
#
# * RMSProp is Adagrad with a memory limit: the squared gradients enter a leaky average,
#   $\mathbf{s}_t = \gamma\,\mathbf{s}_{t-1} + (1 - \gamma)\,\mathbf{g}_t^2$, with the weights
#   $(1 - \gamma)\gamma^\tau$, instead of a growing sum.
# * Each coordinate is scaled by the root mean square of its *recent* gradients, over roughly the
#   last $1/(1 - \gamma)$ steps, so the effective rate no longer decays by itself.
# * Starting from $\mathbf{s}_0 = \mathbf{0}$ makes the first steps up to $1/\sqrt{1 - \gamma}$ times
#   longer than the steady ones; Adam corrects this bias.
# * With a constant rate the iterates keep jittering around the minimum, further for a larger
#   $\eta$: choose $\eta$ smaller than for Adagrad and pair it with a decaying schedule.
# * The frameworks name $\gamma$ differently (`alpha`, `rho`, `gamma1`), default it differently
#   ($0.99$ in PyTorch) and place $\epsilon$ differently (outside the root in PyTorch); check all
#   three before comparing runs.
#
# ## Exercises
#
# **Exercise 1 (the start-up bias).** Feed RMSProp ($\eta = 0.1$, $\gamma = 0.9$) and Adagrad
# ($\eta = 0.1$) the constant gradient $g = 1$ and print the length of their steps after
# $t = 1, 2, 5, 10, 30$ and $100$ steps. Explain both sequences with a formula for $s_t$.

# %% tags=["solution"]
step_lengths = {}
for name, optimizer in (("rmsprop", d2l.rmsprop(0.1, gamma=0.9)), ("adagrad", d2l.adagrad(0.1))):
    x = (d2l.tensor(0.0, "float64"),)
    state = optimizer.init(x)
    step_lengths[name] = []
    for t in range(1, 101):
        previous = d2l.to_float(x[0])
        x, state = optimizer.update((d2l.tensor(1.0, "float64"),), state, x)
        if t in (1, 2, 5, 10, 30, 100):
            step_lengths[name].append(previous - d2l.to_float(x[0]))
    print(f"{name} steps at t = 1, 2, 5, 10, 30, 100: "
          + ", ".join(f"{length:.4f}" for length in step_lengths[name]))

# %% [markdown] tags=["solution"]
# With a constant $g = 1$, Adagrad has $s_t = t$ and steps $0.1/\sqrt{t}$: $0.1$, $0.0707$,
# $\ldots$, $0.01$, decaying forever. RMSProp has $s_t = 1 - \gamma^t$ (the weights of the leaky
# average summed over the $t$ steps so far), so its steps are $0.1/\sqrt{1 - 0.9^t}$: $0.316$ at the
# first step, more than three times the steady value, then settling to $0.1$ after a few tens of
# steps, and staying there. The first steps of RMSProp are the longest, exactly when the iterate
# is far from anywhere trustworthy. Dividing $s_t$ by $1 - \gamma^t$ would remove the bias; that
# is Adam's bias correction.

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (2 points).** A complete answer:
#
# - Adagrad: $s_t = t$, steps $0.1/\sqrt{t}$ (1 point).
# - RMSProp: $s_t = 1 - \gamma^t$, steps $0.1/\sqrt{1 - 0.9^t}$, from $0.316$ down to $0.1$: the
#   start-up bias (1 point).

# %% [markdown]
# **Exercise 2 (where $\epsilon$ goes).** Give RMSProp ($\eta = 1$, $\gamma = 0.9$,
# $\epsilon = 10^{-6}$) a constant gradient $g$ for 50 steps, then measure the 51st step, once
# with $\epsilon$ inside the root (this course, Keras, MXNet) and once outside (PyTorch, via
# `eps_in_sqrt=False`), for $g = 1, 10^{-2}, 10^{-4}, 10^{-6}$.

# %% tags=["solution"]
def step_after_warm_up(g, eps_in_sqrt):
    optimizer = d2l.rmsprop(1.0, gamma=0.9, eps=1e-6, eps_in_sqrt=eps_in_sqrt)
    x, gradient = (d2l.tensor(0.0, "float64"),), (d2l.tensor(g, "float64"),)
    state = optimizer.init(x)
    for _ in range(50):
        x, state = optimizer.update(gradient, state, x)
    before = d2l.to_float(x[0])
    x, state = optimizer.update(gradient, state, x)
    return before - d2l.to_float(x[0])


steps_inside, steps_outside = [], []
for g in (1.0, 1e-2, 1e-4, 1e-6):
    steps_inside.append(step_after_warm_up(g, True))
    steps_outside.append(step_after_warm_up(g, False))
    print(f"gradient {g:.0e}: step with eps inside the root {steps_inside[-1]:.3f}, "
          f"outside {steps_outside[-1]:.3f}")

# %% [markdown] tags=["solution"]
# After 50 steps $s \approx g^2$, so the ideal normalised step is $\eta = 1$ whatever $g$ is. For
# $g = 1$ and $10^{-2}$ both placements give about $1$ (the small excess is the start-up bias,
# $1/\sqrt{1 - 0.9^{51}}$). At $g = 10^{-4}$ they part: inside the root,
# $g/\sqrt{g^2 + \epsilon} \approx 10^{-4}/10^{-3} = 0.1$, because $\epsilon = 10^{-6}$ dwarfs
# $g^2 = 10^{-8}$; outside, $g/(|g| + \epsilon) \approx 0.99$. At $g = 10^{-6}$ the inside version
# takes a step of $0.001$, the outside version still $0.5$. The same $\epsilon$ means a threshold
# of $\sqrt{\epsilon} = 10^{-3}$ on the gradient in one convention and $10^{-6}$ in the other, so
# a value of $\epsilon$ tuned in one framework does not transfer to another.

# %% [markdown]
# **Exercise 3 (a constant rate does not settle).** Run RMSProp ($\gamma = 0.9$) for 200 steps on
# $f$ with $\eta = 0.4$ and with $\eta = 0.04$, and measure the largest distance to the minimum
# over the last 50 steps. Then repeat $\eta = 0.4$ with the decaying schedule
# $\eta_t = 0.4/(1 + 0.1t)$.

# %% tags=["solution"]
import math  # noqa: E402

elongated_grad = d2l.grad(f, argnums=(0, 1))
runs = {"eta = 0.4": 0.4, "eta = 0.04": 0.04, "eta_t = 0.4 / (1 + 0.1 t)": lambda t: 0.4 / (1 + 0.1 * t)}
distances = {}
for name, lr in runs.items():
    trace = d2l.train_2d(d2l.rmsprop(lr, gamma=0.9), steps=200, f_grad=elongated_grad)
    distance = max(math.hypot(*(d2l.to_float(v) for v in point)) for point in trace[-50:])
    print(f"{name}: largest distance over the last 50 steps {distance:.4f}")
    distances[name] = distance
largest_distances = list(distances.values())  # eta = 0.4, eta = 0.04, the decaying schedule
print(f"dividing eta by 10 divides the distance by {distances['eta = 0.4'] / distances['eta = 0.04']:.1f}")

# %% [markdown] tags=["solution"]
# With a constant rate the iterate never settles: over the last 50 steps it still strays about
# $0.29$ from the minimum for $\eta = 0.4$ and about $0.04$ for $\eta = 0.04$. Near the minimum
# the gradients are tiny, but so is their root mean square, and the ratio of the two, which sets
# the step, stays of order one. Dividing $\eta$ by ten divides this distance by about $7$, not
# $10$. Without $\epsilon$ the rule would be unchanged if $\mathbf{x}$ and $\eta$ were multiplied by
# the same factor (the gradient scales with $\mathbf{x}$, $\sqrt{\mathbf{s}}$ with it, their ratio
# not at all), so the jitter that a run eventually settles into is proportional to $\eta$; but the
# run with the smaller rate, whose steps are ten times shorter, needs more steps to get there
# from $(-5, -2)$, and 200 steps measure it on the way. The decaying schedule starts like the
# $\eta = 0.4$ run but ends as close as the $\eta = 0.04$ one, and its jitter keeps shrinking as
# the rate decays.
# This is why RMSProp, unlike Adagrad, is normally combined with a learning-rate schedule, the
# topic of the last section of the chapter.
