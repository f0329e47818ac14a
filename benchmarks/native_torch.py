"""The yardstick on PyTorch: every benchmark hand-written the way the book writes it (gradients
from ``backward()``, in-place updates under ``torch.no_grad()``)."""
import torch
from hyper import ADAM, TRAIN_CH11, X0_2D, LossCurve, f_2d
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


def sync():
    """Nothing to wait for: torch computes eagerly."""
