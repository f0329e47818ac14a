# %% [markdown]
# # Gradient descent
#
# Gradient descent is the simplest optimization algorithm that uses derivatives, and nearly every
# method in this chapter is a refinement of it. Deep learning rarely uses it in its pure form (the
# next section replaces the exact gradient by a cheap noisy one), but everything that can go
# right or wrong with the learning rate can already be seen here, on functions of one or two
# variables. The section first derives the update from a Taylor expansion, then watches it on
# simple curves, moves to several variables, and ends with Newton's method, which also uses
# second derivatives, and the cheaper ideas it inspires: preconditioning and line search. All
# derivatives below come from the backend's autograd.
#
# Run as a script: `python examples/gd.py --backend mxnet --out figures/`.

# %% tags=["remove-cell"]
import d2l_optim as d2l

section = d2l.Section("gd")

# %%
import d2l_optim as d2l
from d2l_optim import objectives

square = objectives.square

# %% [markdown]
# ## One dimension
#
# Let $f: \mathbb{R} \to \mathbb{R}$ be twice continuously differentiable. A first-order Taylor
# expansion says how $f$ changes under a small move $\epsilon$:
#
# $$f(x + \epsilon) = f(x) + \epsilon f'(x) + O(\epsilon^2).$$
#
# The remainder is $\tfrac{1}{2}\epsilon^2 f''(\xi)$ for some $\xi$ between $x$ and
# $x + \epsilon$, which is where the second derivative is needed. For a function that is only
# continuously differentiable the remainder is merely $o(\epsilon)$: that still shows that small
# enough steps go downhill, but not how small is small enough. With a bound on $|f''|$, Exercise 5
# gives an explicit answer.
#
# Choose the move against the slope, $\epsilon = -\eta f'(x)$ with a small **learning rate**
# $\eta > 0$. Then
#
# $$f\big(x - \eta f'(x)\big) = f(x) - \eta f'(x)^2 + O\big(\eta^2 f'(x)^2\big).$$
#
# The term $\eta f'(x)^2$ is positive whenever $f'(x) \ne 0$, and for $\eta$ small enough it
# dominates the error term, so the value goes down. That gives the rule
#
# $$x \leftarrow x - \eta f'(x),$$
#
# repeated until the derivative (and with it the step) becomes negligible or a budget of steps
# runs out. Notice what the derivation does *not* promise: it holds only for small enough $\eta$,
# and it says nothing about reaching the global minimum.
#
# The cell below runs ten steps on $f(x) = x^2$, where $f'(x) = 2x$, from $x = 10$ with
# $\eta = 0.2$, and prints where it ends. On this function the rule becomes
# $x \leftarrow (1 - 2\eta)\,x = 0.6\,x$: every step removes $40\%$ of the remaining distance, so
# $x_{10} = 10 \cdot 0.6^{10} \approx 0.060$. In the figure the trace (dots) slides down one side
# of the parabola in steps that shrink as the slope flattens: the step size is proportional to
# the gradient, so the method slows down by itself near the minimum.

# %% figures=["gd-lr-0.2"]
results = d2l.gd(0.2, d2l.grad(square))
d2l.show_trace(results, square)

# %% [markdown]
# ### The learning rate decides everything
#
# The same analysis covers every $\eta$. On $x^2$ the error is multiplied by $1 - 2\eta$ at each
# step, so there are four regimes:
#
# * $0 < \eta < \tfrac{1}{2}$: the factor is in $(0, 1)$, a monotone approach from one side;
#   the smaller $\eta$, the slower;
# * $\eta = \tfrac{1}{2}$: the factor is $0$, the minimum is reached in one step;
# * $\tfrac{1}{2} < \eta < 1$: the factor is in $(-1, 0)$, the iterates jump across the minimum
#   every step but still converge;
# * $\eta \ge 1$: $|1 - 2\eta| \ge 1$, the iterates oscillate with growing (or, at $\eta = 1$,
#   constant) amplitude and never converge.
#
# The two figures below show the extremes. With $\eta = 0.05$ the factor is $0.9$, and ten steps
# leave $x \approx 3.49$, still far from $0$: notice the dots crowded on the right branch. With
# $\eta = 1.1$ the factor is $-1.2$: notice the trace zigzagging from branch to branch, climbing
# higher each time, to $x \approx 61.9$ after ten steps. For a general smooth function the role
# of the constant $2$ is played by the curvature $f''$: roughly, gradient descent is stable when
# $\eta < 2 / f''$, so the steepest curvature along the path limits the learning rate.

