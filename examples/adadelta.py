# %% [markdown]
# # Adadelta
#
# Adagrad and RMSProp give every coordinate its own step size by dividing the gradient by the
# root of an accumulated squared gradient $\mathbf{s}$. Both still need a global learning rate
# $\eta$ in front, and both inherit a problem from it: $\eta$ has to be tuned, and (for Adagrad)
# the ever-growing sum makes the steps shrink forever. Adadelta, proposed by Zeiler in 2012,
# removes the learning rate altogether. Where RMSProp multiplies by $\eta$, Adadelta multiplies by
# the root of a second leaky average: that of the squared **updates** it has already made. The
# method thus sets its step size from its own recent steps.
#
# ## The algorithm
#
# Adadelta keeps two state variables per parameter, both starting at zero: $\mathbf{s}_t$, a leaky
# average of the squared gradient, as in RMSProp, and $\Delta\mathbf{x}_t$, a leaky average of the
# squared change of the parameter. Both forget at the rate $\rho$, the only hyperparameter. Each
# step, with all operations coordinate by coordinate,
#
# $$\begin{aligned}
# \mathbf{s}_t &= \rho\,\mathbf{s}_{t-1} + (1 - \rho)\,\mathbf{g}_t^2, \\
# \mathbf{g}_t' &= \frac{\sqrt{\Delta\mathbf{x}_{t-1} + \epsilon}}{\sqrt{\mathbf{s}_t + \epsilon}}
# \odot \mathbf{g}_t, \\
# \mathbf{x}_t &= \mathbf{x}_{t-1} - \mathbf{g}_t', \\
# \Delta\mathbf{x}_t &= \rho\,\Delta\mathbf{x}_{t-1} + (1 - \rho)\,\mathbf{g}_t'^2.
# \end{aligned}$$
#
# The order matters. The rescaled gradient $\mathbf{g}_t'$ uses the gradient statistics that
# include the current gradient, $\mathbf{s}_t$, but the update statistics of the previous step,
# $\Delta\mathbf{x}_{t-1}$: the current update is what is being computed, so it cannot be part of
# its own scale. Only after the step is $\Delta\mathbf{x}$ refreshed with it. Compared with RMSProp,
# $\mathbf{x}_t = \mathbf{x}_{t-1} - \eta\,\mathbf{g}_t / \sqrt{\mathbf{s}_t + \epsilon}$, the
# constant $\eta$ has become $\sqrt{\Delta\mathbf{x}_{t-1} + \epsilon}$, a different number for each
# coordinate and each step.
#
# **Why this choice: units.** Give the parameter $x$ a unit, metres say, and let $f$ be measured in
# some unit $F$. A gradient then has units $F/\text{m}$, and in SGD's step $\eta g$ the learning
# rate must carry units of $\text{m}^2/F$ for the step to come out in metres; change the units of
# $x$ or the scale of $f$ and the right $\eta$ changes with them. In RMSProp the ratio
# $g/\sqrt{s}$ is dimensionless, so $\eta$ must carry metres. In Adadelta the ratio is still
# dimensionless and the factor in front is $\sqrt{\Delta x}$, the typical size of a recent step,
# which is in metres by construction: the update has the units of the parameter without any
# hand-tuned constant. Zeiler's second motivation points the same way: Newton's step
# $\Delta x = f'(x)/f''(x)$ gives $1/f''(x) = \Delta x / f'(x)$, so the ratio of a typical step to a
# typical gradient, $\sqrt{\Delta x}/\sqrt{s}$, is a cheap estimate of the inverse curvature of each
# coordinate, the diagonal preconditioner of the gradient descent section.
#
# **Where $\epsilon$ sits, and why it matters here.** As in Adagrad and RMSProp, $\epsilon$ is
# inside the square roots (Adam, in the next section, puts it outside). In the denominator it only
# prevents division by zero. In the numerator it is indispensable: $\Delta\mathbf{x}_0 = 0$, so
# without $\epsilon$ the first update would be zero, $\Delta\mathbf{x}$ would stay zero, and the
# method would never move. With it, the first step on a coordinate with gradient $g_1$ is
#
# $$g_1' = \frac{\sqrt{\epsilon}}{\sqrt{(1 - \rho)\,g_1^2 + \epsilon}}\,g_1 \approx
# \sqrt{\frac{\epsilon}{1 - \rho}}\,\operatorname{sign}(g_1)
# \qquad \text{when } (1 - \rho)\,g_1^2 \gg \epsilon,$$
#
# which is $\sqrt{10^{-4}} = 0.01$ for the usual $\rho = 0.9$ and $\epsilon = 10^{-5}$, whatever the
# size of the gradient. After that the steps grow, but only as fast as $\Delta\mathbf{x}$ fills up
# with steps of that same small size: under a steady gradient the step after $t$ steps is about
# $\sqrt{(1 - \rho)\,\epsilon\,t}$, which Exercise 2 derives and measures ($0.015$ after $100$
# steps, $0.033$ after $1{,}000$). So "no learning rate" should be read with care: $\epsilon$ sets the
# scale of every step, not only of the first, and plays the part of a learning rate.
#
# Run as a script: `python examples/adadelta.py --backend tensorflow --out figures/`.

