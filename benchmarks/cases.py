"""The benchmarks: each case runs d2l-optim and the hand-written loop on one backend, in this
process, and returns rows of measurements (plain dicts, see :func:`row`).

Timings are CPU seconds of this process (all its threads: ``time.process_time``), medians over
``repeats`` runs that alternate between the two sides after a warm-up run of each: on a shared
machine, wall-clock time would measure the neighbours. The hand-written side is
``native_<backend>.py``.
"""
import contextlib
import functools
import importlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from hyper import ADAM, CNN, TRAIN_CH11, X0_2D, airfoil, digits, f_2d

import d2l_optim as d2l
from d2l_optim._registry import BACKENDS

#: Adam-step sizes (parameters) and the steps per timed run: full, quick
ADAM_SIZES = {10: (2000, 400), 100_000: (200, 40), 10_000_000: (5, 2)}


def row(case, size, unit, backend, ours, hand=None, max_difference=None, compiled=None, lean=None,
        **extra):
    """One measurement: seconds per ``unit`` for d2l-optim (``ours``; ``compiled``: its compiled
    path), the hand-written code written as the book writes it (``hand``) and, where there is one,
    the leanest hand-written loop (``lean``); ``max_difference`` between their results. Ratios are
    d2l-optim's time (eager, or compiled) over the book-style one, and eager over the lean one."""
    return {"case": case, "size": size, "unit": unit, "backend": backend, "d2l": ours, "hand": hand,
            "ratio": None if hand is None else ours / hand, "lean": lean,
            "lean_ratio": None if lean is None else ours / lean, "compiled": compiled,
            "compiled_ratio": None if hand is None or compiled is None else compiled / hand,
            "max_difference": max_difference, **extra}


#: a process started from here runs in this folder: from the repository's root, Python would
#: import the source folder ``d2l_optim/`` (no backends there) instead of the installed package
HERE = os.path.dirname(os.path.abspath(__file__))
#: the last lines of a failed process's stderr that its error shows
ERROR_LINES = 25


class ChildFailed(RuntimeError):
    """A process started by a benchmark failed; the message ends with the tail of its stderr."""

    def __init__(self, command, status, stderr):
        lines = stderr.strip().splitlines() or [f"exited with status {status}"]
        self.last_line = lines[-1]
        tail = "\n".join("    " + line for line in lines[-ERROR_LINES:])
        super().__init__(f"{' '.join(command)} exited with status {status}:\n{tail}")


def run_python(arguments, environment=None):
    """Run this Python with ``arguments`` in this folder; the finished process (its ``stdout`` and
    ``stderr``), or ChildFailed with its stderr."""
    command = [sys.executable, *arguments]
    out = subprocess.run(command, capture_output=True, text=True, cwd=HERE, env=environment)
    if out.returncode != 0:
        raise ChildFailed(command, out.returncode, out.stderr)
    return out


#: what every ``native_<backend>.py`` defines (a new backend adds that file and nothing else)
NATIVE_API = ("adam_2d", "adam_2d_lean", "adam_vector", "train_ch11_epoch", "cnn_epoch", "sync")


def native(backend):
    """The hand-written side on ``backend``: the module ``native_<backend>``, checked for
    :data:`NATIVE_API`."""
    module = importlib.import_module(f"native_{backend}")
    missing = [name for name in NATIVE_API if not hasattr(module, name)]
    if missing:
        raise AttributeError(f"benchmarks/native_{backend}.py must define {', '.join(missing)} "
                             f"(see NATIVE_API in benchmarks/cases.py)")
    return module


def medians(runs, repeats):
    """``{name: median seconds}`` of ``runs`` (``{name: function}``), each run ``repeats`` times,
    alternating, after one warm-up call of each."""
    for run in runs.values():
        run()
    seconds = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.process_time()
            run()
            seconds[name].append(time.process_time() - start)
    return {name: statistics.median(values) for name, values in seconds.items()}


def quiet(function, *args, **kwargs):
    """``function(*args, **kwargs)`` with its printing swallowed (train_2d prints its last point)."""
    with contextlib.redirect_stdout(io.StringIO()):
        return function(*args, **kwargs)


#: the gradient the 2-D Adam runs follow (made once: d2l.grad keeps its per-backend derivative)
F_GRAD_2D = d2l.grad(f_2d, argnums=(0, 1))
#: steps of the 2-D Adam runs
STEPS_2D = 1000


def _train_2d_adam(compiled=False):
    """d2l-optim's 2-D Adam run: ``train_2d`` from (-5, -2), its printing swallowed."""
    return quiet(d2l.train_2d, d2l.adam(ADAM["lr"]), STEPS_2D, F_GRAD_2D, X0_2D, compiled=compiled)


def _max_difference(trace, book_trace):
    return float(np.max(np.abs(np.array(trace) - book_trace)))


