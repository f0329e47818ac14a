"""The yardstick on MXNet: every benchmark hand-written the way the book writes it (``attach_grad``,
``autograd.record``, in-place ``[:]`` updates), waiting for the asynchronous engine at the end."""
from hyper import ADAM, CNN, TRAIN_CH11, X0_2D, LossCurve, f_2d
from mxnet import autograd, gluon, init, np, npx
from mxnet.gluon import nn

npx.set_np()


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
    params = [np.array([x], dtype="float64") for x in X0_2D]
    states = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    for p in params:
        p.attach_grad()
    trace = [X0_2D]
    for t in range(1, steps + 1):
        with autograd.record():
            loss = f_2d(*params).sum()
        loss.backward()
        adam_(params, states, [p.grad for p in params], t)
        trace.append((float(params[0][0]), float(params[1][0])))
    return trace


def adam_2d_lean(steps):
    """The lean loop: ``steps`` Adam steps on f_2d from (-5, -2) with one float64 parameter vector
    (x1, x2), updated in place, and no trace (nothing waits for the engine until the end);
    returns the last point."""
    x = np.array(X0_2D, dtype="float64")
    states = [(np.zeros_like(x), np.zeros_like(x))]
    x.attach_grad()
    for t in range(1, steps + 1):
        with autograd.record():
            loss = f_2d(x[0], x[1])
        loss.backward()
        adam_([x], states, [x.grad], t)
    return tuple(x.asnumpy().tolist())


def adam_vector(x0, g):
    """Adam on the vector ``x0`` with the fixed gradient ``g`` (NumPy float32 arrays).

    Returns ``step(t)``, which applies update number t, and ``result()``, the parameters as NumPy
    (which waits for the engine).
    """
    x, g = np.array(x0, dtype=x0.dtype), np.array(g, dtype=g.dtype)
    states = [(np.zeros_like(x), np.zeros_like(x))]
    return (lambda t: adam_([x], states, [g], t)), (lambda: x.asnumpy().copy())


def sgd(params, states, hyperparams):
    """The book's minibatch SGD."""
    for p in params:
        p[:] -= hyperparams["lr"] * p.grad


def train_ch11_epoch(features, labels):
    """One epoch of the book's ``train_ch11`` with its ``sgd`` (a gluon DataLoader of shuffled
    minibatches, the loss of all the data recorded every 200 examples); returns the losses."""
    all_X, all_y = np.array(features), np.array(labels)
    data_iter = gluon.data.DataLoader(gluon.data.ArrayDataset(all_X, all_y), TRAIN_CH11["batch_size"],
                                      shuffle=True)
    w = np.random.normal(scale=0.01, size=(features.shape[1], 1))
    b = np.zeros(1)
    w.attach_grad()
    b.attach_grad()

    def net(X):
        return np.dot(X, w) + b

    def loss(y_hat, y):
        return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

    curve, n = LossCurve(), 0
    for X, y in data_iter:
        with autograd.record():
            mean_loss = loss(net(X), y).mean()
        mean_loss.backward()
        sgd([w, b], None, TRAIN_CH11)
        n += X.shape[0]
        if n % 200 == 0:
            curve.add(n / X.shape[0] / len(data_iter), float(loss(net(all_X), all_y).mean()))
    return [y for _, y in curve.points]


def cnn_epoch(train_images, train_labels, test_images, test_labels):
    """One epoch of the lr-scheduler section's LeNet the way the book trains it on MXNet (a
    hybridised gluon HybridSequential, SoftmaxCrossEntropyLoss, gluon Trainer 'sgd', DataLoader);
    returns the test accuracy."""
    net = nn.HybridSequential()
    net.add(nn.Conv2D(channels=6, kernel_size=5, padding=2, activation="relu"),
            nn.MaxPool2D(pool_size=2, strides=2),
            nn.Conv2D(channels=16, kernel_size=3, padding=1, activation="relu"),
            nn.MaxPool2D(pool_size=2, strides=2),
            nn.Dense(120, activation="relu"), nn.Dense(84, activation="relu"), nn.Dense(10))
    net.initialize(init.Xavier())
    net.hybridize()
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": CNN["lr"]})
    # gluon's losses take float labels
    train_set = gluon.data.ArrayDataset(np.array(train_images), np.array(train_labels, dtype="float32"))
    test_set = gluon.data.ArrayDataset(np.array(test_images), np.array(test_labels, dtype="float32"))
    train_iter = gluon.data.DataLoader(train_set, CNN["batch_size"], shuffle=True)
    test_iter = gluon.data.DataLoader(test_set, CNN["batch_size"])
    curve, metric = LossCurve(), [0.0, 0.0, 0]
    for i, (X, y) in enumerate(train_iter):
        with autograd.record():
            y_hat = net(X)
            batch_loss = loss(y_hat, y)
        batch_loss.backward()
        trainer.step(X.shape[0])
        metric[0] += float(batch_loss.sum())
        metric[1] += float((y_hat.argmax(axis=1).astype("float32") == y).sum())
        metric[2] += X.shape[0]
        if (i + 1) % 3 == 0:
            curve.add(i, (metric[0] / metric[2], metric[1] / metric[2]))
    correct = sum(float((net(X).argmax(axis=1).astype("float32") == y).sum()) for X, y in test_iter)
    return correct / len(test_labels)


def sync():
    """Wait until the engine has computed everything queued."""
    npx.waitall()
