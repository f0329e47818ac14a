"""The compiled path on JAX: ``jax.jit``."""
import jax
import jax.numpy as jnp


def compile_step(step):
    """``jax.jit``: the step traced once per structure, shapes and dtypes of its inputs and run as
    one XLA computation. JAX arrays never change, so the new slots are new arrays: the old State
    keeps its own until it is dropped."""
    compiled = jax.jit(step)

    def run(params, slots, *args):
        dtype = params[0].dtype
        args = [a if isinstance(a, (jax.Array, tuple, list)) else jnp.asarray(a, dtype) for a in args]
        new_params, new_slots = compiled(tuple(params), tuple(tuple(s) for s in slots), *args)
        return tuple(new_params), new_slots

    return run
