"""``d2l-optim assemble``: one course site from the run records of any number of environments and
machines (:mod:`~d2l_optim.build.records`), and the publishing that ``d2l-optim build`` shares.

Assembly starts no kernel and imports no framework. It reads the records (:class:`Course`) and
refuses folders that hold no records and records that cannot be merged: made from another d2l-optim
source than this one or from another script of a section, one run given twice, a file changed since
it was written (:class:`~d2l_optim.build.errors.RecordsRefused`, exit 2, nothing touched). It then
compares every printed number and figure across the backends under the sections' declared
tolerances (the consistency check, :mod:`~d2l_optim.compare`) and the explorer's paths, and writes the
pages (:mod:`~d2l_optim.build.site`) into a staging folder beside the output, swapped in at the end.
A (section, backend) with no record is a gap: the first page's coverage matrix shows it, and the
command says so.

A site is one edition (:mod:`~d2l_optim.build.editions`) of the same records, made without running
anything again. The instructor edition shows the worked solutions (folded) and the rubrics. The
student edition shows none: its pages put an answer cell and a check in place of each solution,
its notebooks and downloads are student notebooks, and its outputs.json, consistency report,
figures and pages leave out what the solution cells printed and drew (their records are cut by
:func:`~d2l_optim.build.editions.student_record`). Both editions check the same: the consistency
check compares every run in full, solutions included, before either is published. A folder that
holds the student edition is never given the instructor edition (a site students read would show
the solutions): :func:`~d2l_optim.build.plan.check_folder` refuses it.

The site's guarantees are the build's: the output folder is new, empty or one the build made; one
build at a time per folder; Ctrl-C leaves the previous site as it was; files a user added to the site
are carried over. A run that the published site shows working and that fails, or has no record, now
publishes nothing (exit 1): a working site is never replaced by a worse one. A site already made from
the same records by the same site writer is left as it is.
"""
import contextlib
import errno
import functools
import os
import shutil
import signal
import tempfile
import threading

import jupytext

import d2l_optim
from d2l_optim import _registry, cells, compare
from d2l_optim._registry import LABELS
from d2l_optim.build import editions, explorer, explorer_page, plan, records, run, site
from d2l_optim.build.errors import BuildError, RecordsRefused, UsageError
from d2l_optim.build.published import Published
from d2l_optim.build.records import EXPLORER, RunRecord
from d2l_optim.plotting import flatten_figure_data


class Course:
    """The runs one site shows: ``sections`` (the book's order), ``backends`` (the registry's order),
    ``runs`` ({(section, backend): RunRecord}), ``explorer`` ({backend: RunRecord}), ``folders`` (the
    folder of each run, by (section or ``EXPLORER``, backend)), ``scripts`` ({section: the script
    its runs ran}) and the ``edition`` of the site that shows them (see the module doc)."""

    def __init__(self, sections, backends, runs, explorer_runs, folders, scripts, edition="instructor"):
        self.sections, self.backends, self.runs, self.explorer = sections, backends, runs, explorer_runs
        self.folders, self.scripts, self.edition = folders, scripts, edition

    @classmethod
    def of_build(cls, folder, sections, backends, found, edition="instructor"):
        """The course of a build, whose runs ``found`` ({job: RunRecord}) are in the records ``folder``."""
        return cls(sections, backends, {job: r for job, r in found.items() if job[0] != EXPLORER},
                   {backend: r for (name, backend), r in found.items() if name == EXPLORER},
                   {job: os.path.join(folder, *job) for job in found},
                   {section: os.path.join(folder, section, records.SCRIPT) for section in sections}, edition)

    @classmethod
    def read(cls, folders, edition="instructor"):
        """The course of the records folders ``folders`` (checked: see the module doc); their files
        are checked by :meth:`verify`."""
        ours = records.source_files()
        runs, scripts, found_in = {}, {}, {}
        for folder in folders:
            try:
                marker = records.read_marker(folder)
            except ValueError as error:
                raise RecordsRefused(f"{error}; make the records again (d2l-optim build --records)") from None
            if marker is None:
                raise RecordsRefused(f"{folder} is not a records folder (it has no {records.MARKER})")
            if marker["source"] != ours:
                raise RecordsRefused(
                    f"{folder} holds records made from another d2l-optim source than this one (they were "
                    f"made by d2l-optim {marker['package']}, this is {d2l_optim.__version__}): "
                    + records.source_difference(ours, marker["source"], "this one", "the records'")
                    + "; make the records again with this source (d2l-optim build --records), or assemble "
                      "them with the source they were made from")
            for name in sorted(os.listdir(folder)):
                if os.path.isdir(os.path.join(folder, name)) and not name.startswith("."):
                    _read_runs(folder, name, runs, scripts, found_in)
        if not runs:
            raise RecordsRefused(f"{', '.join(folders)}: no run records in "
                                 f"{'it' if len(folders) == 1 else 'them'}")
        sections = plan.in_book_order(scripts)
        backends = [b for b in _registry.BACKENDS if any(job[1] == b for job in runs)]
        return cls(sections, backends, {job: r for job, r in runs.items() if job[0] != EXPLORER},
                   {backend: r for (name, backend), r in runs.items() if name == EXPLORER},
                   {job: os.path.join(found_in[job], *job) for job in runs},
                   {section: path for section, (path, _) in scripts.items()}, edition)

    @property
    def jobs(self):
        """Every run, ``{(section or EXPLORER, backend): RunRecord}``, the explorer's last."""
        return {**self.runs, **{(EXPLORER, backend): record for backend, record in self.explorer.items()}}

    @property
    def gaps(self):
        """The (section or EXPLORER, backend) of the site's backends that have no record."""
        return [(name, backend) for name in self.sections + [EXPLORER] for backend in self.backends
                if (name, backend) not in self.jobs]

    @functools.cached_property
    def key(self):
        """The site's key: the site writer, the edition and every run shown (by its record's content)."""
        return records.digest(plan.site_code_fingerprint(), self.edition, *self.sections, "|", *self.backends,
                              *(f"{s}/{b}/{record.seal}" for (s, b), record in sorted(self.jobs.items())))

    def verify(self):
        """RecordsRefused naming the first file of a run that is missing, changed or not listed."""
        for (name, backend), record in self.jobs.items():
            note = record.changed_file(self.folders[name, backend])
            if note:
                raise RecordsRefused(f"{note}: the record of {name} on {LABELS[backend]} is damaged; make it "
                                     "again (d2l-optim build --records)")


