"""The lr-scheduler section's experiment, written once on the shim: scikit-learn's handwritten
digits, a LeNet-style network, and a training loop whose learning rate follows a schedule epoch by
epoch (book: ``load_data_fashion_mnist``, ``net_fn``, ``accuracy``, ``evaluate_accuracy_gpu``,
``train``).

Fashion-MNIST needs a download, so the package trains on the 1797 digits that ship with
scikit-learn: 8×8 grey images of 0–9. Everything random (the split, the initial weights, the order
of the minibatches) comes from seeded NumPy generators, so every backend starts from the same
weights and sees the same minibatches.
"""
import math

import numpy as np

from d2l_optim import ops
from d2l_optim._checks import check_count, check_rate, is_rate
from d2l_optim.data import ArrayLoader
from d2l_optim.optimizers import sgd
from d2l_optim.plotting import Animator
from d2l_optim.training import Accumulator

#: the split: the digits in the order of ``np.random.default_rng(DIGITS_SPLIT_SEED).permutation``,
#: the first ``DIGITS_TRAIN_SIZE`` for training and the other 297 for testing
DIGITS_SPLIT_SEED = 0
DIGITS_TRAIN_SIZE = 1500
NUM_CLASSES = 10
IMAGE_SHAPE = (1, 8, 8)