def adam_2d(backend, quick, repeats):
    """(b) 1000 Adam steps with autograd on f_2d from (-5, -2): ``train_2d`` (which keeps the trace)
    against the book's loop (two parameters, a trace of floats) and the lean loop (one parameter
    vector, split by the framework's unstack where it has one, updated in place (replaced on JAX,
    whose arrays never change), no trace). Its compiled run is timed in a process
    of its own (:func:`adam_2d_compiled`): once ``torch.compile`` has run, every Python frame of the
    process is slower (here PyTorch's eager ``train_2d`` by 8–10 %, the lean loop by 5–7 %)."""
    book, lean = native(backend).adam_2d, native(backend).adam_2d_lean
    times = medians({"d2l": _train_2d_adam, "hand": lambda: book(STEPS_2D), "lean": lambda: lean(STEPS_2D)},
                    repeats)
    book_trace = np.array(book(STEPS_2D))
    difference = max(_max_difference(_train_2d_adam(), book_trace),
                     _max_difference(lean(STEPS_2D), book_trace[-1]))
    return [row("adam_2d", f"{STEPS_2D} steps", "run", backend, times["d2l"], times["hand"], difference,
                lean=times["lean"])]


def adam_2d_compiled(backend, quick, repeats):
    """The compiled side of :func:`adam_2d`: ``{"compiled": median seconds, "max_difference": from
    the book's trace}``."""
    compiled = functools.partial(_train_2d_adam, compiled=True)
    seconds = medians({"compiled": compiled}, repeats)["compiled"]
    return {"compiled": seconds,
            "max_difference": _max_difference(compiled(), np.array(native(backend).adam_2d(STEPS_2D)))}


def with_compiled(found, compiled):
    """The row ``found`` of an eager case with its compiled side (timed apart) added."""
    return row(found["case"], found["size"], found["unit"], found["backend"], found["d2l"], found["hand"],
               max(found["max_difference"], compiled["max_difference"]), compiled["compiled"],
               lean=found["lean"])


def _sgd(params, states, hyperparams):
    """The book's minibatch SGD, as the chapter's sections write it on d2l.Variable."""
    for p in params:
        p.data = p.data - hyperparams["lr"] * p.grad


def train_ch11(backend, quick, repeats):
    """(a) One epoch of ``train_ch11`` on the airfoil data, batch 10, the book's SGD (lr 0.05),
    against the book's loop. Both record the loss of all the data every 200 examples, computed in
    one batch (the book iterates over the minibatches for it, 7 times the work of the epoch)."""
    features, labels = airfoil()
    hand_written = native(backend).train_ch11_epoch

    def ours():
        data_iter = d2l.load_array((features, labels), TRAIN_CH11["batch_size"])
        run = quiet(d2l.train_ch11, _sgd, None, {"lr": TRAIN_CH11["lr"]}, data_iter, features.shape[1], 1)
        return run[1]

    times = medians({"d2l": ours, "hand": lambda: hand_written(features, labels)}, repeats)
    difference = abs(ours()[-1] - hand_written(features, labels)[-1])  # random starts: loosely equal
    return [row("train_ch11", "airfoil, batch 10", "epoch", backend, times["d2l"], times["hand"],
                difference)]


def cnn(backend, quick, repeats):
    """(d) One epoch of the lr-scheduler section's LeNet on the digits (minibatches of 100, SGD at
    0.3, the train loss and accuracy recorded 5 times, the test accuracy at the end) against the
    book's way on each framework (PyTorch nn, Keras fit, gluon hybridised; NumPy: autograd)."""
    arrays = digits()
    hand_written = native(backend).cnn_epoch
    train_iter, test_iter = d2l.load_data_digits(CNN["batch_size"])  # loaded once, as the arrays

    def ours():
        net = d2l.LeNet()
        animator = quiet(d2l.train, net, train_iter, test_iter, 1, d2l.cross_entropy,
                         d2l.Trainer(net, CNN["lr"]))
        return animator.Y[2][-1]

    times = medians({"d2l": ours, "hand": lambda: hand_written(*arrays)}, repeats)
    difference = abs(ours() - hand_written(*arrays))  # test accuracies, random starts
    return [row("cnn", "digits, batch 100", "epoch", backend, times["d2l"], times["hand"], difference)]


def _ours_adam_vector(x0, g, compiled):
    """d2l-optim's side of :func:`native_numpy.adam_vector`: ``(step(t), result())``."""
    optimizer = d2l.adam(ADAM["lr"], ADAM["beta1"], ADAM["beta2"], ADAM["eps"])
    if compiled:
        optimizer = d2l.compile_update(optimizer)
    params, grads = (d2l.tensor(x0),), (d2l.tensor(g),)
    current = [params, optimizer.init(params)]

    def step(t):
        current[0], current[1] = optimizer.update(grads, current[1], current[0])

    return step, lambda: d2l.numpy(current[0][0])


SIDES = ("d2l", "hand", "compiled")


def adam_vector(side, backend, x0, g):
    """``(step(t), result())`` of Adam on the vector ``x0`` with fixed gradient ``g``, for ``side``."""
    if side == "hand":
        return native(backend).adam_vector(x0, g)
    return _ours_adam_vector(x0, g, compiled=side == "compiled")


def _vector_problem(size):
    rng = np.random.default_rng(0)
    return rng.normal(size=size).astype(np.float32), rng.normal(size=size).astype(np.float32)


