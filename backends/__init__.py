"""Backend modules, one per framework, installed as ``d2l_optim.backends``.

Every module exposes the same small interface, which ``d2l_optim.ops`` builds the shim on:

``NAME``                    canonical backend name
``TENSOR_TYPES``            the framework's tensor classes (what the shim returns)
``MATH``                    namespace of functions with NumPy names and signatures: cos, sin, ...,
                            maximum, minimum, matmul, reshape, stack, sum and mean (axis, keepdims)
``from_numpy(array)``       a new tensor holding a NumPy array (dtype already chosen)
``to_numpy(x)``             a NumPy copy of a tensor
``cast(x, dtype)``          ``x`` as ``"float32"``/``"float64"``
``dtype_name(x)``           ``"float32"``, ``"float64"``, ...
``value_and_grad(f, argnums)``   derivative through the framework's own autograd; returns
                            ``(value, [grad for each argnum])`` and leaves no state behind
``seed(n)``                 seed the framework's own random generator
"""
