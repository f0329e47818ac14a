"""The yardstick on NumPy: every benchmark hand-written in NumPy, gradients from HIPS autograd
(the NumPy backend's autograd), in-place updates as the book writes them."""
import autograd
import numpy as np
from hyper import ADAM, TRAIN_CH11, X0_2D, LossCurve, f_2d


def adam_(params, states, grads, t):
    """The book's Adam: each parameter and its (v, s) updated in place."""
    beta1, beta2, eps, lr = ADAM["beta1"], ADAM["beta2"], ADAM["eps"], ADAM["lr"]
    for p, (v, s), g in zip(params, states, grads):
        v[:] = beta1 * v + (1 - beta1) * g
        s[:] = beta2 * s + (1 - beta2) * np.square(g)
        v_bias_corr = v / (1 - beta1 ** t)
        s_bias_corr = s / (1 - beta2 ** t)
        p[:] -= lr * v_bias_corr / (np.sqrt(s_bias_corr) + eps)


def adam_2d(steps):
    """``steps`` Adam steps on f_2d from (-5, -2) in float64; returns the trace of floats."""
    params = [np.array([x]) for x in X0_2D]
    states = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    f_grad = autograd.grad(lambda x1, x2: f_2d(x1, x2).sum(), (0, 1))
    trace = [X0_2D]
    for t in range(1, steps + 1):
        adam_(params, states, f_grad(*params), t)
        trace.append((float(params[0][0]), float(params[1][0])))
    return trace


def adam_vector(x0, g):
    """Adam on the vector ``x0`` with the fixed gradient ``g`` (NumPy float32 arrays).

    Returns ``step(t)``, which applies update number t, and ``result()``, the parameters as NumPy.
    """
    x, g = x0.copy(), g.copy()
    states = [(np.zeros_like(x), np.zeros_like(x))]
    return (lambda t: adam_([x], states, [g], t)), (lambda: x.copy())


def train_ch11_epoch(features, labels):
    """One epoch of the book's ``train_ch11`` with its ``sgd`` (shuffled minibatches, the loss of all
    the data recorded every 200 examples); returns the recorded losses."""
    rng = np.random.default_rng()
    w, b = rng.normal(0.0, 0.01, size=(features.shape[1], 1)).astype(np.float32), np.zeros(1, np.float32)

    def net(X, w, b):
        return np.matmul(X, w) + b

    def loss(y_hat, y):
        return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

    grads = autograd.grad(lambda w, b, X, y: loss(net(X, w, b), y).mean(), (0, 1))
    batch_size, order = TRAIN_CH11["batch_size"], rng.permutation(len(features))
    curve, n, batches = LossCurve(), 0, len(order) // TRAIN_CH11["batch_size"]
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        X, y = features[rows], labels[rows]
        for p, g in zip((w, b), grads(w, b, X, y)):
            p -= TRAIN_CH11["lr"] * g
        n += len(rows)
        if n % 200 == 0:
            curve.add(n / len(rows) / batches, float(loss(net(features, w, b), labels).mean()))
    return [y for _, y in curve.points]


def sync():
    """Nothing to wait for: numpy computes eagerly."""
