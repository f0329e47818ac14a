"""Every figure of the course for slides: ``d2l-optim figures --out DIR``.

Each section runs as a script (as ``python examples/gd.py --backend numpy`` does), in a process of
its own, and every figure it saves is also exported, under the name the section gives it, as
``DIR/<section>/<name>.svg``, ``.png`` (300 dpi) and ``.pdf``: on an opaque white background, with
the attribution (the book's, and the data's where the section uses a data set) written under it.
Re-running the section rather than redrawing saved figure data keeps every figure exactly as the
lesson draws it (contours, annotations, legends), whatever kind of figure a section adds. The
export is :mod:`~d2l_optim.build.figure_export`'s, which the course build's runs on NumPy do too:
the instructor edition of the site links the same files as one zip.

The output folder must be new, empty, or one this command made (it holds :data:`MARKER`); a
section's folder is replaced only once its run has succeeded, so a failed or interrupted export
leaves the earlier figures of that section as they were.
"""
import os
import runpy
import shutil
import sys
import tempfile

from d2l_optim.build.figure_export import FORMATS, attribution, export_into

MARKER = ".d2l-optim-figures"


def check_out_folder(out):
    """Refuse an output folder this command did not make (unless new or empty): ValueError."""
    out = os.path.abspath(out)
    if os.path.exists(out) and not os.path.isdir(out):
        raise ValueError(f"--out {out}: a file is there; give a folder")
    if os.path.isdir(out) and os.listdir(out) and not os.path.exists(os.path.join(out, MARKER)):
        raise ValueError(f"--out {out}: the folder holds files that d2l-optim figures did not write; "
                         "give a new or empty folder")


def export_figures(out, sections, backend, source_dir, log=print):
    """Export the figures of ``sections`` (names of scripts in ``source_dir``) run on ``backend``
    into ``out``; return {section: error} for the sections that failed (their folders kept)."""
    from d2l_optim.build import run

    check_out_folder(out)
    os.makedirs(out, exist_ok=True)
    open(os.path.join(out, MARKER), "a").close()
    environment = {key: value for key, value in run.job_environment(1).items()
                   if key not in ("D2L_OPTIM_OUT", "D2L_OPTIM_CELLS")}
    environment["MPLBACKEND"] = "Agg"
    runners, failed = run.Runners(), {}
    with run.stop_on_signals():
        try:
            for section in sections:
                staging = tempfile.mkdtemp(prefix=f".{section}.", dir=out)
                command = [sys.executable, "-m", "d2l_optim.build.bounds", __name__,
                           os.path.join(source_dir, f"{section}.py"), backend, staging]
                returncode, _, stderr = runners.run(command, environment)
                if returncode != 0:
                    failed[section] = (stderr.strip() or f"exit status {returncode}").splitlines()[-1]
                    shutil.rmtree(staging)
                    log(f"{section}: failed, {failed[section]}")
                    continue
                target = os.path.join(out, section)
                if os.path.isdir(target):
                    shutil.rmtree(target)
                os.rename(staging, target)
                log(f"{section}: {len(os.listdir(target)) // len(FORMATS)} figures")
        except BaseException:
            runners.stop()
            for name in os.listdir(out):
                if name.startswith(".") and name != MARKER:
                    shutil.rmtree(os.path.join(out, name), ignore_errors=True)
            raise
    return failed


def _export_section(section_file, backend, out_dir):
    """In the export's process: run the section script, exporting each figure it saves."""
    with open(section_file, encoding="utf-8") as file:
        export_into(out_dir, attribution(file.read()))
    sys.argv = [section_file, "--backend", backend]
    try:
        runpy.run_path(section_file, run_name="__main__")
    except SystemExit as done:
        if done.code not in (0, None):
            raise


if __name__ == "__main__":
    _export_section(*sys.argv[1:4])