def _read_runs(folder, name, runs, scripts, found_in):
    """Read the runs of section (or explorer) ``name`` in the records ``folder`` into ``runs``,
    checking them against the others read so far (``scripts``: {section: (path, hash)})."""
    path = os.path.join(folder, name)
    script = None
    if name != EXPLORER:
        if not cells.is_plain_name(name) or name.lower() in plan.RESERVED:
            raise RecordsRefused(f"{path} is not the records of a section (its name is not a plain "
                                 "section name)")
        script_path = os.path.join(path, records.SCRIPT)
        if not os.path.isfile(script_path):
            raise RecordsRefused(f"{path} holds no {records.SCRIPT}: it is not the records of a section")
        script = records.file_hash(script_path)
        known = scripts.setdefault(name, (script_path, script))
        if known[1] != script:
            raise RecordsRefused(f"the records of {name} in {known[0]} and {script_path} ran different "
                                 "scripts of the section: make them again from one script "
                                 "(d2l-optim build --records)")
    for backend in sorted(os.listdir(path)):
        if not os.path.isdir(os.path.join(path, backend)):
            continue
        if backend not in _registry.BACKENDS:
            raise RecordsRefused(f"{os.path.join(path, backend)}: this d2l-optim has no backend {backend!r} "
                                 f"(it has {', '.join(_registry.BACKENDS)})")
        try:
            record = RunRecord.read(os.path.join(path, backend))
        except ValueError as error:
            raise RecordsRefused(f"{error}; make the records again (d2l-optim build --records)") from None
        if record is None:
            raise RecordsRefused(f"{os.path.join(path, backend)} holds no {records.RUN}")
        if record.script != script:
            raise RecordsRefused(f"{os.path.join(path, backend, records.RUN)} records a run of another "
                                 f"script than {name}'s {records.SCRIPT} beside it")
        job = (name, backend)
        if job in runs:
            raise RecordsRefused(f"{name} on {LABELS[backend]} is recorded twice, in {found_in[job]} and "
                                 f"{folder}: give each run's records once")
        runs[job], found_in[job] = record, folder


