"""Command line: ``d2l-optim build`` and ``d2l-optim equivalence`` (also ``python -m d2l_optim ...``)."""
import argparse
import signal
import sys

from d2l_optim import _config
from d2l_optim.build import plan
from d2l_optim.build.plan import BuildError


def main(argv=None):
    parser = argparse.ArgumentParser(prog="d2l-optim", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser(
        "build", help="run every section on every backend and publish the course web site",
        description="Run every section on every installed backend (each in its own process) and "
                    "publish figures, outputs, executed notebooks and a web site. The output folder "
                    "must be new, empty, or made by an earlier build (it holds a "
                    f"{plan.MARKER} file); anything else is refused. Ctrl-C stops the build and "
                    "leaves the previous site as it was.")
    build.add_argument("--backends", nargs="+", metavar="NAME",
                       help=f"backends to run (default: every installed one; known: "
                            f"{', '.join(_config.BACKENDS)})")
    build.add_argument("--sections", nargs="+", metavar="NAME",
                       help="sections to run (default: all)")
    build.add_argument("--out", default="site", help="output folder (default: site)")
    build.add_argument("--jobs", type=int, default=2, help="runs at a time (default: 2)")
    build.add_argument("--sources", default=None,
                       help="folder of section scripts (default: the chapter's, shipped inside the package)")
    build.add_argument("--cell-timeout", type=float, default=plan.DEFAULT_CELL_TIMEOUT, metavar="SECONDS",
                       help="stop a notebook cell that runs longer, and report its section as failed "
                            f"(default: {plan.DEFAULT_CELL_TIMEOUT} s)")
    build.add_argument("--no-wait", action="store_true",
                       help="if another build is publishing into the same folder, stop instead of waiting")
    build.add_argument("--force", action="store_true", help="ignore the cache and run everything")
    build.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_equivalence(commands)
    args = parser.parse_args(argv)
    if args.command == "equivalence":
        return _equivalence(args)
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {args.jobs}")
    if not args.cell_timeout > 0:
        parser.error(f"--cell-timeout must be more than 0 seconds, got {args.cell_timeout:g}")

    try:
        plan.require_course_extra()
        from d2l_optim.build import pipeline

        failed = pipeline.build(out=args.out, backends=args.backends, sections=args.sections,
                                jobs=args.jobs, source_dir=args.sources, force=args.force,
                                progress=not args.no_progress, cell_timeout=args.cell_timeout,
                                wait=not args.no_wait)
    except (ValueError, ImportError) as error:
        parser.exit(2, f"d2l-optim build: {error}\n")
    except BuildError as error:
        parser.exit(1, f"d2l-optim build failed, {args.out} left as it was: {error}\n")
    except KeyboardInterrupt as stopped:  # BuildStopped, or a Ctrl-C before the build took over
        signum = getattr(stopped, "signum", signal.SIGINT)
        parser.exit(128 + signum, f"d2l-optim build: stopped by {signal.Signals(signum).name}; "
                                  f"{args.out} left as it was\n")
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
    except (ValueError, ImportError) as error:
        sys.exit(f"d2l-optim equivalence: {error}")
    if not args.out:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
