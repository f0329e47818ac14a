"""``d2l-optim build``: every section on every backend, published as a static web site.

Each (section, backend) runs as a notebook in its own process (:mod:`~d2l_optim.build.run`), up to
``jobs`` at a time, so one framework's crash, hang or import cost never touches another: a failed
run is reported with its error and the rest is published. The site holds the pages, each figure
once (SVG), each backend's notebook of each section, the printed output, and a manifest
``outputs.json``; ``consistency.json`` says for each printed line and figure whether the backends
agree under the section's declared tolerances (:mod:`~d2l_optim.compare`). Pages are MyST
built by Sphinx (:mod:`~d2l_optim.build.site`).

Runs are cached (keys: :mod:`~d2l_optim.build.plan`) in the cache folder beside the site
(:func:`~d2l_optim.build.plan.cache_folder`), not published; every cached or published file carries
its hash and is checked, so a changed or missing file is made again. The site and the cache are
assembled in a staging folder beside the output folder and swapped in at the end: an interrupted,
stopped or failed build leaves the previous site and cache as they were.
"""
import errno
import os
import shutil
import signal
import sys
import tempfile
import threading

import d2l_optim
from d2l_optim import compare
from d2l_optim._registry import BACKENDS, LABELS
from d2l_optim.build import plan, run, site
from d2l_optim.build.plan import BuildError, UsageError
from d2l_optim.build.published import Published
from d2l_optim.build.run import BuildStopped
from d2l_optim.plotting import flatten_figure_data

__all__ = ["build", "BuildError", "BuildStopped", "UsageError"]


def build(out="site", backends=None, sections=None, jobs=2, source_dir=None, progress=True,
          force=False, cell_timeout=plan.DEFAULT_CELL_TIMEOUT, wait=True, log=print):
    """Build the course into ``out``; return the list of failed (section, backend) pairs.

    Raises :class:`UsageError` (nothing touched) for an output folder the build may not use, no
    sections, a reserved, unknown or not plain section name, a wrong ``jobs`` or ``cell_timeout``
    (whole seconds >= 1, or None: no limit), or with ``wait=False`` when another build holds ``out``;
    :class:`BuildError` (``out`` left as it was) when a number or figure differs between backends
    beyond the section's tolerance, a run fails that the published site shows working, the site
    cannot be written or the site generator fails; :class:`BuildStopped` on SIGINT or SIGTERM
    (running runs ended, nothing published); ImportError without the course extra.
    """
    plan.require_course_extra()
    source_dir = os.path.realpath(source_dir or plan.sections_folder())
    sections = plan.select_sections(source_dir, sections)
    backends = plan.select_backends(backends)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise UsageError(f"--jobs must be a whole number >= 1, got {jobs!r}")
    if cell_timeout is not None:
        try:
            cell_timeout = plan.cell_timeout(cell_timeout)
        except ValueError as error:
            raise UsageError(str(error)) from None
    out = plan.check_output_folder(out, source_dir)
    try:
        with run.stop_on_signals(), plan.output_lock(out, wait, log):
            out = plan.check_output_folder(out, source_dir)  # as the build we waited for left it
            plan.remove_dead_builds_folders(out, log)
            return _build(out, source_dir, sections, backends, jobs, progress, force, cell_timeout, log)
    except OSError as error:  # a full disk, a file-size limit (ulimit -f), a folder made read-only
        raise BuildError(f"could not write {error.filename2 or error.filename or 'the site'}: "
                         f"{error.strerror or error}{WRITE_HINTS.get(error.errno, '')}") from None


