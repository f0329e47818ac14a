"""What the tests and the build need to know about the MXNet backend (read without MXNet)."""
import numpy as np

from d2l_optim.backend_api import BuiltinFacts


def float32_rounded(value):
    """``value`` rounded to float32, as MXNet's kernels hold their hyperparameters."""
    return float(np.float32(value))


BUILTINS = {
    "sgd": BuiltinFacts("gluon.Trainer 'sgd'", {}, "", "learning_rate=0.01", "float32"),
    "momentum": BuiltinFacts("gluon.Trainer 'sgd'", {}, "",
                             "none for a constant η (it keeps mom = −η v, so a schedule would differ)",
                             "float32"),
    "adagrad": BuiltinFacts("gluon.Trainer 'adagrad'", {}, "", "eps=1e-7 (keyword eps, not epsilon)",
                            "float32"),
    "rmsprop": BuiltinFacts("gluon.Trainer 'rmsprop'", {}, "",
                            "learning_rate=0.001; epsilon=1e-8; centered=False already", "float32"),
    "adadelta": BuiltinFacts("gluon.Trainer 'adadelta'", {}, "",
                             "none: like the book it has no learning rate (learning_rate is ignored)",
                             "float32"),
    "adam": BuiltinFacts("gluon.Trainer 'adam'",
                         {"beta1": float32_rounded(0.9), "beta2": float32_rounded(0.999)},
                         "β₁, β₂ as float32 (its kernel holds them so; the book's rule otherwise)",
                         "epsilon=1e-8 added to the uncorrected √v (ε̂ = ε√(1 − β₂ᵗ), not the book's ε)",
                         "float32"),
}


SECOND_DERIVATIVES = False
COMPILED_STATE_IN_PLACE = False
SCHEDULER_LINES = ("mxnet MultiFactorScheduler(epoch): 0.5 for epochs 0-15, 0.25 for epochs 16-29",
                   "mxnet MultiFactorScheduler(epoch + 1): 0.5 for epochs 0-14, 0.25 for epochs 15-29")


def run_environment(threads):
    return {"OMP_NUM_THREADS": str(threads), "MXNET_CPU_WORKER_NTHREADS": str(threads)}


def book_sgd():
    return "sgd", {"learning_rate": 0.05}


def parameters_hold_no_graph(parameters, optimizer):
    """gluon Parameters whose values are leaves: their recorded history is the variable alone."""
    from mxnet import autograd, gluon

    return (all(isinstance(p, gluon.Parameter) for p in parameters) and not autograd.is_recording()
            and all(len(autograd.get_symbol(p.data()).get_internals().list_outputs()) == 1
                    for p in parameters))


def check_schedulers(ours):
    """MXNet's CosineScheduler is ours bit for bit; its MultiFactorScheduler decays one update later
    (call it with epoch + 1), as gluon's Trainer, which asks for update n = 1, 2, ..., shows."""
    from mxnet import autograd, gluon, lr_scheduler

    def called(scheduler, first=0):
        return [scheduler(first + epoch) for epoch in range(30)]

    multi_factor = lambda: lr_scheduler.MultiFactorScheduler(step=[15, 30], factor=0.5, base_lr=0.5)
    by_epoch, expected = called(multi_factor()), called(ours["multi-factor"]())
    assert [t for t in range(30) if by_epoch[t] != expected[t]] == [15]  # 0.5 at 15
    assert called(multi_factor(), first=1) == expected
    for name, kwargs in [("cosine", {}), ("warm-up cosine", {"warmup_steps": 5})]:
        cosine = lr_scheduler.CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01, **kwargs)
        assert called(cosine) == called(ours[name]()), name  # the same formula, bit for bit

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
