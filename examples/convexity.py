# %% [markdown]
# # Convexity
#
# Convexity is the property that makes an optimization problem well behaved. On a convex
# objective there are no spurious local minima and no saddle points: whatever point a descent
# method settles on is as good as any. Deep-learning objectives are not convex, so why study it?
# Because almost every convergence guarantee for the algorithms in this chapter is proved for
# convex problems first, because the behaviour of a nonconvex loss close to a good minimum is
# often nearly convex, and because the tools of this section (Jensen's inequality, constraints,
# penalties, projections) appear all over machine learning.
#
# Run as a script: `python examples/convexity.py --backend tensorflow --out figures/`.

# %% tags=["remove-cell"]
import d2l_optim as d2l

section = d2l.Section("convexity")

# %%
import d2l_optim as d2l
from d2l_optim import objectives

# %% [markdown]
# ## Convex sets
#
# Everything starts with sets. A set $\mathcal{X}$ in a vector space is **convex** if the line
# segment between any two of its points stays inside it: for all $a, b \in \mathcal{X}$ and all
# $\lambda \in [0, 1]$,
#
# $$\lambda a + (1 - \lambda) b \in \mathcal{X}.$$
#
# A disc, a square, a half-plane $\{\mathbf{x} : \mathbf{v}^\top \mathbf{x} + b \le 0\}$ and the
# whole space are convex. A crescent, a ring, or a disc with a bite taken out of it are not: you
# can pick two points whose connecting segment leaves the set. Two facts are used constantly. The
# **intersection** of convex sets is convex (a segment that lies in each set lies in all of
# them). The **union** of convex sets is in general not: two separate discs form a set whose
# connecting segments cross empty space.
#
# ## Convex functions
#
# A function $f$ defined on a convex set is **convex** if, for all $x, x'$ and all
# $\lambda \in [0, 1]$,
#
# $$\lambda f(x) + (1 - \lambda) f(x') \ge f\big(\lambda x + (1 - \lambda) x'\big).$$
#
# Read it geometrically: the left side traces the **chord** from $(x, f(x))$ to $(x', f(x'))$,
# the right side the graph between the same two points, so convexity says that every chord lies
# on or above the graph. The figure below tests this with the chord from $x = -1.5$ to $x = 1$
# (dashed) on three functions. On $\tfrac{1}{2}x^2$ (left) and on $e^{x/2}$ (right) the chord stays
# above the curve: both are convex. On $\cos(\pi x)$ (middle) the curve climbs to $1$ at $x = 0$
# while the chord there is at about $-0.6$: the graph crosses above the chord, so cosine is not
# convex. One violated chord is enough to rule convexity out.

# %% figures=["convex-chords"]
x = d2l.arange(-2, 2, 0.01)
segment = d2l.tensor([-1.5, 1])
fig, axes = d2l.plt.subplots(1, 3, figsize=(9, 3))
for func, ax in zip([objectives.half_square, objectives.cos_pi, objectives.exp_half], axes):
    d2l.plot([x, segment], [func(x), func(segment)], axes=ax)

