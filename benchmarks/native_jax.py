"""The yardstick on JAX: every benchmark hand-written the way a JAX user writes it from the book's
other tabs (the book has no JAX tab): arrays replaced rather than updated, gradients from
``jax.grad``, eagerly step by step; the LeNet epoch with a ``jax.jit`` training step, as JAX
trains networks (Keras and gluon compile theirs too)."""
import jax
import jax.numpy as jnp
import numpy as np
from hyper import ADAM, CNN, TRAIN_CH11, X0_2D, LossCurve, batches, f_2d

jax.config.update("jax_enable_x64", True)  # the 2-D trace runs in float64, as the book's floats


def adam_(params, states, grads, t):
    """The book's Adam on JAX arrays: new parameters and states, nothing in place."""
    beta1, beta2, eps, lr = ADAM["beta1"], ADAM["beta2"], ADAM["eps"], ADAM["lr"]
    new_params, new_states = [], []
    for p, (v, s), g in zip(params, states, grads):
        v = beta1 * v + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * jnp.square(g)
        v_bias_corr = v / (1 - beta1 ** t)
        s_bias_corr = s / (1 - beta2 ** t)
        new_params.append(p - lr * v_bias_corr / (jnp.sqrt(s_bias_corr) + eps))
        new_states.append((v, s))
    return new_params, new_states


def adam_2d(steps):
    """``steps`` Adam steps on f_2d from (-5, -2) in float64; returns the trace of floats."""
    params = [jnp.array([x], dtype=jnp.float64) for x in X0_2D]
    states = [(jnp.zeros_like(p), jnp.zeros_like(p)) for p in params]
    gradient = jax.grad(lambda x1, x2: jnp.sum(f_2d(x1, x2)), argnums=(0, 1))
    trace = [X0_2D]
    for t in range(1, steps + 1):
        params, states = adam_(params, states, gradient(*params), t)
        trace.append((float(params[0][0]), float(params[1][0])))
    return trace


def adam_2d_lean(steps):
    """The lean loop: ``steps`` Adam steps on f_2d from (-5, -2) with one float64 parameter vector
    (x1, x2), split by ``jnp.unstack`` (indexing it twice costs half as much again), and no trace;
    JAX arrays cannot be updated in place, so each step replaces them. Returns the last point."""
    x = jnp.array(X0_2D, dtype=jnp.float64)
    states = [(jnp.zeros_like(x), jnp.zeros_like(x))]
    gradient = jax.grad(lambda x: f_2d(*jnp.unstack(x)))
    for t in range(1, steps + 1):
        (x,), states = adam_([x], states, [gradient(x)], t)
    return tuple(np.asarray(x).tolist())


def adam_vector(x0, g):
    """Adam on the vector ``x0`` with the fixed gradient ``g`` (NumPy float32 arrays).

    Returns ``step(t)``, which applies update number t, and ``result()``, the parameters as NumPy.
    """
    current = [[jnp.asarray(x0)], [(jnp.zeros_like(jnp.asarray(x0)), jnp.zeros_like(jnp.asarray(x0)))]]
    g = jnp.asarray(g)

    def step(t):
        current[0], current[1] = adam_(current[0], current[1], [g], t)

    return step, lambda: np.array(current[0][0])


def train_ch11_epoch(features, labels):
    """One epoch of the book's ``train_ch11`` with its ``sgd`` (shuffled minibatches, the loss of all
    the data recorded every 200 examples); returns the recorded losses."""
    w = jnp.asarray(np.random.normal(0, 0.01, size=(features.shape[1], 1)).astype(np.float32))
    b = jnp.zeros(1, dtype=jnp.float32)
    all_X, all_y = jnp.asarray(features), jnp.asarray(labels)

    def loss(w, b, X, y):
        y_hat = X @ w + b
        return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

    gradient = jax.grad(lambda w, b, X, y: jnp.mean(loss(w, b, X, y)), argnums=(0, 1))
    curve, n = LossCurve(), 0
    steps = len(features) // TRAIN_CH11["batch_size"]
    for X, y in batches(features, labels, TRAIN_CH11["batch_size"], np.random.default_rng()):
        dw, db = gradient(w, b, jnp.asarray(X), jnp.asarray(y))
        w, b = w - TRAIN_CH11["lr"] * dw, b - TRAIN_CH11["lr"] * db
        n += X.shape[0]
        if n % 200 == 0:
            curve.add(n / X.shape[0] / steps, float(jnp.mean(loss(w, b, all_X, all_y))))
    return [y for _, y in curve.points]


def _lenet(params, X):
    """The lr-scheduler section's LeNet in ``jax.lax``, NCHW."""
    w1, b1, w2, b2, w3, b3, w4, b4, w5, b5 = params
    dimensions = ("NCHW", "OIHW", "NCHW")

    def block(H, w, b, padding):
        H = jax.lax.conv_general_dilated(H, w, (1, 1), [(padding, padding)] * 2, dimension_numbers=dimensions)
        H = jax.nn.relu(H + b.reshape(1, -1, 1, 1))
        return jax.lax.reduce_window(H, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")

    H = block(block(X, w1, b1, 2), w2, b2, 1).reshape(X.shape[0], -1)
    H = jax.nn.relu(H @ w3 + b3)
    H = jax.nn.relu(H @ w4 + b4)
    return H @ w5 + b5


def _xavier(rng, shape, fan_in, fan_out):
    return jnp.asarray(rng.normal(0, np.sqrt(2 / (fan_in + fan_out)), size=shape).astype(np.float32))


def _cross_entropy(params, X, y):
    return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(_lenet(params, X)), y[:, None], axis=1))


@jax.jit
def _sgd_step(params, X, y):
    """One SGD step, compiled once for the whole process, as a JAX program defines it."""
    grads = jax.grad(_cross_entropy)(params, X, y)
    return [p - CNN["lr"] * g for p, g in zip(params, grads)]


def cnn_epoch(train_images, train_labels, test_images, test_labels):
    """One epoch of the lr-scheduler section's LeNet with a ``jax.jit`` SGD step (cross-entropy from
    ``jax.nn.log_softmax``); returns the test accuracy."""
    rng = np.random.default_rng()
    params = [_xavier(rng, (6, 1, 5, 5), 25, 150), jnp.zeros(6), _xavier(rng, (16, 6, 3, 3), 54, 144),
              jnp.zeros(16), _xavier(rng, (64, 120), 64, 120), jnp.zeros(120),
              _xavier(rng, (120, 84), 120, 84), jnp.zeros(84), _xavier(rng, (84, 10), 84, 10), jnp.zeros(10)]
    params = [p.astype(jnp.float32) for p in params]
    for X, y in batches(train_images, train_labels, CNN["batch_size"], rng):
        params = _sgd_step(params, jnp.asarray(X), jnp.asarray(y))
    correct = sum(int(jnp.sum(jnp.argmax(_lenet(params, jnp.asarray(X)), axis=1) == jnp.asarray(y)))
                  for X, y in batches(test_images, test_labels, CNN["batch_size"]))
    return correct / len(test_labels)


def sync():
    """Wait until every array JAX still holds is computed (JAX dispatches asynchronously)."""
    jax.block_until_ready(jax.live_arrays())
