"""PyTorch backend: ``torch.Tensor``, derivatives from ``torch.autograd``."""
LABEL = "PyTorch"
ALIASES = ("pytorch",)
FRAMEWORK = "torch"
MODULE_ROOTS = ("torch",)
DISTRIBUTIONS = ("torch",)
EXTRA = "torch"