# %% figures=["gd-lr-0.05", "gd-lr-1.1"]
d2l.show_trace(d2l.gd(0.05, d2l.grad(square)), square)
d2l.show_trace(d2l.gd(1.1, d2l.grad(square)), square)

# %% [markdown]
# ### Local minima
#
# On a nonconvex function the learning rate also decides *where* the run ends. The next figure
# uses $f(x) = x \cos(cx)$ with $c = 0.15\pi$, which has local minima near $x \approx -1.83$
# ($f \approx -1.19$) and $x \approx 7.27$ ($f \approx -6.98$). Starting at $x = 10$ with the
# large rate $\eta = 2$, the first step overshoots across the deeper minimum at $7.27$ all the way
# to $x \approx 0.58$, and from there the run falls into the shallow minimum near $-1.83$. Notice
# that it does not settle there quickly: it bounces from side to side of it, between about $-1.2$
# and $-2.3$ at first, and after ten steps it is at $x \approx -1.53$.

# %% figures=["gd-local-minimum"]
x_cos = objectives.x_cos
d2l.show_trace(d2l.gd(2, d2l.grad(x_cos)), x_cos)

# %% [markdown]
# The curvature at each minimum explains both. Near a minimum $x^*$ the function is close to the
# parabola $f(x^*) + \tfrac{1}{2}f''(x^*)\,(x - x^*)^2$, and on it a gradient step multiplies the
# error $x - x^*$ by $1 - \eta f''(x^*)$, just as on $x^2$ above. The cell below prints
# $\eta f''(x^*)$ at both minima. At the deep one near $7.27$ it is about $3.63$, above $2$: at
# this learning rate that minimum is unstable, and gradient descent could not settle there even
# if it started right next to it. At the shallow one near $-1.83$ it is about $1.96$, just below
# $2$: the factor $1 - \eta f'' \approx -0.96$ lies in $(-1, 0)$, so the run *does* converge, but
# slowly and from alternating sides, each step removing only about $4\%$ of the error. A longer
# run shows it: the printed distance to the minimum is about $0.30$ after 10 steps, $0.04$ after 50
# and $0.005$ after 100. So a large learning rate can skip over a good minimum, and then creep into
# a bad one.

# %%
for minimum in x_cos.minima:
    (x_star,) = minimum.x
    curvature = d2l.to_float(x_cos.hess(d2l.tensor(x_star, "float64")))
    print(f"minimum near x = {x_star:.2f}: eta * f'' = {2 * curvature:.2f}")
shallow = x_cos.minima[0].x[0]
trace = d2l.gd(2, d2l.grad(x_cos), num_epochs=100)
print("distance to the minimum near -1.83 after 10, 50, 100 steps:",
      ", ".join(f"{abs(trace[t] - shallow):.4f}" for t in (10, 50, 100)))

