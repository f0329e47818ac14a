# %% [markdown]
# # Momentum
#
# Gradient descent looks only at the gradient of the current point. That is a weakness in two
# situations that are common in deep learning. When the gradient is **noisy**, as it is for
# minibatch SGD, each step follows the noise of one minibatch as faithfully as its signal. When
# the objective is **ill-conditioned**, curving steeply in some directions and gently in others,
# one learning rate cannot suit every direction: small enough for the steep ones means painfully
# slow along the flat ones. Momentum addresses both with one idea: instead of stepping along the
# latest gradient, step along an average of the recent ones. Noise averages out, gradients that
# keep pointing the same way accumulate, and gradients that keep flipping sign cancel. This
# section builds the method from leaky averages, watches it on an ill-conditioned quadratic,
# analyses it exactly on quadratics, and then trains the airfoil regression with it, from scratch
# and with each framework's built-in optimizer.
#
# Run as a script: `python examples/momentum.py --backend tensorflow --out figures/`.

# %% [markdown]
# ## Leaky averages
#
# Minibatch SGD already averages: its gradient is the mean over the $b$ examples of a batch,
#
# $$\mathbf{g}_{t,t-1} = \frac{1}{b}\sum_{i \in \mathcal{B}_t} \nabla f(\mathbf{x}_i, \mathbf{w}_{t-1}),$$
#
# the gradient at time $t$ evaluated at the weights of time $t-1$. A larger batch lowers the
# variance, but it costs more computation per step. A cheaper way to average over more data is to
# reuse the gradients of the previous steps. Keeping all of them would be expensive, so momentum
# keeps a single running quantity, the **velocity** $\mathbf{v}_t$, updated as a *leaky average*:
#
# $$\mathbf{v}_t = \beta\,\mathbf{v}_{t-1} + \mathbf{g}_{t,t-1}, \qquad \mathbf{v}_0 = \mathbf{0},
# \qquad 0 \le \beta < 1.$$
#
# Unrolling the recursion shows what it remembers:
#
# $$\mathbf{v}_t = \mathbf{g}_{t,t-1} + \beta\,\mathbf{g}_{t-1,t-2} + \beta^2\,\mathbf{g}_{t-2,t-3}
# + \cdots = \sum_{\tau=0}^{t-1} \beta^{\tau}\,\mathbf{g}_{t-\tau,\,t-\tau-1}.$$
#
# A gradient from $\tau$ steps ago still counts, but with a weight $\beta^\tau$ that fades
# geometrically. The parameters then move along the velocity instead of the raw gradient,
#
# $$\mathbf{x}_t = \mathbf{x}_{t-1} - \eta_t\,\mathbf{v}_t,$$
#
# which is why the method is also called the *heavy ball*: like a ball rolling downhill, it keeps
# some of its speed from one step to the next. With $\beta = 0$ it is plain gradient descent.
#
# Two numbers summarise the averaging. The weights add up to
# $\sum_{\tau=0}^{\infty}\beta^\tau = 1/(1-\beta)$, so when the gradient stays constant the
# velocity grows to $\mathbf{g}/(1-\beta)$ and the **effective step size** is $\eta/(1-\beta)$,
# not $\eta$. And since the weights fade geometrically, the average effectively covers about
# $1/(1-\beta)$ recent gradients, its **effective sample size**: $2$ for $\beta = 0.5$, $10$ for
# $\beta = 0.9$, $20$ for $\beta = 0.95$. Both numbers matter in practice: raising $\beta$ without
# lowering $\eta$ also raises the step.

# %% tags=["remove-cell"]
import d2l_optim as d2l

section = d2l.Section("momentum")
# printed losses agree across frameworks to their last digit; seconds are measurements
section.compare(r"loss: (\S+),", atol=1.5e-3)
section.compare(r"(\S+) sec/epoch", "timing")
# from-scratch loss curves agree across frameworks to 1e-4
section.compare_figures(["train-momentum-lr-0.02-beta-0.5", "train-momentum-lr-0.01-beta-0.9",
                         "train-momentum-lr-0.005-beta-0.9"], atol=1e-4)
section.compare_figures("train-concise", "framework")  # each framework's own optimizer

# %%
import d2l_optim as d2l
from d2l_optim import objectives

f = objectives.elongated_2d
f_grad = d2l.grad(f, argnums=(0, 1))

# %% [markdown]
# ## An ill-conditioned problem
#
# Our test function is the stretched bowl
#
# $$f(\mathbf{x}) = 0.1\,x_1^2 + 2\,x_2^2,$$
#
# with its minimum at the origin and the start $(-5, -2)$. Its curvatures are $0.2$ along $x_1$
# and $4$ along $x_2$, a ratio of $20$. Gradient descent treats the two coordinates separately:
# each step multiplies $x_1$ by $1 - 0.2\eta$ and $x_2$ by $1 - 4\eta$. With $\eta = 0.4$ the
# factors are $0.92$ and $-0.6$. The figure shows $x_2$ flipping sign and shrinking quickly, while
# $x_1$ creeps to the right: after 20 steps it is still at $-5 \cdot 0.92^{20} \approx -0.94$.
# The obvious cure, a larger rate, fails. With $\eta = 0.6$ the factor for $x_1$ improves to
# $0.88$, but the factor for $x_2$ becomes $-1.4$: every step overshoots the valley floor by more
# than it started, and after 20 steps $|x_2| = 2 \cdot 1.4^{20} \approx 1673$. In the second figure
# the trace leaves the plotted region at the very first step; the plot is clipped to the usual
# grid and marks where the trace leaves it, with its position after 20 steps. The steep
# direction caps the learning rate, and the flat direction pays for it.

