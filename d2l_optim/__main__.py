"""Command line: ``d2l-optim build``, ``d2l-optim assemble`` and ``d2l-optim equivalence`` (also
``python -m d2l_optim ...``).

Exit status: 0 done; 1 a run failed or nothing could be published (the previous site or records
left as they were); 2 a usage error (nothing touched); 128 + the signal when stopped."""
import argparse
import json
import os
import signal
import sys

from d2l_optim import _config
from d2l_optim.build import plan
from d2l_optim.build.errors import BuildError, UsageError

DESCRIPTION = ("The Optimization Algorithms chapter of Dive into Deep Learning, on every framework. "
               "'d2l-optim build' runs its sections and publishes the course web site (or, with "
               "--records, only records the runs); 'd2l-optim assemble' publishes one site from the "
               "records of several environments or machines. 'd2l-optim build --help' says how.")


def _whole_number(text):
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def _seconds(text):
    try:
        return plan.cell_timeout(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("--cell-timeout ")) from None


def _backend(text):
    try:
        return _config.canonical_name(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _section_names():
    from d2l_optim import examples

    return ", ".join(examples.SECTIONS)


def _add_build(commands):
    build = commands.add_parser(
        "build", help="run every section on every backend and publish the course web site",
        description="Run every section, and the optimizer explorer, on every installed backend (each in "
                    "its own process) and publish figures, outputs, executed notebooks and a web site; "
                    "with --records, only record the runs, for d2l-optim assemble. The output folder "
                    "must be new, empty, or made by an earlier build (a site holds a "
                    f"{plan.MARKER} file), outside the d2l-optim package; anything else is refused, "
                    "and files you add to a published site are kept. Ctrl-C stops the build and "
                    "leaves the previous site as it was, as does a build in which a run fails that "
                    "the site shows working.")
    build.add_argument("--backends", nargs="+", metavar="NAME", type=_backend,
                       help=f"backends to run (default: every installed one; known: "
                            f"{', '.join(_config.BACKENDS)})")
    build.add_argument("--sections", nargs="+", metavar="NAME",
                       help=f"sections to run (default: all; the chapter's: {_section_names()})")
    where = build.add_mutually_exclusive_group()
    where.add_argument("--out", help="output folder (default: site, or site-student for --edition student)")
    where.add_argument("--records", metavar="DIR",
                       help="write the run records into DIR and publish no site (d2l-optim assemble "
                            "publishes it, from the records of any number of environments)")
    _add_edition(build)
    build.add_argument("--jobs", type=_whole_number, default=2, help="runs at a time (default: 2)")
    build.add_argument("--sources", default=None,
                       help="folder of section scripts (default: the chapter's, shipped inside the package)")
    build.add_argument("--cell-timeout", type=_seconds, default=plan.DEFAULT_CELL_TIMEOUT, metavar="SECONDS",
                       help="stop a notebook cell (or the explorer's computation) that runs longer, and "
                            f"report its run as failed: seconds from 1 to {plan.LONGEST_CELL_TIMEOUT}, or "
                            f"none for no limit (default: {plan.DEFAULT_CELL_TIMEOUT})")
    _add_no_wait(build)
    build.add_argument("--force", action="store_true", help="ignore the cache and run everything")
    build.add_argument("--no-progress", action="store_true", help="no progress bar")


def _add_assemble(commands):
    assemble = commands.add_parser(
        "assemble", help="publish one course web site from the run records of several environments",
        description="Publish the course web site from run records (d2l-optim build --records DIR), made "
                    "in any number of environments and machines: one folder per environment, or a folder "
                    "holding such folders (a CI job's downloaded artifacts). Starts no kernel and imports "
                    "no framework. Records made from another d2l-optim source than this one, or that "
                    "differ in a section's script, are refused; a section with no record on a backend "
                    "is shown as a gap in the coverage matrix. The output folder is treated as by "
                    "d2l-optim build.")
    assemble.add_argument("folders", nargs="+", metavar="DIR", help="records folders")
    assemble.add_argument("--out",
                          help="output folder (default: site, or site-student for --edition student)")
    _add_edition(assemble)
    _add_no_wait(assemble)


def _add_edition(parser):
    parser.add_argument("--edition", choices=plan.EDITIONS, default=None,
                        help="instructor (default): the worked solutions folded under each exercise, with "
                             "the rubrics; student: no solution anywhere (pages, notebooks, downloads), an "
                             "answer cell and a check in place of each. Both come from the same runs: "
                             "make the records once (--records) and assemble each edition from them")


def _add_no_wait(parser):
    parser.add_argument("--no-wait", action="store_true",
                        help="if another build is publishing into the same folder, stop instead of waiting")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="d2l-optim", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True)
    _add_build(commands)
    _add_assemble(commands)
    _add_equivalence(commands)
    _add_check(commands)
    _add_figures(commands)
    _add_notebooks(commands)
    args = parser.parse_args(argv)
    if args.command == "equivalence":
        return _equivalence(args)
    if args.command == "check":
        return _check(args, parser)
    if args.command == "figures":
        return _figures(args, parser)
    if args.command == "notebooks":
        return _notebooks(args, parser)

    target = args.records if getattr(args, "records", None) is not None else (
        plan.DEFAULT_OUT[args.edition or plan.EDITIONS[0]] if args.out is None else args.out)
    try:
        if args.command == "assemble":
            from d2l_optim.build import assemble

            failed = assemble.assemble(args.folders, out=args.out, wait=not args.no_wait,
                                       edition=args.edition)
        else:
            from d2l_optim.build import pipeline

            failed = pipeline.build(out=args.out, backends=args.backends, sections=args.sections,
                                    jobs=args.jobs, source_dir=args.sources, force=args.force,
                                    progress=not args.no_progress, cell_timeout=args.cell_timeout,
                                    wait=not args.no_wait, records=args.records, edition=args.edition)
    except UsageError as error:
        parser.exit(2, f"d2l-optim {args.command}: {error}\n")
    except BuildError as error:
        parser.exit(1, f"d2l-optim {args.command} failed, {target} left as it was: {error}\n")
    except KeyboardInterrupt as stopped:  # BuildStopped, or a Ctrl-C before the build took over
        signum = getattr(stopped, "signum", signal.SIGINT)
        parser.exit(128 + signum, f"d2l-optim {args.command}: stopped by {signal.Signals(signum).name}; "
                                  f"{target} left as it was\n")
    return 1 if failed else 0