def records_folders(path):
    """The records folders ``path`` stands for: itself if it is one, else the records folders in it
    (as a CI job's downloaded artifacts, one folder per job); RecordsRefused if neither."""
    if not os.path.isdir(path):
        raise RecordsRefused(f"{path} is not a folder of run records; pass folders that "
                             "d2l-optim build --records wrote")
    real = os.path.realpath(path)
    if os.path.isfile(os.path.join(real, records.MARKER)):
        return [real]
    entries = sorted(name for name in os.listdir(real) if not name.startswith("."))
    found = [os.path.join(real, name) for name in entries
             if os.path.isfile(os.path.join(real, name, records.MARKER))]
    others = [name for name in entries if os.path.join(real, name) not in found]
    if not found or others:
        what = f"it holds {', '.join(others[:5])}, which {'is' if len(others) == 1 else 'are'} not" if found \
            else f"neither it nor a folder in it has a {records.MARKER}: it is not"
        raise RecordsRefused(f"{path} is not a folder of run records ({what} records folders); pass folders "
                             "that d2l-optim build --records wrote, or one folder holding only such folders")
    return found


def assemble(folders, out=None, wait=True, log=print, edition="instructor"):
    """Publish the site ``out`` (default: :data:`~d2l_optim.build.plan.DEFAULT_OUT` of the
    ``edition``, instructor or student) from the records ``folders``; return the failed (section or
    ``EXPLORER``, backend) runs.

    Raises :class:`~d2l_optim.build.errors.RecordsRefused` or
    :class:`~d2l_optim.build.errors.UsageError` (nothing touched) for folders that are not records or
    cannot be merged, or an output folder the build may not use (or, with ``wait=False``, that another
    build holds); :class:`~d2l_optim.build.errors.BuildError` (``out`` left as it was) when the
    backends disagree, a run the published site shows working failed or has no record, or the site
    cannot be written; :class:`~d2l_optim.build.errors.BuildStopped` on SIGINT or SIGTERM.
    """
    plan.require(plan.SITE_TOOLS, "course")
    edition = plan.check_edition(edition)
    if not folders:
        raise UsageError("give the records folders to assemble (made by d2l-optim build --records)")
    found = list(dict.fromkeys(f for path in folders for f in records_folders(path)))
    out = plan.check_folder(plan.DEFAULT_OUT[edition] if out is None else out, kind="site", inputs=found,
                            edition=edition)
    with writing(), run.stop_on_signals(), plan.folder_locks([out, *found], wait, log):
        # as the build we waited for left it
        out = plan.check_folder(out, kind="site", inputs=found, edition=edition)
        plan.remove_dead_builds_folders(out, log)
        course = Course.read(found, edition)
        missing = [b for b in _registry.BACKENDS if b not in course.backends]
        for backend in missing:
            log(f"no records of {LABELS[backend]}: its column of the coverage matrix is a gap")
        for name, backend in course.gaps:
            log(f"no record of {name} on {LABELS[backend]}: a gap in the coverage matrix")
        gaps = len(course.gaps) + len(missing) * (len(course.sections) + 1)  # the matrix's empty cells
        if up_to_date(out, course.key, log):
            log(f"{out} is up to date: nothing to assemble")
            return report_failures(course.jobs, log)
        course.verify()
        with staging_folder(out) as staging:
            failed = publish(course, out, staging, log)
        log(f"published {out}, the {edition} edition ({len(course.sections)} sections x "
            f"{len(course.backends)} backends, {len(failed)} failed, {gaps} gaps; from the records in "
            f"{', '.join(found)})")
        return failed


#: what to do about a failed write, by errno
WRITE_HINTS = {errno.ENOSPC: " (the disk is full: free some space)",
               errno.EDQUOT: " (the disk quota is used up)",
               errno.EFBIG: " (a file-size limit stops it: see ulimit -f)"}


@contextlib.contextmanager
def writing():
    """Turn a failed write (a full disk, a file-size limit, a folder made read-only) into a BuildError
    naming the file."""
    try:
        yield
    except OSError as error:
        raise BuildError(f"could not write {error.filename2 or error.filename or 'the site'}: "
                         f"{error.strerror or error}{WRITE_HINTS.get(error.errno, '')}") from None