# %% figures=["gd-lr-0.4", "gd-lr-0.6"]
d2l.show_trace_2d(f, d2l.train_2d(d2l.sgd(0.4), f_grad=f_grad))
d2l.show_trace_2d(f, d2l.train_2d(d2l.sgd(0.6), f_grad=f_grad))

# %% [markdown]
# ## Momentum on the same problem
#
# Now the same learning rate $\eta = 0.6$ with momentum. Along $x_2$ the gradient changes sign at
# almost every step, so consecutive gradients largely cancel inside the velocity and the
# oscillation is damped. Along $x_1$ the gradient always points the same way, so the velocity
# builds up and the step approaches $\eta/(1-\beta)$ times the gradient. With $\beta = 0.5$ the
# first figure shows a trace that overshoots a few times in $x_2$ and then settles, and it reaches
# $(0.007, 0.003)$ in 20 steps, far closer than gradient descent got with any rate. With
# $\beta = 0.25$ (second figure) there is less averaging: the $x_2$ oscillation decays only slowly,
# the progress along $x_1$ is slower too, and the run ends near $(-0.13, -0.19)$, about $30$ times
# farther from the minimum. The quadratic analysis below explains why the smaller $\beta$ is the
# worse one here, in *both* directions.

# %% figures=["momentum-beta-0.5", "momentum-beta-0.25"]
for beta in (0.5, 0.25):
    results = d2l.train_2d(d2l.momentum(0.6, beta), f_grad=f_grad)
    d2l.show_trace_2d(f, results)

# %% [markdown]
# ## How far back the average reaches
#
# The next figure plots the weight $\beta^\tau$ that the velocity gives to a gradient $\tau$ steps
# old, for four values of $\beta$. With $\beta = 0$ only the current gradient counts (the curve
# drops to zero after $\tau = 0$): gradient descent. With $\beta = 0.6$ the memory is a handful of
# steps. With $\beta = 0.9$ the weight halves about every $6.6$ steps, and with $\beta = 0.95$ a
# gradient from almost 40 steps ago, at the right edge of the plot, still carries about $13\%$
# of its weight. Larger $\beta$ means
# smoother averages, but also a velocity that reacts more slowly when the landscape changes: it
# needs on the order of $1/(1-\beta)$ steps to forget an old direction.

# %% figures=["leaky-average-weights"]
betas = [0.95, 0.9, 0.6, 0]
time = list(range(40))  # Python numbers: exact, so every backend plots the same values
ax = d2l.plot(time, [[beta**t for t in time] for beta in betas], "time",
              legend=[f"beta = {beta:.2f}" for beta in betas])

# %% [markdown]
# ## An exact analysis on quadratics
#
# Quadratics are the one case where both methods can be solved in closed form, and every smooth
# function looks like one near a minimum. Take
#
# $$h(\mathbf{x}) = \tfrac{1}{2}\mathbf{x}^\top \mathbf{Q}\,\mathbf{x} + \mathbf{x}^\top\mathbf{c} + b$$
#
# with $\mathbf{Q}$ symmetric positive definite. Its minimizer is $\mathbf{x}^* = -\mathbf{Q}^{-1}\mathbf{c}$,
# with minimum $b - \tfrac{1}{2}\mathbf{c}^\top\mathbf{Q}^{-1}\mathbf{c}$, and its gradient is
#
# $$\nabla h(\mathbf{x}) = \mathbf{Q}\mathbf{x} + \mathbf{c}
# = \mathbf{Q}\big(\mathbf{x} + \mathbf{Q}^{-1}\mathbf{c}\big)
# = \mathbf{Q}\,(\mathbf{x} - \mathbf{x}^*).$$
#
# :::{note}
# The book this course follows writes this gradient as
# $\mathbf{Q}(\mathbf{x} - \mathbf{Q}^{-1}\mathbf{c})$, a sign slip: expanding it gives
# $\mathbf{Q}\mathbf{x} - \mathbf{c}$. The form above is the correct one.
# :::
#
# Diagonalise $\mathbf{Q} = \mathbf{O}^\top \boldsymbol{\Lambda}\,\mathbf{O}$ with an orthogonal
# $\mathbf{O}$ and the eigenvalues $\lambda_i > 0$ on the diagonal of $\boldsymbol{\Lambda}$, and
# measure positions from the minimum in the eigenbasis, $\mathbf{z} = \mathbf{O}(\mathbf{x} - \mathbf{x}^*)$.
# Then $h = \tfrac{1}{2}\mathbf{z}^\top\boldsymbol{\Lambda}\mathbf{z}$ plus a constant, and the
# gradient in the new coordinates is $\boldsymbol{\Lambda}\mathbf{z}$. Because $\mathbf{O}$ is
# linear, it commutes with the updates: with $\mathbf{u}_t = \mathbf{O}\mathbf{v}_t$, momentum
# becomes
#
# $$\mathbf{u}_t = \beta\,\mathbf{u}_{t-1} + \boldsymbol{\Lambda}\,\mathbf{z}_{t-1}, \qquad
# \mathbf{z}_t = \mathbf{z}_{t-1} - \eta\,\mathbf{u}_t.$$
#
# The matrix is diagonal, so the coordinates of $\mathbf{z}$ no longer interact: the method runs
# as independent one-dimensional problems, one per eigenvalue. It is therefore enough to study
# $f(x) = \tfrac{\lambda}{2}x^2$, and the slowest (or the unstable) eigenvalue decides the whole.
#
# **Gradient descent** on $\tfrac{\lambda}{2}x^2$ takes
# $x_t = x_{t-1} - \eta\lambda\,x_{t-1}$, hence
#
# $$x_t = (1 - \eta\lambda)^t\,x_0.$$
#
# It converges exactly when $|1 - \eta\lambda| < 1$, that is for $0 < \eta\lambda < 2$: linearly,
# and monotonically for $\eta\lambda < 1$, in a single step for $\eta\lambda = 1$, and with a
# sign flip at every step for $1 < \eta\lambda < 2$. The figure shows $(1 - \eta\lambda)^t$ with
# $\eta = 0.1$ for four curvatures. For $\lambda = 0.1$ the factor is $0.99$ and the curve barely
# falls in 20 steps; for $\lambda = 1$ it is $0.9$; for $\lambda = 10$ it is $0$ and the error
# vanishes after one step; for $\lambda = 19$ it is $-0.9$ and the curve zigzags around zero while
# it decays. Notice that one rate serves the four curvatures very unequally: this is
# ill-conditioning, reduced to one picture.

