"""NumPy backend: plain ``ndarray`` tensors, derivatives from HIPS ``autograd``."""
LABEL = "NumPy"
ALIASES = ("np",)
FRAMEWORK = "autograd"
MODULE_ROOTS = ("numpy", "autograd")
DISTRIBUTIONS = ("autograd",)
EXTRA = None
