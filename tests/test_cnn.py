"""The lr-scheduler experiment: the digits, the LeNet written once, its training with schedules."""
import math

import numpy as np
import pytest

import d2l_optim as d2l
from d2l_optim import cnn


@pytest.fixture(scope="module")
def digits():
    return cnn.load_digits_arrays()


def test_digits_are_scaled_float32_images_split_by_the_documented_seed(digits):
    from sklearn.datasets import load_digits

    train_images, train_labels, test_images, test_labels = digits
    assert train_images.shape == (1500, 1, 8, 8) and test_images.shape == (297, 1, 8, 8)
    assert train_images.dtype == np.float32 and train_labels.dtype == np.int64
    assert train_images.min() == 0.0 and train_images.max() == 1.0
    assert set(train_labels) == set(test_labels) == set(range(10))
    raw = load_digits()
    order = np.random.default_rng(cnn.DIGITS_SPLIT_SEED).permutation(1797)
    np.testing.assert_array_equal(train_labels, raw.target[order[:1500]])
    np.testing.assert_array_equal(test_images[:, 0] * 16, raw.images[order[1500:]])


def test_minibatches_come_from_one_seeded_permutation_per_epoch(backend, digits):
    train_iter, test_iter = d2l.load_data_digits(batch_size=100)
    assert len(train_iter) == 15 and len(test_iter) == 3
    d2l.seed(3)
    first_epoch, second_epoch = ([d2l.numpy(y) for _, y in train_iter] for _ in range(2))
    generator = np.random.default_rng(3)
    for epoch in (first_epoch, second_epoch):
        np.testing.assert_array_equal(np.concatenate(epoch), digits[1][generator.permutation(1500)])
    X, y = next(iter(test_iter))
    assert d2l.shape(X) == (100, 1, 8, 8) and d2l.dtype(X) == "float32" and d2l.dtype(y) == "int64"
    np.testing.assert_array_equal(d2l.numpy(y), digits[3][:100])  # the test set is not shuffled
    assert [d2l.shape(y)[0] for _, y in test_iter] == [100, 100, 97]


def _numpy_reference(make):
    """``make()``'s result on the numpy backend, as NumPy arrays."""
    with d2l.use_backend("numpy"):
        return [d2l.numpy(x) for x in make()]


def test_lenet_starts_from_the_same_weights_and_computes_the_same_on_every_backend(backend, digits):
    def build():
        d2l.seed(5)
        return d2l.LeNet().params

    params = build()
    assert [d2l.shape(p) for p in params] == [(6, 1, 5, 5), (6,), (16, 6, 3, 3), (16,), (64, 120),
                                              (120,), (120, 84), (84,), (84, 10), (10,)]
    for mine, reference in zip(params, _numpy_reference(build)):
        np.testing.assert_array_equal(d2l.numpy(mine), reference)

    images, labels = digits[0][:32], digits[1][:32]

    def loss_and_grads():
        d2l.seed(5)
        with d2l.use_floatx("float64"):
            net = d2l.LeNet()
            objective = lambda *p: d2l.cross_entropy(net.apply(p, d2l.tensor(images)), labels)
            value, grads = d2l.value_and_grad(objective, argnums=tuple(range(10)))(*net.params)
            return [net(d2l.tensor(images)), value, *grads]

    logits, value, *grads = loss_and_grads()
    assert d2l.shape(logits) == (32, 10) and d2l.dtype(logits) == "float64"
    reference = _numpy_reference(loss_and_grads)
    for mine, expected in zip([logits, value, *grads], reference):
        np.testing.assert_allclose(d2l.numpy(mine), expected, rtol=1e-9, atol=1e-12)
    assert max(np.abs(g).max() for g in reference[2:]) > 1e-3  # the gradients are not trivially zero


def test_cross_entropy_is_the_stable_batch_mean_and_accuracy_counts_hits(backend):
    logits = np.array([[1000.0, 0.0, -1000.0], [0.5, 2.0, 0.1], [0.0, 0.0, 0.0]])
    labels = np.array([0, 2, 1])
    log_softmax = logits - (logits.max(1, keepdims=True)
                            + np.log(np.exp(logits - logits.max(1, keepdims=True)).sum(1, keepdims=True)))
    expected = -log_softmax[np.arange(3), labels].mean()
    value = d2l.cross_entropy(d2l.tensor(logits), d2l.int_tensor(labels))
    assert math.isfinite(d2l.to_float(value))
    assert d2l.to_float(value) == pytest.approx(expected, rel=1e-6)
    assert d2l.accuracy(d2l.tensor(logits), d2l.int_tensor(labels)) == 1.0  # row 2 ties: index 0 ≠ 1


