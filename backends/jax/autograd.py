"""Derivatives on JAX from ``jax.value_and_grad``.

JAX differentiates any value silently, giving zeros where it does not depend on the inputs. The
shim wants to know (it warns, as HIPS autograd does), so the value is checked while ``f`` runs:
it depends on the inputs when it is a tracer of the same trace as they are. That reads
``Tracer._trace``, JAX's own record of a tracer's trace (not a documented API): should it go, every
derivative fails with an AttributeError here rather than silently call a value independent.
"""
import jax


def _depends_on(value, inputs):
    return isinstance(value, jax.core.Tracer) and any(value._trace is x._trace for x in inputs)


def value_and_grad(f, argnums, has_aux):
    def evaluate(*args):
        depends = []

        def traced(*traced_args):
            result = f(*traced_args)
            value = result[0] if has_aux else result
            depends.append(_depends_on(value, [traced_args[i] for i in argnums]))
            return result

        result, grads = jax.value_and_grad(traced, argnums=tuple(argnums), has_aux=has_aux)(*args)
        return result, (list(grads) if depends[-1] else None)

    return evaluate
