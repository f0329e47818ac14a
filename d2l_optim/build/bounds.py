"""A run's bounds: how much a section may print, display and save, and its life, tied to the build.

A section is untrusted code: whatever it prints or draws, the build's memory and the published site
stay bounded. Inside the kernel, :func:`limit_kernel_output` (run at kernel start) keeps at most
:data:`CELL_TEXT` characters of what each cell prints (stdout and stderr together) and
:data:`RUN_TEXT` in the whole run, and ends a cell that printed more with a visible line
"… 4.8 MB not shown"; a display (an image, HTML, a cell's value) larger than :data:`OUTPUT_BYTES` is
replaced by such a line. The runner enforces the rest and fails the run, saying which limit, when a
section goes past them: :data:`RUN_OUTPUT_BYTES` of output received in all, :data:`FIGURES` figures,
:data:`FIGURE_BYTES` per figure file, :data:`FIGURE_DATA_BYTES` of figure data, :data:`RUN_FILES_BYTES`
of files in its folder.

A process the build starts (a runner, an explorer computation, Sphinx) calls
:func:`end_with_the_build`: its stdin is a pipe that only the build holds open, so when the build
dies, even by SIGKILL, the process sees the pipe close and ends itself (and its kernel) at once.
``python -m d2l_optim.build.bounds MODULE ARGS...`` runs a module as ``python -m`` does, that way.
"""
import os
import runpy
import shutil
import signal
import stat
import sys
import threading

CELL_TEXT = 100_000
RUN_TEXT = 500_000
OUTPUT_BYTES = 4_000_000
RUN_OUTPUT_BYTES = 64_000_000
FIGURES = 100
FIGURE_BYTES = 4_000_000
FIGURE_DATA_BYTES = 32_000_000
RUN_FILES_BYTES = 256_000_000


def size(count):
    """A count of bytes (or characters) for a reader: ``"4.8 MB"``, ``"120 kB"``, ``"15 bytes"``."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{count} bytes"


def not_shown(count, limit):
    """The line that stands for ``count`` characters or bytes of output left out."""
    return f"… {size(count)} not shown (d2l-optim build shows at most {size(limit)} here)"


def content_size(value):
    """About the size of a message's content or a display's data: the characters of its strings, at
    any depth."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (dict, list)):
        return sum(map(content_size, value.values() if isinstance(value, dict) else value))
    return 8


def limit_kernel_output(cell_text=CELL_TEXT, run_text=RUN_TEXT, output_bytes=OUTPUT_BYTES):
    """In an IPython kernel: cap what each cell prints and displays (see the module doc)."""
    from IPython import get_ipython

    shell = get_ipython()
    printed = {"cell": 0, "run": 0, "cut": 0}
    plain = {}

    def capped(write):
        def write_at_most(text):
            room = max(0, min(cell_text - printed["cell"], run_text - printed["run"]))
            kept = text[:room]
            printed["cell"] += len(kept)
            printed["run"] += len(kept)
            printed["cut"] += len(text) - len(kept)
            if kept:
                write(kept)
            return len(text)
        return write_at_most

    def new_cell(*args):  # IPython sets each cell's stream writers anew: wrap them every time
        printed.update(cell=0, cut=0)
        for stream in (sys.stdout, sys.stderr):
            plain[stream] = stream.write
            stream.write = capped(stream.write)

    def end_cell(*args):
        if printed["cut"]:
            limit = cell_text if printed["run"] < run_text else run_text
            plain[sys.stdout]("\n" + not_shown(printed["cut"], limit) + "\n")

    shell.events.register("pre_run_cell", new_cell)
    shell.events.register("post_run_cell", end_cell)

    def small(data):
        count = content_size(data or {})
        return data if count <= output_bytes else {"text/plain": not_shown(count, output_bytes)}

    publish, write_value = shell.display_pub.publish, shell.displayhook.write_format_data
    shell.display_pub.publish = lambda data, *args, **kwargs: publish(small(data), *args, **kwargs)
    shell.displayhook.write_format_data = lambda data, *args: write_value(small(data), *args)


def cap_streams(outputs, limit=CELL_TEXT):
    """A cell's outputs (nbformat) with at most ``limit`` characters of stream text in all, and the
    line saying how much was left out: what the kernel's cap keeps, should a section get round it."""
    kept, shown, cut = [], 0, 0
    for output in outputs:
        if output.get("output_type") != "stream":
            kept.append(output)
            continue
        text = output["text"]
        room = max(0, limit + 200 - shown)  # the kernel's own note may take it a little past
        shown += min(len(text), room)
        cut += max(0, len(text) - room)
        if text[:room]:
            kept.append({**output, "text": text[:room]})
    if cut:
        kept.append({"output_type": "stream", "name": "stdout", "text": "\n" + not_shown(cut, limit) + "\n"})
    return kept


def end_with_the_build(before_exit=None):
    """If stdin is a pipe (the build's), end this process once it closes, calling ``before_exit``."""
    if not stat.S_ISFIFO(os.fstat(0).st_mode):
        return

    def watch():
        while os.read(0, 4096):
            pass
        if before_exit is not None:
            before_exit()
        os._exit(1)

    threading.Thread(target=watch, name="end-with-the-build", daemon=True).start()


def run_to_the_end_or_stop(work, stop):
    """Call ``work()`` in a thread of its own (so that nbclient, say, installs no signal handlers of
    its own) and return or raise what it does; meanwhile this, the main thread, calls ``stop()`` and
    ends the process on SIGTERM or SIGINT (status 128 + the signal) or once the build is gone (1)."""
    def end(signum, frame):
        stop()
        os._exit(128 + signum)

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, end)
    end_with_the_build(stop)
    failure = []

    def guarded():
        try:
            work()
        except BaseException as error:  # raised again in the main thread
            failure.append(error)

    worker = threading.Thread(target=guarded, name="work")
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


def over_file_limits(out_dir, figures):
    """Why a run's figures (``figures``: their names) and files in ``out_dir`` are past their
    limits, or None; past them, they are removed, all but the notebook and the comparison rules."""
    sizes = {os.path.relpath(os.path.join(root, name), out_dir): os.path.getsize(os.path.join(root, name))
             for root, _, names in os.walk(out_dir) for name in names}
    problems = [f"{name} is {size(count)}, over the limit of {size(FIGURE_BYTES)} for a figure: draw fewer "
                "points" for name, count in sizes.items()  # the figures (not their copies for slides)
                if name.endswith((".svg", ".png")) and os.sep not in name and count > FIGURE_BYTES]
    if sizes.get("figure-data.json", 0) > FIGURE_DATA_BYTES:
        problems.append(f"the figures plot {size(sizes['figure-data.json'])} of data, over the limit of "
                        f"{size(FIGURE_DATA_BYTES)}: draw fewer points")
    if len(set(figures)) > FIGURES:
        problems.append(f"the section saved {len(set(figures))} figures, over the limit of {FIGURES}")
    if sum(sizes.values()) > RUN_FILES_BYTES:
        problems.append(f"the section wrote {size(sum(sizes.values()))} of files into its run folder, over "
                        f"the limit of {size(RUN_FILES_BYTES)}")
    if not problems:
        return None
    for name in os.listdir(out_dir):
        path = os.path.join(out_dir, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        elif name not in ("notebook.ipynb", "compare.json"):
            os.unlink(path)
    return "d2l-optim build's limits: " + "; ".join(problems) + " (the run's figures and files were not kept)"


if __name__ == "__main__":
    end_with_the_build()
    sys.argv = sys.argv[1:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
