"""What the d2l-optim side and the hand-written side of every benchmark share."""
#: Adam's hyperparameters, the book's (lr 0.01 as in the adam section)
ADAM = {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-6}
#: the start of the book's 2-D traces
X0_2D = (-5.0, -2.0)


def f_2d(x1, x2):
    """The momentum section's ill-conditioned quadratic, 0.1 x1² + 2 x2² (any framework's tensors)."""
    return 0.1 * x1 ** 2 + 2 * x2 ** 2
