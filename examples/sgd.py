# %% [markdown]
# # Stochastic gradient descent
#
# Gradient descent needs the gradient of the whole training objective at every step. In deep
# learning that objective is an average over the training set, so one exact gradient costs one
# full pass over the data: far too expensive to repeat thousands of times. Stochastic gradient
# descent (SGD) replaces it with the gradient of a single randomly chosen example, which is cheap
# and correct *on average*. This section explains why that works, what the randomness costs, why
# the learning rate must then shrink over time, and how fast SGD converges on convex problems.
#
# Run as a script: `python examples/sgd.py --backend torch --out figures/`.

# %% [markdown]
# ## Stochastic gradient updates
#
# With $n$ training examples and a loss $f_i$ for example $i$, the training objective is
#
# $$f(\mathbf{x}) = \frac{1}{n}\sum_{i=1}^{n} f_i(\mathbf{x}), \qquad
# \nabla f(\mathbf{x}) = \frac{1}{n}\sum_{i=1}^{n} \nabla f_i(\mathbf{x}).$$
#
# Computing $\nabla f$ costs $O(n)$ per step. SGD instead draws an index $i$ uniformly at random
# from $\{1, \ldots, n\}$ and steps along that example's gradient alone:
#
# $$\mathbf{x} \leftarrow \mathbf{x} - \eta\,\nabla f_i(\mathbf{x}),$$
#
# at a cost of $O(1)$ per step, independent of $n$. The justification is one line: since $i$ is
# uniform,
#
# $$\mathbb{E}_i\big[\nabla f_i(\mathbf{x})\big] = \frac{1}{n}\sum_{i=1}^{n} \nabla f_i(\mathbf{x})
# = \nabla f(\mathbf{x}),$$
#
# so the stochastic gradient is an **unbiased estimate** of the full gradient. Each step points
# the right way on average, but any single step can be off by a random error whose size depends
# on how much the examples disagree. (The minibatch section that follows sits between the two
# extremes: averaging the gradients of a small batch keeps the estimate unbiased and shrinks its
# variance.)
#
# To see the effect of that error without a data set, we simulate it. We keep the quadratic
# $f(\mathbf{x}) = x_1^2 + 2x_2^2$ of the gradient-descent section and add independent standard
# normal noise to every gradient coordinate:
#
# $$\mathbf{x} \leftarrow \mathbf{x} - \eta_t\big(\nabla f(\mathbf{x}) + \boldsymbol{\xi}_t\big),
# \qquad \boldsymbol{\xi}_t \sim \mathcal{N}(\mathbf{0}, \mathbf{I}).$$
#
# The noise is drawn from one seeded generator, so every backend draws the same trace, and the
# traces below are identical on NumPy, PyTorch, TensorFlow and MXNet.

# %% tags=["remove-cell"]
import d2l_optim as d2l

section = d2l.Section("sgd")

# %%
import math

import d2l_optim as d2l
from d2l_optim import objectives

f = objectives.quadratic_2d
f_grad = d2l.with_gradient_noise(d2l.grad(f, argnums=(0, 1)), std=1.0)
eta = 0.1

# %% [markdown]
# ## A constant learning rate does not converge
#
# First a constant rate, $\eta_t = \eta = 0.1$, for 50 steps from $(-5, -2)$. In the figure the
# start looks much like gradient descent: far from the minimum the true gradient is large and the
# noise is a small perturbation, so the trace heads for the origin. Near the minimum the roles
# swap. The true gradient fades, the noise does not, and the trace wanders in a cloud around the
# origin instead of settling. Notice the last points jumping about in no particular direction.
#
# The size of that cloud can be computed. In the first coordinate the update is
# $x_1 \leftarrow (1 - 2\eta)\,x_1 - \eta\,\xi$, a contraction by $0.8$ plus fresh noise of
# standard deviation $0.1$. Once the start is forgotten, the variance $v$ of $x_1$ satisfies
# $v = 0.8^2 v + 0.1^2$, so $v = 0.01 / 0.36$ and the standard deviation is about $0.17$; the same
# argument gives $0.125$ for $x_2$. More steps do not help: with a constant learning rate, SGD
# reaches a noise floor and stays there, and for small $\eta$ the variance of that floor is roughly
# proportional to $\eta$ (Exercise 6 proves it). Lowering $\eta$ lowers the floor but slows the
# approach, which suggests lowering it *gradually*.

