"""What the tests and the build need to know about the PyTorch backend (read without torch)."""
from d2l_optim.backend_api import BuiltinFacts

BUILTINS = {
    "sgd": BuiltinFacts("torch.optim.SGD", {}, "", "none (lr is always given)", "float64"),
    "momentum": BuiltinFacts("torch.optim.SGD", {}, "",
                             "dampening=0, nesterov=False already give the book's buffer v ← βv + g",
                             "float64"),
    "adagrad": BuiltinFacts("torch.optim.Adagrad", {}, "",
                            "eps=1e-10 added outside √; initial_accumulator_value=0", "float64"),
    "rmsprop": BuiltinFacts("torch.optim.RMSprop", {"eps_in_sqrt": False},
                            "ε outside the root: x ← x − η g / (√s + ε)",
                            "alpha=0.99; eps=1e-8 added outside √ (no setting puts it inside)",
                            "float64"),
    "adadelta": BuiltinFacts("torch.optim.Adadelta", {}, "", "eps=1e-6 (the book: 1e-5)", "float64"),
    "adam": BuiltinFacts("torch.optim.Adam", {}, "", "eps=1e-8 (the book: 1e-6)", "float64"),
}


SECOND_DERIVATIVES = True
COMPILED_STATE_IN_PLACE = True
SCHEDULER_LINES = ("torch MultiStepLR: 0.5 for epochs 0-14, 0.25 for epochs 15-29",)


def run_environment(threads):
    return {"OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}


def book_sgd():
    import torch

    return torch.optim.SGD, {"lr": 0.05}


def parameters_hold_no_graph(parameters, optimizer):
    import torch

    return (all(isinstance(p, torch.nn.Parameter) and p.is_leaf and p.grad_fn is None for p in parameters)
            and all(p.grad is None or p.grad.grad_fn is None for p in parameters))


def check_schedulers(ours):
    """MultiStepLR and LambdaLR stepped after each epoch give our rates (before it: one epoch early)."""
    import torch

    rates = {name: [make()(epoch) for epoch in range(30)] for name, make in ours.items()}

    def epoch_rates(make_scheduler, lr, scheduler_first=False):
        optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
        scheduler = make_scheduler(optimizer)
        applied = []
        for _ in range(30):
            if scheduler_first:  # the wrong order: the rate moves before the epoch trains
                scheduler.step()
            applied.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            if not scheduler_first:
                scheduler.step()
        return applied, optimizer.param_groups[0]["lr"]

    multi_step = lambda optimizer: torch.optim.lr_scheduler.MultiStepLR(optimizer, [15, 30], gamma=0.5)
    applied, after = epoch_rates(multi_step, 0.5)
    assert applied == rates["multi-factor"] and after == 0.125  # the book's plot left it at 0.125
    early, _ = epoch_rates(multi_step, 0.5, scheduler_first=True)
    assert early == rates["multi-factor"][1:] + [0.125]  # one epoch early
    square_root = lambda optimizer: torch.optim.lr_scheduler.LambdaLR(optimizer, lambda e: (e + 1) ** -0.5)
    assert epoch_rates(square_root, 0.1)[0] == rates["square root"]
