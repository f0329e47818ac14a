"""TensorFlow backend: ``tf.Tensor``, derivatives from ``tf.GradientTape``, Keras' optimizers."""
LABEL = "TensorFlow"
ALIASES = ("tf",)
FRAMEWORK = "tensorflow"
MODULE_ROOTS = ("tensorflow", "keras")
DISTRIBUTIONS = ("tensorflow-cpu", "tensorflow", "tensorflow-intel", "tensorflow-macos")
EXTRA = "tensorflow"
