# %% [markdown]
# # Adagrad
#
# Momentum averages gradients over time, but it still uses one learning rate for every
# coordinate. Adagrad goes the other way: it keeps a separate learning rate for each coordinate
# and lowers each one according to how much gradient that coordinate has already received.
# Coordinates with large or frequent gradients slow down; coordinates that rarely see a gradient
# keep a large rate. This section motivates the idea twice, from sparse features and from
# preconditioning, derives the update, shows it on the ill-conditioned quadratic of the momentum
# section, and trains the airfoil regression with it. It also shows the method's weakness, a
# learning rate that can only decrease, which the next sections repair.
#
# Run as a script: `python examples/adagrad.py --backend mxnet --out figures/`.

# %% [markdown]
# ## Sparse features and per-coordinate rates
#
# Many models see features that are mostly zero: a rare word in a text model, a seldom-shown
# product in a recommender. The parameter attached to such a feature receives a nonzero gradient
# only in the few minibatches that contain it. A global learning-rate schedule such as
# $\eta_t = \eta_0/\sqrt{t + c}$ decays on the clock, regardless of which features were seen, so
# by the time a rare feature shows up for the tenth time its rate may already be tiny, while a
# common feature had thousands of updates at generous rates. The fix is to give each coordinate
# its own clock. Let $s(i, t)$ count how often feature $i$ has been observed up to time $t$ and set
#
# $$\eta_i = \frac{\eta_0}{\sqrt{s(i, t) + c}}.$$
#
# Adagrad replaces the counter by something that needs no notion of "observed": the sum of the
# squared gradients received by coordinate $i$. A coordinate that never gets a gradient keeps its
# initial rate; one that gets many large gradients is slowed down a lot. As a bonus the sum adapts
# to the *size* of the gradients, not just their number, which connects to the second motivation.
#
# ## Preconditioning and the condition number
#
# Take the convex quadratic
#
# $$f(\mathbf{x}) = \tfrac{1}{2}\mathbf{x}^\top\mathbf{Q}\,\mathbf{x} + \mathbf{c}^\top\mathbf{x} + b,
# \qquad \mathbf{Q} = \mathbf{U}^\top\boldsymbol{\Lambda}\,\mathbf{U},$$
#
# with eigenvalues $\Lambda_1 \ge \cdots \ge \Lambda_d > 0$. As the momentum section showed, in the
# eigenbasis gradient descent splits into one scalar problem per eigenvalue, and one learning rate
# must be small enough for the largest eigenvalue while it determines the progress along the
# smallest. What matters is their ratio, the **condition number**
#
# $$\kappa = \frac{\Lambda_1}{\Lambda_d}.$$
#
# The best fixed rate shrinks the error by $(\kappa - 1)/(\kappa + 1)$ per step, so the number of
# steps grows in proportion to $\kappa$. If we knew $\mathbf{U}$ and $\boldsymbol{\Lambda}$ we
# could rescale the problem until every eigenvalue equals one, which is what Newton's method does.
# For a network with millions of parameters, an eigendecomposition (or even storing
# $\mathbf{Q}$) is out of the question. A much cheaper correction rescales each coordinate by the
# diagonal of $\mathbf{Q}$ alone:
#
# $$\tilde{\mathbf{Q}} = \operatorname{diag}^{-\frac{1}{2}}(\mathbf{Q})\,\mathbf{Q}\,
# \operatorname{diag}^{-\frac{1}{2}}(\mathbf{Q}), \qquad
# \tilde{Q}_{ij} = \frac{Q_{ij}}{\sqrt{Q_{ii}\,Q_{jj}}}.$$
#
# Now every diagonal entry is $1$. When the large eigenvalues of $\mathbf{Q}$ come from badly
# scaled coordinates (the valley is aligned with the axes, but stretched), this removes most of
# the ill-conditioning: for a diagonal $\mathbf{Q}$, $\tilde{\mathbf{Q}}$ is the identity and
# $\kappa$ drops to $1$. When the valley is tilted, so that the off-diagonal entries are large,
# the diagonal says little and the rescaling helps little; Exercise 1 measures both cases.
#
# In deep learning even the diagonal of the Hessian is too expensive. Adagrad uses the gradients
# it already computes as a stand-in: a coordinate along which the objective is steep produces
# large gradients, so the root of the accumulated squared gradients grows fastest exactly there.
# Dividing by it is a diagonal preconditioner estimated on the fly, for the cost of one extra
# vector.
#
# ## The algorithm
#
# With the minibatch gradient $\mathbf{g}_t$, Adagrad keeps a state $\mathbf{s}_t$ of the
# parameters' shape, starting at $\mathbf{s}_0 = \mathbf{0}$, and updates coordinate by coordinate
# (squares, roots and the division act elementwise):
#
# $$\begin{aligned}
# \mathbf{s}_t &= \mathbf{s}_{t-1} + \mathbf{g}_t^2, \\
# \mathbf{w}_t &= \mathbf{w}_{t-1} - \frac{\eta}{\sqrt{\mathbf{s}_t + \epsilon}} \cdot \mathbf{g}_t.
# \end{aligned}$$
#
# The constant $\epsilon$ (here $10^{-6}$) keeps the division finite when a coordinate has seen no
# gradient yet. It sits **inside** the root in this course's rule; some frameworks add it outside,
# $\sqrt{\mathbf{s}_t} + \epsilon$, which changes the step when gradients are tiny (the RMSProp
# section measures it). Three consequences are worth keeping in mind:
#
# * **The first step has the same size in every coordinate.** With $\mathbf{s}_1 = \mathbf{g}_1^2$,
#   the first update is $\eta\,g/\sqrt{g^2 + \epsilon} \approx \eta\operatorname{sign}(g)$.
# * **Adagrad ignores the scale of the loss.** Multiplying $f$ by a constant $c > 0$ multiplies
#   every $g_t$ and every $\sqrt{s_t}$ by $c$, so the steps do not change (up to $\epsilon$).
#   Exercise 3 checks it.
# * **The rates only decrease.** Under a roughly constant gradient, $s_t$ grows linearly, so the
#   rate decays like $1/\sqrt{t}$. For convex problems that is the right speed. For deep networks,
#   whose landscape changes as training moves on, it is often too fast: the rates become tiny long
#   before a good region is reached. RMSProp and Adam, next, keep the per-coordinate scaling but
#   forget old gradients.

