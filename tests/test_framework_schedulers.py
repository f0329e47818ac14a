"""Each framework's own learning-rate schedulers against ours, epoch by epoch (the lr-scheduler
section's framework tabs): exactly equal where the framework applies the same rule, and the
documented difference where it does not. The checks are the backends' own (``facts.check_schedulers``)."""
import d2l_optim as d2l
from d2l_optim import _registry

OURS = {
    "multi-factor": lambda: d2l.MultiFactorScheduler(step=[15, 30], factor=0.5, base_lr=0.5),
    "square root": lambda: d2l.SquareRootScheduler(lr=0.1),
    "cosine": lambda: d2l.CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01),
    "warm-up cosine": lambda: d2l.CosineScheduler(20, warmup_steps=5, base_lr=0.3, final_lr=0.01),
}


def test_the_frameworks_schedulers_apply_our_rates_epoch_by_epoch(backend):
    _registry.facts(backend).check_schedulers(OURS)
