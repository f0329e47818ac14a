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
import numpy as np  # plain NumPy for the geometry of the pictures

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
# them). The **union** of convex sets is in general not, even when the sets overlap.
#
# The figure tests the definition on four sets, each with one segment between two of its points;
# the part of a segment that leaves its set is drawn in red. The disc contains every such segment.
# The disc with a wedge cut out does not: the segment between the two jaws crosses the gap. The
# lens where two discs overlap is convex, as an intersection of convex sets must be (the dashed
# circles are the two discs). The union of two overlapping discs is not: a segment between the
# upper parts of the two discs passes above the waist where they meet. One segment that leaves the set
# proves non-convexity; convexity needs every segment, which is why it is proved, not plotted.

# %% figures=["convex-sets"]
def arc(center, radius, start=0.0, stop=360.0, num=120):
    """Points of a circle's arc from angle ``start`` to ``stop`` (degrees), shape (num, 2)."""
    angles = np.radians(np.linspace(start, stop, num))
    x, y = center[0] + radius * np.cos(angles), center[1] + radius * np.sin(angles)
    return np.stack([x, y], axis=1)


def in_disc(points, center, radius):
    return np.hypot(points[:, 0] - center[0], points[:, 1] - center[1]) <= radius


def draw_set(ax, outlines, inside, ends, title):
    """Fill a set, draw the segment between ``ends``, its part outside the set in red."""
    for outline in outlines:
        ax.fill(outline[:, 0], outline[:, 1], color="lightsteelblue")
    points = np.linspace(ends[0], ends[1], 201)
    ax.plot(points[:, 0], points[:, 1], "k-")
    outside = points[~inside(points)]
    if len(outside):
        ax.plot(outside[:, 0], outside[:, 1], "r-", linewidth=3)
    ax.plot([ends[0][0], ends[1][0]], [ends[0][1], ends[1][1]], "ko")
    ax.set_title(title)
    ax.set_aspect("equal")
    ax.axis([-1.9, 1.9, -1.1, 1.1])
    ax.axis("off")


def in_bitten_disc(points, bite=35):
    """The unit disc without the wedge of half-angle ``bite`` degrees around the x axis."""
    angles = np.degrees(np.arctan2(points[:, 1], points[:, 0]))
    return in_disc(points, (0, 0), 1) & (np.abs(angles) >= bite)


lens = np.vstack([arc((-0.5, 0), 1, -60, 60), arc((0.5, 0), 1, 120, 240)])
fig, axes = d2l.plt.subplots(1, 4, figsize=(11, 2.8))
draw_set(axes[0], [arc((0, 0), 1)], lambda p: in_disc(p, (0, 0), 1),
         [(-0.6, -0.5), (0.5, 0.6)], "disc: convex")
draw_set(axes[1], [np.vstack([arc((0, 0), 1, 35, 325), [(0, 0)]])], in_bitten_disc,
         [(0.4, 0.57), (0.4, -0.57)], "bitten disc: not convex")
draw_set(axes[2], [lens], lambda p: in_disc(p, (-0.5, 0), 1) & in_disc(p, (0.5, 0), 1),
         [(-0.25, 0.45), (0.2, -0.45)], "intersection: convex")
for center in [(-0.5, 0), (0.5, 0)]:
    axes[2].plot(*arc(center, 1).T, "--", color="gray")
draw_set(axes[3], [arc((-0.85, 0), 1), arc((0.85, 0), 1)],
         lambda p: in_disc(p, (-0.85, 0), 1) | in_disc(p, (0.85, 0), 1),
         [(-0.85, 0.85), (0.85, 0.85)], "union: not convex")

