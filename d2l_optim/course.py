"""``d2l-optim build``: every section on every backend, published as a static web site.

Each (section, backend) runs as a notebook in its own process (``d2l_optim._runner``), up to
``jobs`` at a time, so one framework's crash or import cost never touches another. The site holds
per section and backend the figures (SVG, PNG), the printed output, the executed notebook, and a
manifest ``outputs.json``; ``consistency.json`` says for each printed number whether all backends
agree. Pages are written in MyST and built by Sphinx (sphinx-design tabs, one per framework, synced
across the page and remembered across pages; MathJax served locally, so the site reads offline).

A run is cached under a key of the section's source, the package's own code and version, the
backend and its framework's version: a rebuild with nothing changed runs nothing. The site is
assembled in a temporary folder and swapped in at the end, so an interrupted or failed build leaves
the previous site intact.
"""
import concurrent.futures
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

import d2l_optim
from d2l_optim import _config
from d2l_optim._registry import BACKENDS, LABELS
from d2l_optim.plotting import flatten_figure_data

#: printed lines whose numbers are measurements, not results: they may differ between backends
NONDETERMINISTIC = re.compile(r"sec/epoch|examples/sec|seconds|Gigaflops")
NUMBER = re.compile(r"-?\d+\.?\d*(?:e[-+]?\d+)?")
FIGURE_RTOL = 1e-5


class BuildError(Exception):
    """The build could not publish: the previous site is left as it was."""


def sections_folder():
    from d2l_optim import examples

    return examples.__path__[0]


def default_sections(source_dir):
    """Section names in ``source_dir``: the book's order for the shipped ones, else sorted."""
    from d2l_optim import examples

    names = sorted(f[:-3] for f in os.listdir(source_dir)
                   if f.endswith(".py") and not f.startswith("_"))
    order = {name: i for i, name in enumerate(examples.SECTIONS)}
    return sorted(names, key=lambda name: (order.get(name, len(order)), name))


def _digest(*parts):
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()[:20]


def code_fingerprint():
    """A digest of the package's version and every source file of d2l_optim and its backends."""
    folders = [os.path.dirname(d2l_optim.__file__),
               importlib.util.find_spec("d2l_optim.backends").submodule_search_locations[0]]
    contents = []
    for folder in folders:
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py"):
                with open(os.path.join(folder, name), "rb") as file:
                    contents.append(name.encode() + file.read())
    return _digest(d2l_optim.__version__, *contents)


def framework_version(backend):
    """``distribution==version`` of the first installed distribution that provides the framework."""
    for distribution in BACKENDS[backend].distributions:
        try:
            return f"{distribution}=={importlib.metadata.version(distribution)}"
        except importlib.metadata.PackageNotFoundError:
            continue
    return "unknown"


def run_key(source_file, backend, fingerprint):
    with open(source_file, "rb") as file:
        source = file.read()
    return _digest(source, backend, framework_version(backend), fingerprint)


def _job_environment(jobs):
    """Thread counts shared out between parallel jobs (and fixed, which keeps numerics stable)."""
    threads = str(max(1, (os.cpu_count() or 1) // max(1, jobs)))
    return dict(os.environ, OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads,
                TF_NUM_INTRAOP_THREADS=threads, TF_NUM_INTEROP_THREADS="1",
                TF_CPP_MIN_LOG_LEVEL="2", MPLBACKEND="module://matplotlib_inline.backend_inline",
                PYTHONHASHSEED="0")


def run_job(source_file, backend, out_dir, environment):
    """Run one (section, backend) in a fresh process; return its run record."""
    shutil.rmtree(out_dir, ignore_errors=True)
    process = subprocess.run([sys.executable, "-m", "d2l_optim._runner", source_file, backend, out_dir],
                             capture_output=True, text=True, env=environment)
    record = _read_json(os.path.join(out_dir, "run.json"))
    if process.returncode != 0 or record is None:
        return {"status": "failed", "error": (process.stderr or "the runner exited early")[-3000:],
                "seconds": 0.0, "cells": [], "stdout": ""}
    return record


def _progress(total, enabled):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="d2l-optim build", unit="run", file=sys.stderr)


def execute(jobs_to_run, jobs, progress):
    """Run ``{(section, backend): (source_file, out_dir)}`` in parallel; return their records."""
    environment = _job_environment(jobs)
    records = {}
    bar = _progress(len(jobs_to_run), progress)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(run_job, source, backend, out, environment): (section, backend)
                   for (section, backend), (source, out) in jobs_to_run.items()}
        for future in concurrent.futures.as_completed(futures):
            section, backend = futures[future]
            records[section, backend] = future.result()
            if bar is not None:
                bar.set_postfix_str(f"{section}/{backend} {records[section, backend]['status']}")
                bar.update()
    if bar is not None:
        bar.close()
    return records