# %% [markdown]
# ## Several variables
#
# For $f: \mathbb{R}^d \to \mathbb{R}$ the derivative becomes the gradient
# $\nabla f(\mathbf{x}) = \big[\partial f / \partial x_1, \ldots, \partial f / \partial x_d\big]^\top$,
# and, again for $f$ twice continuously differentiable, the Taylor expansion reads
#
# $$f(\mathbf{x} + \boldsymbol{\epsilon}) = f(\mathbf{x}) + \boldsymbol{\epsilon}^\top \nabla f(\mathbf{x})
# + O(\|\boldsymbol{\epsilon}\|^2).$$
#
# Among all moves of a given length, the Cauchy–Schwarz inequality says that
# $\boldsymbol{\epsilon}^\top \nabla f$ is most negative when $\boldsymbol{\epsilon}$ points along
# $-\nabla f(\mathbf{x})$: the negative gradient is the direction of steepest descent. The rule is
# the same as in one dimension,
#
# $$\mathbf{x} \leftarrow \mathbf{x} - \eta \nabla f(\mathbf{x}).$$
#
# The cell below applies it to $f(\mathbf{x}) = x_1^2 + 2x_2^2$ from $(-5, -2)$ with
# $\eta = 0.1$ for 20 steps. The gradient is $(2x_1, 4x_2)$, so each coordinate has its own
# factor: $x_1 \leftarrow 0.8\,x_1$ and $x_2 \leftarrow 0.6\,x_2$. In the figure the orange trace
# runs across the blue elliptical contour lines. Notice that it does not head straight for the
# minimum at the origin: $x_2$, the steep direction, is wiped out within a few steps, and the rest
# of the run crawls along the flat $x_1$ direction. After 20 steps $x_2 \approx -0.00007$ while
# $x_1 \approx -0.058$.
#
# This is the central weakness of gradient descent. For a quadratic with Hessian $\mathbf{H}$ the
# error in the direction of each eigenvector is multiplied by $1 - \eta\lambda_i$ per step, with
# $\lambda_i$ the eigenvalue. Stability requires $\eta < 2/\lambda_{\max}$, while progress in the
# flattest direction goes like $1 - \eta\lambda_{\min}$. The ratio
# $\kappa = \lambda_{\max} / \lambda_{\min}$, the **condition number**, measures the conflict: with
# the best fixed rate the error shrinks by $(\kappa - 1)/(\kappa + 1)$ per step, fast when
# $\kappa \approx 1$ (round contours) and painfully slow when $\kappa$ is large (long, narrow
# valleys). Here $\kappa = 4/2 = 2$, a mild case; the momentum section revisits this with
# $\kappa = 20$.

# %% figures=["gd-2d"]
quadratic = objectives.quadratic_2d
eta = 0.1


def gd_2d(x1, x2, s1, s2, f_grad):
    g1, g2 = f_grad(x1, x2)
    return (x1 - eta * g1, x2 - eta * g2, 0, 0)


results = d2l.train_2d(gd_2d, f_grad=d2l.grad(quadratic, argnums=(0, 1)))
d2l.show_trace_2d(quadratic, results)

# %% [markdown]
# ## Newton's method
#
# The learning rate has to be tuned because a first-order expansion knows nothing about
# curvature. Expanding one term further (now for $f$ three times continuously differentiable),
#
# $$f(\mathbf{x} + \boldsymbol{\epsilon}) = f(\mathbf{x}) + \boldsymbol{\epsilon}^\top \nabla f(\mathbf{x})
# + \tfrac{1}{2}\boldsymbol{\epsilon}^\top \mathbf{H} \boldsymbol{\epsilon}
# + O(\|\boldsymbol{\epsilon}\|^3),$$
#
# with $\mathbf{H} = \nabla^2 f(\mathbf{x})$, and minimizing the quadratic model over
# $\boldsymbol{\epsilon}$ (set its gradient $\nabla f + \mathbf{H}\boldsymbol{\epsilon}$ to zero)
# gives **Newton's method**:
#
# $$\boldsymbol{\epsilon} = -\mathbf{H}^{-1} \nabla f(\mathbf{x}), \qquad
# x \leftarrow x - \eta\,\frac{f'(x)}{f''(x)} \ \text{ in one dimension}$$
#
# (with $\eta = 1$ for the pure method). On $f(x) = \tfrac{1}{2}x^2$, where $f'(x) = x$ and
# $f'' = 1$, one step lands exactly on the minimum from anywhere: Newton's method is exact on
# quadratics, and the step size is set by the curvature instead of by hand.
#
# The first figure applies it to the convex $f(x) = \cosh(cx)$ with $c = 0.5$. Far from the
# minimum the ratio $f'/f'' = \tanh(cx)/c$ is close to $1/c = 2$, so the first steps move by about
# $2$: from $10$ to $8.00$, $6.00$, $4.01$, $2.08$. Then the quadratic model becomes accurate and
# the error collapses: $0.53$, $0.012$, and zero to printed precision. Notice in the figure how the
# dots march down at even spacing, then stop dead at $0$.
#
# **Why it is so fast.** Let $x^*$ be a minimum with $f''(x^*) > 0$ and write
# $e^{(k)} = x^{(k)} - x^*$ for the error. Expand $f'$ around $x^{(k)}$ and evaluate at $x^*$,
# where it vanishes: for some $\xi^{(k)}$ between $x^{(k)}$ and $x^*$,
#
# $$0 = f'(x^*) = f'(x^{(k)}) - e^{(k)} f''(x^{(k)}) + \tfrac{1}{2}\big(e^{(k)}\big)^2 f'''(\xi^{(k)}).$$
#
# Divide by $f''(x^{(k)})$ and use $x^{(k+1)} = x^{(k)} - f'(x^{(k)})/f''(x^{(k)})$: the first two
# terms become $-e^{(k+1)}$, and
#
# $$e^{(k+1)} = \frac{f'''(\xi^{(k)})}{2 f''(x^{(k)})}\,\big(e^{(k)}\big)^2.$$
#
# So if $\big|f'''(\xi^{(k)})\big| / \big(2 f''(x^{(k)})\big) \le c$ near $x^*$, then
# $\big|e^{(k+1)}\big| \le c\,\big(e^{(k)}\big)^2$. This is **quadratic convergence**: once the
# error is small, each step roughly doubles the number of correct digits. (The book this course
# follows calls this rate "linear"; the error is squared at each step, so it is quadratic.
# Linear convergence, which gradient descent has, multiplies the error by a constant factor.)

