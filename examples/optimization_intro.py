# %% [markdown]
# # Optimization and deep learning
#
# Every model in this course is trained by handing a loss function to an optimization algorithm
# and letting it adjust the parameters until the loss is small. This chapter is about those
# algorithms: how they move, why they sometimes fail, and how their settings, above all the
# learning rate, decide what happens. Before any algorithm, this first section looks at the
# *landscape* they move through. Two questions matter. What exactly are we minimizing, and how
# does it differ from what we actually want? And what features of a loss surface make
# minimization hard, even for a perfect algorithm?
#
# Run as a script: `python examples/optimization_intro.py --backend torch --out figures/`.

# %% tags=["remove-cell"]
import d2l_optim as d2l

section = d2l.Section("optimization_intro")

# %%
import d2l_optim as d2l
from d2l_optim import objectives

risk, empirical_risk = objectives.risk, objectives.empirical_risk

# %% [markdown]
# ## The goal of optimization is not the goal of learning
#
# Suppose the data are pairs $(\mathbf{x}, y)$ drawn from some distribution $P$, and a model with
# parameters $\mathbf{w}$ pays a loss $l(\mathbf{w}; \mathbf{x}, y)$ on each pair. What we would like
# to be small is the **risk**, the expected loss on data we have not seen yet:
#
# $$R(\mathbf{w}) = \mathbb{E}_{(\mathbf{x}, y) \sim P}\big[l(\mathbf{w}; \mathbf{x}, y)\big].$$
#
# We cannot compute it, because $P$ is unknown. What we *can* compute is the **empirical risk**,
# the average loss on the $n$ training examples we hold:
#
# $$\hat{R}(\mathbf{w}) = \frac{1}{n} \sum_{i=1}^{n} l(\mathbf{w}; \mathbf{x}_i, y_i).$$
#
# An optimizer only ever sees $\hat{R}$. The training set is a finite sample, so $\hat{R}$ is a
# noisy copy of $R$: close in shape, but with bumps of its own, and its minimizer is in general
# not the minimizer of $R$. Pushing $\hat{R}$ all the way down can even make $R$ worse, which is
# overfitting. Fighting overfitting (regularization, early stopping, more data) is the business of
# other chapters. Here we take the optimizer's point of view: its job is to reduce the objective
# it is given, and we judge it on how quickly and reliably it does so.
#
# The figure below makes the distinction concrete with two functions of one variable. The solid
# curve plays the risk, $f(x) = x \cos(\pi x)$. The dashed curve plays the empirical risk,
# $g(x) = f(x) + 0.2 \cos(5 \pi x)$, that is, the risk plus a fast ripple standing in for the
# accidents of a finite sample. Notice that the two lowest points are not in the same place: the
# empirical risk bottoms out near $x \approx 1.02$, the risk near $x \approx 1.09$. Notice also
# that the ripple creates two extra dips, near $x \approx 0.65$ and $x \approx 1.32$, that the smooth
# risk does not have: a sample can add minima that exist only because of the sample.

# %% figures=["risk"]
x = d2l.arange(0.5, 1.5, 0.01)
ax = d2l.plot(x, [risk(x), empirical_risk(x)], "x", "risk", figsize=(4.5, 2.5))
d2l.annotate("min of\nempirical risk", (1.0, -1.2), (0.5, -1.1), axes=ax)
d2l.annotate("min of risk", (1.1, -1.05), (0.95, -0.5), axes=ax)

# %% [markdown]
# ## Local minima
#
# A point $x^*$ is a **global minimum** of $f$ if $f(x^*) \le f(x)$ for every $x$ in the domain,
# and a **local minimum** if that inequality only holds for $x$ in some neighbourhood of $x^*$.
# Gradient-based methods follow the local slope, so they have no way to tell the two apart: once
# the gradient vanishes, they stop, whether or not a deeper valley lies elsewhere.
#
# The next figure plots the risk $f(x) = x\cos(\pi x)$ on $-1 \le x \le 2$. It has a shallow local
# minimum near $x \approx -0.27$, where $f \approx -0.18$, and its global minimum near
# $x \approx 1.09$, where $f \approx -1.05$. An algorithm started at $x = -0.8$ rolls into the
# shallow dip and stays there, even though a point about six times lower lies less than one and a
# half units away. What to notice is the hump between the two valleys: to get from the local to the
# global minimum, the objective must first *increase*, which a descent method never chooses to do.
#
# Deep networks have objectives with enormous numbers of local minima, yet training works well in
# practice, for two reasons worth keeping in mind. First, experience shows that many local minima
# of large networks are nearly as good as the global one, so landing in any of them is fine.
# Second, the minibatch noise of stochastic gradient descent (later in this chapter) jostles the
# parameters, which can shake them out of narrow, shallow dips such as the ones the ripple created
# above.