def _build(out, source_dir, sections, backends, jobs, progress, force, cell_timeout, log):
    keys = plan.run_keys(source_dir, sections, backends)
    site_key = plan.digest(plan.site_code_fingerprint(), *sections, "|", *backends,
                           *(keys[job] for job in sorted(keys)))
    if not force and _up_to_date(out, site_key, log):
        log(f"{out} is up to date: nothing to run")
        return []
    source_errors = {}
    for section in sections:
        try:
            plan.read_source(os.path.join(source_dir, f"{section}.py"))
        except ValueError as error:
            source_errors[section] = str(error)

    cache = plan.cache_folder(out)
    staging = tempfile.mkdtemp(prefix=plan.staging_prefix(out), dir=os.path.dirname(out))
    try:
        site_dir, cache_dir = os.path.join(staging, "site"), os.path.join(staging, "cache")
        os.makedirs(site_dir)  # with the umask's permissions
        runs_dir = os.path.join(cache_dir, "runs")
        os.makedirs(runs_dir)
        records, to_run, cached = {}, {}, set()
        for (section, backend), key in keys.items():
            new_dir = os.path.join(runs_dir, section, backend)
            if section in source_errors:
                records[section, backend] = run.failed_record(source_errors[section])
                continue
            record = None if force else _cached_run(cache, section, backend, key, log)
            if record is not None:
                _copy_run(os.path.join(cache, "runs", section, backend), new_dir)
                records[section, backend], cached = record, cached | {(section, backend)}
            else:
                to_run[section, backend] = (os.path.join(source_dir, f"{section}.py"), new_dir)
        _keep_other_runs(cache, runs_dir, plan.default_sections(source_dir), keys)
        log(f"{len(to_run)} of {len(keys)} runs to do ({len(cached)} cached), {jobs} at a time")
        with _progress(len(to_run), progress) as on_done:
            ran = run.execute(to_run, jobs, cell_timeout, on_done)
        for job, record in ran.items():
            os.makedirs(to_run[job][1], exist_ok=True)
            record.update(key=keys[job], files=plan.hash_files(to_run[job][1], skip={"run.json"}))
            plan.write_sealed_json(os.path.join(to_run[job][1], "run.json"), record)
            records[job] = record
        published = Published(source_dir, out)
        shown = {job: published.record(record) for job, record in records.items()}
        _keep_working_lessons(out, shown)
        added = _files_added_to(out)
        _publish(site_dir, cache_dir, site_key, source_dir, sections, backends, shown, source_errors,
                 published, cached, os.path.join(staging, "pages"))
        _carry_over(added, out, site_dir, log)
        _swap({site_dir: out, cache_dir: cache})
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    failed = [job for job in keys if shown[job]["status"] != "ok"]
    for section, backend in failed:
        log(f"FAILED {section} on {backend}:\n{shown[section, backend]['error']}")
    log(f"published {out} ({len(sections)} sections x {len(backends)} backends, {len(failed)} failed; "
        f"the runs behind it are kept in {cache})")
    return failed


#: what to do about a failed write, by errno
WRITE_HINTS = {errno.ENOSPC: " (the disk is full: free some space)",
               errno.EDQUOT: " (the disk quota is used up)",
               errno.EFBIG: " (a file-size limit stops it: see ulimit -f)"}


def _publish(site_dir, cache_dir, site_key, source_dir, sections, backends, records, source_errors,
             published, cached, work):
    runs_dir = os.path.join(cache_dir, "runs")
    plan.write_json(os.path.join(cache_dir, plan.CACHE_MARKER), {
        "made by": "d2l-optim build: the runs behind the site beside this folder; replaced by the "
                   "next build, safe to delete (everything is run again)"})
    try:
        report = consistency(records, sections, backends, runs_dir)
    except ValueError as error:  # an unreadable figure-data.json, named in the message
        raise BuildError(str(error)) from None
    plan.write_json(os.path.join(site_dir, "consistency.json"), report)
    differences = disagreements(report)
    if differences:
        raise BuildError("backends disagree beyond their declared tolerance:\n  " + "\n  ".join(differences)
                         + _cache_advice(cached, differences, backends))
    outputs = site.Outputs(runs_dir, sections, backends, records, report, published)
    plan.write_json(os.path.join(site_dir, "outputs.json"), {
        "build": {"key": site_key, "package": d2l_optim.__version__,
                  "frameworks": {b: plan.framework_version(b) for b in backends}},
        "sections": {s: {b: _manifest_entry(records[s, b], s, b, outputs) for b in backends}
                     for s in sections},
    })
    site.write_site(site_dir, work, source_dir, outputs, source_errors)
    plan.write_json(os.path.join(site_dir, plan.MARKER), {
        "made by": "d2l-optim build: this folder is replaced by the next build into it; files you "
                   "add to it are kept (the files listed here are the build's)",
        "key": site_key, "complete": all(r["status"] == "ok" for r in records.values()),
        "files": plan.hash_files(site_dir, skip={plan.MARKER}), "cache": plan.hash_files(cache_dir)})


def _cache_advice(cached, differences, backends):
    """The line that says which runs behind ``differences`` came from the cache, and what to do."""
    from_cache = {}
    for section, backend in sorted(cached, key=lambda job: (job[0], backends.index(job[1]))):
        if any(line.startswith(f"{section}, ") for line in differences):
            from_cache.setdefault(section, []).append(LABELS[backend])
    if not from_cache:
        return ""
    runs = "; ".join(f"{section} ({', '.join(labels)})" for section, labels in from_cache.items())
    return (f"\nThe runs of {runs} come from the cache, made by an earlier build: if you did not expect "
            "this difference, build again with --force, which runs everything anew")


def _copy_run(source, target):
    """Copy a run's folder, with hard links where the file system allows (its files never change)."""
    def link(source_file, target_file):
        try:
            os.link(source_file, target_file)
        except OSError:
            shutil.copy2(source_file, target_file)

    shutil.copytree(source, target, copy_function=link)