def _add_equivalence(commands):
    equivalence = commands.add_parser(
        "equivalence", help="measure each framework's built-in optimizers against d2l's rules",
        description="Run every installed framework's built-in optimizers, configured to d2l's rules, "
                    "next to d2l's own and write the Markdown tables of the largest differences. With "
                    "--out, the tables of backends not installed here are kept from that file, so "
                    "runs in several environments (MXNet needs its own) make one document.")
    equivalence.add_argument("--out", help="the Markdown file to write (default: print)")
    equivalence.add_argument("--backends", nargs="+", metavar="NAME",
                             help="backends to measure (default: every installed one)")


def _equivalence(args):
    from d2l_optim import equivalence

    log = (lambda message: print(message, file=sys.stderr)) if args.out else (lambda message: None)
    try:
        text = equivalence.write_document(args.out, args.backends, log)
    except (UsageError, ValueError, ImportError) as error:
        sys.exit(f"d2l-optim equivalence: {error}")
    if not args.out:
        sys.stdout.write(text)
    return 0


def _exit_stopped(parser, command, stopped):
    """Exit with 128 + the signal that stopped ``command`` (SIGINT for a plain Ctrl-C)."""
    signum = getattr(stopped, "signum", signal.SIGINT)
    parser.exit(128 + signum, f"d2l-optim {command}: stopped by {signal.Signals(signum).name}\n")


def _add_check(commands):
    check = commands.add_parser(
        "check", help="run a student's notebook and check the answers to its exercises",
        description="Run a section's notebook (a student edition, or any notebook of the section) in a "
                    "process and Jupyter kernel of its own, each cell at most --timeout seconds, and check "
                    "the answer to every exercise: passed, failed with a hint, or not attempted; answers "
                    "in words are graded by hand with the rubric. A cell that fails does not stop the "
                    "others. Exit status: 0 if every checked exercise passed, 1 if not, 2 for a usage "
                    "error.")
    check.add_argument("notebook", help="the notebook (.ipynb) or section script to check")
    check.add_argument("--backend", type=_backend, metavar="NAME",
                       help="the framework to run it on (default: the notebook's own)")
    check.add_argument("--section", help="the section it is (default: from the notebook or its file name)")
    check.add_argument("--timeout", type=_seconds, default="600", metavar="SECONDS",
                       help="stop a cell that runs longer (it fails, the others go on): seconds from 1 to "
                            f"{plan.LONGEST_CELL_TIMEOUT}, or none (default: %(default)s)")
    check.add_argument("--json", metavar="REPORT", help="also write the report to this file as JSON")