# %% tags=["remove-cell"]
import d2l_optim as d2l

section = d2l.Section("adagrad")
# printed losses agree across frameworks to their last digit; seconds are measurements
section.compare(r"loss: (\S+),", atol=1.5e-3)
section.compare(r"(\S+) sec/epoch", "timing")
# from-scratch loss curves agree across frameworks to 1e-4
section.compare_figures("train-adagrad", atol=1e-4)
section.compare_figures("train-concise", "framework")  # each framework's own optimizer

# %%
import d2l_optim as d2l
from d2l_optim import objectives

f = objectives.elongated_2d
f_grad = d2l.grad(f, argnums=(0, 1))

# %% [markdown]
# ## Adagrad on an ill-conditioned quadratic
#
# Back to $f(\mathbf{x}) = 0.1\,x_1^2 + 2\,x_2^2$ from $(-5, -2)$, curvatures $0.2$ and $4$. The
# first figure uses $\eta = 0.4$. By the first consequence above, the first step moves both
# coordinates by almost exactly $0.4$, and the trace heads off diagonally, not along the steep
# direction as gradient descent would. Adagrad has evened out the two curvatures. But notice how
# the dots bunch up: every step adds to $\mathbf{s}$, the rates shrink like $1/\sqrt{t}$, and after
# 20 steps $x_1$ has only reached about $-2.38$. The decaying rate, not the curvature, is now the
# bottleneck. With $\eta = 2$ (second figure) the first step moves each coordinate by $2$, which
# puts $x_2$ practically on the valley floor at once; from there $x_1$ marches to the minimum in
# shrinking steps and ends at about $-0.002$. A learning rate that would be far too large for
# gradient descent on this function (the limit there is $2/4 = 0.5$) is fine for Adagrad, because
# its effective rate per coordinate is $\eta/\sqrt{s}$, not $\eta$.

# %% figures=["adagrad-lr-0.4", "adagrad-lr-2"]
for eta in (0.4, 2):
    results = d2l.train_2d(d2l.adagrad(eta), f_grad=f_grad)
    d2l.show_trace_2d(f, results)

# %% [markdown]
# ## Adagrad from scratch, on real data
#
# The implementation needs one accumulator per parameter, of its shape, starting at zero, as a
# `d2l.Variable`. The trainer adds the squared gradient to it and then scales the step, with
# $\epsilon = 10^{-6}$ inside the root. The same code runs on every backend.

# %%
def init_adagrad_states(feature_dim):
    s_w = d2l.Variable(d2l.zeros((feature_dim, 1)))
    s_b = d2l.Variable(d2l.zeros(1))
    return (s_w, s_b)