# %% figures=["gd-convergence-by-curvature"]
eta, lambdas = 0.1, [0.1, 1, 10, 19]
time = list(range(20))  # Python numbers, exact as above
ax = d2l.plot(time, [[(1 - eta * lam) ** t for t in time] for lam in lambdas], "time", figsize=(6, 4),
              legend=[f"lambda = {lam:.2f}" for lam in lambdas])

# %% [markdown]
# **Momentum** on the same scalar problem has two state variables, and one step is linear in
# both: $v_t = \beta v_{t-1} + \lambda x_{t-1}$, and then
# $x_t = x_{t-1} - \eta v_t = -\eta\beta\,v_{t-1} + (1 - \eta\lambda)\,x_{t-1}$. In matrix form,
#
# $$\begin{bmatrix} v_t \\ x_t \end{bmatrix} = \mathbf{R}(\beta, \eta, \lambda)
# \begin{bmatrix} v_{t-1} \\ x_{t-1} \end{bmatrix}, \qquad
# \mathbf{R}(\beta, \eta, \lambda) =
# \begin{bmatrix} \beta & \lambda \\ -\eta\beta & 1 - \eta\lambda \end{bmatrix}.$$
#
# After $t$ steps the state is $\mathbf{R}^t$ times the start, so the iteration converges when
# both eigenvalues of $\mathbf{R}$ lie strictly inside the unit circle. They are the roots of
# $z^2 - (1 + \beta - \eta\lambda)\,z + \beta = 0$ (the trace of $\mathbf{R}$ is
# $1 + \beta - \eta\lambda$, its determinant $\beta$), and checking where a root reaches $1$ or
# $-1$ gives the condition (Exercise 6 proves it)
#
# $$0 < \eta\lambda < 2 + 2\beta.$$
#
# Compared with gradient descent's $0 < \eta\lambda < 2$, the range of usable learning rates
# widens by a factor $1 + \beta$. Along $x_2$ in the 2-D runs, $\eta\lambda = 0.6 \cdot 4 = 2.4$:
# beyond gradient descent's limit, but inside the limit $3$ of $\beta = 0.5$ and the limit $2.5$
# of $\beta = 0.25$, so both momentum runs converge.
#
# How *fast* they converge is set by the larger modulus of the two eigenvalues, the **spectral
# radius** of $\mathbf{R}$: after $t$ steps the error is of the order of its $t$-th power. A
# second fact, worked out in Exercises 1 and 6, decides it: when the two roots are complex
# conjugates, their product is $\beta$, so both have modulus $\sqrt{\beta}$, whatever $\lambda$
# is. The roots are complex exactly when $(1 + \beta - \eta\lambda)^2 < 4\beta$, that is for
# $(1 - \sqrt{\beta})^2 < \eta\lambda < (1 + \sqrt{\beta})^2$, so a whole band of curvatures
# converges at the same rate $\sqrt{\beta}$; outside the band one real root is larger than
# $\sqrt{\beta}$. The cell below computes the radius in both directions of the 2-D runs. With
# $\beta = 0.5$ the band is $(0.086, 2.91)$ and contains both $\eta\lambda = 0.12$ and $2.4$: both
# directions contract by $\sqrt{0.5} \approx 0.71$ per step. With $\beta = 0.25$ the band
# shrinks to $(0.25, 2.25)$, and *both* values fall outside it, $0.12$ below and $2.4$ above: the
# radius is $0.83$ along $x_1$ and $0.86$ along $x_2$, so both directions are slower. Over 20 steps
# the ratios $(0.83/0.71)^{20}$ and $(0.86/0.71)^{20}$ grow to about $24$ and $49$ (also printed),
# which is why the $\beta = 0.25$ run ends some $30$ times farther out.

# %%
import cmath


