"""PyTorch backend: ``torch.Tensor``, derivatives from ``torch.autograd``.

This module is the backend's identity (:class:`d2l_optim.backend_api.Identity`), read without
importing torch; the implementation is in ``ops``, ``autograd``, ``nn``, ``train`` and
``compile``, what tests and the build need to know in ``facts``.
"""
LABEL = "PyTorch"
ALIASES = ("pytorch",)
FRAMEWORK = "torch"
MODULE_ROOTS = ("torch",)
DISTRIBUTIONS = ("torch",)
EXTRA = "torch"