def consistency(records, sections, backends, runs_dir):
    """For each section, compare every printed number and every figure across the backends."""
    report = {}
    for section in sections:
        done = [b for b in backends if records[section, b]["status"] == "ok"]
        outputs = {b: records[section, b]["stdout"].splitlines() for b in done}
        lines = []
        for i in range(max((len(v) for v in outputs.values()), default=0)):
            texts = {b: (outputs[b][i] if i < len(outputs[b]) else "") for b in done}
            deterministic = not any(NONDETERMINISTIC.search(t) for t in texts.values())
            agree = len({tuple(NUMBER.findall(t)) if deterministic else len(NUMBER.findall(t))
                         for t in texts.values()}) <= 1
            lines.append({"line": i + 1, "deterministic": deterministic, "agree": agree,
                          "values": texts})
        report[section] = {"lines": lines, "figures": _figure_agreement(section, done, runs_dir)}
    return report


def _figure_agreement(section, backends, runs_dir):
    """Per figure, the largest difference from the first backend, relative to the data's scale."""
    data = {}
    for backend in backends:
        path = os.path.join(runs_dir, section, backend, "figure-data.json")
        if os.path.exists(path):
            with open(path) as file:
                data[backend] = json.load(file)
    if len(data) < 2:
        return {}
    reference_backend, *others = list(data)
    result = {}
    for name, reference in data[reference_backend].items():
        reference = flatten_figure_data(reference)
        scale = max(1.0, float(np.nanmax(np.abs(reference)))) if reference.size else 1.0
        worst = 0.0
        for backend in others:
            drawn = flatten_figure_data(data[backend].get(name, []))
            if drawn.shape != reference.shape:
                worst = float("inf")
                continue
            difference = np.abs(drawn - reference)
            worst = max(worst, float(np.nanmax(difference, initial=0.0)) / scale)
        result[name] = {"max_relative_difference": worst, "agree": worst <= FIGURE_RTOL}
    return result


def disagreements(report):
    """Human-readable lines for every deterministic number or figure that differs."""
    found = []
    for section, checks in report.items():
        for line in checks["lines"]:
            if line["deterministic"] and not line["agree"]:
                found.append(f"{section}, printed line {line['line']}: " + "; ".join(
                    f"{LABELS[b]} {v!r}" for b, v in line["values"].items()))
        for name, figure in checks["figures"].items():
            if not figure["agree"]:
                found.append(f"{section}, figure {name}: backends differ by "
                             f"{figure['max_relative_difference']:.2e} (relative)")
    return found