# %% [markdown]
# ## Jensen's inequality
#
# Applying the definition repeatedly extends it from two points to any weighted average. For
# nonnegative weights $\alpha_i$ with $\sum_i \alpha_i = 1$ and a convex $f$,
#
# $$\sum_i \alpha_i f(x_i) \ge f\Big(\sum_i \alpha_i x_i\Big),$$
#
# and in the language of probability, for a random variable $X$,
#
# $$\mathbb{E}[f(X)] \ge f\big(\mathbb{E}[X]\big).$$
#
# In words: the average of a convex function is at least the function of the average. This is
# **Jensen's inequality**, and it is the workhorse behind many bounds. A classic use: since
# $-\log$ is convex and $P(X) = \mathbb{E}_{Y \sim P(Y)}[P(X \mid Y)]$ for a latent variable $Y$,
#
# $$\mathbb{E}_{Y \sim P(Y)}\big[-\log P(X \mid Y)\big] \ge -\log P(X).$$
#
# The hard-to-compute quantity on the right is bounded by an expectation that is easier to
# handle; variational methods and the EM algorithm rest on bounds of this kind. In this chapter
# Jensen appears again in the convergence proof for stochastic gradient descent, where it lets us
# pass from the average of the losses along a run to the loss of the averaged parameters.
#
# ## Why convexity helps optimization
#
# **Local minima are global.** Suppose $x^*$ is a local minimum of a convex $f$ but some $x'$ has
# $f(x') < f(x^*)$. Points $x_\lambda = \lambda x^* + (1 - \lambda) x'$ with $\lambda$ close to
# $1$ lie as close to $x^*$ as we like, and convexity gives
#
# $$f(x_\lambda) \le \lambda f(x^*) + (1 - \lambda) f(x') < f(x^*),$$
#
# so arbitrarily close to $x^*$ there are lower points, which contradicts $x^*$ being a local
# minimum. Two cautions: a convex function need not *have* a minimum ($e^x$ approaches $0$ but
# never gets there), and its minimum need not be unique ($\max(|x| - 1, 0)$ is minimal on the
# whole interval $[-1, 1]$). What is guaranteed is that the set of minimizers is convex.
#
# **Below sets are convex.** For any level $b$, the set
# $\mathcal{S}_b = \{x \mid f(x) \le b\}$ is convex: if $f(x) \le b$ and $f(x') \le b$, then
# $f(\lambda x + (1 - \lambda) x') \le \lambda b + (1 - \lambda) b = b$. The contour lines of a
# convex function in two dimensions therefore enclose convex regions, as the ellipses of the
# quadratic in the gradient-descent section do.
#
# **The second-derivative test.** A twice-differentiable $f: \mathbb{R} \to \mathbb{R}$ is convex
# if and only if $f''(x) \ge 0$ everywhere. In one direction, the chord inequality at the points
# $x - \epsilon$, $x$, $x + \epsilon$ gives $f(x + \epsilon) + f(x - \epsilon) - 2f(x) \ge 0$;
# dividing by $\epsilon^2$ and letting $\epsilon \to 0$ yields $f''(x) \ge 0$. Conversely, if
# $f'' \ge 0$ then $f'$ never decreases. Take $x < z < x'$: by the mean value theorem the slope of
# the secant over $[x, z]$ is $f'(\xi_1)$ and over $[z, x']$ it is $f'(\xi_2)$ with
# $\xi_1 < \xi_2$, so the first slope is at most the second, and rearranging that inequality says
# precisely that $f(z)$ lies on or below the chord from $x$ to $x'$.
#
# For $f: \mathbb{R}^n \to \mathbb{R}$, restrict to a line: $f$ is convex if and only if
# $g(z) = f(z\mathbf{x} + (1 - z)\mathbf{y})$ is convex for all $\mathbf{x}, \mathbf{y}$, and
#
# $$g''(z) = (\mathbf{x} - \mathbf{y})^\top \mathbf{H} (\mathbf{x} - \mathbf{y}),$$
#
# with $\mathbf{H}$ the Hessian of $f$ at $z\mathbf{x} + (1 - z)\mathbf{y}$. This is nonnegative
# for every direction exactly when the Hessian is positive semidefinite, $\nabla^2 f \succeq 0$.
# For example, $\tfrac{1}{2}\|\mathbf{x}\|^2$ has Hessian $\mathbf{I}$ and is convex, while
# $\cos(\pi x)$ has $f''(x) = -\pi^2 \cos(\pi x)$, negative near $0$, which is where the chord
# failed above.
#
# The figure below shows $f(x) = (x - 1)^2$, with $f'' = 2 > 0$, together with the same chord.
# Its only stationary point, $x = 1$, is therefore its global minimum, and gradient descent
# started anywhere will find it.

