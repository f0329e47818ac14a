"""What the d2l-optim side and the hand-written side of every benchmark share."""
import os

import numpy as np

import d2l_optim

#: Adam's hyperparameters, the book's (lr 0.01 as in the adam section)
ADAM = {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-6}
#: the start of the book's 2-D traces
X0_2D = (-5.0, -2.0)


def f_2d(x1, x2):
    """The momentum section's ill-conditioned quadratic, 0.1 x1² + 2 x2² (any framework's tensors)."""
    return 0.1 * x1 ** 2 + 2 * x2 ** 2


#: the minibatch-SGD run the chapter times: airfoil, batch 10, lr 0.05, one epoch
TRAIN_CH11 = {"lr": 0.05, "batch_size": 10}


def airfoil():
    """``(features, labels)``: the airfoil's 1500 first rows as the book reads them (float32, every
    column standardised over all 1503 rows)."""
    path = os.path.join(os.path.dirname(d2l_optim.__file__), "datasets", "airfoil_self_noise.dat")
    data = np.genfromtxt(path, dtype=np.float32, delimiter="\t")
    data = (data - data.mean(axis=0)) / data.std(axis=0)
    return data[:1500, :-1], data[:1500, -1]


class LossCurve:
    """What the book's ``Animator`` does headless: a figure, and the points added to it."""

    def __init__(self):
        from matplotlib.figure import Figure

        self.axes = Figure(figsize=(3.5, 2.5)).add_subplot()
        self.points = []

    def add(self, x, y):
        self.points.append((x, y))


#: the lr-scheduler section's digits run: minibatches of 100, SGD at 0.3, one epoch
CNN = {"lr": 0.3, "batch_size": 100}


def digits():
    """``(train_images, train_labels, test_images, test_labels)``: NumPy arrays, images float32
    (N, 1, 8, 8), labels int64, split as the package splits them."""
    from d2l_optim.cnn import load_digits_arrays

    return load_digits_arrays()


def batches(images, labels, batch_size, rng=None):
    """Minibatches of NumPy arrays, shuffled when an ``rng`` is given."""
    order = rng.permutation(len(images)) if rng is not None else range(len(images))
    order = list(order)
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        yield images[rows], labels[rows]