# %% tags=["remove-cell"]
import d2l_optim as d2l

section = d2l.Section("adadelta")
# printed losses agree across frameworks to their last digit; seconds are measurements
section.compare(r"loss: (\S+),", atol=1.5e-3)
section.compare(r"(\S+) sec/epoch", "timing")
# from-scratch loss curves agree across frameworks to 1e-4
section.compare_figures(["train-adadelta", "eps-1e-5-run", "eps-1e-6-run",
                         "exercise-adadelta-torch-eps"], atol=1e-4)
section.compare_figures("train-concise", "framework")  # each framework's own optimizer

# %%
import d2l_optim as d2l
from d2l_optim import objectives

# %% [markdown]
# ## A first look in two dimensions
#
# Here is Adadelta on the elongated quadratic $f(\mathbf{x}) = 0.1x_1^2 + 2x_2^2$ used throughout the
# chapter, from $(-5, -2)$, with $\rho = 0.9$ and $\epsilon = 10^{-5}$, for the usual $20$ steps.
#
# **What to notice.** The trace has barely left the starting point: it ends at about
# $(-4.78, -1.79)$, having moved some $0.2$ in each coordinate. The dots are evenly spaced along an
# almost straight diagonal line, although the gradient is $8$ times larger in $x_2$ than in $x_1$
# at the start ($4x_2 = -8$ against $0.2x_1 = -1$): dividing by $\sqrt{\mathbf{s}}$ takes the size
# of the gradient out of the step, and each coordinate moves by about $0.01$ per step, slowly
# increasing. Methods with a tuned learning rate cross this plot in $20$ steps; Adadelta's steps
# stay short for much longer than that, since they grow only like the square root of the number
# of steps: even after $200$ steps the run has not reached the minimum (Exercise 3). The method
# suits problems whose parameters need to travel a short distance measured in units of
# $\sqrt{\epsilon}$, or a larger $\epsilon$; it is a poor choice for a short run far from the minimum.

# %% figures=["adadelta"]
f = objectives.elongated_2d
results = d2l.train_2d(d2l.adadelta(rho=0.9), f_grad=d2l.grad(f, argnums=(0, 1)))
d2l.show_trace_2d(f, results)

# %% [markdown]
# ## Adadelta from scratch, on real data
#
# The implementation follows the four equations line for line. Each parameter gets two states of
# its own shape, both zeros: `s` for the squared gradients and `delta` for the squared updates;
# `init_adadelta_states` returns them as one pair for $\mathbf{w}$ and one for $b$. The trainer has
# the chapter's signature, reads $\rho$ from the hyperparameters and fixes $\epsilon = 10^{-5}$. In
# the code, `g` is the rescaled gradient $\mathbf{g}_t'$; note that `delta.data` is read before it
# is written, exactly as in the equations.

# %%
def init_adadelta_states(feature_dim):
    s_w, s_b = d2l.Variable(d2l.zeros((feature_dim, 1))), d2l.Variable(d2l.zeros(1))
    delta_w, delta_b = d2l.Variable(d2l.zeros((feature_dim, 1))), d2l.Variable(d2l.zeros(1))
    return ((s_w, delta_w), (s_b, delta_b))


def adadelta(params, states, hyperparams):
    rho, eps = hyperparams["rho"], 1e-5
    for p, (s, delta) in zip(params, states):
        s.data = rho * s.data + (1 - rho) * d2l.square(p.grad)
        g = d2l.sqrt(delta.data + eps) / d2l.sqrt(s.data + eps) * p.grad
        p.data = p.data - g
        delta.data = rho * delta.data + (1 - rho) * g * g