# %% figures=["sgd-constant-lr"]
d2l.seed(0)
results = d2l.train_2d(d2l.sgd(d2l.constant_lr(eta)), steps=50, f_grad=f_grad)
d2l.show_trace_2d(f, results)

# %% [markdown]
# ## Dynamic learning rates
#
# Replacing the constant $\eta$ by a time-dependent $\eta(t)$ is called a learning-rate
# **schedule**. Three families are common:
#
# $$\begin{aligned}
# \eta(t) &= \eta_i \ \text{ if } t_i \le t \le t_{i+1} && \text{piecewise constant,} \\
# \eta(t) &= \eta_0\, e^{-\lambda t} && \text{exponential decay,} \\
# \eta(t) &= \eta_0\, (\beta t + 1)^{-\alpha} && \text{polynomial decay.}
# \end{aligned}$$
#
# The piecewise-constant schedule lowers the rate in steps, for example whenever progress on a
# validation set stalls; it is the workhorse of deep-network training and the subject of the
# learning-rate scheduling section. The two smooth schedules differ in how fast they decay, and
# that turns out to matter a great deal.
#
# **Exponential decay** is tried first, with $\eta(t) = \eta\, e^{-0.1t}$ on top of $\eta = 0.1$.
# The schedule's counter is advanced before it is used, so the first update already gets the
# factor $e^{-0.2} \approx 0.819$, then $0.741$, $0.670$, and so on, as the cell prints. The run
# lasts 1000 steps. Notice in the figure that the trace stops well short of the minimum, near
# $x_1 \approx -0.8$, even though it had twenty times as many steps as before. The reason is that
# the learning rates themselves add up to a finite total: the cell prints their sum over all 1000
# steps, only about $0.86$, and a longer run would add nothing noticeable to it. On our quadratic
# each step multiplies $x_1$, on average, by $1 - 2\eta_t$, and the product of all these factors,
# also printed, is only about $0.165$ (a little below $e^{-2 \cdot 0.86} \approx 0.18$, since
# $1 - 2\eta_t < e^{-2\eta_t}$): on average the run ends near $x_1 \approx -5 \cdot 0.165 \approx
# -0.83$, however many steps are taken. The noise is damped, but so is all further progress: the
# learning rate decays faster than the distance to travel.

# %% figures=["sgd-exponential-lr"]
schedule = d2l.exponential_lr(eta)
print("exponential multipliers:", ", ".join(f"{schedule(step) / eta:f}" for step in range(5)))
rates = [schedule(step) for step in range(1000)]
print(f"sum of the 1000 rates: {sum(rates):.4f}, "
      f"product of the factors 1 - 2 eta_t: {math.prod(1 - 2 * rate for rate in rates):.4f}")
d2l.seed(0)
results = d2l.train_2d(d2l.sgd(schedule), steps=1000, f_grad=f_grad)
d2l.show_trace_2d(f, results)

# %% [markdown]
# **Polynomial decay** with $\alpha = \tfrac{1}{2}$, the popular choice, uses
# $\eta(t) = \eta\,(1 + 0.1t)^{-1/2}$ (first factors $0.913$, $0.877$, $0.845$, ...). Its sum grows
# without bound, like $\sqrt{t}$, so the run can travel any distance, while the individual rates
# still go to zero and damp the noise. In the figure, 50 steps are enough to reach the minimum,
# and the points near the origin scatter less than in the constant-rate run. The general
# lesson, made precise below: a good schedule decays, but slowly enough that
# $\sum_t \eta_t = \infty$, while $\sum_t \eta_t^2$ grows much more slowly than $\sum_t \eta_t$.

