"""The backends that ship with d2l-optim, one package per framework, installed as ``d2l_optim.backends``.

Each ``<name>/`` package is registered under the entry-point group ``d2l_optim.backends`` in
setup.cfg (another distribution registers its own backend the same way) and is laid out as
:mod:`d2l_optim.backend_api` describes: its identity in ``__init__``, its facts in ``facts``, and
the framework's side of the shim in ``ops``, ``autograd``, ``nn``, ``train`` and ``compile`` — the
only modules that import the framework.
"""