# %% figures=["local-is-global"]
f = objectives.shifted_square
ax = d2l.plot([x, segment], [f(x), f(segment)], "x", "f(x)")

# %% [markdown]
# ## Constraints
#
# Many problems restrict where the solution may lie:
#
# $$\min_{\mathbf{x}} f(\mathbf{x}) \quad \text{subject to} \quad c_i(\mathbf{x}) \le 0
# \text{ for } i = 1, \ldots, n.$$
#
# The constraint $c(\mathbf{x}) = \|\mathbf{x}\|_2 - 1 \le 0$ keeps $\mathbf{x}$ in the unit
# ball; $c(\mathbf{x}) = \mathbf{v}^\top \mathbf{x} + b \le 0$ keeps it in a half-space. When
# $f$ and every $c_i$ are convex, the feasible set is an intersection of convex below sets, hence
# convex, and everything said above still applies. There are three standard ways to deal with
# constraints.
#
# **The Lagrangian.** Attach a multiplier $\alpha_i \ge 0$ to each constraint and form
#
# $$L(\mathbf{x}, \alpha_1, \ldots, \alpha_n) = f(\mathbf{x}) + \sum_{i=1}^{n} \alpha_i c_i(\mathbf{x}).$$
#
# The constrained problem becomes the search for a saddle point of $L$: a minimum over
# $\mathbf{x}$ and a maximum over the $\alpha_i \ge 0$. Think of $\alpha_i$ as the force of a
# spring that grows as long as the constraint is violated and pushes $\mathbf{x}$ back. At the
# solution each constraint is either inactive, $c_i < 0$ with $\alpha_i = 0$, or active,
# $c_i = 0$ with $\alpha_i \ge 0$ balancing the pull of $f$.
#
# **Penalties.** Instead of solving for the multipliers, fix them: add $\lambda\,c(\mathbf{x})$ to
# the objective with a chosen $\lambda > 0$. This no longer enforces the constraint exactly, but
# it is simple and robust. Weight decay is exactly this: adding
# $\frac{\lambda}{2}\|\mathbf{w}\|^2$ to the loss stands in for a constraint
# $\|\mathbf{w}\|^2 - r^2 \le 0$ on the size of the weights.
#
# **Projections.** The projection of $\mathbf{x}$ onto a convex set $\mathcal{X}$ is its nearest
# point in the set,
#
# $$\operatorname{Proj}_\mathcal{X}(\mathbf{x}) = \operatorname*{argmin}_{\mathbf{x}' \in \mathcal{X}}
# \|\mathbf{x} - \mathbf{x}'\|.$$
#
# Projected gradient descent takes an ordinary step and then projects back into $\mathcal{X}$.
# **Gradient clipping**, used to tame exploding gradients in recurrent networks, is the projection
# of the gradient onto the ball of radius $\theta$:
#
# $$\mathbf{g} \leftarrow \mathbf{g} \cdot \min\Big(1, \frac{\theta}{\|\mathbf{g}\|}\Big).$$
#
# The shape of the set matters. Projecting onto an $\ell_2$ ball just rescales the point
# towards the origin, keeping every coordinate nonzero. An $\ell_1$ ball, the diamond
# $|x_1| + |x_2| \le r$, has corners on the axes, and points outside it are often projected onto
# a corner, where some coordinates are exactly zero. That is the geometric reason why $\ell_1$
# constraints and penalties produce **sparse** solutions (Exercise 3 computes an example).
#
# The pitfall to remember: convexity is a property of the whole function on the whole set. A
# function can look convex on the interval you plotted and fail elsewhere, and a nonconvex
# constraint set (a sphere $\|\mathbf{x}\| = 1$ rather than a ball) destroys the guarantees even
# when $f$ is convex.

# %% [markdown]
# ## Exercises
#
# **Exercise 1 (Jensen in numbers).** For $f(x) = e^x$, the points $x = (-1, 0, 2)$ and the
# weights $\alpha = (0.2, 0.5, 0.3)$, compute both sides of Jensen's inequality.