# %% figures=["sgd-polynomial-lr"]
schedule = d2l.polynomial_lr(eta)
print("polynomial multipliers:", ", ".join(f"{schedule(step) / eta:f}" for step in range(5)))
d2l.seed(0)
results = d2l.train_2d(d2l.sgd(schedule), steps=50, f_grad=f_grad)
d2l.show_trace_2d(f, results)

# %% [markdown]
# ## Convergence analysis for convex objectives
#
# For convex problems the trade-off between the sum of the learning rates and the sum of their
# squares can be made exact. Write the objective as a **risk**, an expectation over random
# examples $\boldsymbol{\xi}$,
# $R(\mathbf{x}) = \mathbb{E}_{\boldsymbol{\xi}}[f(\boldsymbol{\xi}, \mathbf{x})]$, with minimizer
# $\mathbf{x}^*$ and minimum $R^* = R(\mathbf{x}^*)$. Assume every
# $f(\boldsymbol{\xi}, \cdot)$ is convex, the stochastic gradients are bounded,
# $\|\partial_\mathbf{x} f(\boldsymbol{\xi}_t, \mathbf{x})\| \le L$, and the start is within
# distance $r$ of the solution, $\|\mathbf{x}_1 - \mathbf{x}^*\| \le r$. SGD updates
# $\mathbf{x}_{t+1} = \mathbf{x}_t - \eta_t \mathbf{g}_t$ with
# $\mathbf{g}_t = \partial_\mathbf{x} f(\boldsymbol{\xi}_t, \mathbf{x}_t)$.
#
# Track the squared distance to the solution. Expanding the update,
#
# $$\|\mathbf{x}_{t+1} - \mathbf{x}^*\|^2 = \|\mathbf{x}_t - \mathbf{x}^*\|^2
# + \eta_t^2\|\mathbf{g}_t\|^2 - 2\eta_t\,\mathbf{g}_t^\top(\mathbf{x}_t - \mathbf{x}^*).$$
#
# Convexity says the function lies above its tangent,
#
# $$f(\boldsymbol{\xi}_t, \mathbf{x}^*) \ge f(\boldsymbol{\xi}_t, \mathbf{x}_t)
# + \mathbf{g}_t^\top(\mathbf{x}^* - \mathbf{x}_t).$$
#
# Using it, and $\|\mathbf{g}_t\| \le L$,
#
# $$\|\mathbf{x}_{t+1} - \mathbf{x}^*\|^2 \le \|\mathbf{x}_t - \mathbf{x}^*\|^2 + \eta_t^2 L^2
# - 2\eta_t\big(f(\boldsymbol{\xi}_t, \mathbf{x}_t) - f(\boldsymbol{\xi}_t, \mathbf{x}^*)\big).$$
#
# Take expectations. The example $\boldsymbol{\xi}_t$ is drawn independently of $\mathbf{x}_t$, so
# the last bracket averages to $\mathbb{E}[R(\mathbf{x}_t)] - R^*$. Summing over
# $t = 1, \ldots, T$, the distances telescope, the final one is dropped because it is nonnegative,
# and the first is at most $r^2$:
#
# $$\sum_{t=1}^{T} \eta_t\big(\mathbb{E}[R(\mathbf{x}_t)] - R^*\big) \le
# \frac{r^2 + L^2 \sum_{t=1}^{T}\eta_t^2}{2}.$$
#
# Finally define the weighted average of the iterates,
# $\bar{\mathbf{x}} = \sum_t \eta_t \mathbf{x}_t / \sum_t \eta_t$. Because $R$ is convex, Jensen's
# inequality gives $R(\bar{\mathbf{x}}) \le \sum_t \eta_t R(\mathbf{x}_t) / \sum_t \eta_t$, and so
#
# $$\mathbb{E}\big[R(\bar{\mathbf{x}})\big] - R^* \le
# \frac{r^2 + L^2 \sum_{t=1}^{T}\eta_t^2}{2\sum_{t=1}^{T}\eta_t}.$$
#
# :::{note}
# The left side is the expected *risk* of the averaged iterate minus the optimal risk. The book
# this course follows prints it as $[E[\bar{\mathbf{x}}]] - R^*$, which mixes a point with a value;
# the form above is the one the derivation proves.
# :::
#
# Read the bound as the whole story of this section. The numerator holds the distance to cover,
# $r^2$, and the accumulated noise, $L^2\sum_t\eta_t^2$; the denominator holds the total
# distance the learning rates allow, $\sum_t \eta_t$. A schedule whose sum stays bounded
# (exponential decay) leaves the bound bounded away from zero: it stalls, as the figure showed.
# A constant rate $\eta$ gives $(r^2 + L^2 T\eta^2)/(2T\eta)$, which tends to $L^2\eta/2$, the
# noise floor. For a known horizon $T$ the best constant rate is $\eta = r/(L\sqrt{T})$, and then
#
# $$\mathbb{E}\big[R(\bar{\mathbf{x}})\big] - R^* \le \frac{rL}{\sqrt{T}},$$
#
# a rate of $O(1/\sqrt{T})$: a hundred times more steps buy one more correct digit. That is slow
# compared with gradient descent on a well-conditioned problem, but each step costs $O(1)$ instead
# of $O(n)$, and the bound does not depend on $n$ at all. Note also what the bound is about: the
# *average* of the iterates, not the last one. Averaging cancels much of the noise
# (Exercise 4 measures it).
#
# ## Sampling with and without replacement
#
# The analysis draws each example independently, *with replacement*. Over one "epoch" of $n$
# such draws, a given example is missed every time with probability
#
# $$\Big(1 - \frac{1}{n}\Big)^n \approx e^{-1} \approx 0.37,$$
#
# so only about $63\%$ of the examples are seen at least once, and the probability of seeing a
# given example exactly once is $n \cdot \frac{1}{n}\big(1 - \frac{1}{n}\big)^{n-1} \approx e^{-1}
# \approx 0.37$. Some examples are used twice or more while a third of the data is ignored. In
# practice, data loaders therefore shuffle the data and go through it *without replacement*:
# every example once per epoch, in a new random order each time. That ordering has lower
# variance and works better, although the simple analysis above no longer applies verbatim.
#
# ## Summary
#
# * SGD steps along the gradient of one randomly drawn example. A step costs $O(1)$ instead of
#   $O(n)$, and the stochastic gradient is an unbiased estimate of the full one.
# * With a constant learning rate SGD does not converge: near the minimum the noise dominates and
#   the iterates jitter at a noise floor, whose variance shrinks roughly in proportion to $\eta$.
# * A decaying schedule damps the noise, but it must decay slowly enough that
#   $\sum_t \eta_t = \infty$. Exponential decay has a finite sum ($0.86$ here) and stalls far from
#   the minimum; polynomial decay $\eta\,(1 + 0.1t)^{-1/2}$ keeps moving and reaches it.
# * For convex objectives with stochastic gradients bounded by $L$ and a start within $r$ of the
#   solution, the weighted average of the iterates satisfies
#   $\mathbb{E}[R(\bar{\mathbf{x}})] - R^* \le (r^2 + L^2\sum_t\eta_t^2)/(2\sum_t\eta_t)$; the
#   best constant rate for $T$ steps gives $rL/\sqrt{T}$. The guarantee is for the averaged
#   iterate, not the last one.
# * Drawing with replacement misses about $37\%$ of the examples in an epoch; data loaders
#   shuffle and pass through the data without replacement instead.
# * On the nonconvex losses of deep networks SGD has no such guarantee, yet its noise is often an
#   asset there, helping it escape saddle points and sharp minima.

