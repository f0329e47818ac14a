"""Timer, Accumulator and Animator; the airfoil data; train_ch11 and the book's trainers."""
import os
import re

import numpy as np
import pytest

import d2l_optim as d2l
from d2l_optim import plotting
from d2l_optim.plotting import figure_data
from helpers import section_functions


def test_timer_records_intervals():
    timer = d2l.Timer()
    with pytest.raises(ValueError, match="no interval recorded"):
        timer.avg()
    first = timer.stop()
    timer.start()
    timer.stop()
    assert first >= 0 and len(timer.times) == 2
    assert timer.sum() == pytest.approx(sum(timer.times))
    assert timer.avg() == pytest.approx(timer.sum() / 2)
    assert timer.cumsum() == pytest.approx([timer.times[0], timer.sum()])


def test_accumulator_sums_numbers_and_tensors(backend):
    metric = d2l.Accumulator(2)
    metric.add(d2l.tensor(1.5), 2)
    metric.add(0.5, d2l.reduce_sum(d2l.tensor([1.0, 2.0])))
    assert (metric[0], metric[1]) == (2.0, 5.0)
    metric.reset()
    assert metric.data == [0.0, 0.0]
    with pytest.raises(ValueError, match="expected 2 values, got 1"):
        metric.add(1.0)


def test_animator_collects_points_and_draws_them_once_read(backend):
    animator = d2l.Animator(xlabel="epoch", legend=["a", "b"], xlim=[0, 3])
    animator.add(1, [d2l.tensor(0.5), None])
    animator.add(2, [0.25, 4.0])
    assert animator.X == [[1.0, 2.0], [2.0]] and animator.Y == [[0.5, 0.25], [4.0]]
    lines = figure_data(animator)[0]["lines"]
    assert lines == [[[1.0, 0.5], [2.0, 0.25]], [[2.0, 4.0]]]
    assert animator.axes[0].get_xlabel() == "epoch" and animator.axes[0].get_xlim() == (0, 3)
    with pytest.raises(ValueError, match="each of the 2 curves, got 1 x and 1 y"):
        animator.add(3, 1.0)


def test_animator_redraws_one_live_display_in_jupyter(monkeypatch):
    ipython_display = pytest.importorskip("IPython.display")
    shown = []

    class Handle:
        def update(self, picture):
            shown.append(picture)

    def display(picture, display_id):
        shown.append(picture)
        return Handle()

    monkeypatch.setattr(plotting, "in_notebook", lambda: True)
    monkeypatch.setattr(ipython_display, "display", display)
    animator = d2l.Animator()
    animator.add(1, 0.3)  # the first point is drawn at once
    animator.add(2, 0.2)  # the next within REDRAW_SECONDS waits ...
    assert isinstance(animator.display_handle, Handle) and len(shown) == 1
    animator.show()  # ... for the end of the run
    animator.show()  # (nothing new: no redraw)
    assert len(shown) == 2 and all(picture.data.startswith("<svg") for picture in shown)
    monkeypatch.setattr(animator, "REDRAW_SECONDS", 0.0)
    animator.add(3, 0.1)  # no throttle: every point redraws
    assert len(shown) == 3


# --- the airfoil data ---------------------------------------------------------------------------

def test_airfoil_ships_with_the_package_and_nothing_is_downloaded():
    path = d2l.download("airfoil")
    assert path.startswith(d2l.data.DATASETS_DIR) and os.path.getsize(path) == 59984
    assert d2l.download(d2l.DATA_HUB["airfoil"][0], folder="/nonexistent") == path
    assert d2l.DATA_URL == "http://d2l-data.s3-accelerate.amazonaws.com/"
    with pytest.raises(ValueError, match="expected 0000"):
        d2l.download("airfoil_self_noise.dat", sha1_hash="0000")
    with pytest.raises(ValueError, match=r"not a data set that ships.*\['airfoil'\]"):
        d2l.download("http://example.com/fashion-mnist.zip")