def momentum_radius(beta, eta_lambda):
    """Spectral radius of R: the larger modulus of the roots of z^2 - (1 + beta - eta lambda) z + beta."""
    trace = 1 + beta - eta_lambda
    root = cmath.sqrt(trace * trace - 4 * beta)
    return max(abs((trace + root) / 2), abs((trace - root) / 2))


curvatures = {"x1": 0.2, "x2": 4}
radii = {beta: {name: momentum_radius(beta, 0.6 * lam) for name, lam in curvatures.items()}
         for beta in (0.5, 0.25)}
for beta, radius in radii.items():
    print(f"eta = 0.6, beta = {beta:.2f}: spectral radius {radius['x1']:.4f} along x1, "
          f"{radius['x2']:.4f} along x2")
print("after 20 steps, beta = 0.25 against 0.5: "
      + ", ".join(f"{(radii[0.25][name] / radii[0.5][name]) ** 20:.1f} times larger along {name}"
                  for name in curvatures))

# %% [markdown]
# ## Momentum from scratch, on real data
#
# On the airfoil regression with minibatches of 10, each parameter gets a velocity of its own
# shape, starting at zero. Like every optimizer state in this course it is a `d2l.Variable`,
# which the trainer updates through `.data`, so the code is the same on every backend. The update
# is the rule above, applied to each parameter in turn: the velocity first, then the parameter.

# %%
def init_momentum_states(feature_dim):
    v_w = d2l.Variable(d2l.zeros((feature_dim, 1)))
    v_b = d2l.Variable(d2l.zeros(1))
    return (v_w, v_b)


def sgd_momentum(params, states, hyperparams):
    for p, v in zip(params, states):
        v.data = hyperparams["momentum"] * v.data + p.grad
        p.data = p.data - hyperparams["lr"] * v.data


# %% [markdown]
# The first run uses $\eta = 0.02$ and $\beta = 0.5$, an effective step of
# $0.02/(1 - 0.5) = 0.04$. The loss curve falls quickly in the first half epoch and then stays
# flat near the best loss this linear model reaches, about $0.24$.

# %% figures=["train-momentum-lr-0.02-beta-0.5"]
def train_momentum(lr, momentum, num_epochs=2):
    return d2l.train_ch11(sgd_momentum, init_momentum_states(feature_dim),
                          {"lr": lr, "momentum": momentum}, data_iter, feature_dim, num_epochs)


d2l.seed(0)
data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
train_momentum(0.02, 0.5)

# %% [markdown]
# Now $\beta = 0.9$ with $\eta = 0.01$. The learning rate was halved, yet the effective step
# $0.01/(1 - 0.9) = 0.1$ is two and a half times the previous one, because the velocity now
# averages about ten gradients. The curve is visibly bumpier and ends higher: the steps are too
# long for the noise in the minibatch gradients. This is the pitfall of tuning $\beta$ on its own.

# %% figures=["train-momentum-lr-0.01-beta-0.9"]
train_momentum(0.01, 0.9)

# %% [markdown]
# Halving the learning rate again, to $0.005$, brings the effective step down to $0.05$, close to
# the first run, and the curve is smooth again. The rule of thumb: think in terms of
# $\eta/(1-\beta)$, and when you raise $\beta$, lower $\eta$ to keep it.

# %% figures=["train-momentum-lr-0.005-beta-0.9"]
train_momentum(0.005, 0.9)

# %% [markdown]
# ## Concise implementation
#
# Every framework has momentum built into its SGD optimizer, so the concise version only passes
# $\beta$ along with the learning rate. The tabs show each framework's call with the same
# $\eta = 0.005$ and $\beta = 0.9$ as the last run; on NumPy, which has no optimizers of its own,
# the package's `d2l.momentum` stands in. The frameworks do not all store the same quantity.
# PyTorch keeps the velocity of this section, $\mathbf{v} \leftarrow \beta\mathbf{v} + \mathbf{g}$
# followed by $\mathbf{x} \leftarrow \mathbf{x} - \eta\mathbf{v}$. Keras and MXNet keep the
# step itself, $\mathbf{m} \leftarrow \beta\mathbf{m} - \eta\,\mathbf{g}$ followed by
# $\mathbf{x} \leftarrow \mathbf{x} + \mathbf{m}$, so that $\mathbf{m} = -\eta\mathbf{v}$. While
# $\eta$ is constant the two produce the same iterates; under a learning-rate schedule they do
# not, because a changed $\eta$ affects the whole velocity in one convention but only the newest
# gradient in the other (Exercise 4).
#
# The loss is the from-scratch one, the mean of $\tfrac{1}{2}(\hat{y} - y)^2$, on every backend,
# and all four tabs train two epochs from the same initial weights and the same minibatches, so the
# curve ends near the loss of the last from-scratch run. The optimizer code is the framework's
# own, so the curves may differ in the last digits from one tab to the next.

# %% [markdown] tags=["porting"]
# **For instructors porting code.** The book's PyTorch and TensorFlow versions of this cell
# minimise the mean squared error without the $\tfrac{1}{2}$, which doubles every gradient and so
# acts like a doubled learning rate, and its PyTorch version trains four epochs instead of two.
# The tabs here follow the book's MXNet version (half the squared error, two epochs) on every
# framework, so that the four curves can be compared.

# %%
d2l.seed(0)
data_iter, _ = d2l.get_data_ch11(10)

