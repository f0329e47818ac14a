"""Backend packages, one per framework, installed as ``d2l_optim.backends``.

``d2l_optim.backends.<name>`` (this folder's ``<name>/``) is the only place that imports its
framework. Each package implements the interface written in :mod:`d2l_optim.backend_api`, and its
identity (label, aliases, distributions, pip extra) is in :mod:`d2l_optim._registry`.
"""