def test_get_data_ch11_standardises_all_rows_and_keeps_1500(backend):
    data_iter, feature_dim = d2l.get_data_ch11(batch_size=100)
    X, y = data_iter.whole()
    assert feature_dim == 5 and d2l.shape(X) == (1500, 5) and d2l.shape(y) == (1500,)
    assert d2l.dtype(X) == "float32" and d2l.dtype(y) == "float32"
    first = np.append(d2l.numpy(X)[0], d2l.numpy(y)[0])
    np.testing.assert_allclose(first, [-0.6620218, -1.1463989, 1.7992973, 1.312917, -0.6448043,
                                       0.19794011], rtol=1e-6)
    assert f"{d2l.numpy(y).astype(np.float64).sum():.6f}" == "8.337037"
    assert [len(d2l.get_data_ch11(bs)[0]) for bs in (1500, 100, 10, 1)] == [1, 15, 150, 1500]
    assert d2l.shape(next(iter(d2l.get_data_ch11(7, n=10)[0]))[0]) == (7, 5)


def _minibatches(backend, seed):
    with d2l.use_backend(backend):
        d2l.seed(seed)
        data_iter, _ = d2l.get_data_ch11(batch_size=400)
        return [[d2l.numpy(t) for t in batch] for _ in range(2) for batch in data_iter]


def test_every_backend_sees_the_same_minibatches_in_the_same_order(backend):
    batches, reference = _minibatches(backend, 3), _minibatches("numpy", 3)
    assert [len(b[0]) for b in batches] == [400, 400, 400, 300] * 2
    for (X, y), (X_ref, y_ref) in zip(batches, reference):
        assert d2l.is_tensor(d2l.tensor(X)) and np.array_equal(X, X_ref) and np.array_equal(y, y_ref)
    assert not np.array_equal(batches[0][1], batches[4][1])  # a new permutation every pass
    assert not np.array_equal(batches[0][1], _minibatches("numpy", 4)[0][1])


def test_load_array_rejects_bad_input(backend):
    X, y = np.ones((6, 2)), np.zeros(6)
    for batch_size in (0, -1, 7, 2.0):
        with pytest.raises(ValueError, match="batch_size must be a whole number from 1 to .* 6"):
            d2l.load_array((X, y), batch_size)
    with pytest.raises(ValueError, match=r"equally long; got lengths \[6, 5\]"):
        d2l.load_array((X, y[:5]), 2)
    with pytest.raises(ValueError, match="non-finite values"):
        d2l.load_array((X, np.array([0, 1, np.nan, 0, 0, 0])), 2)
    with pytest.raises(ValueError, match="must hold numbers"):
        d2l.load_array((X, np.array(list("abcdef"))), 2)
    with pytest.raises(ValueError, match="n must be at most 1503"):
        d2l.get_data_ch11(10, n=2000)
    X_batch, labels = next(iter(d2l.load_array((d2l.tensor(X), np.arange(6)), 4, is_train=False)))
    assert d2l.dtype(X_batch) == "float32" and d2l.dtype(labels) == "int64"
    assert d2l.numpy(labels).tolist() == [0, 1, 2, 3]


# --- train_ch11 and the book's trainers ---------------------------------------------------------

def _train(trainer, states, hyperparams, batch_size=100, num_epochs=1, seed=0, n=1500):
    d2l.seed(seed)
    data_iter, feature_dim = d2l.get_data_ch11(batch_size, n=n)
    if callable(states):
        states = states(feature_dim)
    return d2l.train_ch11(trainer, states, hyperparams, data_iter, feature_dim, num_epochs)


# (section, trainer, state initialiser, hyperparams, our optimizer with the same rule)
BOOK_TRAINERS = [
    ("minibatch_sgd", "sgd", None, {"lr": 0.4}, lambda: d2l.sgd(0.4)),
    ("momentum", "sgd_momentum", "init_momentum_states", {"lr": 0.02, "momentum": 0.5},
     lambda: d2l.momentum(0.02, 0.5)),
    ("adagrad", "adagrad", "init_adagrad_states", {"lr": 0.1}, lambda: d2l.adagrad(0.1)),
    ("rmsprop", "rmsprop", "init_rmsprop_states", {"lr": 0.01, "gamma": 0.9},
     lambda: d2l.rmsprop(0.01, gamma=0.9)),
    ("adadelta", "adadelta", "init_adadelta_states", {"rho": 0.9}, lambda: d2l.adadelta(rho=0.9)),
    ("adam", "adam", "init_adam_states", {"lr": 0.01, "t": 1}, lambda: d2l.adam(0.01)),
    ("adam", "yogi", "init_adam_states", {"lr": 0.01, "t": 1}, lambda: d2l.yogi(0.01)),
]


@pytest.mark.parametrize("section, trainer, init, hyperparams, ours", BOOK_TRAINERS,
                         ids=[row[1] for row in BOOK_TRAINERS])