def test_trainer_sets_the_rate_and_rate_zero_keeps_the_parameters(backend):
    d2l.seed(0)
    net = d2l.LeNet()
    trainer = d2l.Trainer(net, 0.5)
    assert trainer.learning_rate == 0.5
    grads = [d2l.ones(d2l.shape(p)) for p in net.params]
    before = [d2l.numpy(p) for p in net.params]
    trainer.set_learning_rate(0.0)
    trainer.step(grads)
    assert trainer.state.t == 1
    for p, old in zip(net.params, before):
        np.testing.assert_array_equal(d2l.numpy(p), old)
    trainer.set_learning_rate(0.25)
    trainer.step(grads)
    np.testing.assert_allclose(d2l.numpy(net.params[0]), before[0] - 0.25, rtol=1e-6)
    with pytest.raises(ValueError, match="learning rate must be a finite number >= 0, got -0.1"):
        trainer.set_learning_rate(-0.1)


@pytest.mark.parametrize("scheduler", [None, d2l.SquareRootScheduler(lr=0.3)], ids=["constant", "sqrt"])
def test_a_short_run_learns_the_digits_and_follows_the_schedule(backend, scheduler, capsys):
    """Three epochs of 60 minibatches: above 0.8 test accuracy on every backend (the section's full
    runs reach 0.93–0.99); epoch e runs at scheduler(e)."""
    d2l.seed(0)
    train_iter, test_iter = d2l.load_data_digits(batch_size=25)
    net = d2l.LeNet()
    trainer = d2l.Trainer(net, 0.2)
    seen = []
    schedule = None if scheduler is None else (lambda epoch: seen.append(epoch) or scheduler(epoch))
    animator = d2l.train(net, train_iter, test_iter, 3, d2l.cross_entropy, trainer, schedule)
    loss, train_acc, test_acc = (float(v.strip(",")) for v in capsys.readouterr().out.split()[2::3])
    assert math.isfinite(loss) and train_acc > 0.6 and test_acc > 0.8
    assert test_acc == pytest.approx(d2l.evaluate_accuracy(net, test_iter), abs=5e-4)
    assert trainer.learning_rate == (0.2 if scheduler is None else scheduler(2))
    assert seen == ([] if scheduler is None else [0, 1, 2])
    assert [len(x) for x in animator.X] == [15, 15, 3]  # 5 points per epoch, test acc per epoch
    assert animator.X[0][:5] == [0.2, 0.4, 0.6, 0.8, 1.0] and animator.X[2] == [1, 2, 3]


@pytest.mark.parametrize("bad_rate", [-0.1, math.nan, math.inf, "0.1", None])
def test_a_scheduler_returning_a_bad_rate_is_a_value_error(backend, bad_rate):
    d2l.seed(0)
    train_iter, test_iter = d2l.load_data_digits(batch_size=500)
    net = d2l.LeNet()
    with pytest.raises(ValueError, match=r"the scheduler returned .* for epoch 0; a learning rate must be"):
        d2l.train(net, train_iter, test_iter, 1, d2l.cross_entropy, d2l.Trainer(net, 0.1),
                  lambda epoch: bad_rate)


def test_wrong_images_labels_and_batch_sizes_are_value_errors(backend):
    d2l.seed(0)
    net = d2l.LeNet()
    with pytest.raises(ValueError, match=r"images of shape \(batch, 1, 8, 8\), got \(2, 1, 28, 28\)"):
        net(d2l.zeros((2, 1, 28, 28)))
    with pytest.raises(ValueError, match=r"got \(2, 8, 8\)"):
        net(d2l.zeros((2, 8, 8)))
    with pytest.raises(ValueError, match=r"labels must lie in 0..9, got \[10, -1\]"):
        d2l.cross_entropy(net(d2l.zeros((3, 1, 8, 8))), d2l.int_tensor([10, 3, -1]))
    for batch_size in (0, 1501):
        with pytest.raises(ValueError, match="batch_size must be"):
            d2l.load_data_digits(batch_size)