# %% [markdown]
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
# **Restriction to a line.** Convexity in many variables reduces to convexity in one.
#
# *Lemma.* A function $f$ on a convex set $\mathcal{X} \subseteq \mathbb{R}^n$ is convex if and only
# if, for every pair of points $\mathbf{x}, \mathbf{y} \in \mathcal{X}$, the function of one variable
# $g(z) = f\big(z\mathbf{x} + (1 - z)\mathbf{y}\big)$ is convex on $[0, 1]$.
#
# *Proof.* Write $\mathbf{p}(z) = z\mathbf{x} + (1 - z)\mathbf{y}$ for the point of the segment at
# parameter $z$, so that $g(z) = f(\mathbf{p}(z))$. The map $\mathbf{p}$ is affine, so it takes a
# weighted average of parameters to the same weighted average of points:
#
# $$\mathbf{p}\big(\lambda z_1 + (1 - \lambda) z_2\big)
# = \lambda\,\mathbf{p}(z_1) + (1 - \lambda)\,\mathbf{p}(z_2).$$
#
# ($\Rightarrow$) If $f$ is convex, then for all $z_1, z_2, \lambda \in [0, 1]$
#
# $$\begin{aligned}
# g\big(\lambda z_1 + (1 - \lambda) z_2\big)
# &= f\big(\lambda\,\mathbf{p}(z_1) + (1 - \lambda)\,\mathbf{p}(z_2)\big) \\
# &\le \lambda f(\mathbf{p}(z_1)) + (1 - \lambda) f(\mathbf{p}(z_2))
# = \lambda g(z_1) + (1 - \lambda) g(z_2).
# \end{aligned}$$
#
# ($\Leftarrow$) Let every such $g$ be convex, and take $\mathbf{x}, \mathbf{x}' \in \mathcal{X}$ and
# $\lambda \in [0, 1]$. For the pair $\mathbf{x}$, $\mathbf{y} = \mathbf{x}'$ we have $g(1) = f(\mathbf{x})$
# and $g(0) = f(\mathbf{x}')$, and the convexity of $g$ between $z = 1$ and $z = 0$ gives
#
# $$\begin{aligned}
# f\big(\lambda\mathbf{x} + (1 - \lambda)\mathbf{x}'\big)
# &= g\big(\lambda \cdot 1 + (1 - \lambda) \cdot 0\big) \\
# &\le \lambda g(1) + (1 - \lambda) g(0) = \lambda f(\mathbf{x}) + (1 - \lambda) f(\mathbf{x}'),
# \end{aligned}$$
#
# which is the definition of convexity for $f$. $\blacksquare$
#
# **The Hessian test.** Let $f$ be twice differentiable on an open convex set. By the chain rule,
# $g'(z) = (\mathbf{x} - \mathbf{y})^\top \nabla f(\mathbf{p}(z))$ and
#
# $$g''(z) = (\mathbf{x} - \mathbf{y})^\top \mathbf{H}\big(\mathbf{p}(z)\big)\, (\mathbf{x} - \mathbf{y}),$$
#
# with $\mathbf{H}$ the Hessian of $f$. If the Hessian is positive semidefinite everywhere,
# $\nabla^2 f \succeq 0$, then $g'' \ge 0$ for every pair, every restriction is convex by the
# one-variable test, and $f$ is convex by the lemma. Conversely, let $f$ be convex, $\mathbf{q}$ a
# point of the domain, $\mathbf{v}$ any direction, and $t > 0$ so small that
# $\mathbf{q} \pm t\mathbf{v}$ lie in the domain. The restriction with $\mathbf{x} = \mathbf{q} + t\mathbf{v}$
# and $\mathbf{y} = \mathbf{q} - t\mathbf{v}$ is convex and passes through $\mathbf{q}$ at $z = \tfrac{1}{2}$,
# so $g''(\tfrac{1}{2}) = 4t^2\, \mathbf{v}^\top \mathbf{H}(\mathbf{q})\, \mathbf{v} \ge 0$. Hence a twice
# differentiable $f$ is convex exactly when $\nabla^2 f \succeq 0$ everywhere.
# For example, $\tfrac{1}{2}\|\mathbf{x}\|^2$ has Hessian $\mathbf{I}$ and is convex, while
# $\cos(\pi x)$ has $f''(x) = -\pi^2 \cos(\pi x)$, negative near $0$, which is where the chord
# failed above.
#
# The figure below shows $f(x) = (x - 1)^2$, with $f'' = 2 > 0$, together with the same chord.
# Its only stationary point, $x = 1$, is therefore its global minimum. Convexity says where a
# descent method can end, not that it gets there: a gradient step
# $x \leftarrow x - 2\eta(x - 1)$ multiplies the distance $x - 1$ by $1 - 2\eta$, so gradient
# descent converges from every start exactly when $|1 - 2\eta| < 1$, that is for
# $0 < \eta < 1$. The cell after the figure runs ten steps from $x = 10$ on both sides of that
# limit: at $\eta = 0.9$ the iterates overshoot the minimum at every step but close in on it; at
# $\eta = 1$ they jump between $10$ and $-8$ forever; at $\eta = 1.1$ they move further away with
# every step. The learning rate must still fit the curvature, as the next section explains.