# %% [markdown]
# ## Exercises
#
# **Exercise 1 (an unbiased estimate).** Draw 100 targets $a_i \sim \mathcal{N}(2, 1)$ and let
# $f_i(x) = \tfrac{1}{2}(x - a_i)^2$. At $x = 0$, compare the full gradient of
# $f = \frac{1}{100}\sum_i f_i$ with the mean of the 100 per-example gradients, then with the mean
# of 5000 gradients of uniformly sampled examples. How large is the spread of a single stochastic
# gradient?

# %% tags=["solution"]
import numpy as np  # noqa: E402  (plain NumPy draws the example indices)

d2l.seed(1)
targets = d2l.normal((100,), mean=2.0, std=1.0, dtype="float64")


def example_loss(x, i):
    return 0.5 * (x - targets[i]) ** 2


def training_loss(x):
    return d2l.reduce_mean(0.5 * (x - targets) ** 2)


x = d2l.tensor(0.0, "float64")
full_gradient = d2l.to_float(d2l.grad(training_loss)(x))
per_example = [d2l.to_float(d2l.grad(example_loss)(x, i)) for i in range(100)]
per_example_mean = sum(per_example) / 100
print(f"full gradient at x = 0: {full_gradient:.6f}; "
      f"mean of the 100 per-example gradients: {per_example_mean:.6f}")