def adagrad(params, states, hyperparams):
    eps = 1e-6
    for p, s in zip(params, states):
        s.data = s.data + d2l.square(p.grad)
        p.data = p.data - hyperparams["lr"] * p.grad / d2l.sqrt(s.data + eps)


# %% [markdown]
# We train on minibatches of 10 with $\eta = 0.1$, twice the rate that plain minibatch SGD used
# on the same data. Since every coordinate's rate starts at about $\eta$ divided by its first
# gradient's size and then keeps shrinking, a nominally large $\eta$ is safe. The loss curve falls
# over the first half epoch and then lies flat near $0.24$, with very little jitter in the
# second epoch: the accumulated $\mathbf{s}$ has grown over a few hundred minibatches, the rates
# have shrunk accordingly, and the minibatch noise no longer moves the weights much. On this
# convex problem the decay is harmless; on a harder one the same flattening could mean stalling.

# %% figures=["train-adagrad"]
d2l.seed(0)
data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
run = d2l.train_ch11(adagrad, init_adagrad_states(feature_dim), {"lr": 0.1}, data_iter, feature_dim)

# %% [markdown]
# ## Concise implementation
#
# Every framework ships Adagrad, and the tabs call each one with the learning rate $0.1$ and
# otherwise its own defaults, which differ from this section's rule in small ways:
#
# * **PyTorch** adds its $\epsilon = 10^{-10}$ *outside* the root,
#   $\eta\,g/(\sqrt{s} + \epsilon)$, and starts the accumulator at $0$.
# * **Keras** starts the accumulator at $0.1$ instead of $0$ and uses $\epsilon = 10^{-7}$. A
#   nonzero start damps the first steps of every coordinate whose squared gradients are small
#   compared with $0.1$.
# * **MXNet** puts $\epsilon = 10^{-7}$ inside the root, like this course, only smaller.
# * **NumPy** has no optimizers of its own; the package's `d2l.adagrad` runs the rule of this
#   section.
#
# On the airfoil data these differences barely show: the curve looks like the from-scratch one.
# The package's page on optimizer equivalence lists the settings that make each built-in
# optimizer reproduce the course's rule exactly. Every backend minimises
# $\tfrac{1}{2}(\hat{y} - y)^2$, as the from-scratch code does.

# %% [markdown] tags=["porting"]
# **For instructors porting code.** The book's PyTorch and TensorFlow tabs minimise the mean
# squared error without the factor $\tfrac{1}{2}$, which doubles every gradient. For SGD that
# doubles the effective learning rate; for Adagrad it cancels (up to $\epsilon$), since the step
# divides the gradient by the root of its own accumulated squares. The tabs here all use the
# halved loss.

# %%
d2l.seed(0)
data_iter, _ = d2l.get_data_ch11(10)

# %% tags=["framework-torch"] figures=["train-concise"]
import torch

run = d2l.train_concise_ch11(torch.optim.Adagrad, {"lr": 0.1}, data_iter)

# %% tags=["framework-tensorflow"] figures=["train-concise"]
import tensorflow as tf

run = d2l.train_concise_ch11(tf.keras.optimizers.Adagrad, {"learning_rate": 0.1}, data_iter)

# %% tags=["framework-mxnet"] figures=["train-concise"]
run = d2l.train_concise_ch11("adagrad", {"learning_rate": 0.1}, data_iter)

# %% tags=["framework-numpy"] figures=["train-concise"]
run = d2l.train_concise_ch11(d2l.adagrad, {"lr": 0.1}, data_iter)

# %% tags=["framework-jax"] figures=["train-concise"]
import optax

run = d2l.train_concise_ch11(optax.adagrad, {"learning_rate": 0.1}, data_iter)