def build(out="site", backends=None, sections=None, jobs=2, source_dir=None, progress=True,
          force=False, log=print):
    """Build the course into ``out``; return the list of failed (section, backend) pairs.

    Raises :class:`BuildError` (leaving ``out`` untouched) when a deterministic number differs
    between backends or the site generator fails.
    """
    from d2l_optim import site

    source_dir = os.path.abspath(source_dir or sections_folder())
    available = default_sections(source_dir)
    sections = list(sections or available)
    unknown = [s for s in sections if s not in available]
    if unknown:
        raise ValueError(f"unknown section(s) {unknown}; the sections are: {', '.join(available)}")
    backends = [_config.canonical_name(b) for b in (backends or _config.available_backends())]
    for backend in backends:
        if not _config.is_installed(backend):
            raise ImportError(f"backend {backend!r} is not installed: {_config.install_hint(backend)}")

    out = os.path.abspath(out)
    fingerprint = code_fingerprint()
    keys = {(s, b): run_key(os.path.join(source_dir, f"{s}.py"), b, fingerprint)
            for s in sections for b in backends}
    site_key = _digest(fingerprint, site.__file__, *sorted(f"{s}/{b}/{k}" for (s, b), k in keys.items()))
    previous = _read_json(os.path.join(out, "outputs.json")) or {}
    previous_failed = any(entry["status"] != "ok" for runs in previous.get("sections", {}).values()
                          for entry in runs.values())
    if not force and not previous_failed and previous.get("build", {}).get("key") == site_key:
        log(f"{out} is up to date: nothing to run")
        return []

    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".d2l-optim-build-", dir=parent)
    try:
        runs_dir = os.path.join(staging, "runs")
        records, to_run = {}, {}
        for (section, backend), key in keys.items():
            old_dir = os.path.join(out, "runs", section, backend)
            new_dir = os.path.join(runs_dir, section, backend)
            old = _read_json(os.path.join(old_dir, "run.json"))
            if not force and old and old.get("status") == "ok" and old.get("key") == key:
                shutil.copytree(old_dir, new_dir)
                records[section, backend] = old
            else:
                to_run[section, backend] = (os.path.join(source_dir, f"{section}.py"), new_dir)
        log(f"{len(to_run)} of {len(keys)} runs to do ({len(keys) - len(to_run)} cached), "
            f"{jobs} at a time")
        for job, record in execute(to_run, jobs, progress).items():
            record["key"] = keys[job]
            os.makedirs(to_run[job][1], exist_ok=True)
            _write_json(os.path.join(to_run[job][1], "run.json"), record)
            records[job] = record

        report = consistency(records, sections, backends, runs_dir)
        _write_json(os.path.join(staging, "consistency.json"), report)
        differences = disagreements(report)
        if differences:
            raise BuildError("backends disagree on deterministic results:\n  " + "\n  ".join(differences))
        manifest = {
            "build": {"key": site_key, "package": d2l_optim.__version__,
                      "frameworks": {b: framework_version(b) for b in backends}},
            "sections": {s: {b: _manifest_entry(records[s, b], s, b) for b in backends}
                         for s in sections},
        }
        _write_json(os.path.join(staging, "outputs.json"), manifest)
        site.write_site(staging, source_dir, sections, backends, records, report)
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    failed = [(s, b) for (s, b), r in records.items() if r["status"] != "ok"]
    for section, backend in failed:
        log(f"FAILED {section} on {backend}:\n{records[section, backend]['error']}")
    log(f"published {out} ({len(sections)} sections x {len(backends)} backends, "
        f"{len(failed)} failed)")
    return failed


def _manifest_entry(record, section, backend):
    figures = [name for cell in record.get("cells", []) for name in cell["figures"]]
    return {"status": record["status"], "error": record.get("error"),
            "seconds": record.get("seconds"), "lines": record["stdout"].splitlines(),
            "figures": [f"figures/{section}/{backend}/{name}.{ext}" for name in figures
                        for ext in ("svg", "png")],
            "notebook": f"notebooks/{backend}/{section}.ipynb"}


def _swap(staging, out):
    """Replace ``out`` by ``staging`` with two renames; the old site is removed only after."""
    retired = None
    if os.path.exists(out):
        retired = tempfile.mkdtemp(prefix=".d2l-optim-old-", dir=os.path.dirname(out))
        os.rmdir(retired)
        os.replace(out, retired)
    os.replace(staging, out)
    if retired:
        shutil.rmtree(retired, ignore_errors=True)


def _read_json(path):
    try:
        with open(path) as file:
            return json.load(file)
    except (OSError, ValueError):
        return None


def _write_json(path, value):
    with open(path, "w") as file:
        json.dump(value, file, indent=1)
