"""TensorFlow backend: ``tf.Tensor``, derivatives from ``tf.GradientTape``, Keras' optimizers.

This module is the backend's identity (:class:`d2l_optim.backend_api.Identity`), read without
importing TensorFlow; the implementation is in ``ops``, ``autograd``, ``nn``, ``train`` and
``compile``, what tests and the build need to know in ``facts``.
"""
LABEL = "TensorFlow"
ALIASES = ("tf",)
FRAMEWORK = "tensorflow"
MODULE_ROOTS = ("tensorflow", "keras")
DISTRIBUTIONS = ("tensorflow-cpu", "tensorflow", "tensorflow-intel", "tensorflow-macos")
EXTRA = "tensorflow"