# %% [markdown]
# The airfoil regression of the minibatch section, with batches of $10$ and $\rho = 0.9$ for two
# epochs ($300$ steps), and no learning rate to choose.
#
# **What to notice.** Despite the short steps seen above, the loss drops quickly, most of the way
# within the first third of an epoch, and ends at the printed loss of about $0.245$, a little above
# the floor $0.2417$ this linear model can reach and the same as RMSProp's with a tuned
# $\eta = 0.01$. Two things explain the contrast with the two-dimensional run.
# The distances are short: the best weights are all below $0.6$ in size, while the trace above had
# to travel $5$ units. And a noisy minibatch gradient keeps $\mathbf{s}$ near its mean square, so
# the steps stay of the size of $\sqrt{\Delta\mathbf{x}}$ rather than collapsing.

# %% figures=["train-adadelta"]
d2l.seed(0)
data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
run = d2l.train_ch11(adadelta, init_adadelta_states(feature_dim), {"rho": 0.9}, data_iter,
                     feature_dim)

# %% [markdown]
# ## Concise implementation
#
# All three frameworks ship Adadelta. MXNet's, like this section's, has no learning rate; PyTorch's
# and Keras' multiply the step by a learning rate anyway, and a learning rate of $1.0$ gives this
# section's rule. It is PyTorch's default, but Keras' default is $0.001$, which would leave the
# model almost where it started after two epochs, so the TensorFlow tab passes $1.0$. The
# defaults of $\epsilon$ differ too: $10^{-5}$ in MXNet, as in this section, but $10^{-6}$ in
# PyTorch and $10^{-7}$ in Keras, and $\epsilon$ sets the size of every step. With
# $\epsilon = 10^{-6}$ the first step is $\sqrt{10} \approx 3.2$ times shorter, with $10^{-7}$ ten
# times, and the later steps, which grow like $\sqrt{(1 - \rho)\,\epsilon\,t}$, stay shorter by
# about the same ratio. So the PyTorch and TensorFlow tabs pass $\epsilon = 10^{-5}$; with it each
# framework's Adadelta follows this section's rule (the equivalence table at the end of the Adam
# section shows PyTorch's to the last bit). Exercise 4 shows what PyTorch's default would cost.
# Keras' default $\rho = 0.95$ also differs from the $0.9$ used here, so its tab passes `rho` too.
# NumPy has no built-in optimizers, so its tab uses d2l's `d2l.adadelta`.

# %% [markdown] tags=["porting"]
# **For instructors porting code.** The book's TensorFlow tab passes a learning rate of $5.0$ to
# Keras' Adadelta, with Keras' default $\epsilon = 10^{-7}$; its PyTorch tab keeps PyTorch's default
# $\epsilon = 10^{-6}$. Neither then runs the rule of the book's own from-scratch code. The tabs
# here pass `lr`/`learning_rate` $= 1.0$, $\rho = 0.9$ and $\epsilon = 10^{-5}$ wherever the
# framework's default differs.

# %%
d2l.seed(0)
data_iter, _ = d2l.get_data_ch11(10)

# %% tags=["framework-torch"] figures=["train-concise"]
import torch

run = d2l.train_concise_ch11(torch.optim.Adadelta, {"rho": 0.9, "eps": 1e-5}, data_iter)

# %% tags=["framework-tensorflow"] figures=["train-concise"]
import tensorflow as tf

run = d2l.train_concise_ch11(tf.keras.optimizers.Adadelta,
                             {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-5}, data_iter)

# %% tags=["framework-mxnet"] figures=["train-concise"]
run = d2l.train_concise_ch11("adadelta", {"rho": 0.9}, data_iter)

# %% tags=["framework-numpy"] figures=["train-concise"]
run = d2l.train_concise_ch11(d2l.adadelta, {"rho": 0.9}, data_iter)

# %% tags=["framework-jax"] figures=["train-concise"]
import optax

run = d2l.train_concise_ch11(optax.adadelta, {"learning_rate": 1.0, "rho": 0.9}, data_iter)

# %% [markdown]
# ## Summary
#
# * Adadelta keeps two leaky averages per coordinate, of the squared gradients $\mathbf{s}$ and of
#   the squared updates $\Delta\mathbf{x}$, and steps by
#   $\sqrt{\Delta\mathbf{x}_{t-1} + \epsilon}/\sqrt{\mathbf{s}_t + \epsilon} \odot \mathbf{g}_t$: the
#   root of recent squared updates takes the place of RMSProp's learning rate.
# * The update has the units of the parameter, and multiplying the loss by a constant $c > 0$
#   leaves the steps unchanged (up to $\epsilon$).
# * $\epsilon$ is the hidden learning rate. The first step is about $\sqrt{\epsilon/(1 - \rho)}$
#   whatever the gradient, and under a steady gradient the steps grow only like
#   $\sqrt{(1 - \rho)\,\epsilon\,t}$: every step is short, so a run far from the minimum needs
#   many of them.
# * The frameworks' defaults differ ($\epsilon = 10^{-5}$ in MXNet, $10^{-6}$ in PyTorch, $10^{-7}$
#   in Keras, and learning rates $1.0$ or $0.001$ in front); pass $\epsilon$ and the rate explicitly
#   to get the same method everywhere.
# %% [markdown]
# ## Exercises
#
# **Exercise 1 (the scale of the objective).** Run five Adadelta steps from $x = 5$ on
# $f(x) = c\,x^2$ for $c = 0.01$, $1$ and $100$ and print the size of each step. How do the steps
# depend on $c$? How would SGD's steps depend on it?

