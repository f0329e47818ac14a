"""Checks of the exercises of the minibatch-SGD section (the airfoil regression)."""
import numpy as np

from d2l_optim import exercises, ops
from d2l_optim.data import get_data_ch11
from d2l_optim.exercises import Wrong
from d2l_optim.exercises.expect import array, entries, expect_near, near, number

exercise = exercises.section("minibatch_sgd")


def _airfoil():
    """The 1500 rows as float64: the features with a column of ones (the bias), and the targets."""
    features, targets = (ops.numpy(a).astype(np.float64) for a in get_data_ch11(1500)[0].whole())
    return np.hstack([features, np.ones((len(features), 1))]), targets.reshape(-1)


def _loss(with_bias, targets, weights):
    return np.mean((with_bias @ weights - targets) ** 2) / 2


@exercise(1, "number", loss_floor="the loss of the least-squares solution (with a bias)",
          zero_model_loss="the loss of the zero model",
          hessian_eigenvalues="the eigenvalues of the Hessian X^T X / n (X with the column of ones)",
          largest_stable_lr="the largest learning rate at which gradient descent is stable")
def the_floor_and_the_curvature(loss_floor, zero_model_loss, hessian_eigenvalues, largest_stable_lr):
    with_bias, targets = _airfoil()
    hessian = with_bias.T @ with_bias / len(targets)
    best = np.linalg.solve(hessian, with_bias.T @ targets / len(targets))
    floor = number(loss_floor, "loss_floor")
    if near(floor, 2 * _loss(with_bias, targets, best), rtol=1e-4):
        raise Wrong("`loss_floor` is twice the section's loss: the loss is half the mean squared error")
    expect_near("loss_floor", floor, _loss(with_bias, targets, best), rtol=1e-6,
                hint="solve the normal equations with a column of ones for the bias, then evaluate "
                     "the mean of (Xw + b - y)^2 / 2")
    expect_near("zero_model_loss", number(zero_model_loss, "zero_model_loss"), np.mean(targets**2) / 2,
                rtol=1e-6, hint="the loss of w = 0, b = 0")
    eigenvalues = np.linalg.eigvalsh(hessian)
    found = np.sort(array(hessian_eigenvalues, "hessian_eigenvalues"))
    if found.shape == (5,):
        raise Wrong("`hessian_eigenvalues` has 5 values: the bias is a sixth parameter, so add a column "
                    "of ones to X")
    expect_near("hessian_eigenvalues", found, eigenvalues, rtol=1e-6,
                hint="the eigenvalues of X^T X / n, X with its column of ones")
    rate = number(largest_stable_lr, "largest_stable_lr")
    if near(rate, 1 / eigenvalues[-1], rtol=1e-4):
        raise Wrong("1 / lambda_max is the rate that is best along the steepest direction; gradient "
                    "descent stays stable up to twice that")
    expect_near("largest_stable_lr", rate, 2 / eigenvalues[-1], rtol=1e-6,
                hint="along an eigenvector a step multiplies the error by 1 - eta lambda; when does that "
                     "stay in (-1, 1) for every eigenvalue?")


@exercise(2, "figure-data", loss_curves="the loss after each of the 40 epochs, by learning rate: "
                                        "{1.0: [...], 0.9: [...]}")
def the_stall_continued(loss_curves):
    with_bias, targets = _airfoil()
    for rate, curve in zip((1.0, 0.9), entries(loss_curves, "loss_curves", (1.0, 0.9))):
        weights, expected = np.zeros(6), []
        for _ in range(40):
            weights = weights - rate * with_bias.T @ (with_bias @ weights - targets) / len(targets)
            expected.append(_loss(with_bias, targets, weights))
        found = array(curve, f"loss_curves[{rate}]", (40,))
        if near(found[1:], expected[:-1], rtol=1e-6):
            raise Wrong(f"`loss_curves[{rate}]` is one epoch behind: record the loss after each step, "
                        "starting with the loss after the first")
        expect_near(f"loss_curves[{rate}]", found, expected, rtol=1e-6,
                    hint="from w = 0, b = 0 take full-batch steps w <- w - eta grad_w, b <- b - eta grad_b "
                         "of the mean of (Xw + b - y)^2 / 2 and record the loss after each")


@exercise(3, "number", sigma="sigma: the root of the mean squared norm of one example's gradient at the "
                             "least-squares solution",
          rms_norms="the root-mean-square norm of the minibatch gradient, by batch size: "
                    "{1: ..., 10: ..., 100: ..., 1000: ...}")
def noise_against_batch_size(sigma, rms_norms):
    with_bias, targets = _airfoil()
    n = len(targets)
    best = np.linalg.solve(with_bias.T @ with_bias, with_bias.T @ targets)
    per_example = (with_bias @ best - targets)[:, None] * with_bias
    reference = np.sqrt(np.mean(np.sum(per_example**2, axis=1)))
    expect_near("sigma", number(sigma, "sigma"), reference, rtol=1e-6,
                hint="example i's gradient at the solution is (x_i w + b - y_i) times (x_i, 1); take "
                     "the root of the mean of their squared norms")
    sizes = (1, 10, 100, 1000)
    for size, value in zip(sizes, entries(rms_norms, "rms_norms", sizes)):
        got = number(value, f"rms_norms[{size}]")
        expected = reference * np.sqrt((n - size) / (size * (n - 1)))
        if size == 1000 and near(got, reference / np.sqrt(size), rtol=0.1):
            raise Wrong("for b = 1000 your noise is sigma / sqrt(b): draw each minibatch without "
                        "replacement (a permutation's first b indices), which removes more noise")
        if abs(got - expected) > 0.1 * expected:
            raise Wrong(f"`rms_norms[{size}]` = {got:.4g} is not the noise of a minibatch of {size}: "
                        "average the gradients of b examples drawn without replacement, 2000 times, and "
                        "take the root of the mean squared norm of those averages")


@exercise(4, "number", flop_counts="the flops of one entry, one column, a 64-column block and the whole "
                                   "product (in that order)",
          bytes_moved="the bytes each must at least read and write, in the same order")
def arithmetic_intensity(flop_counts, bytes_moved):
    shapes = np.array([(1, 1), (256, 1), (256, 64), (256, 256)])  # rows and columns of the result
    rows, columns = shapes[:, 0], shapes[:, 1]
    flops = array(flop_counts, "flop_counts", (4,))
    if near(flops, rows * 256 * columns):
        raise Wrong("`flop_counts` counts each multiply-add once: a multiplication and an addition are "
                    "two flops")
    expect_near("flop_counts", flops, 2 * rows * 256 * columns,
                hint="each entry of the result is a dot product of length 256")
    moved = array(bytes_moved, "bytes_moved", (4,))
    expected = 4 * (rows * 256 + 256 * columns + rows * columns)
    if near(moved, 2 * expected):
        raise Wrong("`bytes_moved` counts 8 bytes per number: the matrices are float32, 4 bytes")
    expect_near("bytes_moved", moved, expected,
                hint="read the rows of A and the columns of B that the result needs once, write the "
                     "result once, 4 bytes per number")