@contextlib.contextmanager
def staging_folder(destination):
    """A new folder beside ``destination`` for the build to fill, removed at the end of the block
    (what was swapped in from it is gone from it by then)."""
    staging = tempfile.mkdtemp(prefix=plan.staging_prefix(destination), dir=os.path.dirname(destination))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def publish(course, out, staging, log, also=None, cached=(), selected=False):
    """Write the site of ``course`` in the ``staging`` folder and swap it in as ``out``, with ``also``
    ({folder: destination}, the build's records); return the failed runs. ``cached``: the runs that
    came from a cache; ``selected``: the course is what the user chose to build, so runs the published
    site shows outside it are not lost."""
    published = Published(None, out)
    shown = {job: published.record(record) for job, record in course.jobs.items()}
    _keep_working_lessons(out, course, shown, selected)
    added = _files_added_to(out)
    site_dir = os.path.join(staging, "site")
    os.makedirs(site_dir)  # with the umask's permissions
    sections = {job: record for job, record in shown.items() if job[0] != EXPLORER}
    try:
        report = consistency(course, sections)
    except ValueError as error:  # an unreadable figure-data.json, named in the message
        raise BuildError(str(error)) from None
    differences = disagreements(report)
    if differences:
        raise BuildError("backends disagree beyond their declared tolerance:\n  " + "\n  ".join(differences)
                         + _cache_advice(cached, differences, course.backends))
    if course.edition == "student":
        sections, left_out = _student_runs(course, sections)
        shown.update(sections)
        report = consistency(course, sections, {  # the figures compared already, less the solutions'
            section: {name: compared for name, compared in checks["figures"].items()
                      if name not in left_out[section]} for section, checks in report.items()})
    computed, failed = _explorer_paths(course, shown)
    outputs = site.Outputs(course.sections, course.backends, sections, course.folders, report, published,
                           {backend: shown[EXPLORER, backend] for backend in course.explorer}, course.edition)
    records.write_json(os.path.join(site_dir, "consistency.json"), report)
    records.write_json(os.path.join(site_dir, "outputs.json"), _manifest(course, shown, outputs))
    not_computed = [b for b in course.backends if b not in course.explorer]
    site.write_site(site_dir, os.path.join(staging, "pages"), outputs, course.scripts,
                    _source_errors(course, shown), explorer_page.page(computed, failed, not_computed))
    records.write_json(os.path.join(site_dir, plan.MARKER), {
        "made by": "d2l-optim build: this folder is replaced by the next build into it; files you "
                   "add to it are kept (the files listed here are the build's)",
        "key": course.key, "edition": course.edition,
        "files": records.hash_files(site_dir, skip={plan.MARKER})})
    _carry_over(added, out, site_dir, log)
    swap({site_dir: out, **(also or {})})
    return report_failures(shown, log)


def _student_runs(course, runs):
    """The section ``runs`` ({job: RunRecord}) as the student edition shows them, and per section
    the names of the solutions' figures it leaves out (see the module doc)."""
    notebooks, shown, left_out = {}, {}, {section: set() for section in course.sections}
    for (section, backend), record in runs.items():
        if section not in notebooks:
            try:
                notebooks[section] = jupytext.read(course.scripts[section])
            except Exception:  # a script that cannot be read: its runs failed, with no output
                notebooks[section] = jupytext.reads("", fmt="py:percent")
        student, dropped = editions.student_record(record.to_json(), notebooks[section])
        shown[section, backend] = RunRecord.from_json(student, f"{section} on {backend}")
        left_out[section].update(dropped)
    return shown, left_out


def report_failures(runs, log):
    """Say which of ``runs`` ({job: RunRecord}) failed, with the start of their error; return them."""
    failed = [job for job, record in runs.items() if not record.ok]
    for name, backend in failed:
        log(f"FAILED {name} on {backend}:\n{runs[name, backend].error}")
    return failed


def _explorer_paths(course, shown):
    """``({backend: paths}, {backend: why its run failed})`` of the explorer's runs; BuildError if
    the paths differ between backends beyond the explorer's tolerance."""
    computed, failed = {}, {}
    for backend, record in ((b, shown[EXPLORER, b]) for b in course.backends if b in course.explorer):
        if not record.ok:
            failed[backend] = record.error
            continue
        try:
            path = os.path.join(course.folders[EXPLORER, backend], explorer.PATHS)
            computed[backend] = records.read_json(path)
        except ValueError as error:
            raise BuildError(str(error)) from None
    differences = explorer.agreement({b: paths["runs"] for b, paths in computed.items()}) if computed else []
    if differences:
        raise BuildError("the optimizer explorer's paths differ between backends:\n  "
                         + "\n  ".join(differences[:20]))
    return computed, failed


def _source_errors(course, shown):
    """{section: why its script cannot be read}, as its runs recorded it."""
    errors = {}
    for section in course.sections:
        try:
            plan.read_source(course.scripts[section])
        except ValueError as error:
            recorded = [r.error for (s, _), r in shown.items() if s == section and not r.ok and not r.cells]
            errors[section] = recorded[0] if recorded else str(error)
    return errors