# %% tags=["solution"]
steps_by_scale = {}
for scale in (0.01, 1.0, 100.0):
    optimizer = d2l.adadelta(rho=0.9)
    x = (d2l.tensor(5.0, "float64"),)
    state, steps = optimizer.init(x), []
    for _ in range(5):
        new_x, state = optimizer.update((2 * scale * x[0],), state, x)
        steps.append(d2l.to_float(x[0] - new_x[0]))
        x = new_x
    steps_by_scale[scale] = steps
    print(f"c = {scale:>6}: steps " + ", ".join(f"{step:.5f}" for step in steps))

# %% [markdown] tags=["solution"]
# For $c = 1$ and $c = 100$ the steps are identical to five digits, $0.01000$, $0.01025$, ...: scaling
# $f$ by $c$ scales $\mathbf{g}$ by $c$ and $\sqrt{\mathbf{s}}$ by $c$, and the ratio does not change.
# Only for $c = 0.01$ does the first step fall slightly short, $0.00995$: there the gradient is
# $0.1$, so $(1 - \rho)g^2 = 10^{-3}$ is no longer large against $\epsilon = 10^{-5}$. SGD's step
# $\eta\,2cx$ is proportional to $c$, a factor $10^4$ between the extreme cases, so its learning
# rate would have to be retuned for each. Adadelta is not invariant to every change of units,
# though: $\epsilon$ fixes an absolute size, $\sqrt{\epsilon/(1 - \rho)}$, for the first steps in
# the units of $x$, so rescaling the *parameter* (measuring $x$ in millimetres instead of metres)
# changes how many steps it needs.

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (2 points).** A complete answer:
#
# - It says that the steps do not depend on $c$ (up to the effect of $\epsilon$ at $c = 0.01$),
#   because $\mathbf{g}$ and $\sqrt{\mathbf{s}}$ scale alike (1 point).
# - It says that SGD's steps are proportional to $c$ (1 point).

# %% [markdown]
# **Exercise 2 (how fast do the steps grow?).** Feed Adadelta the constant gradient $g = 1$ for
# $1{,}000$ steps. Print the step size, the distance travelled, and the growth of
# $\Delta x$ per step in units of $(1 - \rho)\,\epsilon$ at $t = 1, 10, 100, 1000$. Explain the last
# column.

# %% tags=["solution"]
optimizer = d2l.adadelta(rho=0.9)
x, gradient = (d2l.tensor(0.0, "float64"),), (d2l.tensor(1.0, "float64"),)
state, previous_delta = optimizer.init(x), 0.0
step_sizes, distances, growths = [], [], []
for t in range(1, 1001):
    old_x = d2l.to_float(x[0])
    x, state = optimizer.update(gradient, state, x)
    ((s, delta),) = state.slots
    delta = d2l.to_float(delta)
    if t in (1, 10, 100, 1000):
        step_sizes.append(old_x - d2l.to_float(x[0]))
        distances.append(-d2l.to_float(x[0]))
        growths.append((delta - previous_delta) / (0.1 * 1e-5))
        print(f"t = {t:4d}: step {step_sizes[-1]:.5f}, distance {distances[-1]:7.3f}, "
              f"growth of delta / ((1 - rho) eps) = {growths[-1]:.4f}")
    previous_delta = delta

# %% [markdown] tags=["solution"]
# Once $s_t$ has settled at $g^2 = 1 \gg \epsilon$, the rescaled gradient satisfies
# $g_t'^2 = (\Delta x_{t-1} + \epsilon)\,g^2/(s_t + \epsilon) \approx \Delta x_{t-1} + \epsilon$, and so
#
# $$\Delta x_t = \rho\,\Delta x_{t-1} + (1 - \rho)(\Delta x_{t-1} + \epsilon)
# = \Delta x_{t-1} + (1 - \rho)\,\epsilon.$$
#
# The leaky average does not converge: it grows by a constant $(1 - \rho)\epsilon$ per step, which
# the last column confirms from $t = 100$ on (early on, while $s_t = (1 - \rho^t)g^2$ is still small,
# the steps and so the growth are larger). The step size is then
# $\sqrt{\Delta x_t + \epsilon} \approx \sqrt{(1 - \rho)\,\epsilon\,t}$, growing like $\sqrt{t}$,
# and the distance travelled like $t^{3/2}$: $0.03$ per step and $24$ units after $1{,}000$ steps. On
# a steady slope Adadelta accelerates, but only polynomially, and $\epsilon$ sets the pace.