# %% figures=["newton-cosh"]
cosh = objectives.cosh
d2l.show_trace(d2l.newton(cosh), cosh)

# %% [markdown]
# **When Newton goes wrong.** The analysis assumed we start close to a minimum with positive
# curvature. On the nonconvex $x\cos(cx)$ from $x = 10$ neither holds. The curvature at $5$ is
# small and positive, so the step there is huge and lands at $x \approx 25$, where the curvature is
# negative. With $f'' < 0$ the Newton step $-f'/f''$ points *uphill*: the method looks for a
# stationary point of the quadratic model, which is now a maximum. In the first figure below it
# converges, quadratically fast, to the local **maximum** near $x \approx 26.83$. Newton's method
# finds stationary points, not minima.
#
# Two remedies are common. One is to use $|f''|$ (in several dimensions, to make the Hessian
# positive definite) so the step always goes downhill; Exercise 2 tries it. The other is a
# learning rate: with $\eta = 0.5$ (second figure) the steps are halved, the run stays in the basin
# of the minimum near $7.27$, and after ten steps it is at $x \approx 7.2699$. Notice the price:
# the damped iteration is only linear, roughly halving the error each step
# ($e^{(k+1)} \approx (1 - \eta)\,e^{(k)}$), so it is still $0.0005$ away after ten steps.
# (MXNet's autograd cannot differentiate twice here; on it Newton uses the objective's
# hand-written Hessian and warns.)

# %% figures=["newton-x-cos", "newton-x-cos-lr-0.5"]
d2l.show_trace(d2l.newton(x_cos), x_cos)
d2l.show_trace(d2l.newton(x_cos, 0.5), x_cos)

# %% [markdown]
# ## Preconditioning and line search
#
# Newton's method is out of reach for deep networks: with $d$ parameters the Hessian has $d^2$
# entries, and solving with it costs on the order of $d^3$ operations, hopeless for millions of
# parameters. Two cheaper ideas keep part of its benefit.
#
# **Preconditioning** keeps only the diagonal of the Hessian:
#
# $$\mathbf{x} \leftarrow \mathbf{x} - \eta\,\operatorname{diag}(\mathbf{H})^{-1}\nabla f(\mathbf{x}).$$
#
# Each coordinate gets its own learning rate, inversely proportional to its curvature. This
# fixes exactly the problem of the two-dimensional example: if $x_1$ is measured in millimetres
# and $x_2$ in kilometres, plain gradient descent has a hopeless condition number, but rescaling
# each coordinate by its curvature undoes the poor choice of units. Preconditioning cannot help
# when the long axis of the valley is diagonal to the coordinates, because the diagonal does not
# see the coupling between them (Exercise 4). Adagrad, RMSProp and Adam, later in this chapter,
# are cheap stand-ins for this diagonal, estimated from gradients alone.
#
# **Line search** chooses the step size at each iteration instead of fixing it: along the
# direction $-\nabla f(\mathbf{x})$, find the $\eta$ that minimizes
# $f(\mathbf{x} - \eta\nabla f(\mathbf{x}))$, for example by bisection on the sign of the
# derivative with respect to $\eta$. It converges
# rapidly, but each iteration evaluates the full objective several times. In deep learning that
# means several passes over the whole data set per step, which is why line search is rarely used
# there.