# %% figures=["local-is-global"]
f = objectives.shifted_square
ax = d2l.plot([x, segment], [f(x), f(segment)], "x", "f(x)")

# %%
f_grad = d2l.grad(f)
for eta in (0.9, 1.0, 1.1):
    d2l.gd(eta, f_grad)

# %% [markdown]
# ## Constraints
#
# Many problems restrict where the solution may lie:
#
# $$\min_{\mathbf{x}} f(\mathbf{x}) \quad \text{subject to} \quad c_i(\mathbf{x}) \le 0
# \text{ for } i = 1, \ldots, n.$$
#
# The constraint $c(\mathbf{x}) = \|\mathbf{x}\|_2 - 1 \le 0$ keeps $\mathbf{x}$ in the unit
# ball; $c(\mathbf{x}) = \mathbf{v}^\top \mathbf{x} + b \le 0$ keeps it in a half-space. When every
# $c_i$ is convex, the feasible set $\{\mathbf{x} : c_i(\mathbf{x}) \le 0 \text{ for all } i\}$ is an
# intersection of below sets of convex functions, hence convex. That is a property of the
# constraints alone, whatever $f$ is. If $f$ is convex as well, the whole problem is convex, and
# everything said above holds on the feasible set: a local minimum there is a global one. There
# are three standard ways to deal with constraints.
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
# Onto a box $\{\mathbf{x} : \mathbf{l} \le \mathbf{x} \le \mathbf{u}\}$ the projection clips each
# coordinate to its interval. The figure projects the same five points onto the unit disc and onto
# a box, each black point joined by a dashed line to its projection in red. Notice three things.
# A point already in the set is its own projection (the one inside both sets). On the disc every
# dashed line points at the centre and meets the circle at a right angle. On the box the points
# beyond a corner, diagonally outside it, all land on that corner. And for every point of a convex
# set, the angle at the projection between the dashed line and the direction to that point is at
# least $90^\circ$; Exercise 9 proves it and deduces that projecting never moves two points
# further apart.

# %% figures=["projections"]
def project_l2(v, radius=1.0):
    """The nearest point of the ball ||x|| <= radius: v, scaled back onto it."""
    norm = d2l.to_float(d2l.sqrt(d2l.reduce_sum(v * v)))
    return v * min(1.0, radius / norm)


def project_box(v, low, high):
    """The nearest point of the box low <= x <= high: each coordinate clipped."""
    return d2l.minimum(d2l.maximum(v, low), high)


low, high = d2l.tensor([-1.0, -0.5], "float64"), d2l.tensor([1.0, 0.5], "float64")
points = [(1.7, 1.0), (-1.5, 0.9), (0.4, -1.4), (-1.6, -0.3), (-0.3, 0.2)]
box = np.array([(-1, -0.5), (1, -0.5), (1, 0.5), (-1, 0.5)])
sets = [("the unit disc", arc((0, 0), 1), project_l2),
        ("a box", box, lambda v: project_box(v, low, high))]
fig, axes = d2l.plt.subplots(1, 2, figsize=(7, 3))
for ax, (title, outline, project) in zip(axes, sets):
    ax.fill(outline[:, 0], outline[:, 1], color="lightsteelblue")
    for point in points:
        nearest = d2l.numpy(project(d2l.tensor(point, "float64")))
        ax.plot([point[0], nearest[0]], [point[1], nearest[1]], "k--")
        ax.plot([point[0]], [point[1]], "ko")
        ax.plot([nearest[0]], [nearest[1]], "ro")
    ax.set_title(title)
    ax.set_aspect("equal")
    ax.axis("off")

