"""JAX tensors: ``jax.Array`` (tracers too, while a function is differentiated or compiled).

**64-bit values.** JAX computes in 32 bits unless its x64 mode (``jax_enable_x64``) is on: without
it a float64 array cannot even be made, and an operation on one, Python numbers included, runs in
float32. d2l asks for 64 bits in its 1-D and 2-D traces (float64, like the book's Python floats),
for class labels (int64) and wherever ``d2l.set_floatx("float64")`` is in force, and those values
then meet the framework's own operators (``x - eta * g``) outside any d2l call, so a scoped switch
(``with jax.enable_x64(True)``) around d2l's calls cannot keep them in 64 bits. The backend
therefore turns x64 on for the whole process the first time d2l makes a 64-bit tensor, and leaves
it on. JAX's own defaults are then 64-bit as well (``jnp.zeros(3)`` is float64 afterwards); d2l's
tensors always carry an explicit dtype, so float32 stays d2l's default.
"""
import jax
import jax.numpy as jnp
import numpy as np

TENSOR_TYPES = (jax.Array,)  # concrete arrays and tracers alike
FLOAT_DTYPES = (np.dtype("float32"), np.dtype("float64"))
MATH = jnp


def enable_x64():
    """Turn on JAX's x64 mode, process wide, if it is off (see the module docstring)."""
    if not jax.config.read("jax_enable_x64"):
        jax.config.update("jax_enable_x64", True)


def from_numpy(array):
    array = np.asarray(array)
    if array.dtype.itemsize == 8:
        enable_x64()
    return jnp.asarray(array)


def to_numpy(x):
    return np.array(x)  # a tracer cannot be converted: TypeError (TracerArrayConversionError)


def cast(x, dtype):
    if dtype == "float64":
        enable_x64()
    return x.astype(dtype)


def dtype_name(x):
    return np.dtype(x.dtype).name


def seed(n):
    """Nothing to seed: JAX has no global generator (its random functions take explicit keys), and
    d2l's random numbers come from NumPy (``d2l.seed``), the same on every backend."""
