"""Who the backends are: the one place a backend's identity is written.

Everything else reads this table: backend selection and aliases (``_config``), which backend owns a
tensor (``ops``), the labels of the site's tabs and the framework versions in the build's cache key
(the course build), the test parametrisation, and the checks that ``setup.cfg``, ``tox.ini`` and
the pins in ``.ci/`` agree with it (``tests/test_architecture.py``). It imports nothing, so
``import d2l_optim`` stays framework-free.
"""
from typing import NamedTuple, Optional, Tuple


class BackendInfo(NamedTuple):
    """A backend's identity.

    ``name`` is canonical (the module ``d2l_optim.backends.<name>``, the tox environment, the value of
    ``D2L_OPTIM_BACKEND``); ``label`` is what readers see; ``aliases`` are accepted as well;
    ``framework`` is the module whose presence means the backend is installed; ``module_roots`` are
    the top-level modules whose tensor classes belong to this backend; ``distributions`` are the pip
    distributions that may provide the framework, the first being the one the extra installs;
    ``extra`` is the ``pip install "d2l-optim[extra]"`` that installs it (None: always installed).
    """

    name: str
    label: str
    aliases: Tuple[str, ...]
    framework: str
    module_roots: Tuple[str, ...]
    distributions: Tuple[str, ...]
    extra: Optional[str]


BACKENDS = {info.name: info for info in (
    BackendInfo("numpy", "NumPy", ("np",), "autograd", ("numpy", "autograd"), ("autograd",), None),
    BackendInfo("torch", "PyTorch", ("pytorch",), "torch", ("torch",), ("torch",), "torch"),
    BackendInfo("tensorflow", "TensorFlow", ("tf",), "tensorflow", ("tensorflow", "keras"),
                ("tensorflow-cpu", "tensorflow", "tensorflow-intel", "tensorflow-macos"), "tensorflow"),
    BackendInfo("mxnet", "MXNet", ("mx",), "mxnet", ("mxnet",),
                ("mxnet", "mxnet-mkl", "mxnet-cu112", "mxnet-native"), "mxnet"),
)}

#: alias -> canonical name
ALIASES = {alias: info.name for info in BACKENDS.values() for alias in info.aliases}

#: top-level module of a tensor's class -> the backend that owns it
MODULE_OWNERS = {root: info.name for info in BACKENDS.values() for root in info.module_roots}

LABELS = {name: info.label for name, info in BACKENDS.items()}