# %% tags=["solution"]
points = d2l.tensor([-1.0, 0.0, 2.0], "float64")
weights = d2l.tensor([0.2, 0.5, 0.3], "float64")
average_of_f = d2l.to_float(d2l.reduce_sum(weights * d2l.exp(points)))
f_of_average = d2l.to_float(d2l.exp(d2l.reduce_sum(weights * points)))
print(f"sum alpha_i exp(x_i) = {average_of_f:.4f} >= exp(sum alpha_i x_i) = {f_of_average:.4f}")

# %% [markdown] tags=["solution"]
# The weighted average of the points is $0.4$, and $e^{0.4} \approx 1.49$, while the weighted
# average of the values is about $2.79$. The gap is large because $e^x$ curves strongly over the
# spread of the points; for an affine $f$ the two sides would be equal.

# %% [markdown]
# **Exercise 2 (log-sum-exp is convex).** Test the chord inequality for
# $f(\mathbf{x}) = \log \sum_i e^{x_i}$ on 1000 random pairs of points in $\mathbb{R}^5$ with
# $\lambda \in \{0.25, 0.5, 0.75\}$, and report the smallest gap between chord and function. Then
# prove convexity with the Hessian.

# %% tags=["solution"]
def log_sum_exp(v):
    return d2l.log(d2l.reduce_sum(d2l.exp(v)))


d2l.seed(0)
smallest_gap = float("inf")
for trial in range(1000):
    a, b = d2l.normal((5,), dtype="float64"), d2l.normal((5,), dtype="float64")
    lam = (0.25, 0.5, 0.75)[trial % 3]
    chord = lam * log_sum_exp(a) + (1 - lam) * log_sum_exp(b)
    smallest_gap = min(smallest_gap, d2l.to_float(chord - log_sum_exp(lam * a + (1 - lam) * b)))
print(f"smallest chord-minus-function gap in 1000 random tries: {smallest_gap:.1e}, "
      f"never negative: {smallest_gap >= 0}")

# %% [markdown] tags=["solution"]
# No pair violates the inequality. For a proof, write $p_i = e^{x_i} / \sum_j e^{x_j}$ (the softmax
# of $\mathbf{x}$). Then $\nabla f = \mathbf{p}$ and
# $\nabla^2 f = \operatorname{diag}(\mathbf{p}) - \mathbf{p}\mathbf{p}^\top$. For any
# $\mathbf{v}$,
#
# $$\mathbf{v}^\top \nabla^2 f\, \mathbf{v} = \sum_i p_i v_i^2 - \Big(\sum_i p_i v_i\Big)^2 \ge 0,$$
#
# because the right side is the variance of $v_i$ under the probabilities $p_i$ (or, once more,
# Jensen for the convex square). The Hessian is positive semidefinite, so $f$ is convex. This is
# why the softmax cross-entropy loss is convex in the logits.

# %% [markdown]
# **Exercise 3 (projections and sparsity).** Project the point $(1.5, 0.2)$ onto the unit $\ell_2$
# ball and onto the unit $\ell_1$ ball, and clip the gradient $(3, 4)$ to norm $1$. For the
# $\ell_1$ ball, use that the projection of a point outside it is the soft-thresholding
# $x_i \mapsto \operatorname{sign}(x_i) \max(|x_i| - \tau, 0)$, with $\tau \ge 0$ chosen (here by
# bisection) so that the result lies on the boundary.

# %% tags=["solution"]
def project_l2(v, radius=1.0):
    norm = d2l.to_float(d2l.sqrt(d2l.reduce_sum(v * v)))
    return v * min(1.0, radius / norm)


