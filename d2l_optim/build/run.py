"""Running the jobs: one process per (section, backend), or per backend for the optimizer explorer,
a few at a time, stoppable.

Each runner (``d2l_optim.build.runner``) starts in its own process group with its Jupyter kernel;
the explorer's computation (``d2l_optim.build.explorer``) too, its run limited to one cell's time.
:class:`Runners` starts them and, when the build is asked to stop, refuses to start any more and
ends the running ones (SIGTERM to the group: the runner kills its kernel's group, then SIGKILL to
whatever is left); a build killed outright (SIGKILL) closes the pipe on each runner's stdin, and
the runner ends itself and its kernel. :func:`stop_on_signals` turns SIGINT and SIGTERM into
:class:`BuildStopped`.
"""
import concurrent.futures
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

from d2l_optim import _registry
from d2l_optim.build import records
from d2l_optim.build.errors import BuildStopped
from d2l_optim.build.explorer import PATHS
from d2l_optim.build.records import RunRecord
from d2l_optim.build.runner import clean_error

#: seconds a runner gets to end its kernel after SIGTERM before its group is killed
GRACE_SECONDS = 10


@contextlib.contextmanager
def stop_on_signals():
    """Within the block, the first SIGINT or SIGTERM raises :class:`BuildStopped` in the main thread;
    later ones are ignored while the build cleans up. Outside the main thread, nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []

    def handler(signum, frame):
        if not received:
            received.append(signum)
            raise BuildStopped(signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


class Runners:
    """The processes of one build (runners, explorer computations): started only until :meth:`stop`
    is called, each tied to the build by a pipe on its stdin that only the build holds open (see
    :func:`~d2l_optim.build.bounds.end_with_the_build`)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._running = set()
        self.stopped = False

    def run(self, command, environment, timeout=None, keep_stdout=False):
        """Run ``command`` to its end, at most ``timeout`` seconds; return (exit status, stdout, the
        end of stderr) or None once stopped. stdout is kept only with ``keep_stdout`` (else dropped,
        as is all but the last :data:`STDERR_KEPT` bytes of stderr: a section cannot fill memory)."""
        with self._lock:
            if self.stopped:
                return None
            # outside any checkout, so that `-m` imports the installed package
            process = subprocess.Popen(command, env=environment, stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE if keep_stdout else subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, start_new_session=True,
                                       cwd=tempfile.gettempdir())
            self._running.add(process)
        stdout, stderr = [], []
        readers = [threading.Thread(target=_keep_end, args=(process.stderr, STDERR_KEPT, stderr))]
        if keep_stdout:
            readers.append(threading.Thread(target=_keep_end, args=(process.stdout, None, stdout)))
        for reader in readers:
            reader.start()
        try:
            process.wait(timeout)
        except BaseException:  # TimeoutExpired, or the build stopped (a signal in this thread)
            _signal_group(process, signal.SIGKILL)
            process.wait()
            raise
        finally:
            for reader in readers:
                reader.join()
            process.stdin.close()  # the runner's signal that the build is gone: only now
            with self._lock:
                self._running.discard(process)
        if self.stopped:
            return None
        return (process.returncode, b"".join(stdout).decode("utf-8", "replace"),
                b"".join(stderr).decode("utf-8", "replace"))

    def stop(self):
        """Start nothing more; end every running process (a runner with its kernel), and wait for them."""
        with self._lock:
            self.stopped = True
            running = list(self._running)
        for process in running:
            _signal_group(process, signal.SIGTERM)
            _signal_group(process, signal.SIGCONT)  # a stopped process (Ctrl-Z, a debugger) acts on it now
        for process in running:
            try:
                process.wait(GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                pass
            _signal_group(process, signal.SIGKILL)  # the runner's leftovers, if any
            process.wait()


#: how much of the end of a runner's stderr is kept for its error message
STDERR_KEPT = 64_000


def _keep_end(stream, limit, chunks):
    """Read ``stream`` to its end into ``chunks``, keeping only its last ``limit`` bytes (None: all)."""
    kept = 0
    for chunk in iter(lambda: stream.read(1 << 16), b""):
        chunks.append(chunk)
        kept += len(chunk)
        while limit is not None and kept - len(chunks[0]) >= limit:
            kept -= len(chunks.pop(0))
    stream.close()


def _signal_group(process, signum):
    try:
        os.killpg(process.pid, signum)
    except OSError:  # already gone
        pass


def job_environment(jobs):
    """Thread counts shared out between parallel jobs (and fixed, which keeps numerics stable), as
    each backend's ``facts.run_environment`` sets them."""
    threads = max(1, (os.cpu_count() or 1) // max(1, jobs))
    environment = dict(os.environ, MPLBACKEND="module://matplotlib_inline.backend_inline",
                       PYTHONHASHSEED="0", PYTHONIOENCODING="utf-8")
    for name in _registry.BACKENDS:
        environment.update(_registry.facts(name).run_environment(threads))
    return environment


def run_job(runners, job, source_file, out_dir, environment, cell_timeout):
    """Run one job, a (section, backend) or (``EXPLORER``, backend), in a process of its own; return
    its :class:`~d2l_optim.build.records.RunRecord` (None once stopped)."""
    section, backend = job
    if section == records.EXPLORER:
        return _explorer_job(runners, backend, out_dir, environment, cell_timeout)
    command = [sys.executable, "-m", "d2l_optim.build.runner", source_file, backend, out_dir,
               str(cell_timeout)]  # "None": no limit
    finished = runners.run(command, environment)
    if finished is None:
        return None
    returncode, _, stderr = finished
    path = os.path.join(out_dir, records.RUN)
    try:
        written = records.read_json(path)
        record = None if written is None else RunRecord.from_json(written, path)
    except ValueError:
        record = None
    if returncode != 0 or record is None:
        return RunRecord.failed(clean_error(stderr) or f"the runner exited with status {returncode}")
    return record


def _explorer_job(runners, backend, out_dir, environment, timeout):
    """The explorer's paths on ``backend``: one computation, stopped after ``timeout`` seconds."""
    os.makedirs(out_dir, exist_ok=True)
    start = time.perf_counter()
    command = [sys.executable, "-m", "d2l_optim.build.explorer", backend, out_dir]
    try:
        finished = runners.run(command, environment, timeout)
    except subprocess.TimeoutExpired:
        return RunRecord.failed(f"the explorer's computation ran longer than {timeout:g} s (--cell-timeout) "
                                "and was stopped", seconds=round(time.perf_counter() - start, 2))
    if finished is None:
        return None
    returncode, _, stderr = finished
    seconds = round(time.perf_counter() - start, 2)
    if returncode != 0 or not os.path.isfile(os.path.join(out_dir, PATHS)):
        return RunRecord.failed(clean_error(stderr) or f"the explorer's computation exited with status "
                                                       f"{returncode}", seconds=seconds)
    return RunRecord("ok", seconds=seconds)


def execute(jobs_to_run, jobs, cell_timeout, on_done=None):
    """Run ``{job: (source_file, out_dir)}`` (see :func:`run_job`), ``jobs`` at a time, in that order;
    return their records.

    On any exception (a signal's :class:`BuildStopped` included) no queued job starts and the
    running ones are ended before it propagates.
    """
    environment = job_environment(jobs)
    runners, done = Runners(), {}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        futures = {pool.submit(run_job, runners, job, source, out, environment, cell_timeout): job
                   for job, (source, out) in jobs_to_run.items()}
        for future in concurrent.futures.as_completed(futures):
            done[futures[future]] = future.result()
            if on_done is not None:
                on_done(futures[future], done[futures[future]])
    except BaseException:
        runners.stop()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return done