sampled = [per_example[i] for i in np.random.default_rng(0).integers(0, 100, size=5000)]
sampled_mean, gradient_spread = np.mean(sampled), np.std(sampled)
print(f"mean of 5000 sampled gradients: {sampled_mean:.4f}, "
      f"their standard deviation: {gradient_spread:.4f}")

# %% [markdown] tags=["solution"]
# Here $\nabla f_i(0) = -a_i$, so the full gradient is minus the mean of the targets, and it equals
# the average of the per-example gradients exactly: that is the unbiasedness identity. The
# sampled average of 5000 draws agrees to within about $0.01$, as expected for a standard deviation
# of about $0.85$ divided by $\sqrt{5000} \approx 71$. A single stochastic gradient, however, is
# off by $0.85$ on a typical draw, almost half of the gradient itself: this is the noise that the
# schedules and the averaging of this section are there to tame.

# %% [markdown]
# **Exercise 2 (with and without replacement).** For $n = 10000$ examples, draw $n$ indices with
# replacement and measure the fraction of examples seen at least once, exactly once and never.
# Compare with $1 - (1 - 1/n)^n$ and $(1 - 1/n)^{n-1}$. Then check that a shuffled epoch (a random
# permutation) sees every example exactly once.

# %% tags=["solution"]
n = 10000
rng = np.random.default_rng(0)
counts = np.bincount(rng.integers(0, n, size=n), minlength=n)
seen_at_least_once, seen_exactly_once, never_seen = (np.mean(counts >= 1), np.mean(counts == 1),
                                                     np.mean(counts == 0))
print(f"with replacement: seen at least once {seen_at_least_once:.3f} "
      f"(theory {1 - (1 - 1 / n) ** n:.3f}), exactly once {seen_exactly_once:.3f} "
      f"(theory {(1 - 1 / n) ** (n - 1):.3f}), never {never_seen:.3f}")
shuffled = np.bincount(rng.permutation(n), minlength=n)
shuffled_each_once = bool((shuffled == 1).all())
print(f"without replacement: every example seen exactly once: {shuffled_each_once}")

# %% [markdown] tags=["solution"]
# The measured fractions, $0.635$, $0.374$ and $0.365$, are within sampling error of $1 - e^{-1}$
# and $e^{-1}$. With replacement, more than a third of the data set is skipped in any given epoch
# while other examples are used two or three times; a shuffled pass uses each example exactly
# once.