def _check(args, parser):
    try:
        from d2l_optim.build import checker
    except ImportError as error:
        parser.exit(2, f"d2l-optim check runs notebooks with Jupyter's tools, and {error.name} is not "
                       'installed: pip install "d2l-optim[course]"\n')
    report_folder = os.path.dirname(os.path.abspath(args.json or "."))
    if args.json and (os.path.isdir(args.json) or not os.path.isdir(report_folder)):
        parser.exit(2, f"d2l-optim check: --json {args.json}: not a file in an existing folder\n")
    try:
        report = checker.check_notebook(args.notebook, args.backend, args.timeout, args.section)
    except (UsageError, ValueError, ImportError) as error:
        parser.exit(2, f"d2l-optim check: {error}\n")
    except KeyboardInterrupt as stopped:
        _exit_stopped(parser, "check", stopped)
    print("\n".join(checker.summary(report)))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(report, file, indent=1)
    return 0 if report["status"] == "passed" else 1


def _add_figures(commands):
    figures = commands.add_parser(
        "figures", help="export every figure for slides (SVG, 300-dpi PNG, PDF), with the attribution",
        description="Run each section (as a script, in a process of its own) and export every figure it "
                    "draws as OUT/<section>/<name>.svg, .png (300 dpi) and .pdf, on a white background, "
                    "with the book's attribution (and the data's) under it. OUT must be new, empty or "
                    "made by this command; a section that fails keeps its earlier figures.")
    figures.add_argument("--out", required=True, help="the folder to write the figures into")
    figures.add_argument("--sections", nargs="+", metavar="NAME",
                         help=f"sections to export (default: all; the chapter's: {_section_names()})")
    figures.add_argument("--backend", type=_backend, default="numpy", metavar="NAME",
                         help="the framework to draw them with (default: numpy; every one draws the same)")
    figures.add_argument("--sources", default=None,
                         help="folder of section scripts (default: the chapter's, shipped in the package)")


def _figures(args, parser):
    from d2l_optim.build import slides

    source_dir = args.sources or plan.sections_folder()
    try:
        sections = plan.select_sections(source_dir, args.sections)
        if not _config.is_installed(args.backend):
            raise ImportError(f"the {args.backend} backend is not installed: "
                              f"{_config.install_hint(args.backend)}")
        failed = slides.export_figures(args.out, sections, args.backend, source_dir)
    except (UsageError, ValueError, ImportError) as error:
        parser.exit(2, f"d2l-optim figures: {error}\n")
    except KeyboardInterrupt as stopped:
        _exit_stopped(parser, "figures", stopped)
    return 1 if failed else 0


def _add_notebooks(commands):
    notebooks = commands.add_parser(
        "notebooks", help="write the sections' notebooks of one edition for one framework",
        description="Write <section>.ipynb for each section, for one framework, not run: the student "
                    "edition (an answer cell and a check for each exercise, no solutions), the "
                    "instructor edition (with the solutions and rubrics) or otter-grader's assignment "
                    "notebook (the input of `otter assign`). OUT must be new or empty.")
    notebooks.add_argument("--edition", required=True, choices=("student", "instructor", "otter"))
    notebooks.add_argument("--backend", required=True, type=_backend, metavar="NAME",
                           help="the framework whose cells the notebooks keep")
    notebooks.add_argument("--out", required=True, help="the folder to write them into")
    notebooks.add_argument("--sections", nargs="+", metavar="NAME",
                           help=f"sections (default: all; the chapter's: {_section_names()})")
    notebooks.add_argument("--sources", default=None,
                           help="folder of section scripts (default: the chapter's, shipped in the package)")


def _notebooks(args, parser):
    source_dir = args.sources or plan.sections_folder()
    try:
        from d2l_optim.build import editions

        written = editions.write_notebooks(args.out, args.edition, args.backend,
                                           plan.select_sections(source_dir, args.sections), source_dir)
    except (UsageError, ValueError, ImportError) as error:
        parser.exit(2, f"d2l-optim notebooks: {error}\n")
    print("\n".join(written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