# %% figures=["local-global-minimum"]
x = d2l.arange(-1.0, 2.0, 0.01)
ax = d2l.plot(x, [risk(x)], "x", "f(x)")
d2l.annotate("local minimum", (-0.3, -0.25), (-0.77, -1.0), axes=ax)
d2l.annotate("global minimum", (1.1, -0.95), (0.6, 0.8), axes=ax)

# %% [markdown]
# ## Saddle points
#
# A zero gradient does not even guarantee a local minimum. A **saddle point** is a point where the
# gradient vanishes but the function goes down in some directions and up in others. In one
# dimension the standard example is $f(x) = x^3$: both $f'(x) = 3x^2$ and $f''(x) = 6x$ are zero
# at $x = 0$, so the slope is flat there, yet $f$ keeps decreasing to the left. In the figure,
# notice how the curve flattens out at the origin and then continues downwards. An optimizer
# arriving from the right slows to a crawl as it approaches $0$, because the steps shrink with the
# gradient, even though the origin is not a minimum of anything.

# %% figures=["saddle-1d"]
x = d2l.arange(-2.0, 2.0, 0.01)
ax = d2l.plot(x, [objectives.cubic(x)], "x", "f(x)")
d2l.annotate("saddle point", (0, -0.2), (-0.52, -5.0), axes=ax)

# %% [markdown]
# In two dimensions a saddle looks like its name. The surface $f(x, y) = x^2 - y^2$ below has a
# zero gradient at the origin (marked with a red cross). Along the $x$ axis the origin is a
# minimum, along the $y$ axis it is a maximum. Notice the curve of the wireframe rising in one
# direction and falling in the other, like a horse's saddle or a mountain pass.
#
# The general test uses the **Hessian**, the matrix of second derivatives
# $\mathbf{H} = \nabla^2 f(\mathbf{x})$, at a point where $\nabla f(\mathbf{x}) = \mathbf{0}$.
# Close to such a point the second-order Taylor expansion reads
#
# $$f(\mathbf{x} + \boldsymbol{\epsilon}) \approx f(\mathbf{x}) + \tfrac{1}{2}\,
# \boldsymbol{\epsilon}^\top \mathbf{H} \boldsymbol{\epsilon},$$
#
# so the shape near the point is decided by the eigenvalues of $\mathbf{H}$:
#
# * all eigenvalues positive: $f$ rises in every direction, a **local minimum**;
# * all eigenvalues negative: $f$ falls in every direction, a **local maximum**;
# * some positive and some negative: a **saddle point**;
# * some zero and the others of one sign: the test says nothing, and higher derivatives decide
#   ($x^3$ at $0$ is such a case, with Hessian $f''(0) = 0$).
#
# For $x^2 - y^2$ the Hessian is $\operatorname{diag}(2, -2)$: one eigenvalue of each sign, a
# saddle. The test also suggests why saddles, more than local minima, are the typical obstacle in
# high dimensions. A network with $k$ parameters has a $k \times k$ Hessian with $k$ eigenvalues,
# and a stationary point is a minimum only if *all* of them are positive. If each eigenvalue were
# positive or negative with probability $\tfrac{1}{2}$, independently of the others, that would
# happen with probability $2^{-k}$: below $10^{-3}$ for $k = 10$, about $10^{-301}$ for
# $k = 1000$. That independence is an assumption, not a fact. The eigenvalues of one matrix are
# coupled, since they are computed from the same entries, so $2^{-k}$ is a heuristic, not a
# probability. Its conclusion holds up in better models, though: in random symmetric matrices all
# eigenvalues are positive far more rarely than $2^{-k}$ (Exercise 5), and measurements on neural
# networks (Dauphin et al., 2014) find that stationary points whose loss is well above the lowest
# are mostly saddles. Convex functions, the subject of the next section, are the exception: their
# Hessian has no negative eigenvalues anywhere, so they have no saddles and no spurious minima.