def project_l1(v, radius=1.0):
    if d2l.to_float(d2l.reduce_sum(d2l.abs(v))) <= radius:
        return v
    low, high = 0.0, d2l.to_float(d2l.reduce_sum(d2l.abs(v)))
    for _ in range(60):  # bisection for the threshold tau that lands on the boundary
        tau = (low + high) / 2
        mass = d2l.to_float(d2l.reduce_sum(d2l.maximum(d2l.abs(v) - tau, 0.0)))
        low, high = (tau, high) if mass > radius else (low, tau)
    return d2l.sign(v) * d2l.maximum(d2l.abs(v) - high, 0.0)


point = d2l.tensor([1.5, 0.2], "float64")
for name, project in [("l2", project_l2), ("l1", project_l1)]:
    p = d2l.numpy(project(point))
    print(f"projection of (1.5, 0.2) onto the unit {name} ball: ({p[0]:.4f}, {p[1]:.4f})")
clipped = d2l.numpy(project_l2(d2l.tensor([3.0, 4.0], "float64")))
print(f"gradient (3, 4) clipped to norm 1: ({clipped[0]:.4f}, {clipped[1]:.4f})")

# %% [markdown] tags=["solution"]
# The $\ell_2$ projection divides by the norm $\approx 1.513$ and keeps both coordinates nonzero.
# The $\ell_1$ projection lands on the corner $(1, 0)$: the small coordinate is set exactly to
# zero, which is the sparsity the diamond's corners produce. Clipping $(3, 4)$, of norm $5$, to
# $\theta = 1$ keeps its direction and gives $(0.6, 0.8)$.

# %% [markdown]
# **Exercise 4 (one constraint, three ways).** Minimize $f(x) = (x - 1)^2$ subject to
# $x \le \tfrac{1}{2}$. (a) Run 20 steps of projected gradient descent with learning rate $0.1$
# from $x = -1$ and read off the Lagrange multiplier $\alpha = -f'(x^*)$. (b) Replace the
# constraint by the penalty $\lambda \max(x - \tfrac{1}{2}, 0)^2$ for $\lambda = 1, 10, 100$ and
# compare with the exact penalized minimizer.

# %% tags=["solution"]
def shifted_square(x):
    return (x - 1) ** 2


x = d2l.tensor(-1.0, "float64")
for _ in range(20):
    x = d2l.minimum(x - 0.1 * d2l.grad(shifted_square)(x), 0.5)  # step, then project
multiplier = -d2l.to_float(d2l.grad(shifted_square)(x))
print(f"projected gradient descent: x = {d2l.to_float(x):.6f}, multiplier alpha = {multiplier:.6f}")
for lam in (1.0, 10.0, 100.0):
    def penalized(x, lam=lam):
        return shifted_square(x) + lam * d2l.maximum(x - 0.5, 0.0) ** 2

    x = d2l.tensor(1.0, "float64")
    for _ in range(30):  # curvature 2(1 + lam) where the penalty is active: step 0.4 / (1 + lam)
        x = x - 0.4 / (1 + lam) * d2l.grad(penalized)(x)
    print(f"penalty lambda = {lam:>5g}: x = {d2l.to_float(x):.6f}, "
          f"exact (1 + lambda/2)/(1 + lambda) = {(1 + lam / 2) / (1 + lam):.6f}")

# %% [markdown] tags=["solution"]
# (a) Gradient steps move $x$ towards $1$ until the projection $x \mapsto \min(x, \tfrac{1}{2})$
# stops it at the boundary, $x^* = \tfrac{1}{2}$. The constraint is active, and stationarity of
# the Lagrangian $L(x, \alpha) = (x - 1)^2 + \alpha (x - \tfrac{1}{2})$ gives
# $\alpha = -f'(\tfrac{1}{2}) = 1 \ge 0$: the multiplier is the force needed to hold $x$ at the
# wall. (b) Setting the derivative $2(x - 1) + 2\lambda (x - \tfrac{1}{2})$ to zero gives
# $x = (1 + \lambda/2)/(1 + \lambda)$: $0.75$, $0.545$, $0.505$. A penalty lets the constraint be
# violated by an amount that shrinks like $1/\lambda$; it never holds exactly for finite
# $\lambda$.
