"""Training on real data, written once on the shim (book: ``Timer``, ``Accumulator``, ``linreg``,
``squared_loss``, ``evaluate_loss``, ``train_ch11``)."""
import time

import numpy as np

from d2l_optim import ops


class Timer:
    """A stopwatch that records intervals (book: ``d2l.Timer``); it starts when created."""

    def __init__(self):
        self.times = []
        self.start()

    def start(self):
        """Start an interval."""
        self._started = time.perf_counter()

    def stop(self):
        """End the interval, record its seconds and return them."""
        self.times.append(time.perf_counter() - self._started)
        return self.times[-1]

    def avg(self):
        """Mean seconds per recorded interval."""
        if not self.times:
            raise ValueError("Timer.avg: no interval recorded yet; call stop() first")
        return self.sum() / len(self.times)

    def sum(self):
        """Total seconds of the recorded intervals."""
        return float(sum(self.times))

    def cumsum(self):
        """Running totals of the recorded intervals, as a list of seconds."""
        return np.cumsum(self.times).tolist()


class Accumulator:
    """Sums over ``n`` variables (book: ``d2l.Accumulator``): ``add(*values)``, ``reset()``,
    ``acc[i]``. Values may be numbers or one-number tensors of any backend."""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        """Add one value to each of the ``n`` sums."""
        if len(args) != len(self.data):
            raise ValueError(f"Accumulator.add: expected {len(self.data)} values, got {len(args)}")
        self.data = [total + ops.to_float(value) for total, value in zip(self.data, args)]

    def reset(self):
        """Set every sum back to 0."""
        self.data = [0.0] * len(self.data)

    def __getitem__(self, index):
        return self.data[index]
