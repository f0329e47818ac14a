"""JAX backend: ``jax.Array``, derivatives from ``jax.value_and_grad``, optax's optimizers.

JAX is functional: arrays never change, and a derivative or a compiled function traces the Python
code with tracers standing in for the arrays. The shim asks nothing else of it: every update
returns new tensors, built-in steps return the new parameters and optax state, the CNN hands its
logits out of the differentiated function as auxiliary output, and the compiled path is
``jax.jit``. 64-bit tensors need JAX's x64 mode, which the backend switches on the first time d2l
asks for one (see ``ops``).
"""
LABEL = "JAX"
ALIASES = ()
FRAMEWORK = "jax"
MODULE_ROOTS = ("jax", "jaxlib", "optax")
DISTRIBUTIONS = ("jax",)
EXTRA = "jax"