# %% figures=["saddle-3d"]
ax = d2l.show_surface_3d(objectives.saddle)

# %% [markdown]
# ## Vanishing gradients
#
# The last obstacle is a region where the gradient is not zero, only very small. Take
# $f(x) = \tanh(x)$ and suppose we want to decrease it starting from $x = 4$. Its derivative is
#
# $$f'(x) = 1 - \tanh^2(x),$$
#
# which at $x = 4$ is about $0.0013$ (the cell below asks autograd for it and prints it). The
# gradient points the right way, but a gradient step moves $x$ by the learning rate times
# $0.0013$, so progress is glacial. In the figure, notice how flat the curve is to the right of
# $x \approx 2$: the function is still decreasing towards the left, but a method that reads only
# the local slope can hardly tell.
#
# Such plateaus were a major obstacle in training deep networks with sigmoid or $\tanh$
# activations: the chain rule multiplies many such small factors together, and the gradient that
# reaches the first layers all but vanishes. Switching to the ReLU activation, whose derivative
# is exactly $1$ for positive inputs, was one of the changes that made deep networks trainable.

# %% figures=["vanishing-gradient"]
print(f"f'(4) = {d2l.to_float(d2l.grad(objectives.tanh)(4.0)):.4f}")
x = d2l.arange(-2.0, 5.0, 0.01)
ax = d2l.plot(x, [objectives.tanh(x)], "x", "f(x)")
d2l.annotate("vanishing gradient", (4, 1), (2, 0.0), axes=ax)

# %% [markdown]
# ## Summary
#
# * An optimizer minimizes the **empirical risk**, the average loss on the training set; what we
#   want small is the **risk**, the expected loss on new data. Their minimizers differ, and a
#   finite sample can add minima of its own.
# * Gradient methods stop wherever the gradient vanishes: at a local minimum, which they cannot
#   tell from the global one, and at a saddle point.
# * At a stationary point the eigenvalues of the Hessian decide: all positive, a local minimum;
#   all negative, a local maximum; both signs, a saddle; zero eigenvalues leave the question to
#   higher derivatives. In high dimensions saddles are expected to far outnumber minima, by a
#   heuristic that better models support but that is not a theorem.
# * A **small gradient is not convergence**: on a plateau such as $\tanh$ far from $0$ the steps
#   shrink with the gradient, and a run whose loss stops moving may be crossing a plateau or
#   passing a saddle, not sitting at a minimum.
# * A **minimum of the training loss is not the goal**: what counts is the risk. Momentum,
#   adaptive learning rates and schedules, in the rest of this chapter, are largely tools for
#   getting through plateaus, past saddles and down narrow valleys faster.

# %% [markdown]
# ## Exercises
#
# **Exercise 1 (the price of a sample).** Locate the minimizers of the risk $f$ and of the
# empirical risk $g$ on a grid of step $0.001$ over $[0.5, 1.5]$. How much risk do you pay,
# $f(\hat{x}) - \min f$, if you trust the empirical risk and choose its minimizer $\hat{x}$?

# %% tags=["solution"]
x = d2l.arange(0.5, 1.5, 0.001, dtype="float64")
risk_values, empirical_values = d2l.numpy(risk(x)), d2l.numpy(empirical_risk(x))
grid = d2l.numpy(x)
best_risk_x, best_empirical_x = grid[risk_values.argmin()], grid[empirical_values.argmin()]
print(f"argmin of the risk: {best_risk_x:.3f}, argmin of the empirical risk: {best_empirical_x:.3f}")
risk_paid = d2l.to_float(risk(d2l.tensor(best_empirical_x, "float64"))) - risk_values.min()
print(f"risk paid for trusting the empirical risk: {risk_paid:.4f}")

# %% [markdown] tags=["solution"]
# The empirical minimizer $\hat{x} \approx 1.017$ is about $0.07$ to the left of the risk's
# minimizer $1.090$. Because $f$ is flat near its minimum, the penalty is small, about $0.03$,
# a few percent of the depth of the minimum. A flat minimum forgives a misplaced solution; a
# sharp one would not.

