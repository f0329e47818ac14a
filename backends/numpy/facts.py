"""What the tests and the build need to know about the NumPy backend (read without autograd)."""
from d2l_optim.backend_api import BuiltinFacts

#: NumPy has no optimizers: its "built-ins" are d2l's own, so they equal d2l's rules trivially
BUILTINS = {name: BuiltinFacts(f"d2l.{name}", {}, "", "none: NumPy has no built-in optimizers, d2l's "
                               "own are used", "float64")
            for name in ("sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam")}
SECOND_DERIVATIVES = True
COMPILED_STATE_IN_PLACE = False
SCHEDULER_LINES = ("d2l MultiFactorScheduler: 0.5 for epochs 0-14, 0.25 for epochs 15-29",)


def run_environment(threads):
    return {"OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}


def book_sgd():
    import d2l_optim as d2l

    return d2l.sgd, {"lr": 0.05}


def parameters_hold_no_graph(parameters, optimizer):
    import numpy as np

    return all(type(p) is np.ndarray for p in parameters)


def check_schedulers(ours):
    """d2l's schedulers are pure: one already called (for a plot) gives a later run the same rates."""
    used = ours["multi-factor"]()
    [used(t) for t in range(50)]
    assert [used(epoch) for epoch in range(30)] == [ours["multi-factor"]()(epoch) for epoch in range(30)]
    assert [used(epoch) for epoch in range(30)] == [0.5] * 15 + [0.25] * 15
