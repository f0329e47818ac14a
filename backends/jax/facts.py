"""What the tests and the build need to know about the JAX backend (read without JAX)."""
import os

from d2l_optim.backend_api import BuiltinFacts

BUILTINS = {
    "sgd": BuiltinFacts("optax.sgd", {}, "", "none (learning_rate is always given)", "float64"),
    "momentum": BuiltinFacts("optax.sgd", {}, "",
                             "momentum=None (plain SGD); with momentum=β its trace is the book's v ← βv + g, "
                             "and a schedule scales the whole buffer, as the book's rule does", "float64"),
    "adagrad": BuiltinFacts("optax.adagrad", {}, "",
                            "initial_accumulator_value=0.1 (the book: 0); eps=1e-7 (the book: 1e-6), "
                            "inside √ as in the book", "float64"),
    "rmsprop": BuiltinFacts("optax.rmsprop", {}, "",
                            "eps=1e-8 (the book: 1e-6); eps_in_sqrt=True already puts it inside √ "
                            "(False puts it outside, as PyTorch does)", "float64"),
    "adadelta": BuiltinFacts("optax.adadelta", {}, "",
                             "learning_rate=None leaves the update unscaled and unnegated: gradient "
                             "ascent (pass 1.0); eps=1e-6 (the book: 1e-5)", "float64"),
    "adam": BuiltinFacts("optax.adam", {}, "", "eps=1e-8 (the book: 1e-6), added to √v̂ as in the book",
                         "float64"),
    "yogi": BuiltinFacts("optax.scale_by_yogi + optax.scale_by_learning_rate", {}, "",
                         "optax.yogi starts both moments at 1e-6 and does not expose it: chain "
                         "scale_by_yogi(initial_accumulator_value=0.0) with the learning rate", "float64"),
}
SECOND_DERIVATIVES = True
COMPILED_STATE_IN_PLACE = False
SCHEDULER_LINES = ("optax piecewise_constant_schedule: 0.5 for epochs 0-14, 0.25 for epochs 15-29",)


def run_environment(threads):
    """XLA's CPU thread pool has no count to set; one thread means no Eigen multithreading."""
    if threads != 1:
        return {}
    flags = os.environ.get("XLA_FLAGS", "")
    single = "--xla_cpu_multi_thread_eigen=false"
    return {"XLA_FLAGS": flags if single in flags else f"{flags} {single}".strip()}


def book_sgd():
    import optax

    return optax.sgd, {"learning_rate": 0.05}


def parameters_hold_no_graph(parameters, optimizer):
    """Concrete arrays: no tracer escaped the compiled step (JAX keeps no graph on an array)."""
    import jax

    return all(isinstance(p, jax.Array) and not isinstance(p, jax.core.Tracer) for p in parameters)


def check_schedulers(ours):
    """``optax.sgd`` applies schedule(n) at update n = 0, 1, ...: optax's schedules give our rates
    update by update, the multi-factor one exactly, the others to rounding (with x64: float64, but
    float32 in the linear warm-up)."""
    import jax
    import jax.numpy as jnp
    import numpy as np
    import optax

    with jax.enable_x64(True):  # optax turns its numbers into arrays when a schedule is made
        schedules = {
            "multi-factor": optax.piecewise_constant_schedule(0.5, {15: 0.5, 30: 0.5}),
            "square root": lambda count: 0.1 * (count + 1) ** -0.5,  # optax has none: any function is one
            "cosine": optax.cosine_decay_schedule(0.3, decay_steps=20, alpha=0.01 / 0.3),
            "warm-up cosine": optax.warmup_cosine_decay_schedule(0.0, 0.3, warmup_steps=5, decay_steps=20,
                                                                 end_value=0.01),
        }
        for name, schedule in schedules.items():
            expected = [ours[name]()(epoch) for epoch in range(30)]
            optimizer = optax.sgd(schedule)
            weight = jnp.zeros(1)
            state, applied = optimizer.init(weight), []
            for _ in range(30):  # gradient 1: each update moves the weight by minus its rate
                updates, state = optimizer.update(jnp.ones(1), state, weight)
                applied.append(-float(updates[0]))
            # optax's linear warm-up divides its int32 update count: float32 arithmetic even with x64
            rtol = 1e-7 if name == "warm-up cosine" else 1e-15
            np.testing.assert_allclose(applied, expected, rtol=rtol, atol=1e-17, err_msg=name)
            if name == "multi-factor":
                assert applied == expected