# %% tags=["framework-torch"] figures=["train-concise"]
import torch

run = d2l.train_concise_ch11(torch.optim.SGD, {"lr": 0.005, "momentum": 0.9}, data_iter)

# %% tags=["framework-tensorflow"] figures=["train-concise"]
import tensorflow as tf

run = d2l.train_concise_ch11(tf.keras.optimizers.SGD, {"learning_rate": 0.005, "momentum": 0.9},
                             data_iter)

# %% tags=["framework-mxnet"] figures=["train-concise"]
run = d2l.train_concise_ch11("sgd", {"learning_rate": 0.005, "momentum": 0.9}, data_iter)

# %% tags=["framework-numpy"] figures=["train-concise"]
run = d2l.train_concise_ch11(d2l.momentum, {"lr": 0.005, "beta": 0.9}, data_iter)

# %% tags=["framework-jax"] figures=["train-concise"]
import optax

run = d2l.train_concise_ch11(optax.sgd, {"learning_rate": 0.005, "momentum": 0.9}, data_iter)

# %% [markdown]
# ## Summary
#
# * Momentum replaces the gradient by a leaky average of past gradients,
#   $\mathbf{v}_t = \beta\mathbf{v}_{t-1} + \mathbf{g}_t$, and steps along it. The average cancels
#   oscillating components and accumulates consistent ones: progress speeds up along flat
#   directions and oscillations are damped along steep ones.
# * Its effective step is $\eta/(1-\beta)$ and it averages about $1/(1-\beta)$ gradients, so
#   $\eta$ and $\beta$ must be tuned together: raising $\beta$ without lowering $\eta$ lengthens
#   the steps.
# * On a quadratic the method splits into one two-variable linear recursion per eigenvalue. It is
#   stable for $0 < \eta\lambda < 2 + 2\beta$ instead of gradient descent's $0 < \eta\lambda < 2$,
#   and its rate is the spectral radius of $\mathbf{R}(\beta, \eta, \lambda)$: $\sqrt{\beta}$
#   for every curvature in the band $(1 - \sqrt{\beta})^2 \le \eta\lambda \le (1 + \sqrt{\beta})^2$,
#   larger outside it.
# * Tuned to the condition number $\kappa$, momentum needs a number of steps growing like
#   $\sqrt{\kappa}$, against $\kappa$ for gradient descent.
# * It costs one extra vector per parameter. Frameworks store either the velocity or the step
#   $-\eta\mathbf{v}$: the same method at a constant rate, different ones under a schedule.
#
# ## Exercises
#
# **Exercise 1 (the stability region).** For $\beta \in \{0, 0.25, 0.5, 0.9\}$, compute the
# spectral radius of $\mathbf{R}(\beta, \eta, \lambda)$ (the section's `momentum_radius`) as a
# function of $\eta\lambda$ on a fine grid. Find the largest stable $\eta\lambda$ and compare
# with $2 + 2\beta$; find the smallest radius and compare with $\sqrt{\beta}$. Then confirm the
# limit with `d2l.momentum` on $\tfrac{1}{2}x^2$, just below and just above it.

# %% tags=["solution"]
grid = [k / 1000 for k in range(1, 5000)]
stable_limits, smallest_radii = [], []
for beta in (0.0, 0.25, 0.5, 0.9):
    radii = [momentum_radius(beta, eta_lambda) for eta_lambda in grid]
    largest = max(x for x, radius in zip(grid, radii) if radius < 1 - 1e-9)
    stable_limits.append(largest)
    smallest_radii.append(min(radii))
    print(f"beta = {beta:.2f}: stable up to eta*lambda = {largest:.3f} (2 + 2 beta = {2 + 2 * beta:.3f}), "
          f"smallest radius {min(radii):.4f} (sqrt(beta) = {beta**0.5:.4f})")


def distance_after(beta, eta, steps=100):
    """|x| after ``steps`` momentum steps on x^2 / 2 (lambda = 1) from x = 1."""
    optimizer = d2l.momentum(eta, beta)
    x = (d2l.tensor(1.0, "float64"),)
    state = optimizer.init(x)
    for _ in range(steps):
        x, state = optimizer.update(x, state, x)  # the gradient of x^2 / 2 is x
    return abs(d2l.to_float(x[0]))


for beta in (0.5, 0.9):
    limit = 2 + 2 * beta
    print(f"beta = {beta}: |x_100| = {distance_after(beta, 0.95 * limit):.0e} at 95% of the limit, "
          f"{distance_after(beta, 1.05 * limit):.0e} at 105%")

# %% [markdown] tags=["solution"]
# The grid search finds the boundary at $2 + 2\beta$ every time (up to the grid step), and the
# runs agree: 5% below the limit the iterate shrinks, 5% above it explodes. The minimal radius is
# $\sqrt{\beta}$: it is reached on the whole interval where the discriminant
# $(1 + \beta - \eta\lambda)^2 - 4\beta$ is negative, i.e. for
# $(1 - \sqrt{\beta})^2 \le \eta\lambda \le (1 + \sqrt{\beta})^2$. Inside that band, momentum
# converges at the same rate for every curvature. (For $\beta = 0$ the radius $0$ is the one-step
# convergence of gradient descent at $\eta\lambda = 1$.) Note that with $\beta = 0.9$ the best
# possible factor per step is $0.9487$: momentum buys robustness across curvatures, not a fast rate
# for any single one.

