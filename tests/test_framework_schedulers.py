"""Each framework's own learning-rate schedulers against ours, epoch by epoch (the lr-scheduler
section's framework tabs): exactly equal where the framework applies the same rule, and the
documented difference where it does not."""
import numpy as np

import d2l_optim as d2l

EPOCHS = 30
OURS = {
    "multi-factor": lambda: d2l.MultiFactorScheduler(step=[15, 30], factor=0.5, base_lr=0.5),
    "square root": lambda: d2l.SquareRootScheduler(lr=0.1),
    "cosine": lambda: d2l.CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01),
    "warm-up cosine": lambda: d2l.CosineScheduler(20, warmup_steps=5, base_lr=0.3, final_lr=0.01),
}


def ours(name):
    scheduler = OURS[name]()
    return [scheduler(epoch) for epoch in range(EPOCHS)]


def check_numpy():
    """Ours are pure: a scheduler already called (a plot) gives a later run the same rates."""
    used = OURS["multi-factor"]()
    [used(t) for t in range(50)]
    assert [used(epoch) for epoch in range(EPOCHS)] == ours("multi-factor") == [0.5] * 15 + [0.25] * 15


def check_torch():
    import torch

    def epoch_rates(make_scheduler, lr, scheduler_first=False):
        optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
        scheduler = make_scheduler(optimizer)
        applied = []
        for _ in range(EPOCHS):
            if scheduler_first:  # the wrong order: the rate moves before the epoch trains
                scheduler.step()
            applied.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            if not scheduler_first:
                scheduler.step()
        return applied, optimizer.param_groups[0]["lr"]

    multi_step = lambda optimizer: torch.optim.lr_scheduler.MultiStepLR(optimizer, [15, 30], gamma=0.5)
    applied, after = epoch_rates(multi_step, 0.5)
    assert applied == ours("multi-factor") and after == 0.125  # the book's plot left it at 0.125
    early, _ = epoch_rates(multi_step, 0.5, scheduler_first=True)
    assert early == ours("multi-factor")[1:] + [0.125]  # one epoch early
    square_root = lambda optimizer: torch.optim.lr_scheduler.LambdaLR(optimizer, lambda e: (e + 1) ** -0.5)
    assert epoch_rates(square_root, 0.1)[0] == ours("square root")


def check_tensorflow():
    import tensorflow as tf

    class Record(tf.keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.rates = getattr(self, "rates", []) + [float(self.model.optimizer.learning_rate)]

    model = tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(1)])
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=1.0), loss="mse")
    for name in ("multi-factor", "warm-up cosine"):  # a fit takes 2 s: the two that matter
        record = Record()
        model.fit(np.zeros((1, 1)), np.zeros((1, 1)), epochs=EPOCHS, verbose=0,
                  callbacks=[tf.keras.callbacks.LearningRateScheduler(OURS[name]()), record])
        # Keras calls schedule(epoch) at each epoch's start and stores the rate as float32
        assert record.rates == [float(np.float32(rate)) for rate in ours(name)], name
    assert record.rates[0] == 0.0  # the warm-up starts at 0 there too
    assert ours("multi-factor") == [float(np.float32(rate)) for rate in ours("multi-factor")]


def check_mxnet():
    from mxnet import autograd, gluon, lr_scheduler

    def called(scheduler, first=0):
        return [scheduler(first + epoch) for epoch in range(EPOCHS)]

    multi_factor = lambda: lr_scheduler.MultiFactorScheduler(step=[15, 30], factor=0.5, base_lr=0.5)
    by_epoch = called(multi_factor())
    assert [t for t in range(EPOCHS) if by_epoch[t] != ours("multi-factor")[t]] == [15]  # 0.5 at 15
    assert called(multi_factor(), first=1) == ours("multi-factor")
    for name, kwargs in [("cosine", {}), ("warm-up cosine", {"warmup_steps": 5})]:
        cosine = lr_scheduler.CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01, **kwargs)
        assert called(cosine) == ours(name), name  # the same formula, bit for bit

    # gluon's Trainer asks the scheduler for update n = 1, 2, ... before each update n
    parameter = gluon.Parameter("w", shape=(1,))
    parameter.initialize()
    trainer = gluon.Trainer([parameter], "sgd", {"lr_scheduler": multi_factor()})
    seen = []
    for _ in range(17):
        with autograd.record():
            loss = parameter.data().sum()
        loss.backward()
        trainer.step(1)
        seen.append(trainer.learning_rate)
    assert seen == [0.5] * 15 + [0.25] * 2  # update 16 (the 16th minibatch) is the first at 0.25


CHECKS = {"numpy": check_numpy, "torch": check_torch, "tensorflow": check_tensorflow, "mxnet": check_mxnet}


def test_the_frameworks_schedulers_apply_our_rates_epoch_by_epoch(backend):
    CHECKS[backend]()