# %% [markdown]
# ## Summary
#
# * Gradient descent steps against the gradient,
#   $\mathbf{x} \leftarrow \mathbf{x} - \eta\nabla f(\mathbf{x})$. For a twice differentiable $f$,
#   a Taylor expansion shows that a small enough step lowers $f$ wherever the gradient is not zero;
#   it promises nothing about *which* minimum is reached.
# * On a parabola of curvature $\lambda$ each step multiplies the error by $1 - \eta\lambda$:
#   the run converges exactly when $0 < \eta\lambda < 2$, monotonically below $1$, from
#   alternating sides above it. Near a minimum of a smooth function, $f''(x^*)$ plays the role of
#   $\lambda$: gradient descent cannot converge to a minimum with $\eta f''(x^*) > 2$, and it
#   approaches one with $\eta f''(x^*)$ just below $2$ only slowly.
# * In several dimensions every eigenvector of the Hessian has its own factor $1 - \eta\lambda_i$.
#   The steepest direction caps $\eta$ and the flattest sets the pace; at the best fixed rate the
#   error shrinks by $(\kappa - 1)/(\kappa + 1)$ per step, $\kappa$ the condition number.
# * Newton's method divides by the curvature: it is exact on quadratics and converges
#   quadratically near a minimum with $f'' > 0$, but it heads for any stationary point, maxima
#   included, and with $d$ parameters it costs $O(d^3)$ per step.
# * Preconditioning by the diagonal of the Hessian repairs badly scaled coordinates but not
#   valleys oblique to the axes; line search picks $\eta$ at every step, at the price of many
#   extra evaluations of $f$.

# %% [markdown]
# ## Exercises
#
# **Exercise 1 (the four regimes).** Predict where ten steps of gradient descent on $x^2$ from
# $x = 10$ end for $\eta = 0.5$, $0.99$ and $1$, then check with `d2l.gd`.

# %% tags=["solution"]
end_by_rate = {}
for rate in (0.5, 0.99, 1.0):
    end_by_rate[rate] = d2l.gd(rate, d2l.grad(square))[-1]

# %% [markdown] tags=["solution"]
# The factor per step is $1 - 2\eta$. For $\eta = 0.5$ it is $0$: the first step lands on the
# minimum and stays. For $\eta = 0.99$ it is $-0.98$: the iterate flips sign every step and shrinks
# only by $2\%$, so after ten (an even number of) steps $x = 10 \cdot 0.98^{10} \approx 8.17$. For
# $\eta = 1$ it is $-1$: the run bounces between $10$ and $-10$ forever. Just below the stability
# limit, gradient descent is as slow as with a tiny learning rate.

# %% [markdown]
# **Exercise 2 (Newton with $|f''|$).** Run Newton's method on $x \cos(cx)$ from $x = 10$ with the
# absolute value of the second derivative, $x \leftarrow x - f'(x)/|f''(x)|$. Where does it end,
# and is that point a minimum? (Pass the hand-written Hessian `x_cos.hess`, so the solution also
# runs on MXNet.)

# %% tags=["solution"] figures=["exercise-newton-abs-hessian"]
trace = d2l.newton(x_cos, f_hess=lambda x: d2l.abs(x_cos.hess(x)))
print("trace:", ", ".join(f"{value:.4f}" for value in trace))
newton_abs_end = trace[-1]
end = d2l.tensor(newton_abs_end, "float64")
print(f"f = {d2l.to_float(x_cos(end)):.4f}, f'' = {d2l.to_float(x_cos.hess(end)):.4f}")
is_minimum = d2l.to_float(x_cos.hess(end)) > 0  # f' = 0 there, so f'' > 0 makes it a minimum
d2l.show_trace(trace, x_cos)