# %% [markdown]
# **Exercise 3 (schedules in the bound).** With $\eta = 0.1$ and $T = 1000$ steps, compute
# $\sum_t \eta_t$, $\sum_t \eta_t^2$ and the bound $(r^2 + L^2\sum_t\eta_t^2)/(2\sum_t\eta_t)$ with
# $r = L = 1$ for: the constant rate $0.1$; the best constant rate $1/\sqrt{T}$; and the
# section's exponential decay $0.1\,e^{-0.1t}$ and polynomial decay $0.1\,(1 + 0.1t)^{-1/2}$, with
# the counter $t$ running from $2$ to $T + 1$ as in the runs. Which schedules could drive the
# bound to zero as $T$ grows?

# %% tags=["solution"]
T = 1000
schedules = {"constant 0.1": d2l.constant_lr(0.1), "constant 1/sqrt(T)": d2l.constant_lr(1 / math.sqrt(T)),
             "exponential": d2l.exponential_lr(0.1), "polynomial": d2l.polynomial_lr(0.1)}
bounds = []
for name, schedule in schedules.items():
    rates = [schedule(step) for step in range(T)]
    total, total_of_squares = sum(rates), sum(rate * rate for rate in rates)
    bounds.append((1 + total_of_squares) / (2 * total))
    print(f"{name:>18}: sum = {total:8.4f}, sum of squares = {total_of_squares:7.4f}, "
          f"bound = {bounds[-1]:.4f}")

# %% [markdown] tags=["solution"]
# The exponential schedule has a finite total, about $0.86$ however large $T$, the sum the section
# printed (a counter starting at $t = 1$ would add the term $0.1\,e^{-0.1} \approx 0.090$ and give
# $0.95$). Its bound therefore stays above $1/(2 \cdot 0.86) \approx 0.58$ forever, which is the
# stall seen in the figure. A
# fixed constant rate has a bound that tends to $L^2\eta/2 = 0.05$, the noise floor. The rate
# $1/\sqrt{T}$ attains $rL/\sqrt{T} \approx 0.032$, but only for the horizon $T$ it was tuned for.
# Polynomial decay needs no horizon: its sum grows like $\sqrt{T}$ and its sum of squares only like
# $\log T$, so its bound goes to zero (like $\log T/\sqrt{T}$) as the run continues.

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (2 points).** A complete answer:
#
# - It says that the exponential schedule's rates have a finite sum (about $0.86$), so its bound
#   stays above about $0.58$ however large $T$ is (1 point).
# - It says that polynomial decay drives the bound to zero (the sum grows like $\sqrt{T}$, the sum
#   of squares like $\log T$), while a constant rate keeps a floor and $1/\sqrt{T}$ works only for
#   the horizon it was tuned for (1 point).

# %% [markdown]
# **Exercise 4 (averaging the iterates).** Run SGD with the constant rate $0.1$ on the noisy
# quadratic for 200 steps from $(-5, -2)$, 20 times. Compare the mean of $f$ at the last iterate
# with the mean of $f$ at the average of the last 100 iterates.

# %% tags=["solution"]
optimizer = d2l.sgd(0.1)
at_last, at_average = [], []
d2l.seed(0)
for _ in range(20):
    point = (d2l.tensor(-5.0, "float64"), d2l.tensor(-2.0, "float64"))
    state = optimizer.init(point)
    sums = [0.0, 0.0]
    for step in range(200):
        point, state = optimizer.update(f_grad(*point), state, point)
        if step >= 100:
            sums = [s + d2l.to_float(p) for s, p in zip(sums, point)]
    at_last.append(d2l.to_float(f(*point)))
    at_average.append(d2l.to_float(f(*(d2l.tensor(s / 100, "float64") for s in sums))))
mean_f_last, mean_f_average = np.mean(at_last), np.mean(at_average)
print(f"mean f over 20 runs: at the last iterate {mean_f_last:.4f}, "
      f"at the average of the last 100 iterates {mean_f_average:.4f}")