def _manifest(course, shown, outputs):
    """``outputs.json``: per section and backend its status, printed lines, figures, notebook, seconds
    and environment; the explorer's runs; the gaps."""
    def entry(record):
        return {"status": record.status, "error": record.error, "seconds": record.seconds,
                "environment": record.environment}

    environments = {}
    for (_, backend), record in shown.items():
        if record.environment not in environments.setdefault(backend, []):
            environments[backend].append(record.environment)
    sections = {}
    for section in course.sections:
        sections[section] = {}
        for backend in course.backends:
            record = shown.get((section, backend))
            if record is None:
                sections[section][backend] = {"status": "missing", "error": "no record", "seconds": None,
                                              "environment": None, "lines": [], "figures": [],
                                              "notebook": None}
                continue
            sections[section][backend] = {
                **entry(record), "lines": record.stdout.splitlines(),
                "figures": [outputs.figure_path(section, backend, name) for name in record.figures],
                "notebook": outputs.notebook_path(section, backend)}
    return {"build": {"key": course.key, "package": d2l_optim.__version__, "edition": course.edition,
                      "frameworks": {b: envs[0].get("framework") for b, envs in environments.items()},
                      "environments": environments, "gaps": [list(gap) for gap in course.gaps],
                      "no records": [b for b in _registry.BACKENDS if b not in course.backends]},
            "sections": sections,
            "explorer": {backend: entry(shown[EXPLORER, backend]) for backend in course.explorer}}


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


def _keep_working_lessons(out, course, shown, selected):
    """Raise BuildError (nothing is published) if a run that the published site shows working failed
    or, unless it is outside a ``selected`` course, has no record: a reader never loses a working
    lesson to a broken build."""
    try:
        manifest = records.read_json(os.path.join(out, "outputs.json"))
        published = {**manifest["sections"], EXPLORER: manifest.get("explorer", {})}
    except (ValueError, TypeError, KeyError, AttributeError):  # no site yet, or not one this build can read
        return
    lost = []
    for name, runs in published.items():
        for backend, entry in (runs.items() if isinstance(runs, dict) else ()):
            if not (isinstance(entry, dict) and entry.get("status") == "ok"):
                continue
            record = shown.get((name, backend))
            if record is None and not (selected and (name not in course.sections + [EXPLORER]
                                                     or backend not in course.backends)):
                lost.append(f"{name} on {LABELS.get(backend, backend)}: no record")
            elif record is not None and not record.ok:
                lost.append(f"{name} on {LABELS[backend]}: {_last_line(record.error)}")
    if lost:
        missing = any(line.endswith(": no record") for line in lost)
        what = "failed or have no record" if missing else "failed"
        raise BuildError(
            f"these runs {what}, and the published site shows them working, so it was left as it was:\n  "
            + "\n  ".join(lost)
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
        listed = records.read_json(os.path.join(out, plan.MARKER))["files"]
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


def up_to_date(out, key, log):
    """Whether ``out`` is the site for ``key``, with every published file intact."""
    try:
        marker = records.read_json(os.path.join(out, plan.MARKER))
    except ValueError as error:
        log(f"{error}: rebuilding the site")
        return False
    if not isinstance(marker, dict) or marker.get("key") != key:
        return False
    note = records.first_changed_file(out, marker.get("files", {}))
    if note:
        log(f"{note}: rebuilding the site")
    return note is None


def shared_output(record):
    """What the cells run on every backend printed (framework cells' output is not compared)."""
    return "".join(cell["stdout"] for cell in record.cells if not cell["framework"])


def consistency(course, shown, figures=None):
    """Per section, every line printed by shared cells and every figure, compared across the
    backends that ran it (``shown``: the runs' records as published); ``figures``: {section: its
    figures compared}, when that is done already."""
    report = {}
    for section in course.sections:
        done = [b for b in course.backends if (section, b) in shown and shown[section, b].ok]
        declared = [shown[section, b].compare for b in done]
        line_rules = []
        for rules in declared:
            line_rules += [r for r in rules.get("lines", []) if r not in line_rules]
        figure_rules = {}
        for rules in reversed(declared):  # the first backend's declaration wins
            figure_rules.update(rules.get("figures", {}))
        report[section] = {
            "lines": compare.compare_output({b: shared_output(shown[section, b]) for b in done}, line_rules),
            "figures": (_figures({b: course.folders[section, b] for b in done}, figure_rules)
                        if figures is None else figures[section]),
            "rules": {"lines": line_rules, "figures": figure_rules},
        }
    return report


def _figures(folders, figure_rules):
    data = {}
    for backend, folder in folders.items():
        drawn = records.read_json(os.path.join(folder, "figure-data.json"))
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


def swap(replacements):
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