def test_each_sections_trainer_follows_our_optimizer(backend, section, trainer, init, hyperparams,
                                                     ours, capsys):
    functions = section_functions(section)
    with d2l.use_floatx("float64"):
        book = _train(functions[trainer], functions.get(init), dict(hyperparams))
        reference = _train(ours(), None, None)
    assert len(book[1]) == 8  # every 200 examples, and where the 1500 examples end
    np.testing.assert_allclose(book[1], reference[1], rtol=1e-10)
    assert reference[1][-1] < reference[1][0] < 0.5  # it learns (0.493 at w = 0, b = 0)


def test_train_ch11_records_the_books_points_and_prints_its_line(backend, capsys):
    sgd = section_functions("minibatch_sgd")["sgd"]
    gd_run = _train(sgd, None, {"lr": 1}, batch_size=1500, num_epochs=10)
    seconds, losses = gd_run
    assert [x for x, _ in figure_data(gd_run.animator)[0]["lines"][0]] == [2.0, 4.0, 6.0, 8.0, 10.0]
    assert len(seconds) == len(losses) == 5 and seconds == sorted(seconds)
    run = _train(sgd, None, {"lr": 0.05}, batch_size=10, num_epochs=2)
    points = figure_data(run.animator)[0]["lines"][0]
    np.testing.assert_allclose([x for x, _ in points], [k * 200 / 1500 for k in range(1, 16)])
    assert 0.2416 <= run[1][-1] <= 0.28
    line = capsys.readouterr().out.splitlines()[-1]
    assert re.fullmatch(r"loss: 0\.2\d\d, \d+\.\d{3} sec/epoch", line) and line[6:11] == f"{run[1][-1]:.3f}"


def test_adams_step_counter_lives_in_the_callers_dict(capsys):
    functions = section_functions("adam")
    hyperparams = {"lr": 0.01, "t": 1}
    _train(functions["adam"], functions["init_adam_states"], hyperparams, batch_size=100)
    assert hyperparams["t"] == 16  # 15 minibatches


def _losses(backend, trainer, init, hyperparams):
    with d2l.use_backend(backend):
        return _train(trainer, init, dict(hyperparams), batch_size=10, num_epochs=1, n=600)[1]


def test_from_scratch_losses_agree_across_backends(backend, capsys):
    functions = section_functions("adam")
    for trainer, init, hyperparams in [("sgd", None, {"lr": 0.05}),
                                       ("adam", "init_adam_states", {"lr": 0.01, "t": 1})]:
        functions.update(section_functions("minibatch_sgd"))
        args = functions[trainer], functions.get(init), hyperparams
        np.testing.assert_allclose(_losses(backend, *args), _losses("numpy", *args), atol=1e-4)


def test_train_ch11_rejects_bad_input(backend, capsys):
    functions = section_functions("momentum")
    sgd_momentum, init = functions["sgd_momentum"], functions["init_momentum_states"]
    data_iter, _ = d2l.get_data_ch11(100)
    with pytest.raises(ValueError, match=r"feature_dim is 4, so a minibatch must be X of shape "
                                         r"\(batch, 4\).*got \(100, 5\)"):
        d2l.train_ch11(sgd_momentum, init(4), {"lr": 0.1, "momentum": 0.5}, data_iter, 4)
    with pytest.raises(ValueError, match=r"sgd_momentum reads hyperparams\['momentum'\], which is "
                                         r"missing; it was given \['lr', 'momentun'\]"):
        _train(sgd_momentum, init, {"lr": 0.1, "momentun": 0.5})
    with pytest.raises(ValueError, match=r"sgd does not use the hyperparameters \['momentum'\]; "
                                         r"it reads \['lr'\]"):
        _train(section_functions("minibatch_sgd")["sgd"], None, {"lr": 0.1, "momentum": 0.5})
    with pytest.raises(ValueError, match="momentum optimizer holds its own state"):
        _train(d2l.momentum(0.1, 0.5), None, {"lr": 0.1})
    with pytest.raises(TypeError, match="trainer must be a function"):
        _train("sgd", None, {"lr": 0.1})
    with pytest.raises(ValueError, match="feature_dim must be a whole number >= 1"):
        d2l.train_ch11(d2l.sgd(0.1), None, None, data_iter, 0)
    with pytest.raises(TypeError, match="must know its number of minibatches"):
        d2l.train_ch11(d2l.sgd(0.1), None, None, iter(data_iter), 5)
    assert capsys.readouterr().out == ""