def load_digits_arrays():
    """The digits as NumPy arrays ``(train_images, train_labels, test_images, test_labels)``:
    images float32 in [0, 1] of shape (N, 1, 8, 8) (intensities 0–16 divided by 16), labels int64;
    1500 training and 297 test examples, split as ``DIGITS_SPLIT_SEED`` says."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:
        raise ImportError("the digits data comes with scikit-learn; install it with: "
                          "pip install scikit-learn") from error
    digits = load_digits()  # shipped inside scikit-learn: nothing is downloaded
    images = (digits.images / 16.0).astype(np.float32).reshape(-1, *IMAGE_SHAPE)
    labels = digits.target.astype(np.int64)
    order = np.random.default_rng(DIGITS_SPLIT_SEED).permutation(len(images))
    train, test = order[:DIGITS_TRAIN_SIZE], order[DIGITS_TRAIN_SIZE:]
    return images[train], labels[train], images[test], labels[test]


def load_data_digits(batch_size):
    """``(train_iter, test_iter)`` over the digits (the package's stand-in for the book's
    ``load_data_fashion_mnist``): the training minibatches reshuffled every epoch, the test ones in
    a fixed order."""
    train_images, train_labels, test_images, test_labels = load_digits_arrays()
    if not (isinstance(batch_size, int) and 1 <= batch_size <= len(train_images)):
        raise ValueError(f"batch_size must be a whole number from 1 to the {len(train_images)} "
                         f"training examples, got {batch_size!r}")
    # float images (B, 1, 8, 8) and int64 labels (B,), the same minibatches on every backend
    return (ArrayLoader((train_images, train_labels), batch_size, shuffle=True),
            ArrayLoader((test_images, test_labels), batch_size, shuffle=False))


def _xavier(shape, fan_in, fan_out):
    """Xavier (Glorot) normal: N(0, 2 / (fan_in + fan_out)), drawn from the shared generator."""
    return ops.normal(shape, 0.0, math.sqrt(2.0 / (fan_in + fan_out)))


class LeNet:
    """A LeNet for 8×8 digits (spec §5.6), on the shim:

    conv 6@5×5 pad 2, ReLU → max-pool 2 → conv 16@3×3 pad 1, ReLU → max-pool 2 → flatten (64) →
    dense 120, ReLU → dense 84, ReLU → dense 10 (the logits).

    The weights are Xavier-normal draws from the shared generator, biases zero: after
    ``d2l.seed(n)`` every backend builds the same network. ``net(X)`` runs it on its own
    parameters ``net.params`` (a list of tensors); ``net.apply(params, X)`` on given ones.
    """

    def __init__(self):
        shapes = [(6, 1, 5, 5), (16, 6, 3, 3), (64, 120), (120, 84), (84, NUM_CLASSES)]
        self.params = []
        for shape in shapes:
            if len(shape) == 4:  # a conv kernel (out, in, kh, kw)
                fan_in, fan_out = shape[1] * shape[2] * shape[3], shape[0] * shape[2] * shape[3]
            else:
                fan_in, fan_out = shape
            self.params += [_xavier(shape, fan_in, fan_out), ops.zeros((shape[0] if len(shape) == 4
                                                                        else shape[1],))]

    def apply(self, params, X):
        """The logits (N, 10) of images ``X`` (N, 1, 8, 8) under ``params``."""
        if len(ops.shape(X)) != 4 or ops.shape(X)[1:] != IMAGE_SHAPE:
            raise ValueError(f"LeNet expects images of shape (batch, 1, 8, 8), got {ops.shape(X)}")
        w1, b1, w2, b2, w3, b3, w4, b4, w5, b5 = params
        H = ops.max_pool2d(ops.relu(ops.conv2d(X, w1, b1, padding=2)), 2)
        H = ops.max_pool2d(ops.relu(ops.conv2d(H, w2, b2, padding=1)), 2)
        H = ops.reshape(H, (-1, 64))
        H = ops.relu(ops.matmul(H, w3) + b3)
        H = ops.relu(ops.matmul(H, w4) + b4)
        return ops.matmul(H, w5) + b5

    def __call__(self, X):
        return self.apply(self.params, X)


def cross_entropy(y_hat, y):
    """Softmax cross-entropy of logits ``y_hat`` (N, k) against labels ``y`` in 0..k−1, the batch
    mean: −1/N Σₙ log softmax(y_hat[n])[y[n]] (log softmax via log-sum-exp, so never log 0)."""
    labels = ops.one_hot(y, ops.shape(y_hat)[1], dtype=ops.dtype(y_hat))
    return -ops.reduce_mean(ops.reduce_sum(labels * ops.log_softmax(y_hat, axis=1), axis=1))


def accuracy(y_hat, y):
    """The number of examples whose largest logit is at the true label (a float)."""
    return float((ops.numpy(ops.argmax(y_hat, axis=1)) == ops.numpy(y)).sum())


def evaluate_accuracy(net, data_iter):
    """The fraction of the examples of ``data_iter`` that ``net`` classifies correctly."""
    metric = Accumulator(2)  # correct, examples
    for X, y in data_iter:
        metric.add(accuracy(net(X), y), ops.size(y))
    return metric[0] / metric[1]


class Trainer:
    """Steps a network's parameters with an optimizer whose learning rate can be changed between
    steps (book: gluon's ``Trainer.set_learning_rate``, a torch param group's ``lr``).

    ``optimizer`` is a function of the learning rate giving a :class:`d2l_optim.Optimizer`
    (``d2l.sgd`` by default). It is made once, with the trainer's current rate as its schedule,
    so its state carries over when the rate changes.
    """

    def __init__(self, net, lr, optimizer=sgd):
        self.net = net
        self.set_learning_rate(lr)
        self._optimizer = optimizer(lambda step: self._lr)
        self.state = self._optimizer.init(net.params)

    @property
    def learning_rate(self):
        return self._lr

    def set_learning_rate(self, lr):
        """Use ``lr`` from the next step on: a finite number >= 0 (at 0 a step leaves the
        parameters as they are; a warm-up may start there)."""
        check_rate("learning rate", lr)
        self._lr = float(lr)

    def step(self, grads):
        """One update of ``net.params`` with the gradients ``grads`` (one per parameter)."""
        self.net.params, self.state = self._optimizer.update(grads, self.state, self.net.params)


def _loss_grads_and_logits(net, loss, X, y):
    """The loss of ``net`` on a minibatch, its gradients (one per parameter) and the logits (the
    derivative's auxiliary output, so a tracing framework hands them back too)."""

    def objective(*params):
        logits = net.apply(params, X)
        return loss(logits, y), logits

    (value, logits), grads = ops.value_and_grad(objective, argnums=tuple(range(len(net.params))),
                                                has_aux=True)(*net.params)
    return value, grads, logits


def _scheduled_rate(scheduler, epoch):
    rate = scheduler(epoch)
    if not is_rate(rate):
        raise ValueError(f"the scheduler returned {rate!r:.40} for epoch {epoch}; a learning rate must be "
                         f"a finite number >= 0")
    return rate


def train(net, train_iter, test_iter, num_epochs, loss, trainer, scheduler=None, points_per_epoch=5):
    """Train ``net`` for ``num_epochs`` epochs; epoch e runs at ``scheduler(e)`` when a scheduler is
    given (set before its first minibatch), else at the trainer's rate.

    Draws the book's curves (train loss and train accuracy ``points_per_epoch`` times per epoch,
    test accuracy after each epoch), prints ``train loss …, train acc …, test acc …`` at the end
    and returns the :class:`d2l_optim.Animator`.
    """
    check_count("num_epochs", num_epochs)
    animator = Animator(xlabel="epoch", xlim=[0, num_epochs],
                        legend=["train loss", "train acc", "test acc"], legend_outside=True)
    num_batches = len(train_iter)
    record_every = max(1, num_batches // points_per_epoch)
    for epoch in range(num_epochs):
        if scheduler is not None:
            trainer.set_learning_rate(_scheduled_rate(scheduler, epoch))
        metric = Accumulator(3)  # summed loss, correct, examples
        for i, (X, y) in enumerate(train_iter):
            value, grads, y_hat = _loss_grads_and_logits(net, loss, X, y)
            trainer.step(grads)
            metric.add(ops.to_float(value) * ops.size(y), accuracy(y_hat, y), ops.size(y))
            if (i + 1) % record_every == 0 or i == num_batches - 1:
                animator.add(epoch + (i + 1) / num_batches,
                             (metric[0] / metric[2], metric[1] / metric[2], None))
        test_acc = evaluate_accuracy(net, test_iter)
        animator.add(epoch + 1, (None, None, test_acc))
    animator.show()
    print(f"train loss {metric[0] / metric[2]:.3f}, train acc {metric[1] / metric[2]:.3f}, "
          f"test acc {test_acc:.3f}")
    return animator