# %% [markdown]
# **Exercise 2 (tuning for the condition number).** Our $f$ has curvatures $\lambda_{\min} = 0.2$
# and $\lambda_{\max} = 4$, a condition number $\kappa = 20$. The best rate of gradient descent is
# $\eta = 2/(\lambda_{\min} + \lambda_{\max})$, with the factor $(\kappa - 1)/(\kappa + 1)$ per
# step. Using Exercise 1, choose $\beta$ and $\eta$ so that both curvatures fall into momentum's
# band, and compare 20 steps of both methods from $(-5, -2)$.

# %% tags=["solution"] figures=["exercise-tuned-momentum"]
kappa = 4 / 0.2
tuned_beta = ((kappa**0.5 - 1) / (kappa**0.5 + 1)) ** 2
tuned_eta = (1 + tuned_beta**0.5) ** 2 / 4  # 4 eta at the top of the band, 0.2 eta at its bottom
print(f"gradient descent: eta = {2 / 4.2:.4f}, factor per step {(kappa - 1) / (kappa + 1):.4f}")
plain = d2l.train_2d(d2l.sgd(2 / 4.2), f_grad=f_grad)
print(f"momentum: eta = {tuned_eta:.4f}, beta = {tuned_beta:.4f}, factor per step {tuned_beta**0.5:.4f}")
tuned_trace = d2l.train_2d(d2l.momentum(tuned_eta, tuned_beta), f_grad=f_grad)
d2l.show_traces_2d(f, {"gradient descent": plain, "tuned momentum": tuned_trace})


def shrinkage(trace):
    """|x_end| / |x_start|: the factor by which a run brought the distance to the minimum down."""
    (start1, start2), (end1, end2) = trace[0], trace[-1]
    return ((end1**2 + end2**2) / (start1**2 + start2**2)) ** 0.5


for name, trace, factor in (("gradient descent", plain, (kappa - 1) / (kappa + 1)),
                            ("tuned momentum", tuned_trace, tuned_beta**0.5)):
    print(f"{name}: distance shrank by {shrinkage(trace):.2e} in 20 steps, "
          f"factor^20 = {factor**20:.2e}")

# %% [markdown] tags=["solution"]
# Setting $\eta\lambda_{\max} = (1 + \sqrt{\beta})^2$ and $\eta\lambda_{\min} = (1 - \sqrt{\beta})^2$
# and dividing gives $\sqrt{\beta} = (\sqrt{\kappa} - 1)/(\sqrt{\kappa} + 1) \approx 0.634$. Each
# step of momentum then shrinks the error by about $0.63$ in *every* direction, against $0.905$
# for the best gradient descent (in both directions: at that rate $|1 - \eta\lambda|$ is the same
# at both ends): $0.63^{20} \approx 1.1 \times 10^{-4}$ versus $0.905^{20} \approx 0.14$. The printed
# shrinkage of gradient descent is exactly its $0.905^{20}$. Momentum's, about $1.6 \times 10^{-3}$,
# is some $15$ times larger than $0.63^{20}$: both curvatures sit at the *edges* of the band, where
# the two roots coincide, and a double root $r$ gives terms $(a + bt)\,r^t$ instead of $a\,r^t$, a
# factor growing like $t$ (here $t = 20$). Even so, momentum ends about 80 times closer.
# The figure shows
# gradient descent still far out along $x_1$, while the tuned momentum swings widely across the
# valley, even beyond its start in $x_2$, but contracts at the same pace in both directions and
# ends at the minimum. The general lesson: the number
# of steps grows like $\kappa$ for gradient descent but like $\sqrt{\kappa}$ for well-tuned
# momentum.

# %% [markdown]
# **Exercise 3 (the velocity warms up).** Feed `d2l.momentum` with $\beta = 0.9$ a constant
# gradient $g = 1$ and print the velocity after 1, 5, 10, 20 and 50 steps. Compare with
# $(1 - \beta^t)/(1 - \beta)$. How many steps does it take for the effective step to reach
# $\eta/(1-\beta)$?

# %% tags=["solution"]
optimizer = d2l.momentum(1.0, 0.9)
x = (d2l.tensor(0.0, "float64"),)
state = optimizer.init(x)
velocities, formula = [], []
for t in range(1, 51):
    x, state = optimizer.update((d2l.tensor(1.0, "float64"),), state, x)
    if t in (1, 5, 10, 20, 50):
        velocities.append(d2l.to_float(state.slots[0][0]))
        formula.append(f"{(1 - 0.9**t) / (1 - 0.9):.4f}")
print("velocity after 1, 5, 10, 20, 50 steps:", ", ".join(f"{v:.4f}" for v in velocities))
print("(1 - beta^t) / (1 - beta):            ", ", ".join(formula))

# %% [markdown] tags=["solution"]
# The velocity is the partial geometric sum $\sum_{\tau<t}\beta^\tau = (1 - \beta^t)/(1 - \beta)$: it
# starts at $1$, passes $6.5$ after ten steps and is within $1\%$ of the limit $10$ only after
# about 45 steps. So the first steps of a momentum run are *shorter* than the effective step
# $\eta/(1-\beta)$ suggests, and it takes a few multiples of $1/(1-\beta)$ steps before the
# velocity reflects its full memory. (Adam, later in the chapter, corrects this start-up bias
# explicitly.)

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (1 point).** A complete answer:
#
# - It says that the velocity $(1 - \beta^t)/(1 - \beta)$ never reaches $10$ exactly and comes
#   within $1\%$ of it once $0.9^t \le 0.01$, after about $44$ steps (1 point).

