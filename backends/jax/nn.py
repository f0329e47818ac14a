"""Convolution, pooling and friends from ``jax.lax`` and ``jax.nn`` (NCHW kept throughout)."""
import jax
import jax.numpy as jnp

from d2l_optim.backends.jax.ops import enable_x64


def conv2d(x, weight, padding):
    return jax.lax.conv_general_dilated(x, weight, window_strides=(1, 1), padding=[(padding, padding)] * 2,
                                        dimension_numbers=("NCHW", "OIHW", "NCHW"))


def max_pool2d(x, size):
    window = (1, 1, size, size)
    return jax.lax.reduce_window(x, jnp.array(-jnp.inf, x.dtype), jax.lax.max, window, window, "VALID")


def relu(x):
    return jax.nn.relu(x)  # its derivative at 0 is 0


def logsumexp(x, axis, keepdims):
    return jax.nn.logsumexp(x, axis=axis, keepdims=keepdims)


def argmax(x, axis):
    enable_x64()  # the shim's indices are int64
    return jnp.argmax(x, axis=axis).astype(jnp.int64)
