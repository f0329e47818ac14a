"""The yardstick on NumPy: every benchmark hand-written in NumPy, gradients from HIPS autograd
(the NumPy backend's autograd), in-place updates as the book writes them."""
import autograd
import autograd.numpy as anp
import numpy as np
from hyper import ADAM, CNN, TRAIN_CH11, X0_2D, LossCurve, batches, f_2d


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


def adam_2d_lean(steps):
    """The lean loop: ``steps`` Adam steps on f_2d from (-5, -2) with one float64 parameter vector
    (x1, x2), updated in place, and no trace; returns the last point."""
    x = np.array(X0_2D)
    states = [(np.zeros_like(x), np.zeros_like(x))]
    f_grad = autograd.grad(lambda x: f_2d(x[0], x[1]))
    for t in range(1, steps + 1):
        adam_([x], states, [f_grad(x)], t)
    return tuple(x.tolist())


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


def _conv2d(x, weight, bias, padding):
    """Stride-1 cross-correlation of NCHW ``x``: the kh*kw shifted windows, one tensordot."""
    n, c, h, w = x.shape
    kh, kw = weight.shape[2:]
    x = anp.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), mode="constant")
    h_out, w_out = h + 2 * padding - kh + 1, w + 2 * padding - kw + 1
    windows = anp.stack([x[:, :, i:i + h_out, j:j + w_out] for i in range(kh) for j in range(kw)], axis=2)
    kernel = anp.reshape(weight, (weight.shape[0], c * kh * kw))
    out = anp.tensordot(anp.reshape(windows, (n, c * kh * kw, h_out, w_out)), kernel, axes=([1], [1]))
    return anp.transpose(out, (0, 3, 1, 2)) + anp.reshape(bias, (1, -1, 1, 1))


def _max_pool2d(x):
    n, c, h, w = x.shape
    return anp.max(anp.reshape(x, (n, c, h // 2, 2, w // 2, 2)), axis=(3, 5))


def _lenet(params, X):
    w1, b1, w2, b2, w3, b3, w4, b4, w5, b5 = params
    H = _max_pool2d(anp.maximum(_conv2d(X, w1, b1, 2), 0))
    H = _max_pool2d(anp.maximum(_conv2d(H, w2, b2, 1), 0))
    H = anp.reshape(H, (-1, 64))
    H = anp.maximum(anp.dot(H, w3) + b3, 0)
    H = anp.maximum(anp.dot(H, w4) + b4, 0)
    return anp.dot(H, w5) + b5


def _cross_entropy(logits, y):
    shifted = logits - anp.max(logits, axis=1, keepdims=True)
    log_softmax = shifted - anp.log(anp.sum(anp.exp(shifted), axis=1, keepdims=True))
    return -anp.mean(log_softmax[np.arange(len(y)), y])


def cnn_epoch(train_images, train_labels, test_images, test_labels):
    """One epoch of the lr-scheduler section's LeNet in NumPy with HIPS autograd (no book tab:
    written as the book writes its from-scratch models); returns the test accuracy."""
    rng = np.random.default_rng()
    shapes = [(6, 1, 5, 5), (16, 6, 3, 3), (64, 120), (120, 84), (84, 10)]
    params = []
    for shape in shapes:
        fan_in, fan_out = ((shape[1] * shape[2] * shape[3], shape[0] * shape[2] * shape[3])
                           if len(shape) == 4 else shape)
        params += [rng.normal(0, np.sqrt(2 / (fan_in + fan_out)), shape).astype(np.float32),
                   np.zeros(shape[0] if len(shape) == 4 else shape[1], np.float32)]
    logits = []

    def loss(params, X, y):
        logits.append(_lenet(params, X))
        return _cross_entropy(logits[-1], y)

    loss_grad = autograd.value_and_grad(loss)
    curve, metric = LossCurve(), [0.0, 0.0, 0]
    for i, (X, y) in enumerate(batches(train_images, train_labels, CNN["batch_size"], rng)):
        value, grads = loss_grad(params, X, y)
        params = [p - CNN["lr"] * g for p, g in zip(params, grads)]
        y_hat = logits[-1]._value if hasattr(logits[-1], "_value") else logits[-1]
        metric[0] += float(value) * len(y)
        metric[1] += float((y_hat.argmax(axis=1) == y).sum())
        metric[2] += len(y)
        if (i + 1) % 3 == 0:
            curve.add(i, (metric[0] / metric[2], metric[1] / metric[2]))
    correct = sum(float((_lenet(params, X).argmax(axis=1) == y).sum())
                  for X, y in batches(test_images, test_labels, CNN["batch_size"]))
    return correct / len(test_labels)


def sync():
    """Nothing to wait for: numpy computes eagerly."""