def _keep_other_runs(cache, runs_dir, sections, keys):
    """Keep in the new cache the runs of the sections and backends this build does not run (a build
    of some sections or backends leaves the others' runs for the next build)."""
    for section in sections:
        for backend in BACKENDS:
            folder = os.path.join(cache, "runs", section, backend)
            if (section, backend) not in keys and os.path.isdir(folder):
                _copy_run(folder, os.path.join(runs_dir, section, backend))


def _keep_working_lessons(out, records):
    """Raise BuildError (nothing is published) if a run failed that the published site shows working:
    a reader never loses a working lesson to a broken build."""
    try:
        manifest = plan.read_json(os.path.join(out, "outputs.json"))
        published = manifest["sections"]
    except (ValueError, TypeError, KeyError):  # no site yet, or not one this build can read
        return
    lost = [(s, b) for (s, b), record in records.items() if record["status"] != "ok"
            and isinstance(published.get(s), dict) and published[s].get(b, {}).get("status") == "ok"]
    if lost:
        raise BuildError(
            "these runs failed, and the published site shows them working, so it was left as it was:\n  "
            + "\n  ".join(f"{s} on {LABELS[b]}: {_last_line(records[s, b]['error'])}" for s, b in lost)
            + "\nFix them (the messages above say how they failed) and build again; to drop a section or "
              "a backend from the site, build without it (--sections, --backends)")


def _last_line(text):
    lines = (text or "").strip().splitlines()
    return lines[-1] if lines else "(no message)"


def _files_added_to(out):
    """The files (and empty folders) a user added to the published site ``out``, relative to it: those
    its marker does not list. Raises BuildError if the marker cannot tell."""
    if not os.path.isdir(out) or not os.listdir(out):
        return []
    try:
        listed = plan.read_json(os.path.join(out, plan.MARKER))["files"]
    except (ValueError, TypeError, KeyError):
        raise BuildError(f"{os.path.join(out, plan.MARKER)} does not list the files the build published, so "
                         f"the files you may have added to {out} cannot be told from them: move your files "
                         f"out of {out}, then delete it") from None
    added = []
    for root, folders, files in os.walk(out):
        relative = os.path.relpath(root, out)
        if relative != "." and not folders and not files:
            added.append(relative)
        added += [os.path.normpath(os.path.join(relative, name)) for name in files + [
            f for f in folders if os.path.islink(os.path.join(root, f))]]
    return sorted(name for name in added if name != plan.MARKER and name not in listed)


def _carry_over(added, out, site_dir, log):
    """Copy the files (and empty folders) a user added to the old site into the new one
    (``site_dir``), and say so; BuildError (nothing published) if the new site has a file of the
    same name."""
    new_folders = {name for name in added if os.path.isdir(os.path.join(site_dir, name))}
    added = [name for name in added if name not in new_folders]  # empty in the old site, made again
    taken = [name for name in added if os.path.lexists(os.path.join(site_dir, name))]
    if taken:
        raise BuildError(f"you added {', '.join(taken)} to {out}, and the new site has files of the same "
                         "name: move yours out of the way and build again")
    for name in added:
        source, target = os.path.join(out, name), os.path.join(site_dir, name)
        if os.path.isdir(source) and not os.path.islink(source):
            os.makedirs(target)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(source, target, follow_symlinks=False)
    if added:
        log(f"kept {len(added)} file(s) you added to {out}: {', '.join(added)}")


def _up_to_date(out, site_key, log):
    """Whether ``out`` is the site for ``site_key``, complete, with every published file intact and
    the runs behind it in the cache too."""
    try:
        marker = plan.read_json(os.path.join(out, plan.MARKER))
    except ValueError as error:
        log(f"{error}: rebuilding the site")
        return False
    if not isinstance(marker, dict) or marker.get("key") != site_key or not marker.get("complete"):
        return False
    note = (plan.first_changed_file(out, marker.get("files", {}))
            or plan.first_changed_file(plan.cache_folder(out), marker.get("cache", {})))
    if note:
        log(f"{note}: rebuilding the site")
    return note is None


def _cached_run(cache, section, backend, key, log):
    """The cached record of (section, backend) if its key matches and it and every file of its run
    (and no other) are intact, else None."""
    folder = os.path.join(cache, "runs", section, backend)
    try:
        record = plan.read_sealed_json(os.path.join(folder, "run.json"))
    except ValueError as error:
        log(f"{error}: running {section} on {backend} again")
        return None
    if not isinstance(record, dict) or record.get("key") != key or record.get("status") != "ok":
        return None
    if not {"cells", "stdout", "compare", "files"} <= set(record):
        log(f"{os.path.join(folder, 'run.json')} is not a complete run record: "
            f"running {section} on {backend} again")
        return None
    note = plan.first_changed_file(folder, record["files"], also_listed={"run.json"})
    if note:
        log(f"{note}: running {section} on {backend} again")
        return None
    return record


