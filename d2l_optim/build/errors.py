"""The build's errors, named by what the command line makes of them: a usage error (exit 2, nothing
was touched), a build error (exit 1, the previous site or records left as they were), a stop
(SIGINT or SIGTERM: 128 + the signal's number). Anything else is a bug, and shows its traceback."""
import signal


class UsageError(Exception):
    """The build or the assembly was asked for something it will not do; nothing was touched (exit 2)."""


class RecordsRefused(UsageError):
    """A folder given to ``d2l-optim assemble`` holds no records, or records that cannot be merged
    with the others (made from another d2l-optim source or another script of a section, one run given
    twice, a file changed since it was written); nothing was touched (exit 2)."""


class BuildError(Exception):
    """The build could not publish: the previous site (or records folder) is left as it was (exit 1)."""


class BuildStopped(KeyboardInterrupt):
    """The build was asked to stop (``signum``: SIGINT or SIGTERM); nothing was published."""

    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