# %% [markdown] tags=["solution"]
# The first two steps are as before ($10 \to 5 \to 24.99$), but at $24.99$ the curvature is
# negative, and with $|f''|$ the step now goes downhill instead of uphill. The run converges to
# $x \approx 20.22$, where $f'' > 0$: a genuine local minimum, and a much deeper one
# ($f \approx -20.1$) than those near $-1.83$ or $7.27$. The absolute value fixes the direction of
# the step, but not the size of the huge jump from $5$: which minimum Newton's method finds still
# depends on the path.

# %% [markdown]
# **Exercise 3 (bisection and line search).** (a) The function
# $f(x) = \log\big(e^x + e^{-2x - 3}\big)$ is convex. Find its minimizer on $[-2, 2]$ by
# bisection on the sign of $f'$, and compare with the exact minimizer. (b) Use the same bisection
# as a line search: at each step of gradient descent on $x_1^2 + 2x_2^2$, choose
# $\eta \in [0, 1]$ minimizing $f(\mathbf{x} - \eta\nabla f(\mathbf{x}))$. Compare five steps with
# five steps at the fixed rate $\eta = 0.1$.

# %% tags=["solution"] figures=["exercise-line-search"]
import math  # noqa: E402


def log_exp_sum(x):
    return d2l.log(d2l.exp(x) + d2l.exp(-2 * x - 3))


def bisect(slope, low, high, halvings=30):
    """The point of [low, high] where the increasing function ``slope`` changes sign."""
    for _ in range(halvings):
        middle = (low + high) / 2
        low, high = (middle, high) if slope(middle) < 0 else (low, middle)
    return (low + high) / 2


def log_exp_sum_slope(x):
    return d2l.to_float(d2l.grad(log_exp_sum)(d2l.tensor(x, "float64")))


print(f"f'(-2) = {log_exp_sum_slope(-2.0):.4f}, f'(2) = {log_exp_sum_slope(2.0):.4f}")
bisection_minimizer = bisect(log_exp_sum_slope, -2.0, 2.0)
print(f"bisection on [-2, 2]: x = {bisection_minimizer:.6f}; "
      f"exact (ln 2 - 3)/3 = {(math.log(2) - 3) / 3:.6f}")


def line_search_gd(x1, x2, s1, s2, f_grad):
    g1, g2 = f_grad(x1, x2)

    def slope(step):  # d/d(step) of f(x - step * g)
        h1, h2 = f_grad(x1 - step * g1, x2 - step * g2)
        return -d2l.to_float(h1 * g1 + h2 * g2)

    step = bisect(slope, 0.0, 1.0)
    return x1 - step * g1, x2 - step * g2, 0, 0


quadratic_grad = d2l.grad(quadratic, argnums=(0, 1))
line_search_trace = d2l.train_2d(line_search_gd, steps=5, f_grad=quadratic_grad)
fixed_rate_trace = d2l.train_2d(d2l.sgd(0.1), steps=5, f_grad=quadratic_grad)
d2l.show_traces_2d(quadratic, {"line search": line_search_trace, "eta = 0.1": fixed_rate_trace})

# %% [markdown] tags=["solution"]
# (a) $f'(x) = \big(e^x - 2e^{-2x-3}\big) / \big(e^x + e^{-2x-3}\big)$ is negative at $-2$ and
# positive at $2$, and it vanishes where $e^{3x + 3} = 2$, at $x = (\ln 2 - 3)/3 \approx -0.768951$.
# Each halving gains one binary digit, so 30 halvings of an interval of length $4$ pin it down to
# about $4 \cdot 2^{-30} \approx 4 \times 10^{-9}$. (b) After five steps the line search is within
# $0.02$ of the minimum, against $1.6$ for the fixed rate. The figure shows its characteristic
# zigzag: each exact line search stops where the new gradient is orthogonal to the old one, so
# successive steps turn by a right angle. Every one of those steps cost 30 extra gradient
# evaluations, which is the trade-off that keeps line search out of deep learning.