# %% [markdown] tags=["solution", "rubric"]
# **Rubric (2 points).** A complete answer:
#
# - It derives $\Delta x_t \approx \Delta x_{t-1} + (1 - \rho)\,\epsilon$ once
#   $s_t \approx g^2 \gg \epsilon$ (1 point).
# - It reads the last column as that constant growth, $1$ in these units from about $t = 100$ on,
#   and concludes that the steps grow like $\sqrt{t}$ (1 point).

# %% [markdown]
# **Exercise 3 ($\epsilon$ is the hidden learning rate).** Run $200$ Adadelta steps on the
# two-dimensional problem for $\epsilon = 10^{-7}, 10^{-6}, 10^{-5}, 10^{-4}$ and compare the final
# values of $f$ and the traces.

# %% tags=["solution"] figures=["exercise-adadelta-eps"]
eps_traces, final_values = {}, []
for eps in (1e-7, 1e-6, 1e-5, 1e-4):
    trace = d2l.train_2d(d2l.adadelta(rho=0.9, eps=eps), steps=200, f_grad=d2l.grad(f, argnums=(0, 1)))
    eps_traces[f"eps = {eps:.0e}"] = trace
    final_values.append(d2l.to_float(f(*trace[-1])))
    print(f"eps = {eps:.0e}: f = {final_values[-1]:.4f}")
d2l.show_traces_2d(f, eps_traces)

# %% [markdown] tags=["solution"]
# After $200$ steps the run with $\epsilon = 10^{-7}$ has hardly moved ($f \approx 8.16$, from
# $10.5$), while $\epsilon = 10^{-4}$ is almost at the minimum ($f \approx 0.005$), with the book's
# $10^{-5}$ in between at $f \approx 0.81$. Every step is proportional to $\sqrt{\epsilon}$ at the
# start, and by Exercise 2 still grows with $\sqrt{\epsilon}$ later, so changing $\epsilon$ by a
# factor $10$ acts like changing a learning rate by about $\sqrt{10} \approx 3$. This is why Keras'
# default $\epsilon = 10^{-7}$ makes Adadelta crawl, and why the frameworks' Adadeltas only match
# the book's when they are given the book's $\epsilon$.

# %% [markdown]
# **Exercise 4 (PyTorch's default $\epsilon$).** Train the airfoil model for two epochs with
# `d2l.adadelta(rho=0.9, eps=eps)`, the rule of PyTorch's Adadelta with its default learning rate,
# once with $\epsilon = 10^{-5}$ and once with PyTorch's default $\epsilon = 10^{-6}$. Compare the
# final losses and the loss curves.

# %% tags=["solution"] figures=["eps-1e-5-run", "eps-1e-6-run", "exercise-adadelta-torch-eps"]
loss_curves = []
for eps in (1e-5, 1e-6):
    d2l.seed(0)
    data_iter, feature_dim = d2l.get_data_ch11(batch_size=10)
    seconds, losses = d2l.train_ch11(d2l.adadelta(rho=0.9, eps=eps), None, None, data_iter, feature_dim)
    loss_curves.append(losses)
epochs = [200 * (i + 1) / 1500 for i in range(len(loss_curves[0]))]  # a loss every 200 of 1500 examples
d2l.plot(epochs, loss_curves, "epoch", "loss", legend=["eps = 1e-5", "eps = 1e-6"])

# %% [markdown] tags=["solution"]
# With $\epsilon = 10^{-5}$ the run is the from-scratch one above, and prints the same loss, about
# $0.245$. With $\epsilon = 10^{-6}$ the printed loss after two epochs is about $0.257$, some $0.012$
# higher, and in the plot its curve lies above the other all the way and is still falling when
# training stops. Every step is about $\sqrt{10} \approx 3.2$
# times shorter (the first steps exactly so, the later ones roughly, since they grow like
# $\sqrt{(1 - \rho)\,\epsilon\,t}$), so in the same $300$ steps the weights travel a shorter way
# towards the minimum. Nothing is wrong with PyTorch's optimizer: it runs the same rule with a
# smaller hidden learning rate. To compare frameworks, pass the same $\epsilon$ to each.
