"""What the tests and the build need to know about the TensorFlow backend (read without TensorFlow)."""
from d2l_optim.backend_api import BuiltinFacts

BUILTINS = {
    "sgd": BuiltinFacts("tf.keras.optimizers.SGD", {}, "", "learning_rate=0.01", "float64"),
    "momentum": BuiltinFacts("tf.keras.optimizers.SGD", {}, "",
                             "none for a constant η (it keeps m = −η v, so a schedule would differ)",
                             "float64"),
    "adagrad": BuiltinFacts("tf.keras.optimizers.Adagrad", {}, "",
                            "initial_accumulator_value=0.1; epsilon=1e-7", "float64"),
    "rmsprop": BuiltinFacts("tf.keras.optimizers.RMSprop", {}, "", "epsilon=1e-7", "float64"),
    "adadelta": BuiltinFacts("tf.keras.optimizers.Adadelta", {}, "",
                             "learning_rate=0.001 (the book has none, i.e. 1.0; its TF tab passes 5.0); "
                             "rho=0.95; epsilon=1e-7", "float64"),
    "adam": BuiltinFacts("tf.keras.optimizers.Adam", {}, "",
                         "epsilon=1e-7 added to the uncorrected √v (ε̂ = ε√(1 − β₂ᵗ), not the book's ε)",
                         "float64"),
}


SECOND_DERIVATIVES = True
COMPILED_STATE_IN_PLACE = True
SCHEDULER_LINES = ("Keras LearningRateScheduler: 0.5 for epochs 0-14, 0.25 for epochs 15-29",)


def run_environment(threads):
    return {"TF_NUM_INTRAOP_THREADS": str(threads), "TF_NUM_INTEROP_THREADS": "1",
            "TF_CPP_MIN_LOG_LEVEL": "2"}


def book_sgd():
    import tensorflow as tf

    return tf.keras.optimizers.SGD, {"learning_rate": 0.05}


def parameters_hold_no_graph(parameters, optimizer):
    """Variables updated by one traced step, reused by every step (a tape per step, dropped with it)."""
    import tensorflow as tf

    steps = list(optimizer.compiled.values())
    return (all(isinstance(p, tf.Variable) for p in parameters) and len(steps) == 1
            and steps[0].experimental_get_tracing_count() == 1)


def check_schedulers(ours):
    """Keras' LearningRateScheduler callback calls the schedule with the epoch at each epoch's start
    and stores the rate as float32."""
    import numpy as np
    import tensorflow as tf

    class Record(tf.keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.rates = getattr(self, "rates", []) + [float(self.model.optimizer.learning_rate)]

    model = tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(1)])
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=1.0), loss="mse")
    for name in ("multi-factor", "warm-up cosine"):  # a fit takes 2 s: the two that matter
        record = Record()
        model.fit(np.zeros((1, 1)), np.zeros((1, 1)), epochs=30, verbose=0,
                  callbacks=[tf.keras.callbacks.LearningRateScheduler(ours[name]()), record])
        assert record.rates == [float(np.float32(ours[name]()(epoch))) for epoch in range(30)], name
    assert record.rates[0] == 0.0  # the warm-up starts at 0 there too