# %% [markdown] tags=["solution"]
# The last iterate sits at the noise floor: its expected value of $f$ is
# $\operatorname{Var}(x_1) + 2\operatorname{Var}(x_2) \approx 0.028 + 2 \cdot 0.016 \approx 0.059$,
# and the 20 runs give $0.044$, within the sampling error of so few runs. Averaging the last
# 100 iterates cancels most of the noise and
# lowers $f$ by a factor of about ten, without changing the learning rate. This is why the
# convergence bound is stated for the averaged point $\bar{\mathbf{x}}$, and why averaging the
# weights over the end of training is a useful trick in practice.

# %% [markdown]
# **Exercise 5 (noise as random data; proof).** Show that the noisy gradient of this section,
# $\nabla f(\mathbf{x}) + \boldsymbol{\xi}$ with $f(\mathbf{x}) = x_1^2 + 2x_2^2$ and
# $\boldsymbol{\xi} \sim \mathcal{N}(\mathbf{0}, \mathbf{I})$, is exactly the stochastic gradient of
# the per-example loss $f(\mathbf{x}, \mathbf{w}) = (x_1 - w_1)^2 + 2(x_2 - w_2)^2$ for examples
# $\mathbf{w}$ drawn from a suitable normal distribution. Which one? Which risk
# $R(\mathbf{x}) = \mathbb{E}_\mathbf{w}[f(\mathbf{x}, \mathbf{w})]$ does SGD then minimise, and
# where is its minimum?

# %% [markdown] tags=["solution"]
# The gradient of the per-example loss is
#
# $$\nabla_\mathbf{x} f(\mathbf{x}, \mathbf{w}) = \begin{pmatrix} 2(x_1 - w_1) \\ 4(x_2 - w_2) \end{pmatrix}
# = \nabla f(\mathbf{x}) + \begin{pmatrix} -2w_1 \\ -4w_2 \end{pmatrix}.$$
#
# Take $w_1 \sim \mathcal{N}(0, \tfrac{1}{4})$ and $w_2 \sim \mathcal{N}(0, \tfrac{1}{16})$,
# independent. Then $-2w_1$ and $-4w_2$ are independent standard normal variables, so the added
# vector has exactly the distribution $\mathcal{N}(\mathbf{0}, \mathbf{I})$ of $\boldsymbol{\xi}$.
# With a fresh, independent example at every step, the two processes have the same distribution
# step by step: the simulated noise *is* SGD on this data. The risk is
#
# $$R(\mathbf{x}) = \mathbb{E}\big[(x_1 - w_1)^2\big] + 2\,\mathbb{E}\big[(x_2 - w_2)^2\big]
# = \big(x_1^2 + \operatorname{Var} w_1\big) + 2\big(x_2^2 + \operatorname{Var} w_2\big)
# = f(\mathbf{x}) + \tfrac{1}{4} + \tfrac{1}{8},$$
#
# using $\mathbb{E}[(x - w)^2] = x^2 - 2x\,\mathbb{E}[w] + \mathbb{E}[w^2]$ with $\mathbb{E}[w] = 0$.
# It differs from $f$ by the constant $\tfrac{3}{8}$, so its minimiser is the same origin and its
# minimum is $\tfrac{3}{8}$: the part of the loss that no $\mathbf{x}$ can remove, because the
# examples themselves are spread around their mean.

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (3 points).** A complete answer:
#
# - It computes the per-example gradient $\nabla f(\mathbf{x}) - (2w_1, 4w_2)$ (1 point).
# - It chooses $w_1 \sim \mathcal{N}(0, \tfrac{1}{4})$ and $w_2 \sim \mathcal{N}(0, \tfrac{1}{16})$,
#   independent, so that the added vector is $\mathcal{N}(\mathbf{0}, \mathbf{I})$ (1 point).
# - It computes $R(\mathbf{x}) = f(\mathbf{x}) + \tfrac{3}{8}$, with its minimum $\tfrac{3}{8}$ at
#   the origin (1 point).