# %% [markdown]
# **Exercise 2 (classifying stationary points).** The function $f(x, y) = x^3 - 3x + y^2$ has a
# zero gradient at $(1, 0)$ and at $(-1, 0)$. Check this with autograd, then classify both points
# with the eigenvalues of the Hessian. Compute the Hessian by central differences of the
# autograd gradient, which works on every backend (MXNet cannot differentiate twice):
#
# $$H_{ij} \approx \frac{\partial_j f(\mathbf{x} + h\mathbf{e}_i) -
# \partial_j f(\mathbf{x} - h\mathbf{e}_i)}{2h}.$$

# %% tags=["solution"]
import numpy as np  # noqa: E402  (plain NumPy for the 2×2 eigenvalue problem)


def cubic_bowl(x, y):
    return x**3 - 3 * x + y**2


cubic_bowl_grad = d2l.grad(cubic_bowl, argnums=(0, 1))


def hessian_by_differences(f_grad, point, h=1e-4):
    rows = []
    for i in range(len(point)):
        shifts = [[d2l.tensor(v + sign * h * (j == i), "float64") for j, v in enumerate(point)]
                  for sign in (1, -1)]
        plus, minus = f_grad(*shifts[0]), f_grad(*shifts[1])
        rows.append([(d2l.to_float(a) - d2l.to_float(b)) / (2 * h) for a, b in zip(plus, minus)])
    return np.array(rows)


hessian_eigenvalues, point_kinds = {}, {}
for point in [(1.0, 0.0), (-1.0, 0.0)]:
    gradient = [d2l.to_float(g) for g in cubic_bowl_grad(*[d2l.tensor(v, "float64") for v in point])]
    eigenvalues = np.linalg.eigvalsh(hessian_by_differences(cubic_bowl_grad, point))
    kind = ("local minimum" if (eigenvalues > 0).all() else
            "local maximum" if (eigenvalues < 0).all() else "saddle point")
    hessian_eigenvalues[point], point_kinds[point] = eigenvalues, kind
    print(f"{point}: gradient ({gradient[0]:.1f}, {gradient[1]:.1f}), "
          f"Hessian eigenvalues {eigenvalues[0]:.2f}, {eigenvalues[1]:.2f} -> {kind}")

# %% [markdown] tags=["solution"]
# By hand: $\nabla f = (3x^2 - 3,\ 2y)$ vanishes at $(\pm 1, 0)$ and
# $\mathbf{H} = \operatorname{diag}(6x, 2)$. At $(1, 0)$ the eigenvalues $6$ and $2$ are both
# positive, a local minimum; at $(-1, 0)$ they are $-6$ and $2$, a saddle. There is no global
# minimum at all: $f \to -\infty$ as $x \to -\infty$.

# %% [markdown]
# **Exercise 3 (crossing a plateau).** Print $\tanh'(x)$ at $x = 0, 2, 4, 6$. Then run ten steps
# of gradient descent with learning rate $1$ on $\tanh$ from $x = 4$ (`d2l.gd(..., x0=4.0)`).
# How far does it get, and how many steps would it need to move one unit?

# %% tags=["solution"] figures=["exercise-tanh-plateau"]
tanh_grad = d2l.grad(objectives.tanh)
tanh_slopes = []
for point in (0.0, 2.0, 4.0, 6.0):
    tanh_slopes.append(d2l.to_float(tanh_grad(d2l.tensor(point, "float64"))))
    print(f"tanh'({point:g}) = {tanh_slopes[-1]:.6f}")
print("each two units divide it by "
      + ", ".join(f"{a / b:.1f}" for a, b in zip(tanh_slopes, tanh_slopes[1:])))
trace = d2l.gd(1.0, tanh_grad, x0=4.0)
moved = 4.0 - trace[-1]
print(f"moved {moved:.4f} in 10 steps")
d2l.show_trace(trace, objectives.tanh)
x, steps = d2l.tensor(4.0, "float64"), 0
while d2l.to_float(x) > 3.0:
    x, steps = x - tanh_grad(x), steps + 1
steps_to_3 = steps
print(f"steps from x = 4 to x = 3: {steps_to_3}")

