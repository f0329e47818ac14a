"""Exceptions raised by d2l-optim."""


class SecondDerivativeUnsupported(NotImplementedError):
    """The backend's autograd cannot differentiate a gradient a second time."""


class BackendConflict(RuntimeError):
    """The backend's framework cannot be imported into this process, because of a framework the
    process has imported already (its backend package says which, and why)."""
