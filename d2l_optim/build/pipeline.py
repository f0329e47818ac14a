"""``d2l-optim build``: every section, and the optimizer explorer, on every backend of this
environment, recorded (:mod:`~d2l_optim.build.records`) and published as the course web site
(:mod:`~d2l_optim.build.assemble`); or, with ``records``, recorded only.

Each run (a section, or the explorer, on one backend) runs in a process of its own
(:mod:`~d2l_optim.build.run`), up to ``jobs`` at a time, so one framework's crash, hang or import
cost never touches another: a failed run is recorded with its error and the rest goes on. A run is
recorded where it ran: its text cleaned of this machine's folders (:mod:`~d2l_optim.build.published`),
its environment, its key, the hash of its section's script and of each of its files.

Records are a cache: a run whose key (:func:`~d2l_optim.build.plan.run_keys`) matches a record in
the folder, and whose files check out, is not run again. A plain build keeps its records in the cache
folder beside the site (:func:`~d2l_optim.build.plan.cache_folder`) and publishes the site from them;
``build(records=DIR)`` writes them into DIR and publishes nothing, for ``d2l-optim assemble`` to merge
with the records that other environments and machines made. The runs already in the folder that
this build does not make (other sections, other backends) are kept if they were made from the same
source, and from the same script of their section. Either way, the new records (and site) are made
in a staging folder beside their destination and swapped in at the end: an interrupted, stopped or
failed build leaves the previous ones as they were.
"""
import dataclasses
import os
import shutil
import sys

from d2l_optim.build import assemble, plan, run
from d2l_optim.build.assemble import Course
from d2l_optim.build.errors import BuildError, BuildStopped, UsageError
from d2l_optim.build.published import Published
from d2l_optim.build.records import (
    EXPLORER,
    RUN,
    SCRIPT,
    RunRecord,
    environment,
    file_hash,
    hash_files,
    read_marker,
    source_files,
    write_marker,
)

__all__ = ["build", "BuildError", "BuildStopped", "UsageError"]


def build(out=None, backends=None, sections=None, jobs=2, source_dir=None, progress=True,
          force=False, cell_timeout=plan.DEFAULT_CELL_TIMEOUT, wait=True, log=print, records=None,
          edition=None):
    """Build the course into ``out`` (default: :data:`~d2l_optim.build.plan.DEFAULT_OUT` of the
    ``edition``: the instructor's, or ``"student"``) or, with ``records`` (a folder), only its run
    records, there; return the failed (section or ``"explorer"``, backend) runs.

    Raises :class:`UsageError` (nothing touched) for a folder the build may not use, no sections, a
    reserved, unknown or not plain section name, a backend that is not installed, a wrong ``jobs`` or
    ``cell_timeout`` (whole seconds >= 1, or None: no limit), missing tools of the course extra, or with
    ``wait=False`` when another build holds the folder; :class:`BuildError` (the folder left as it
    was) when a number or figure differs between backends beyond the section's tolerance, a run fails
    that the published site shows working, or the site cannot be written; :class:`BuildStopped` on
    SIGINT or SIGTERM (running runs ended, nothing published).
    """
    only_records = records is not None
    if only_records and (edition is not None or out is not None):
        raise UsageError("--records makes the run records only, for d2l-optim assemble: give --out and "
                         "--edition to d2l-optim assemble (or build without --records)")
    edition = plan.check_edition(edition)
    plan.require(plan.RECORD_TOOLS if only_records else {**plan.RECORD_TOOLS, **plan.SITE_TOOLS},
                 "records" if only_records else "course")
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
    kind = "records" if only_records else "site"
    if not only_records and out is None:
        out = plan.DEFAULT_OUT[edition]
    destination = plan.check_folder(records if only_records else out, source_dir, kind, edition=edition)
    with assemble.writing(), run.stop_on_signals(), plan.folder_locks([destination], wait, log):
        # as the build we waited for left it
        destination = plan.check_folder(destination, source_dir, kind, edition=edition)
        plan.remove_dead_builds_folders(destination, log)
        runs = _Runs(source_dir, sections, backends, jobs, cell_timeout, progress, log, edition)
        return runs.records_only(destination, force) if only_records else runs.site(destination, force)