def adam_step(backend, quick, repeats):
    """(c) One Adam update of a float32 vector of 10, 10⁵ and 10⁷ parameters (fixed gradient)."""
    sync = native(backend).sync
    rows = []
    for size, (full_steps, quick_steps) in ADAM_SIZES.items():
        steps = quick_steps if quick else full_steps
        x0, g = _vector_problem(size)
        runs = {}
        for name in SIDES:
            step, _ = adam_vector(name, backend, x0, g)
            runs[name] = _stepper(step, steps, sync)
        times = medians(runs, repeats)
        finals = []
        for name in SIDES:  # the same 10 steps from the start on every side
            step, result = adam_vector(name, backend, x0, g)
            for t in range(1, 11):
                step(t)
            finals.append(result())
        difference = max(float(np.max(np.abs(final - finals[1]))) for final in finals)
        rows.append(row("adam_step", size, "step", backend, times["d2l"] / steps, times["hand"] / steps,
                        difference, times["compiled"] / steps))
    return rows


def _stepper(step, steps, sync):
    counter = [0]

    def run():
        for _ in range(steps):
            counter[0] += 1
            step(counter[0])
        sync()

    return run


def _status_kib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def step_memory(backend, side, size):
    """Peak memory one Adam update needs beyond its inputs, in copies of the parameters.

    Measured in a process of its own: a small problem first loads and compiles what the side needs;
    then, on ``size`` parameters, after one update (which may set up buffers once: a compiled
    TensorFlow update moves the state into variables), the kernel's high-water mark of resident
    memory is reset (``/proc/self/clear_refs``) and read again after three more. TensorFlow runs
    without oneDNN here (``TF_ENABLE_ONEDNN_OPTS=0``), whose allocator keeps freed memory.
    """
    sync = native(backend).sync
    for size_now in (10, size):
        step, _ = adam_vector(side, backend, *_vector_problem(size_now))
        step(1), sync()
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
        before = _status_kib("VmRSS")
        step(2), step(3), step(4), sync()
    return (_status_kib("VmHWM") - before) * 1024 / (4 * size)


def _fresh_seconds(code, repeats):
    """Median seconds ``code`` reports (the last line it prints) over ``repeats`` fresh interpreters."""
    return statistics.median(float(run_python(["-c", code]).stdout.split()[-1]) for _ in range(repeats))


def _heavy_imports():
    """``{top-level package: milliseconds}`` that ``import d2l_optim`` spends, 5 ms or more."""
    out = run_python(["-X", "importtime", "-c", "import d2l_optim"])
    spent = {}
    for line in out.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "self [us]" not in line:
            own, _, name = line[len("import time:"):].split("|")
            root = name.strip().split(".")[0]
            spent[root] = spent.get(root, 0.0) + int(own) / 1000
    return {root: round(ms, 1) for root, ms in sorted(spent.items(), key=lambda kv: -kv[1]) if ms >= 5}


TIMED_IMPORT = "import time; start = time.process_time(); {}; print(time.process_time() - start)"


def import_time(backends, quick, repeats):
    """(e) ``import d2l_optim`` in a fresh interpreter, what it loads, and each backend's first use
    (``d2l.set_backend``) against importing its framework alone."""
    rows = [row("import", "import d2l_optim", "import", "-",
                _fresh_seconds(TIMED_IMPORT.format("import d2l_optim"), repeats), heavy=_heavy_imports())]
    for backend in backends:
        framework = BACKENDS[backend].framework
        ours = _fresh_seconds(TIMED_IMPORT.format(f"import d2l_optim; d2l_optim.set_backend({backend!r})"),
                              repeats)
        rows.append(row("import", "first use", "import", backend, ours,
                        _fresh_seconds(TIMED_IMPORT.format(f"import {framework}"), repeats)))
    return rows


def course_build(backends, quick, repeats):
    """(f) ``d2l-optim build --jobs 2`` of the chapter into a new folder (cold), then again with
    nothing changed (warm), in wall-clock seconds. ``quick`` builds one section."""
    command = ["-m", "d2l_optim", "build", "--jobs", "2", "--no-progress", "--backends", *backends]
    command += ["--sections", "gd"] if quick else []
    label = "gd section" if quick else "chapter"
    with tempfile.TemporaryDirectory() as folder:
        out = ["--out", os.path.join(folder, "site")]

        def build():
            start = time.perf_counter()
            run_python(command + out)
            return time.perf_counter() - start

        cold = build()
        warm = statistics.median(build() for _ in range(repeats))
    everything = "+".join(backends)
    return [row("build", f"{label}, cold", "build", everything, cold),
            row("build", f"{label}, warm", "build", everything, warm)]


#: cases that run per backend in a process of their own; then those that start processes themselves
CASES = {"train_ch11": train_ch11, "adam_2d": adam_2d, "adam_step": adam_step, "cnn": cnn}
#: eager case -> the child case that times its compiled side in a process of its own
COMPILED_APART = {"adam_2d": "adam_2d_compiled"}
#: cases that only run as a child of another
CHILD_CASES = {"adam_2d_compiled": adam_2d_compiled}
PROCESS_CASES = {"import": import_time, "build": course_build}