class _progress:
    """A progress bar over the runs (tqdm), as a context giving the callback for a finished run."""

    def __init__(self, total, enabled):
        self.bar = None
        if enabled and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="d2l-optim build", unit="run", file=sys.stderr)

    def __enter__(self):
        return self.done

    def done(self, job, record):
        if self.bar is not None:
            self.bar.set_postfix_str(f"{job[0]}/{job[1]} {record['status'] if record else 'stopped'}")
            self.bar.update()

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()


def shared_output(record):
    """What the cells run on every backend printed (framework cells' output is not compared)."""
    return "".join(cell["stdout"] for cell in record["cells"] if not cell.get("framework"))


def consistency(records, sections, backends, runs_dir):
    """Per section, every line printed by shared cells and every figure, compared across the
    backends that ran it."""
    report = {}
    for section in sections:
        done = [b for b in backends if records[section, b]["status"] == "ok"]
        declared = [records[section, b].get("compare", {}) for b in done]
        line_rules = []
        for rules in declared:
            line_rules += [r for r in rules.get("lines", []) if r not in line_rules]
        figure_rules = {}
        for rules in reversed(declared):  # the first backend's declaration wins
            figure_rules.update(rules.get("figures", {}))
        report[section] = {
            "lines": compare.compare_output({b: shared_output(records[section, b]) for b in done},
                                            line_rules),
            "figures": _figures(section, done, runs_dir, figure_rules),
            "rules": {"lines": line_rules, "figures": figure_rules},
        }
    return report


def _figures(section, backends, runs_dir, figure_rules):
    data = {}
    for backend in backends:
        drawn = plan.read_json(os.path.join(runs_dir, section, backend, "figure-data.json"))
        if drawn is not None:
            data[backend] = drawn
    if len(data) < 2:
        return {}
    reference_backend, *others = data
    names = list(dict.fromkeys(name for drawn in data.values() for name in drawn))
    result = {}
    for name in names:
        tolerance = compare.rule(figure_rules.get(name, compare.FIGURE_DEFAULT))
        reference = data[reference_backend].get(name)
        flat_reference = flatten_figure_data(reference or [])
        results = [compare.compare_figure(flatten_figure_data(data[b].get(name) or []), flat_reference,
                                          tolerance)
                   for b in others]
        if reference is None or any(data[b].get(name) is None for b in others):
            results.append({"agree": False, "max_difference": float("inf")})
        worst = [r["max_difference"] for r in results if r["max_difference"] is not None]
        result[name] = {"agree": all(r["agree"] for r in results), "policy": tolerance.describe(),
                        "max_difference": max(worst) if worst else None}
    return result


def disagreements(report):
    """Human-readable lines for every compared line or figure that differs beyond its tolerance."""
    found = []
    for section, checks in report.items():
        for line in checks["lines"]:
            if not line["agree"]:
                found.append(f"{section}, printed line {line['line']} ({line['policy']}): " + "; ".join(
                    f"{LABELS[b]} {v!r}" for b, v in line["values"].items()))
        for name, figure in checks["figures"].items():
            if not figure["agree"]:
                found.append(f"{section}, figure {name}: backends differ by {figure['max_difference']:.2e}, "
                             f"allowed {figure['policy']}")
    return found


def _manifest_entry(record, section, backend, outputs):
    figures = [name for cell in record.get("cells", []) for name in cell["figures"]]
    return {"status": record["status"], "error": record.get("error"),
            "seconds": record.get("seconds"), "lines": record["stdout"].splitlines(),
            "figures": [outputs.figure_path(section, backend, name) for name in figures],
            "notebook": outputs.notebook_path(section, backend)}


def _swap(replacements):
    """Replace each ``{staging: destination}`` with two renames (no signal between them, nor between
    the site and its cache); what they replace is removed only after."""
    retired = []
    signals = {signal.SIGINT, signal.SIGTERM}
    blocked = threading.current_thread() is threading.main_thread() and hasattr(signal, "pthread_sigmask")
    if blocked:
        signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        for staging, destination in replacements.items():
            if os.path.exists(destination):
                retired.append(tempfile.mkdtemp(prefix=plan.staging_prefix(destination, plan.RETIRED_SUFFIX),
                                                dir=os.path.dirname(destination)))
                os.rmdir(retired[-1])
                os.replace(destination, retired[-1])
            os.replace(staging, destination)
    finally:
        if blocked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
    for folder in retired:
        shutil.rmtree(folder, ignore_errors=True)