# %% [markdown]
# ## Summary
#
# * Adagrad divides each coordinate's step by the root of the sum of that coordinate's squared
#   gradients: $\mathbf{s}_t = \mathbf{s}_{t-1} + \mathbf{g}_t^2$,
#   $\mathbf{w}_t = \mathbf{w}_{t-1} - \eta\,\mathbf{g}_t/\sqrt{\mathbf{s}_t + \epsilon}$.
# * Rarely updated coordinates (sparse features) keep large steps; frequently updated ones slow
#   down.
# * It acts as a cheap diagonal preconditioner: it helps when the ill-conditioning is aligned with
#   the coordinates, not when the valley is tilted.
# * Its steps do not change when the loss is multiplied by a constant $c > 0$ (up to $\epsilon$), and its
#   first step is about $\eta$ in every coordinate, so $\eta$ is measured in the units of the
#   parameters.
# * The rates only decay, roughly like $1/\sqrt{t}$ under a steady gradient: suitable for convex
#   problems, often too fast for deep networks. RMSProp and Adam forget old gradients instead.
#
# ## Exercises
#
# **Exercise 1 (what diagonal preconditioning can do).** The Hessian of $f$ is
# $\operatorname{diag}(0.2, 4)$. The same function rotated by $45^\circ$ (and stretched by
# $\sqrt{2}$), $f_{\text{rot}}(\mathbf{x}) = 0.1(x_1 + x_2)^2 + 2(x_1 - x_2)^2$, has the Hessian
# $\begin{bmatrix} 4.2 & -3.8 \\ -3.8 & 4.2 \end{bmatrix}$. Compute both condition numbers before
# and after the rescaling $\tilde{\mathbf{Q}}$. Then bound the condition number of
# $\tilde{\mathbf{Q}}$ without computing eigenvalues, with the Gershgorin circle theorem: every
# eigenvalue of a matrix $\mathbf{A}$ lies in at least one of the discs
# $\{z : |z - A_{ii}| \le r_i\}$, $r_i = \sum_{j \ne i}|A_{ij}|$, so all of them lie in the *union*
# of the discs. For the symmetric $\tilde{\mathbf{Q}}$, whose eigenvalues are real and whose
# diagonal entries are all $1$, the discs become the intervals $[1 - r_i, 1 + r_i]$, and their
# union lies in $[1 - r, 1 + r]$ with $r = \max_i r_i$.

# %% tags=["solution"]
import numpy as np  # noqa: E402  (plain NumPy for 2 x 2 eigenvalues)


def rescaled(hessian):
    scale = 1 / np.sqrt(np.diag(hessian))
    return hessian * np.outer(scale, scale)


def condition_number(matrix):
    eigenvalues = np.linalg.eigvalsh(matrix)
    return eigenvalues.max() / eigenvalues.min()


condition_numbers, gershgorin_bounds = {}, {}
for name, hessian in (("aligned", np.array([[0.2, 0.0], [0.0, 4.0]])),
                      ("rotated", np.array([[4.2, -3.8], [-3.8, 4.2]]))):
    tilde = rescaled(hessian)
    radius = max(np.abs(tilde).sum(axis=1) - 1)  # off-diagonal row sums (the diagonal is 1)
    condition_numbers[name] = (condition_number(hessian), condition_number(tilde))
    gershgorin_bounds[name] = (1 + radius) / (1 - radius)
    print(f"{name}: kappa = {condition_number(hessian):.2f}, after rescaling {condition_number(tilde):.2f}, "
          f"Gershgorin bound {(1 + radius) / (1 - radius):.2f}")

# %% [markdown] tags=["solution"]
# For the aligned function the rescaled Hessian is the identity: $\kappa$ falls from $20$ to $1$,
# and the Gershgorin intervals collapse to the point $1$. The rotated function has the same
# eigenvalues up to a factor $2$ ($0.4$ and $8$, still $\kappa = 20$), but its diagonal is
# $(4.2, 4.2)$, identical for both coordinates. Dividing by it only rescales the whole matrix, so
# $\kappa$ stays $20$. Both rows have the radius $r = 3.8/4.2 = 19/21 \approx 0.905$, so every
# eigenvalue lies in $[1 - r, 1 + r] = [2/21, 40/21]$, and when $r < 1$ the condition number is at
# most $(1 + r)/(1 - r) = 20$, here attained. Diagonal preconditioning, and Adagrad with it, fixes stretched
# coordinates, not tilted valleys.

# %% [markdown]
# **Exercise 2 (Adagrad on the tilted valley).** Run 20 steps of Adagrad with $\eta = 2$ on
# $f_{\text{rot}}$ from $(-5, -2)$ and compare with the run on $f$ above. Where is the iterate after
# 20 steps, and what does the trace look like?

# %% tags=["solution"] figures=["exercise-adagrad-rotated"]
def rotated(x1, x2):
    return 0.1 * (x1 + x2) ** 2 + 2 * (x1 - x2) ** 2


tilted_trace = d2l.train_2d(d2l.adagrad(2), f_grad=d2l.grad(rotated, argnums=(0, 1)))
print(f"f_rot after 20 steps: {d2l.to_float(rotated(*tilted_trace[-1])):.4f}")
d2l.show_trace_2d(rotated, tilted_trace)

