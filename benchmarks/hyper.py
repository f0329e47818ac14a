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
