"""The yardstick on PyTorch: every benchmark hand-written the way the book writes it (gradients
from ``backward()``, in-place updates under ``torch.no_grad()``)."""
import torch
from hyper import ADAM, CNN, TRAIN_CH11, X0_2D, LossCurve, f_2d
from torch import nn
from torch.utils import data


def adam_(params, states, grads, t):
    """The book's Adam: each parameter and its (v, s) updated in place."""
    beta1, beta2, eps, lr = ADAM["beta1"], ADAM["beta2"], ADAM["eps"], ADAM["lr"]
    with torch.no_grad():
        for p, (v, s), g in zip(params, states, grads):
            v[:] = beta1 * v + (1 - beta1) * g
            s[:] = beta2 * s + (1 - beta2) * torch.square(g)
            v_bias_corr = v / (1 - beta1 ** t)
            s_bias_corr = s / (1 - beta2 ** t)
            p[:] -= lr * v_bias_corr / (torch.sqrt(s_bias_corr) + eps)


def adam_2d(steps):
    """``steps`` Adam steps on f_2d from (-5, -2) in float64; returns the trace of floats."""
    params = [torch.tensor([x], dtype=torch.float64, requires_grad=True) for x in X0_2D]
    states = [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]
    trace = [X0_2D]
    for t in range(1, steps + 1):
        f_2d(*params).sum().backward()
        adam_(params, states, [p.grad for p in params], t)
        for p in params:
            p.grad.zero_()
        trace.append((params[0].item(), params[1].item()))
    return trace


def adam_2d_lean(steps):
    """The lean loop: ``steps`` Adam steps on f_2d from (-5, -2) with one float64 parameter vector
    (x1, x2), split by ``unbind`` (one op, where ``x[0], x[1]`` are two), updated in place, and no
    trace; returns the last point."""
    x = torch.tensor(X0_2D, dtype=torch.float64, requires_grad=True)
    states = [(torch.zeros_like(x), torch.zeros_like(x))]
    for t in range(1, steps + 1):
        f_2d(*x.unbind()).backward()
        adam_([x], states, [x.grad], t)
        x.grad.zero_()
    return tuple(x.tolist())


def adam_vector(x0, g):
    """Adam on the vector ``x0`` with the fixed gradient ``g`` (NumPy float32 arrays).

    Returns ``step(t)``, which applies update number t, and ``result()``, the parameters as NumPy.
    """
    x, g = torch.tensor(x0), torch.tensor(g)
    states = [(torch.zeros_like(x), torch.zeros_like(x))]
    return (lambda t: adam_([x], states, [g], t)), (lambda: x.numpy().copy())


def sgd(params, states, hyperparams):
    """The book's minibatch SGD."""
    for p in params:
        p.data.sub_(hyperparams["lr"] * p.grad)
        p.grad.data.zero_()


def train_ch11_epoch(features, labels):
    """One epoch of the book's ``train_ch11`` with its ``sgd`` (a DataLoader of shuffled minibatches,
    the loss of all the data recorded every 200 examples); returns the recorded losses."""
    dataset = data.TensorDataset(torch.from_numpy(features), torch.from_numpy(labels))
    data_iter = data.DataLoader(dataset, TRAIN_CH11["batch_size"], shuffle=True)
    w = torch.normal(mean=0.0, std=0.01, size=(features.shape[1], 1), requires_grad=True)
    b = torch.zeros((1), requires_grad=True)
    all_X, all_y = dataset.tensors

    def net(X):
        return torch.matmul(X, w) + b

    def loss(y_hat, y):
        return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

    curve, n = LossCurve(), 0
    for X, y in data_iter:
        loss(net(X), y).mean().backward()
        sgd([w, b], None, TRAIN_CH11)
        n += X.shape[0]
        if n % 200 == 0:
            with torch.no_grad():
                curve.add(n / X.shape[0] / len(data_iter), loss(net(all_X), all_y).mean().item())
    return [y for _, y in curve.points]


def cnn_epoch(train_images, train_labels, test_images, test_labels):
    """One epoch of the lr-scheduler section's LeNet the way the book trains it on PyTorch
    (nn.Sequential, CrossEntropyLoss, torch.optim.SGD, a DataLoader); returns the test accuracy."""
    net = nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2),
        nn.Flatten(), nn.Linear(64, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    loss = nn.CrossEntropyLoss()
    trainer = torch.optim.SGD(net.parameters(), lr=CNN["lr"])
    train_iter = data.DataLoader(data.TensorDataset(torch.from_numpy(train_images),
                                                    torch.from_numpy(train_labels)),
                                 CNN["batch_size"], shuffle=True)
    test_iter = data.DataLoader(data.TensorDataset(torch.from_numpy(test_images),
                                                   torch.from_numpy(test_labels)), CNN["batch_size"])
    curve, metric = LossCurve(), [0.0, 0.0, 0]
    for i, (X, y) in enumerate(train_iter):
        trainer.zero_grad()
        y_hat = net(X)
        batch_loss = loss(y_hat, y)
        batch_loss.backward()
        trainer.step()
        with torch.no_grad():
            metric[0] += float(batch_loss) * X.shape[0]
            metric[1] += float((y_hat.argmax(axis=1) == y).sum())
            metric[2] += X.shape[0]
        if (i + 1) % 3 == 0:
            curve.add(i, (metric[0] / metric[2], metric[1] / metric[2]))
    with torch.no_grad():
        correct = sum(float((net(X).argmax(axis=1) == y).sum()) for X, y in test_iter)
    return correct / len(test_labels)


def sync():
    """Nothing to wait for: torch computes eagerly."""