# %% [markdown] tags=["solution"]
# On the aligned function, $\eta = 2$ brought Adagrad to within $0.003$ of the minimum. On the
# tilted one it ends near $(-1.05, -1.05)$, with $f_{\text{rot}} \approx 0.44$. The first step
# moves both coordinates by $2$ and overshoots across the valley, whose floor is the diagonal
# $x_1 = x_2$; the trace then falls back onto the floor and crawls along it.
# Moving along the floor needs equal steps in both coordinates, but the two accumulators are
# dominated by the large gradients of the steep direction, so both rates have shrunk a lot by
# the time the slow direction is all that is left. The per-coordinate scaling has nothing to grip
# on: the difficult directions are not coordinates.

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (2 points).** A complete answer:
#
# - It describes the trace: a first step across the valley floor $x_1 = x_2$, then a slow crawl
#   along the floor (1 point).
# - It explains that both accumulators are dominated by the steep direction's gradients, so both
#   rates have shrunk when only the slow direction is left, which is not a coordinate (1 point).

# %% [markdown]
# **Exercise 3 (scale invariance).** Run Adagrad with $\eta = 2$ on $f$ and on $100f$ and compare
# the end points. What would happen to gradient descent with $\eta = 0.4$ on $100f$?

# %% tags=["solution"]
def hundred_f(x1, x2):
    return 100 * f(x1, x2)


original_trace = d2l.train_2d(d2l.adagrad(2), f_grad=f_grad)
scaled_trace = d2l.train_2d(d2l.adagrad(2), f_grad=d2l.grad(hundred_f, argnums=(0, 1)))
gap = max(abs(d2l.to_float(a) - d2l.to_float(b))
          for p, q in zip(original_trace, scaled_trace) for a, b in zip(p, q))
print(f"largest difference between the two traces: {gap:.1e}")

# %% [markdown] tags=["solution"]
# The two traces agree to about $10^{-6}$; the only difference comes from $\epsilon$, which is
# relatively smaller next to the larger squared gradients of $100f$. Gradient descent has no such
# protection: multiplying $f$ by $100$ multiplies the curvatures by $100$, so $\eta = 0.4$ gives
# $\eta\lambda = 160$ along $x_2$, far beyond the stability limit $2$, and the run would explode
# at once. With Adagrad, the units in which the loss is measured do not matter, but the units of
# the *parameters* do: $\eta$ is (roughly) the length of the first step in every coordinate.

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (1 point).** A complete answer:
#
# - It says that on $100f$ the curvature along $x_2$ is $400$, so $\eta\lambda = 160 > 2$ and
#   gradient descent diverges at once, while Adagrad's steps do not depend on the scale of $f$ (1
#   point).

# %% [markdown]
# **Exercise 4 (a rare feature).** Simulate two coordinates for 1000 steps: a frequent one that
# gets the gradient $1$ at every step and a rare one that gets $1$ at every 100th step and $0$
# otherwise. With $\eta = 0.1$, print after 100 and 1000 steps each coordinate's current rate
# $\eta/\sqrt{s + \epsilon}$ and how far it has moved.

# %% tags=["solution"]
optimizer = d2l.adagrad(0.1)
position = (d2l.tensor(0.0, "float64"), d2l.tensor(0.0, "float64"))
state = optimizer.init(position)
one, zero = d2l.tensor(1.0, "float64"), d2l.tensor(0.0, "float64")
rates_after, moved_after = {}, {}
for t in range(1, 1001):
    position, state = optimizer.update((one, one if t % 100 == 0 else zero), state, position)
    if t in (100, 1000):
        rates = [0.1 / d2l.to_float(d2l.sqrt(slots[0] + 1e-6)) for slots in state.slots]
        moved = [-d2l.to_float(p) for p in position]
        rates_after[t], moved_after[t] = rates, moved
        print(f"after {t:4d} steps: rates {rates[0]:.4f} (frequent), {rates[1]:.4f} (rare); "
              f"moved {moved[0]:.4f}, {moved[1]:.4f}")

# %% [markdown] tags=["solution"]
# After 1000 steps the frequent coordinate has seen 1000 gradients and its rate is
# $0.1/\sqrt{1000} \approx 0.0032$; the rare one has seen 10 and keeps $0.1/\sqrt{10} \approx 0.032$,
# ten times more. Per gradient received, the rare coordinate moved $0.50/10 = 0.05$, the frequent
# one $6.18/1000 \approx 0.006$. A global schedule $\eta_0/\sqrt{t}$ would have given the rare
# coordinate's tenth gradient the same tiny rate as the frequent one's thousandth. Note also the
# frequent coordinate's distance: $0.1\sum_{t \le T} 1/\sqrt{t} \approx 0.2\sqrt{T}$, a total
# that keeps growing, but ever more slowly, even though the gradient never changed.