# %% [markdown] tags=["solution"]
# The derivative is $1$, $0.07$, $0.0013$ and $0.000025$: the first two units divide it by about
# $14$, each further two units by about $53$ and then $55$. For large $x$,
# $\tanh'(x) = 4/(e^x + e^{-x})^2 \approx 4e^{-2x}$, so every two units divide it by
# $e^4 \approx 54.6$. Ten steps move $x$ by only about $0.014$. Reaching $x = 3$ takes $324$ steps:
# fewer than the $750$ or so that $0.0013$ per step would need, because the steps grow as $x$
# leaves the plateau. In the plot the eleven trace points sit on top of each other.

# %% [markdown]
# **Exercise 4 (a saddle attracts along one direction only).** Run gradient descent with learning
# rate $0.1$ on $f(x, y) = x^2 - y^2$ for 20 steps from $(1, 0)$, and then from $(1, 0.001)$.
# Explain the difference with the update rule.

# %% tags=["solution"]
saddle_grad = d2l.grad(objectives.saddle, argnums=(0, 1))
on_the_ridge = d2l.train_2d(d2l.sgd(0.1), f_grad=saddle_grad, x0=(1.0, 0.0))
nudged = d2l.train_2d(d2l.sgd(0.1), f_grad=saddle_grad, x0=(1.0, 0.001))

# %% [markdown] tags=["solution"]
# The update is $x \leftarrow (1 - 2\eta)\,x = 0.8\,x$ and $y \leftarrow (1 + 2\eta)\,y = 1.2\,y$.
# From $(1, 0)$ the $y$ coordinate stays exactly $0$, and $x = 0.8^{20} \approx 0.0115$: the run
# converges to the saddle. From $(1, 0.001)$ the same $x$ shrinks, but
# $y = 0.001 \cdot 1.2^{20} \approx 0.038$ grows geometrically: the smallest perturbation along the
# direction of negative curvature is amplified, and the run escapes. Exact saddles are unstable
# for gradient descent, which is why noise (as in SGD) helps to leave them; but near a saddle
# the escape starts slowly, as the tiny initial $y$ shows.

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (2 points).** A complete answer:
#
# - It writes the update coordinate-wise: $x \leftarrow 0.8\,x$, $y \leftarrow 1.2\,y$ (1 point).
# - It explains that $y = 0$ stays exactly $0$ (the run converges to the saddle), while any
#   $y \ne 0$ grows geometrically, so the run escapes (1 point).

# %% [markdown]
# **Exercise 5 (are the signs of the eigenvalues independent?).** The saddle heuristic assumed
# that each eigenvalue of a Hessian is positive with probability $\tfrac{1}{2}$, independently of
# the others. Test that on random symmetric matrices: for $k = 1, \ldots, 5$ draw $100{,}000$
# matrices $\mathbf{H} = (\mathbf{A} + \mathbf{A}^\top)/2$, with standard normal entries in the
# $k \times k$ matrix $\mathbf{A}$, and count how often all eigenvalues of $\mathbf{H}$ are positive.
# Compare with $2^{-k}$.

# %% tags=["solution"]
d2l.seed(0)
all_positive_fractions = []
for size in range(1, 6):
    entries = d2l.numpy(d2l.normal((100_000, size, size), dtype="float64"))
    eigenvalues = np.linalg.eigvalsh((entries + entries.transpose(0, 2, 1)) / 2)
    all_positive = (eigenvalues > 0).all(axis=1).mean()
    all_positive_fractions.append(all_positive)
    print(f"k = {size}: all eigenvalues positive in {all_positive:.5f} of the matrices, "
          f"independent signs: 2^-k = {2.0**-size:.5f}")

# %% [markdown] tags=["solution"]
# For $k = 1$ the two agree: a single number is positive half of the time. From $k = 2$ on, the
# random matrices have only positive eigenvalues much less often than independent signs would:
# about $0.15$ against $0.25$ for $k = 2$, and $0.00017$ against $0.031$ for $k = 5$, some $180$
# times rarer. The eigenvalues of one matrix are not independent: they spread out around zero
# together, and shifting all of them to the positive side is a collective fluctuation whose
# probability falls like $e^{-ck^2}$ for large $k$ (Dean and Majumdar, 2006), much faster than
# $2^{-k}$. The independence assumption is wrong here, in the direction that strengthens the
# heuristic's conclusion. Whether the Hessians of a real network behave like these random
# matrices is a separate question, which only measurements on networks can answer: the random
# model knows nothing of the loss.