# %% [markdown]
# The shape of the set matters. Projecting onto an $\ell_2$ ball just rescales the point
# towards the origin, keeping its direction: no coordinate becomes zero that was not zero
# before. A set with corners behaves differently: a whole region of points outside it projects
# onto each corner, as the box showed. The $\ell_1$ ball, the diamond $|x_1| + |x_2| \le r$, has
# its corners on the axes, so many points outside it are projected onto a corner, where some
# coordinates are exactly zero. That is the geometric reason why $\ell_1$ constraints and
# penalties produce **sparse** solutions (Exercise 3 computes an example).
#
# The pitfall to remember: convexity is a property of the whole function on the whole set. A
# function can look convex on the interval you plotted and fail elsewhere, and a nonconvex
# constraint set (a sphere $\|\mathbf{x}\| = 1$ rather than a ball) destroys the guarantees even
# when $f$ is convex.
#
# ## Summary
#
# * A set is convex when it contains the segment between any two of its points. Intersections of
#   convex sets are convex; unions in general are not.
# * A function is convex when every chord lies on or above its graph. It is convex exactly when
#   its restriction to every line is; a twice differentiable $f$ is convex exactly when
#   $f'' \ge 0$, in many variables when its Hessian is positive semidefinite everywhere.
# * Jensen's inequality: for convex $f$, $\mathbb{E}[f(X)] \ge f(\mathbb{E}[X])$.
# * For a convex $f$, every local minimum is global, the below sets and the set of minimizers
#   are convex. A minimum need not exist or be unique, and a descent method still needs a
#   learning rate that fits the curvature ($0 < \eta < 1$ for $(x - 1)^2$).
# * Constraints $c_i(\mathbf{x}) \le 0$ with convex $c_i$ give a convex feasible set. They are
#   handled by a Lagrangian (multipliers $\alpha_i \ge 0$), by penalties (weight decay) or by
#   projections (gradient clipping is one); projections onto sets with corners, such as the
#   $\ell_1$ ball, produce exact zeros.

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

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (3 points).** A complete answer:
#
# - It computes $\nabla f = \mathbf{p}$ (the softmax) and
#   $\nabla^2 f = \operatorname{diag}(\mathbf{p}) - \mathbf{p}\mathbf{p}^\top$ (1 point).
# - It shows
#   $\mathbf{v}^\top \nabla^2 f\, \mathbf{v} = \sum_i p_i v_i^2 - (\sum_i p_i v_i)^2 \ge 0$, as a
#   variance, by Jensen or by Cauchy–Schwarz (1 point).
# - It concludes convexity from the positive semidefinite Hessian (1 point).

# %% [markdown]
# **Exercise 3 (projections and sparsity).** Project the point $(1.5, 0.2)$ onto the unit $\ell_2$
# ball (with `project_l2` from the text) and onto the unit $\ell_1$ ball, and clip the gradient
# $(3, 4)$ to norm $1$. For the $\ell_1$ ball, use that the projection of a point outside it is the
# soft-thresholding $x_i \mapsto \operatorname{sign}(x_i) \max(|x_i| - \tau, 0)$, with $\tau \ge 0$
# chosen (here by bisection) so that the result lies on the boundary.

# %% tags=["solution"]
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
l2_projection, l1_projection = d2l.numpy(project_l2(point)), d2l.numpy(project_l1(point))
for name, p in [("l2", l2_projection), ("l1", l1_projection)]:
    print(f"projection of (1.5, 0.2) onto the unit {name} ball: ({p[0]:.4f}, {p[1]:.4f})")