# %% [markdown]
# **Exercise 4 (two conventions under a schedule).** Keras and MXNet update
# $\mathbf{m} \leftarrow \beta\mathbf{m} - \eta_t\mathbf{g}$, $\mathbf{x} \leftarrow \mathbf{x} + \mathbf{m}$,
# while this section (and PyTorch) updates $\mathbf{v} \leftarrow \beta\mathbf{v} + \mathbf{g}$,
# $\mathbf{x} \leftarrow \mathbf{x} - \eta_t\mathbf{v}$. Run both on $f$ with $\beta = 0.5$ and the
# decaying rate $\eta_t = 0.6 \cdot 0.9^t$ for 20 steps. Are they the same method?

# %% tags=["solution"]
def decaying_rate(step):
    return 0.6 * 0.9**step


velocity_form_trace = d2l.train_2d(d2l.momentum(decaying_rate, 0.5), f_grad=f_grad)
steps_taken = 0


def step_form(x1, x2, m1, m2, f_grad):
    """Keras/MXNet momentum: m <- beta m - eta_t g; x <- x + m."""
    global steps_taken
    eta_t, steps_taken = decaying_rate(steps_taken), steps_taken + 1
    g1, g2 = f_grad(x1, x2)
    m1, m2 = 0.5 * m1 - eta_t * g1, 0.5 * m2 - eta_t * g2
    return x1 + m1, x2 + m2, m1, m2


step_form_trace = d2l.train_2d(step_form, f_grad=f_grad)
same_method = velocity_form_trace[-1] == step_form_trace[-1]

# %% [markdown] tags=["solution"]
# The runs end at different points, so no: they are two methods that coincide only while $\eta$
# is constant. Unrolling them shows why. In the velocity form the step at time $t$ is
# $\eta_t\sum_\tau \beta^\tau \mathbf{g}_{t-\tau}$: the *current* rate scales all remembered
# gradients, so decaying $\eta$ immediately shortens the whole step. In the step form it is
# $\sum_\tau \beta^\tau \eta_{t-\tau}\mathbf{g}_{t-\tau}$: each gradient keeps the rate it arrived
# with, and old, large-rate contributions linger. The difference is small when the schedule
# changes slowly compared with $1/(1-\beta)$ steps, and large right after a sudden drop of the
# rate. When porting a recipe between frameworks, check which convention it was tuned with.

# %% [markdown]
# **Exercise 5 (the minimum of a quadratic; proof).** Let $\mathbf{Q}$ be symmetric positive
# definite. Prove that
# $h(\mathbf{x}) = \tfrac{1}{2}\mathbf{x}^\top\mathbf{Q}\mathbf{x} + \mathbf{x}^\top\mathbf{c} + b$
# has the unique minimiser $\mathbf{x}^* = -\mathbf{Q}^{-1}\mathbf{c}$ and the minimum
# $b - \tfrac{1}{2}\mathbf{c}^\top\mathbf{Q}^{-1}\mathbf{c}$. What goes wrong when $\mathbf{Q}$ has
# a negative eigenvalue?

# %% [markdown] tags=["solution"]
# $\mathbf{Q}$ is positive definite, hence invertible, and $\mathbf{Q}^{-1}$ is symmetric. Complete
# the square with $\mathbf{x}^* = -\mathbf{Q}^{-1}\mathbf{c}$, that is $\mathbf{c} = -\mathbf{Q}\mathbf{x}^*$:
#
# $$\tfrac{1}{2}(\mathbf{x} - \mathbf{x}^*)^\top\mathbf{Q}(\mathbf{x} - \mathbf{x}^*)
# = \tfrac{1}{2}\mathbf{x}^\top\mathbf{Q}\mathbf{x} - \mathbf{x}^\top\mathbf{Q}\mathbf{x}^*
# + \tfrac{1}{2}\mathbf{x}^{*\top}\mathbf{Q}\mathbf{x}^*
# = \tfrac{1}{2}\mathbf{x}^\top\mathbf{Q}\mathbf{x} + \mathbf{x}^\top\mathbf{c}
# + \tfrac{1}{2}\mathbf{c}^\top\mathbf{Q}^{-1}\mathbf{c},$$
#
# using $\mathbf{x}^\top\mathbf{Q}\mathbf{x}^* = -\mathbf{x}^\top\mathbf{c}$ and
# $\mathbf{x}^{*\top}\mathbf{Q}\mathbf{x}^*
# = \mathbf{c}^\top\mathbf{Q}^{-1}\mathbf{Q}\mathbf{Q}^{-1}\mathbf{c}
# = \mathbf{c}^\top\mathbf{Q}^{-1}\mathbf{c}$. Hence
#
# $$h(\mathbf{x}) = \tfrac{1}{2}(\mathbf{x} - \mathbf{x}^*)^\top\mathbf{Q}(\mathbf{x} - \mathbf{x}^*)
# + b - \tfrac{1}{2}\mathbf{c}^\top\mathbf{Q}^{-1}\mathbf{c}.$$
#
# The first term is nonnegative and, $\mathbf{Q}$ being positive definite, zero only at
# $\mathbf{x} = \mathbf{x}^*$: so $\mathbf{x}^*$ is the unique minimiser and the minimum is
# $b - \tfrac{1}{2}\mathbf{c}^\top\mathbf{Q}^{-1}\mathbf{c}$. The same identity gives the
# gradient $\nabla h(\mathbf{x}) = \mathbf{Q}(\mathbf{x} - \mathbf{x}^*)$ used in the section. If
# $\mathbf{Q}$ has an eigenvector $\mathbf{u}$ with eigenvalue $\mu < 0$, then along
# $\mathbf{x} = t\mathbf{u}$ the function is $\tfrac{1}{2}\mu t^2\|\mathbf{u}\|^2 + O(t)$, which
# goes to $-\infty$: $h$ has no minimum, and $\mathbf{x}^*$ (if $\mathbf{Q}$ is invertible) is a
# saddle point or a maximum. Gradient descent then diverges from every start with a component
# along $\mathbf{u}$, which it multiplies by $1 - \eta\mu > 1$ at every step; so does momentum,
# whose $p(1) = \eta\mu$ is negative, so that a root exceeds $1$ (Exercise 6).

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (4 points).** A complete answer:
#
# - It completes the square, or solves $\nabla h = \mathbf{0}$ and uses the positive definite
#   $\mathbf{Q}$ (2 points).
# - It concludes the unique minimiser $-\mathbf{Q}^{-1}\mathbf{c}$ and the minimum
#   $b - \tfrac{1}{2}\mathbf{c}^\top\mathbf{Q}^{-1}\mathbf{c}$ (1 point).
# - For a negative eigenvalue it shows that $h$ is unbounded below along its eigenvector, so there
#   is no minimum (1 point).