# %% [markdown]
# **Exercise 4 (preconditioning and rotation).** Take $f(\mathbf{x}) = 0.125x_1^2 + 2x_2^2$
# (Hessian $\operatorname{diag}(0.25, 4)$, condition number $16$) and the same function rotated
# by $45^\circ$, $f_{\text{rot}}(\mathbf{x}) = 0.0625(x_1 + x_2)^2 + (x_1 - x_2)^2$. Run 20 steps
# of preconditioned gradient descent,
# $\mathbf{x} \leftarrow \mathbf{x} - \operatorname{diag}(\mathbf{H})^{-1}\nabla f(\mathbf{x})$,
# on both, and compare the rotated case with plain gradient descent at its best fixed rate
# $\eta = 2 / (\lambda_{\min} + \lambda_{\max}) = 2/4.25$.

# %% tags=["solution"]
def preconditioned_gd(f, eta, hessian_diagonal):
    f_grad = d2l.grad(f, argnums=(0, 1))

    def step(x1, x2, s1, s2):
        g1, g2 = f_grad(x1, x2)
        return x1 - eta * g1 / hessian_diagonal[0], x2 - eta * g2 / hessian_diagonal[1], 0, 0

    return step


def aligned(x1, x2):
    return 0.125 * x1**2 + 2 * x2**2


def rotated(x1, x2):
    return 0.0625 * (x1 + x2) ** 2 + (x1 - x2) ** 2


aligned_trace = d2l.train_2d(preconditioned_gd(aligned, 1.0, (0.25, 4.0)))
rotated_trace = d2l.train_2d(preconditioned_gd(rotated, 1.0, (2.125, 2.125)))
plain_trace = d2l.train_2d(preconditioned_gd(rotated, 2 / 4.25, (1.0, 1.0)))

# %% [markdown] tags=["solution"]
# On the axis-aligned function the diagonal *is* the Hessian, so the preconditioned step is a
# Newton step and lands on the minimum at once. After rotation the Hessian is
# $\begin{pmatrix} 2.125 & -1.875 \\ -1.875 & 2.125 \end{pmatrix}$ with the same eigenvalues
# $0.25$ and $4$, but its diagonal is $(2.125, 2.125)$: a single number for both coordinates, which
# amounts to plain gradient descent with $\eta = 1/2.125 = 2/4.25$. The two rotated runs are
# identical, and both shrink the error by only $(\kappa - 1)/(\kappa + 1) = 15/17$ per step. A
# diagonal preconditioner corrects badly scaled coordinates, not badly oriented valleys.

# %% [markdown]
# **Exercise 5 (sufficient decrease; proof).** Let $f: \mathbb{R} \to \mathbb{R}$ be twice
# continuously differentiable with $|f''(x)| \le L$ for every $x$. Prove that one gradient step
# satisfies
#
# $$f\big(x - \eta f'(x)\big) \le f(x) - \eta\Big(1 - \frac{L\eta}{2}\Big) f'(x)^2,$$
#
# so that for $0 < \eta < 2/L$ every step decreases $f$ unless $f'(x) = 0$. Which $\eta$
# guarantees the largest decrease, and how large is it? Show with $f(x) = \tfrac{L}{2}x^2$ that
# the bound $2/L$ cannot be improved.

# %% [markdown] tags=["solution"]
# Write $\epsilon = -\eta f'(x)$. Taylor's theorem with the Lagrange remainder gives a $\xi$
# between $x$ and $x + \epsilon$ with
#
# $$f(x + \epsilon) = f(x) + \epsilon f'(x) + \tfrac{1}{2}\epsilon^2 f''(\xi)
# \le f(x) - \eta f'(x)^2 + \tfrac{1}{2}L\eta^2 f'(x)^2
# = f(x) - \eta\Big(1 - \frac{L\eta}{2}\Big) f'(x)^2 .$$
#
# For $0 < \eta < 2/L$ the coefficient $\eta(1 - L\eta/2)$ is positive, so
# $f(x - \eta f'(x)) < f(x)$ whenever $f'(x) \ne 0$. The coefficient $\eta - L\eta^2/2$ is a
# downward parabola in $\eta$ with its maximum where $1 - L\eta = 0$: the rate $\eta = 1/L$
# guarantees the decrease $f'(x)^2/(2L)$. On $f(x) = \tfrac{L}{2}x^2$, where $f'' = L$ everywhere,
# a step maps $x$ to $(1 - \eta L)x$, so $f$ is multiplied by $(1 - \eta L)^2$: at $\eta = 2/L$ the
# value does not change at all, and for $\eta > 2/L$ it grows. No rate of $2/L$ or more works for
# every $f$ with $|f''| \le L$. This is the exact form of "a small enough learning rate decreases
# $f$": the $O(\epsilon^2)$ remainder of the derivation is at most $\tfrac{1}{2}L\epsilon^2$.

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (5 points).** A complete answer:
#
# - Taylor's theorem with the Lagrange remainder at $x + \epsilon$, $\epsilon = -\eta f'(x)$,
#   together with $f''(\xi) \le L$, gives the inequality (2 points).
# - It concludes that $f$ decreases for $0 < \eta < 2/L$ whenever $f'(x) \ne 0$ (1 point).
# - It finds the best rate $\eta = 1/L$ and the guaranteed decrease $f'(x)^2/(2L)$ (1 point).
# - On $\tfrac{L}{2}x^2$ it shows the factor $(1 - \eta L)^2$: no decrease at $\eta = 2/L$, growth
#   beyond (1 point).