clipped_gradient = d2l.numpy(project_l2(d2l.tensor([3.0, 4.0], "float64")))
print(f"gradient (3, 4) clipped to norm 1: ({clipped_gradient[0]:.4f}, {clipped_gradient[1]:.4f})")

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
constrained_x, multiplier = d2l.to_float(x), -d2l.to_float(d2l.grad(shifted_square)(x))
print(f"projected gradient descent: x = {constrained_x:.6f}, multiplier alpha = {multiplier:.6f}")
penalized_x = {}
for lam in (1.0, 10.0, 100.0):
    def penalized(x, lam=lam):
        return shifted_square(x) + lam * d2l.maximum(x - 0.5, 0.0) ** 2

    x = d2l.tensor(1.0, "float64")
    for _ in range(30):  # curvature 2(1 + lam) where the penalty is active: step 0.4 / (1 + lam)
        x = x - 0.4 / (1 + lam) * d2l.grad(penalized)(x)
    penalized_x[lam] = d2l.to_float(x)
    print(f"penalty lambda = {lam:>5g}: x = {penalized_x[lam]:.6f}, "
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

# %% [markdown]
# The remaining exercises are proofs.
#
# **Exercise 5 (the boundary is enough).** To test whether a closed and bounded set
# $\mathcal{X} \subset \mathbb{R}^n$ is convex you might check the segment between every two of its
# points. Prove that it is enough to check the segments between two points of its boundary.

# %% [markdown] tags=["solution"]
# Suppose every segment between two boundary points lies in $\mathcal{X}$, and take
# $\mathbf{a} \ne \mathbf{b}$ in $\mathcal{X}$ (for $\mathbf{a} = \mathbf{b}$ there is nothing to
# show). The parameters of the line through them that stay in the set,
#
# $$T = \{t \in \mathbb{R} : \mathbf{a} + t(\mathbf{b} - \mathbf{a}) \in \mathcal{X}\},$$
#
# form a closed set (the preimage of the closed $\mathcal{X}$ under a continuous map) and a bounded
# one ($\mathcal{X}$ is bounded and $\mathbf{b} \ne \mathbf{a}$), and $T$ contains $0$ and $1$. So
# $t_- = \min T \le 0$ and $t_+ = \max T \ge 1$ exist, and the points
# $\mathbf{a}_\pm = \mathbf{a} + t_\pm(\mathbf{b} - \mathbf{a})$ lie in $\mathcal{X}$. They lie on its
# boundary: by the choice of $t_+$, the points $\mathbf{a}_+ + s(\mathbf{b} - \mathbf{a})$ with $s > 0$
# are not in $\mathcal{X}$, so every neighbourhood of $\mathbf{a}_+$ meets the complement, and
# likewise for $\mathbf{a}_-$. By assumption the segment from $\mathbf{a}_-$ to $\mathbf{a}_+$ lies in
# $\mathcal{X}$. It consists of the parameters $[t_-, t_+] \supseteq [0, 1]$, so it contains the
# segment from $\mathbf{a}$ to $\mathbf{b}$. $\blacksquare$

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (4 points).** A complete answer:
#
# - For $\mathbf{a} \ne \mathbf{b}$ in the set it considers the line through them and the parameters
#   $T$ that stay in the set (1 point).
# - It shows that $T$ is closed and bounded and contains $0$ and $1$, so its minimum and maximum
#   exist (1 point).
# - It shows that the points of those extreme parameters lie on the boundary (1 point).
# - It concludes that the segment between them, which lies in the set by assumption, contains the
#   segment from $\mathbf{a}$ to $\mathbf{b}$ (1 point).

# %% [markdown]
# **Exercise 6 (norm balls).** Prove that for every norm $\|\cdot\|$ on $\mathbb{R}^n$ the ball
# $\mathcal{B}[r] = \{\mathbf{x} : \|\mathbf{x}\| \le r\}$ is convex, in particular the $\ell_p$ balls
# for $p \ge 1$. Then show that for $p = \tfrac{1}{2}$ the "ball"
# $\{\mathbf{x} \in \mathbb{R}^2 : (|x_1|^{1/2} + |x_2|^{1/2})^2 \le 1\}$ is not convex.

# %% [markdown] tags=["solution"]
# Take $\mathbf{x}, \mathbf{y} \in \mathcal{B}[r]$ and $\lambda \in [0, 1]$. The triangle inequality and
# the homogeneity of a norm give
#
# $$\|\lambda\mathbf{x} + (1 - \lambda)\mathbf{y}\| \le \|\lambda\mathbf{x}\| + \|(1 - \lambda)\mathbf{y}\|
# = \lambda\|\mathbf{x}\| + (1 - \lambda)\|\mathbf{y}\| \le \lambda r + (1 - \lambda) r = r.$$
#
# (In other words, a norm is a convex function and the ball is one of its below sets.) For
# $p \ge 1$, $\|\cdot\|_p$ is a norm (its triangle inequality is Minkowski's inequality), so its balls
# are convex. For $p = \tfrac{1}{2}$, the points $(1, 0)$ and $(0, 1)$ both have the value $1$, but
# their midpoint has $(\sqrt{1/2} + \sqrt{1/2})^2 = (\sqrt{2})^2 = 2 > 1$: the segment leaves the set.
# The triangle inequality fails for $p < 1$, and with it convexity.

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (3 points).** A complete answer:
#
# - It uses the triangle inequality and homogeneity to keep a convex combination of two points of
#   the ball in the ball (1 point).
# - It notes that $\|\cdot\|_p$ is a norm for $p \ge 1$ (Minkowski's inequality) (1 point).
# - For $p = \tfrac{1}{2}$ it gives two points of the set whose midpoint is outside, such as
#   $(1, 0)$ and $(0, 1)$ with the value $2$ (1 point).

# %% [markdown]
# **Exercise 7 (maximum and minimum).** Let $f$ and $g$ be convex on a convex set. Prove that
# $h = \max(f, g)$ is convex, and show by an example that $\min(f, g)$ need not be.

# %% [markdown] tags=["solution"]
# For $\mathbf{x}, \mathbf{x}'$ and $\lambda \in [0, 1]$, convexity of $f$ and $f \le h$ give
#
# $$f\big(\lambda\mathbf{x} + (1 - \lambda)\mathbf{x}'\big)
# \le \lambda f(\mathbf{x}) + (1 - \lambda) f(\mathbf{x}')
# \le \lambda h(\mathbf{x}) + (1 - \lambda) h(\mathbf{x}'),$$
#
# and the same bound holds for $g$. The larger of the two left sides is
# $h(\lambda\mathbf{x} + (1 - \lambda)\mathbf{x}')$, so $h$ satisfies the definition. The argument works
# for the maximum of any family of convex functions: $|x| = \max(x, -x)$ and the ReLU
# $\max(x, 0)$ are convex for this reason. The minimum fails: with $f(x) = (x - 1)^2$ and
# $g(x) = (x + 1)^2$, $\min(f, g)$ is $0$ at $x = \pm 1$ but $1$ at their midpoint $0$, above the
# chord, which is $0$ there.

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (3 points).** A complete answer:
#
# - It combines the convexity of $f$ with $f \le h$ (and likewise for $g$) (1 point).
# - It concludes that $h$ at a convex combination is at most the combination of the values of $h$ (1
#   point).
# - It gives a pair of convex functions whose minimum is not convex, checked at a point (1 point).

# %% [markdown]
# **Exercise 8 (affine sets and projections onto subspaces).** (a) Prove that the set
# $\mathcal{X} = \{\mathbf{x} : \mathbf{W}\mathbf{x} = \mathbf{b}\}$ is convex. (b) Let
# $\mathbf{b} = \mathbf{0}$ and let the rows of $\mathbf{W} \in \mathbb{R}^{m \times n}$ be linearly
# independent. Prove that the projection onto $\mathcal{X}$ is linear,
#
# $$\operatorname{Proj}_\mathcal{X}(\mathbf{x}) = \mathbf{M}\mathbf{x}, \qquad
# \mathbf{M} = \mathbf{I} - \mathbf{W}^\top(\mathbf{W}\mathbf{W}^\top)^{-1}\mathbf{W}.$$

# %% [markdown] tags=["solution"]
# (a) If $\mathbf{W}\mathbf{x} = \mathbf{W}\mathbf{y} = \mathbf{b}$, then
#
# $$\mathbf{W}\big(\lambda\mathbf{x} + (1 - \lambda)\mathbf{y}\big)
# = \lambda\mathbf{b} + (1 - \lambda)\mathbf{b} = \mathbf{b}.$$
#
# (b) $\mathbf{W}\mathbf{W}^\top$ is invertible because the rows of $\mathbf{W}$ are independent.
# Let $\mathbf{u} = (\mathbf{W}\mathbf{W}^\top)^{-1}\mathbf{W}\mathbf{x}$ and
# $\mathbf{p} = \mathbf{M}\mathbf{x} = \mathbf{x} - \mathbf{W}^\top\mathbf{u}$. Then
#
# $$\mathbf{W}\mathbf{p} = \mathbf{W}\mathbf{x}
# - \mathbf{W}\mathbf{W}^\top(\mathbf{W}\mathbf{W}^\top)^{-1}\mathbf{W}\mathbf{x} = \mathbf{0},$$
#
# so $\mathbf{p} \in \mathcal{X}$. For any $\mathbf{y} \in \mathcal{X}$ also
# $\mathbf{W}(\mathbf{p} - \mathbf{y}) = \mathbf{0}$, hence
#
# $$(\mathbf{x} - \mathbf{p})^\top(\mathbf{p} - \mathbf{y})
# = \mathbf{u}^\top\mathbf{W}(\mathbf{p} - \mathbf{y}) = 0,$$
#
# and by Pythagoras
#
# $$\|\mathbf{x} - \mathbf{y}\|^2 = \|\mathbf{x} - \mathbf{p}\|^2 + \|\mathbf{p} - \mathbf{y}\|^2
# \ge \|\mathbf{x} - \mathbf{p}\|^2,$$
#
# with equality only for $\mathbf{y} = \mathbf{p}$. So $\mathbf{p} = \mathbf{M}\mathbf{x}$ is the
# unique nearest point of $\mathcal{X}$. (One checks that $\mathbf{M}$ is symmetric and
# $\mathbf{M}^2 = \mathbf{M}$: projecting twice changes nothing.)

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (4 points).** A complete answer:
#
# - (a) It shows $\mathbf{W}(\lambda\mathbf{x} + (1 - \lambda)\mathbf{y}) = \mathbf{b}$ (1 point).
# - (b) It notes that $\mathbf{W}\mathbf{W}^\top$ is invertible and that $\mathbf{M}\mathbf{x}$ lies
#   in the set (1 point).
# - It shows $(\mathbf{x} - \mathbf{M}\mathbf{x})^\top(\mathbf{M}\mathbf{x} - \mathbf{y}) = 0$ for
#   every $\mathbf{y}$ of the set (1 point).
# - It concludes with Pythagoras that $\mathbf{M}\mathbf{x}$ is the unique nearest point (1 point).

# %% [markdown]
# **Exercise 9 (projections never increase distances).** Let $\mathcal{X}$ be a nonempty, closed,
# convex set, so that every point has a unique nearest point in it. (a) Prove that
# $\mathbf{p} = \operatorname{Proj}_\mathcal{X}(\mathbf{x})$ satisfies
# $(\mathbf{x} - \mathbf{p})^\top(\mathbf{z} - \mathbf{p}) \le 0$ for every $\mathbf{z} \in \mathcal{X}$ (the
# angle of at least $90^\circ$ noted under the projection figure). (b) Deduce that
#
# $$\big\|\operatorname{Proj}_\mathcal{X}(\mathbf{x}) - \operatorname{Proj}_\mathcal{X}(\mathbf{y})\big\|
# \le \|\mathbf{x} - \mathbf{y}\|.$$
#
# What does this say about projected gradient descent?

# %% [markdown] tags=["solution"]
# (a) For $\mathbf{z} \in \mathcal{X}$ and $t \in (0, 1]$, the point $\mathbf{p} + t(\mathbf{z} - \mathbf{p})$
# lies in the convex $\mathcal{X}$, so it is no closer to $\mathbf{x}$ than $\mathbf{p}$:
#
# $$\begin{aligned}
# \|\mathbf{x} - \mathbf{p}\|^2 &\le \|\mathbf{x} - \mathbf{p} - t(\mathbf{z} - \mathbf{p})\|^2 \\
# &= \|\mathbf{x} - \mathbf{p}\|^2 - 2t(\mathbf{x} - \mathbf{p})^\top(\mathbf{z} - \mathbf{p})
# + t^2\|\mathbf{z} - \mathbf{p}\|^2.
# \end{aligned}$$
#
# Cancel, divide by $2t$ and let $t \to 0$: $(\mathbf{x} - \mathbf{p})^\top(\mathbf{z} - \mathbf{p}) \le 0$.
#
# (b) Let $\mathbf{p}$ and $\mathbf{q}$ be the projections of $\mathbf{x}$ and $\mathbf{y}$. Part (a)
# for $\mathbf{x}$ with $\mathbf{z} = \mathbf{q}$, and for $\mathbf{y}$ with $\mathbf{z} = \mathbf{p}$, gives
#
# $$(\mathbf{x} - \mathbf{p})^\top(\mathbf{q} - \mathbf{p}) \le 0 \quad\text{and}\quad
# (\mathbf{y} - \mathbf{q})^\top(\mathbf{p} - \mathbf{q}) \le 0.$$
#
# Adding the two,
#
# $$\big((\mathbf{x} - \mathbf{y}) - (\mathbf{p} - \mathbf{q})\big)^\top(\mathbf{q} - \mathbf{p}) \le 0,
# \quad\text{that is,}\quad
# \|\mathbf{p} - \mathbf{q}\|^2 \le (\mathbf{x} - \mathbf{y})^\top(\mathbf{p} - \mathbf{q}).$$
#
# By Cauchy–Schwarz the right side is at most
# $\|\mathbf{x} - \mathbf{y}\|\,\|\mathbf{p} - \mathbf{q}\|$. Dividing by $\|\mathbf{p} - \mathbf{q}\|$
# (if it is $0$ there is nothing to prove) gives the claim. For projected gradient descent with
# a constrained minimizer $\mathbf{x}^* \in \mathcal{X}$, which is its own projection, this means
# $\|\operatorname{Proj}_\mathcal{X}(\mathbf{x}) - \mathbf{x}^*\| \le \|\mathbf{x} - \mathbf{x}^*\|$: the
# projection after a gradient step never takes the iterate further from $\mathbf{x}^*$. Proofs
# that track the distance $\|\mathbf{x}_t - \mathbf{x}^*\|$, such as the SGD section's convergence
# bound, therefore carry over to the projected method unchanged.

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (4 points).** A complete answer:
#
# - (a) It compares $\mathbf{p}$ with the points $\mathbf{p} + t(\mathbf{z} - \mathbf{p})$ of the
#   set, expands, divides by $t$ and lets $t \to 0$ (2 points).
# - (b) It applies (a) to both points and adds the two inequalities (1 point).
# - It finishes with Cauchy–Schwarz and says that a projection step never moves the iterate away
#   from a constrained minimizer (1 point).

# %% [markdown]
# **Exercise 10 (a convex function lies above its tangents).** (a) Let $f$ be twice
# differentiable on an interval. Prove that for $x$ and $x + \epsilon$ in it,
# $f(x + \epsilon) = f(x) + \epsilon f'(x) + \tfrac{1}{2}\epsilon^2 f''(x + \xi)$ for some $\xi$ between
# $0$ and $\epsilon$. (b) Deduce that a twice differentiable convex $f$ satisfies
# $f(y) \ge f(x) + f'(x)(y - x)$ for all $x, y$, and that each of its stationary points is a global
# minimum.

# %% [markdown] tags=["solution"]
# (a) Let $\epsilon \ne 0$ and define $K$ by $f(x + \epsilon) = f(x) + \epsilon f'(x) + K\epsilon^2$. The
# function $h(t) = f(x + t) - f(x) - t f'(x) - Kt^2$ has $h(0) = h(\epsilon) = 0$, so by Rolle's theorem
# $h'(t_1) = 0$ for some $t_1$ strictly between $0$ and $\epsilon$. Its derivative
# $h'(t) = f'(x + t) - f'(x) - 2Kt$ also has $h'(0) = 0$, so Rolle's theorem once more gives a $\xi$
# between $0$ and $t_1$ with $h''(\xi) = f''(x + \xi) - 2K = 0$. Hence $K = \tfrac{1}{2} f''(x + \xi)$.
#
# (b) By the second-derivative test, $f'' \ge 0$, so with $\epsilon = y - x$ the remainder
# $\tfrac{1}{2}\epsilon^2 f''(x + \xi)$ is nonnegative and $f(y) \ge f(x) + f'(x)(y - x)$: the tangent at
# $x$ lies below the graph. If $f'(x) = 0$, this reads $f(y) \ge f(x)$ for every $y$, so $x$ is a
# global minimum. (The tangent bound holds for every differentiable convex $f$: dividing
# $f(x + t(y - x)) - f(x) \le t\big(f(y) - f(x)\big)$ by $t > 0$ and letting $t \to 0$ gives
# $f'(x)(y - x) \le f(y) - f(x)$.)

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (4 points).** A complete answer:
#
# - (a) It proves the remainder form, for instance by Rolle's theorem applied twice (2 points).
# - (b) It deduces $f(y) \ge f(x) + f'(x)(y - x)$ from $f'' \ge 0$ (1 point).
# - It concludes that a stationary point is a global minimum (1 point).
