"""NumPy backend: plain ``ndarray`` tensors, derivatives from HIPS ``autograd``.

This module is the backend's identity (:class:`d2l_optim.backend_api.Identity`), read without
importing anything; the implementation is in ``ops``, ``autograd``, ``nn``, ``train`` and
``compile``, what tests and the build need to know in ``facts``.
"""
LABEL = "NumPy"
ALIASES = ("np",)
FRAMEWORK = "autograd"
MODULE_ROOTS = ("numpy", "autograd")
DISTRIBUTIONS = ("autograd",)
EXTRA = None