# %% [markdown]
# **Exercise 6 (the best fixed rate; proof).** On a quadratic whose Hessian has eigenvalues
# $0 < \lambda_{\min} \le \lambda_i \le \lambda_{\max}$, gradient descent multiplies the error
# along the $i$-th eigenvector by $1 - \eta\lambda_i$ per step. Prove that the worst factor
# $\rho(\eta) = \max_i |1 - \eta\lambda_i|$ is smallest at $\eta^* = 2/(\lambda_{\min} + \lambda_{\max})$,
# where it equals $(\kappa - 1)/(\kappa + 1)$ with $\kappa = \lambda_{\max}/\lambda_{\min}$.

# %% [markdown] tags=["solution"]
# For fixed $\eta > 0$, $\lambda \mapsto |1 - \eta\lambda|$ is the absolute value of an affine
# function, hence convex, so on $[\lambda_{\min}, \lambda_{\max}]$ its maximum is at an end
# point, and both end points are eigenvalues:
#
# $$\rho(\eta) = \max\big(|1 - \eta\lambda_{\min}|,\ |1 - \eta\lambda_{\max}|\big)
# \ge \max\big(1 - \eta\lambda_{\min},\ \eta\lambda_{\max} - 1\big).$$
#
# The first term of the right-hand maximum decreases in $\eta$ and the second increases, so the
# maximum of the two is smallest where they are equal, $1 - \eta\lambda_{\min} = \eta\lambda_{\max} - 1$,
# that is at $\eta^* = 2/(\lambda_{\min} + \lambda_{\max})$, where both equal
#
# $$1 - \frac{2\lambda_{\min}}{\lambda_{\min} + \lambda_{\max}}
# = \frac{\lambda_{\max} - \lambda_{\min}}{\lambda_{\max} + \lambda_{\min}}
# = \frac{\kappa - 1}{\kappa + 1} \ge 0 .$$
#
# Both are nonnegative there, so the inequality above is an equality at $\eta^*$:
# $\rho(\eta^*) = (\kappa - 1)/(\kappa + 1)$, and every other $\eta$ makes one of the two terms,
# hence $\rho$, larger. For large $\kappa$ the factor is about $1 - 2/\kappa$, so gaining a factor
# $e$ takes about $\kappa/2$ steps: the number of steps grows in proportion to the condition
# number. For the section's $x_1^2 + 2x_2^2$, $\kappa = 2$ and the best factor is $1/3$; for
# Exercise 4's valley, $\kappa = 16$ and it is $15/17$.

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (4 points).** A complete answer:
#
# - It argues that the maximum of $|1 - \eta\lambda|$ over the eigenvalues is attained at
#   $\lambda_{\min}$ or $\lambda_{\max}$ (convexity in $\lambda$) (1 point).
# - It bounds $\rho(\eta)$ below by $\max(1 - \eta\lambda_{\min}, \eta\lambda_{\max} - 1)$, one term
#   decreasing and one increasing in $\eta$ (1 point).
# - It finds the crossing point $\eta^* = 2/(\lambda_{\min} + \lambda_{\max})$ (1 point).
# - It computes $\rho(\eta^*) = (\kappa - 1)/(\kappa + 1)$ and notes that the bound is attained
#   there (1 point).
