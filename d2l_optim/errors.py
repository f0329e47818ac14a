"""Exceptions raised by d2l-optim."""


class SecondDerivativeUnsupported(NotImplementedError):
    """The backend's autograd cannot differentiate a gradient a second time."""