# %% [markdown]
# **Exercise 6 (the stability condition; proof).** Let $0 \le \beta < 1$ and $\eta\lambda$ be
# real. Prove that both roots of $p(z) = z^2 - (1 + \beta - \eta\lambda)\,z + \beta$ lie strictly
# inside the unit circle if and only if $0 < \eta\lambda < 2 + 2\beta$, and that complex roots
# always have modulus $\sqrt{\beta}$.

# %% [markdown] tags=["solution"]
# Write $s = 1 + \beta - \eta\lambda$ for the sum of the roots; their product is $\beta$. Note
# that $p(1) = \eta\lambda$ and $p(-1) = 2 + 2\beta - \eta\lambda$, so the condition to prove
# reads $p(1) > 0$ and $p(-1) > 0$.
#
# *Complex roots* ($s^2 < 4\beta$). They are conjugates, $z$ and $\bar{z}$, so
# $|z|^2 = z\bar{z} = \beta$ and both have modulus $\sqrt{\beta} < 1$: the iteration is stable.
# The condition holds too: $|s| < 2\sqrt{\beta} \le 1 + \beta$ (because
# $1 + \beta - 2\sqrt{\beta} = (1 - \sqrt{\beta})^2 \ge 0$), so $-(1 + \beta) < s < 1 + \beta$,
# which is $0 < \eta\lambda < 2 + 2\beta$.
#
# *Real roots* $z_1 \le z_2$ ($s^2 \ge 4\beta$). The parabola $p$ opens upwards, is negative
# strictly between the roots and positive outside $[z_1, z_2]$. If both roots lie in $(-1, 1)$,
# then $\pm 1$ are outside $[z_1, z_2]$, so $p(1) > 0$ and $p(-1) > 0$. Conversely, suppose
# $p(1) > 0$ and $p(-1) > 0$. Then neither $1$ nor $-1$ lies in $[z_1, z_2]$, and the midpoint
# $s/2$ of the roots satisfies $|s/2| < (1 + \beta)/2 < 1$ (from $-(1 + \beta) < s < 1 + \beta$,
# the same rewriting as above). An interval that contains a point of $(-1, 1)$ and neither $-1$
# nor $1$ lies inside $(-1, 1)$: both roots have modulus less than $1$.
#
# So in every case both roots are inside the unit circle exactly when $0 < \eta\lambda < 2 + 2\beta$.
# At $\eta\lambda = 0$ a root equals $1$ (no progress) and at $\eta\lambda = 2 + 2\beta$ a root
# equals $-1$ (an oscillation that never decays), which is where the section's boundary comes from.
# A double root $r$ with $|r| < 1$ still converges, since $t\,r^t \to 0$. With $\beta = 0$ the roots
# are $0$ and $1 - \eta\lambda$, and the condition becomes gradient descent's $0 < \eta\lambda < 2$.

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (5 points).** A complete answer:
#
# - It uses the sum $1 + \beta - \eta\lambda$ and the product $\beta$ of the roots, or evaluates
#   $p(1) = \eta\lambda$ and $p(-1) = 2 + 2\beta - \eta\lambda$ (1 point).
# - Complex roots: it shows that both have modulus $\sqrt{\beta} < 1$ and that the condition holds
#   (1 point).
# - Real roots inside the unit circle imply $p(1) > 0$ and $p(-1) > 0$ (1 point).
# - The converse for real roots, for instance with the position of the midpoint $s/2$ (1 point).
# - It names the boundary cases: a root $1$ at $\eta\lambda = 0$ and a root $-1$ at
#   $\eta\lambda = 2 + 2\beta$ (1 point).