# %% [markdown]
# **Exercise 6 (the noise floor; proof).** On $f(x) = \tfrac{\lambda}{2}x^2$, run
# $x_{t+1} = x_t - \eta(\lambda x_t + \xi_t)$ from a fixed $x_0$, with independent $\xi_t$ of mean
# $0$ and variance $\sigma^2$, and $0 < \eta\lambda < 2$. Prove that $\mathbb{E}[x_t] \to 0$ and
# $\operatorname{Var}(x_t) \to \eta\sigma^2 / \big(\lambda(2 - \eta\lambda)\big)$. Check the standard
# deviations $0.17$ and $0.125$ of the constant-rate run, and the value $0.059$ of
# $\mathbb{E}[f]$ in Exercise 4. What happens to the floor of $\mathbb{E}[f(x_t)]$ as $\eta \to 0$?

# %% [markdown] tags=["solution"]
# Let $a = 1 - \eta\lambda$; the condition $0 < \eta\lambda < 2$ means $|a| < 1$, and the update is
# $x_{t+1} = a\,x_t - \eta\,\xi_t$. Taking expectations, $\mathbb{E}[x_{t+1}] = a\,\mathbb{E}[x_t]$,
# so $\mathbb{E}[x_t] = a^t x_0 \to 0$. The noise $\xi_t$ is independent of $x_t$, which depends
# only on $\xi_0, \ldots, \xi_{t-1}$, so the variances add:
# $v_{t+1} = a^2 v_t + \eta^2\sigma^2$ with $v_0 = 0$. Its fixed point is
# $v_\infty = \eta^2\sigma^2/(1 - a^2)$, and $v_t - v_\infty = a^{2t}(v_0 - v_\infty) \to 0$. Since
# $1 - a^2 = \eta\lambda(2 - \eta\lambda)$,
#
# $$v_\infty = \frac{\eta\sigma^2}{\lambda(2 - \eta\lambda)}.$$
#
# The section's quadratic $x_1^2 + 2x_2^2$ has $\lambda = 2$ along $x_1$ and $\lambda = 4$ along
# $x_2$, with $\eta = 0.1$ and $\sigma = 1$: $v_\infty = 0.1/(2 \cdot 1.8) \approx 0.0278$ (standard
# deviation $0.167$) and $0.1/(4 \cdot 1.6) = 0.015625$ (standard deviation $0.125$). In the limit
# $\mathbb{E}[f] = \tfrac{\lambda}{2}\big(\mathbb{E}[x_t]^2 + v_t\big)
# \to \eta\sigma^2 / \big(2(2 - \eta\lambda)\big)$ per coordinate, which sums to
# $0.0278 + 0.03125 \approx 0.059$ for the two coordinates, the value used in Exercise 4. As
# $\eta \to 0$ the floor is about $\eta\sigma^2/4$ per coordinate, whatever the curvature:
# proportional to $\eta$, and zero only in the limit. A constant rate therefore trades the floor
# against speed (the factor $a = 1 - \eta\lambda$ approaches $1$ as well), and only a rate that
# decays can have both.

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (4 points).** A complete answer:
#
# - It shows $\mathbb{E}[x_t] = (1 - \eta\lambda)^t x_0 \to 0$ (1 point).
# - It derives $v_{t+1} = (1 - \eta\lambda)^2 v_t + \eta^2\sigma^2$ from the independence of the
#   noise (1 point).
# - It finds the limit $\eta\sigma^2/(\lambda(2 - \eta\lambda))$ and shows the convergence to it (1
#   point).
# - It checks the numbers $0.167$, $0.125$ and $0.059$ and says that the floor is proportional to
#   $\eta$ as $\eta \to 0$ (1 point).