class _Runs:
    """The runs of one build: their keys, which can be taken from earlier records, and the making of
    a new records folder."""

    def __init__(self, source_dir, sections, backends, jobs, cell_timeout, progress, log, edition):
        self.source_dir, self.sections, self.backends = source_dir, sections, backends
        self.jobs, self.cell_timeout, self.progress, self.log = jobs, cell_timeout, progress, log
        self.edition = edition
        self.source = source_files()
        self.keys = plan.run_keys(source_dir, sections, backends, self.source)
        self.environments = {backend: environment(backend) for backend in backends}

    def site(self, out, force):
        """Record the runs into the cache beside ``out`` and publish the site from them."""
        cache = plan.cache_folder(out)
        cached = {} if force else self._cached(cache)
        if len(cached) == len(self.keys):
            course = Course.of_build(cache, self.sections, self.backends, cached, self.edition)
            if assemble.up_to_date(out, course.key, self.log):
                self.log(f"{out} is up to date: nothing to run")
                return []
        with assemble.staging_folder(out) as staging:
            made = os.path.join(staging, "records")
            found = self._record(made, cache, cached, out)
            course = Course.of_build(made, self.sections, self.backends, found, self.edition)
            failed = assemble.publish(course, out, staging, self.log, also={made: cache}, cached=set(cached),
                                      selected=True)
        self.log(f"published {out}, the {self.edition} edition ({len(self.sections)} sections x "
                 f"{len(self.backends)} backends, "
                 f"{len(failed)} failed; the runs behind it are kept in {cache})")
        return failed

    def records_only(self, folder, force):
        """Record the runs into the records ``folder``."""
        cached = {} if force else self._cached(folder)
        if len(cached) == len(self.keys):
            self.log(f"{folder} is up to date: nothing to run")
            return []
        with assemble.staging_folder(folder) as staging:
            made = os.path.join(staging, "records")
            found = self._record(made, folder, cached, folder)
            assemble.swap({made: folder})
        failed = assemble.report_failures(found, self.log)
        self.log(f"recorded {folder} ({len(self.sections)} sections and the explorer x {len(self.backends)} "
                 f"backends, {len(failed)} failed): publish it with d2l-optim assemble")
        return failed

    def _cached(self, folder):
        """The runs of this build that the records ``folder`` holds and that can be used again: the
        same key, a success, every file as it was recorded."""
        found = {}
        for (name, backend), key in self.keys.items():
            path = os.path.join(folder, name, backend)
            try:
                record = RunRecord.read(path)
            except ValueError as error:
                self.log(f"{error}: running {name} on {backend} again")
                continue
            if record is None or record.key != key or not record.ok:
                continue
            note = record.changed_file(path)
            if note:
                self.log(f"{note}: running {name} on {backend} again")
                continue
            found[name, backend] = record
        return found

    def _record(self, target, previous, cached, destination):
        """Fill the new records folder ``target``: the ``cached`` runs linked from the records folder
        ``previous``, the others run (the explorer's first: they take longest), then the runs of
        ``previous`` that this build does not make, where they can be kept. ``destination``: where the
        records (or the site) will be, which the cleaned text calls ``<output folder>``."""
        os.makedirs(target)
        write_marker(target, self.source)
        scripts, unreadable = {}, {}
        for section in self.sections:
            source = os.path.join(self.source_dir, f"{section}.py")
            os.makedirs(os.path.join(target, section))
            shutil.copyfile(source, os.path.join(target, section, SCRIPT))
            scripts[section] = file_hash(source)
            try:
                plan.read_source(source)
            except ValueError as error:
                unreadable[section] = str(error)
        published = Published(self.source_dir, destination)
        found, to_run = {}, {}
        for job in self.keys:
            folder = os.path.join(target, *job)
            if job in cached:
                _copy_run(os.path.join(previous, *job), folder)
                found[job] = cached[job]
            elif job[0] in unreadable:
                failed = RunRecord.failed(unreadable[job[0]])
                found[job] = self._write(failed, job, folder, published, scripts)
            else:
                script = None if job[0] == EXPLORER else os.path.join(self.source_dir, f"{job[0]}.py")
                to_run[job] = (script, folder)
        self._keep_others(previous, target, scripts)
        self.log(f"{len(to_run)} of {len(self.keys)} runs to do ({len(cached)} cached), "
                 f"{self.jobs} at a time")
        with _progress(len(to_run), self.progress) as on_done:
            ran = run.execute(to_run, self.jobs, self.cell_timeout, on_done)
        for job, record in ran.items():
            found[job] = self._write(record, job, to_run[job][1], published, scripts)
        return {job: found[job] for job in self.keys}

    def _write(self, record, job, folder, published, scripts):
        """Clean ``record`` and its notebook of this machine's folders, complete it and seal it."""
        os.makedirs(folder, exist_ok=True)
        notebook = os.path.join(folder, "notebook.ipynb")
        if os.path.isfile(notebook):
            published.clean_notebook_file(notebook)
        record = dataclasses.replace(published.record(record), key=self.keys[job],
                                     environment=self.environments[job[1]], script=scripts.get(job[0]),
                                     files=hash_files(folder, skip={RUN}))
        record.write(folder)
        return record

    def _keep_others(self, previous, target, scripts):
        """Copy into ``target`` the runs of the records folder ``previous`` that this build does not
        make, if they were made from the same source and, for a section this build runs, from its
        script as it is now; say how many were dropped."""
        try:
            marker = read_marker(previous) if os.path.isdir(previous) else None
        except ValueError:
            marker = None
        if marker is None:
            return
        dropped = 0
        for name in sorted(n for n in os.listdir(previous) if not n.startswith(".")):
            folder = os.path.join(previous, name)
            backends = sorted(b for b in os.listdir(folder) if (name, b) not in self.keys
                              and os.path.isdir(os.path.join(folder, b))) if os.path.isdir(folder) else []
            for backend in backends:
                try:
                    record = RunRecord.read(os.path.join(folder, backend))
                except ValueError:
                    record = None
                if (record is None or marker["source"] != self.source
                        or name in scripts and record.script != scripts[name]):
                    dropped += 1
                    continue
                if not os.path.exists(os.path.join(target, name)):  # a section this build does not run
                    os.makedirs(os.path.join(target, name))
                    if name != EXPLORER:
                        shutil.copyfile(os.path.join(folder, SCRIPT), os.path.join(target, name, SCRIPT))
                _copy_run(os.path.join(folder, backend), os.path.join(target, name, backend))
        if dropped:
            self.log(f"dropped {dropped} run(s) of {previous} that this build does not make: made from "
                     "another d2l-optim source or another script of their section, or damaged")


def _copy_run(source, target):
    """Copy a run's folder, with hard links where the file system allows (its files never change)."""
    def link(source_file, target_file):
        try:
            os.link(source_file, target_file)
        except OSError:
            shutil.copy2(source_file, target_file)

    shutil.copytree(source, target, copy_function=link)


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
            self.bar.set_postfix_str(f"{job[0]}/{job[1]} {record.status if record else 'stopped'}")
            self.bar.update()

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
