"""The tensor-ops shim: one signature and one behaviour on every backend.

Every function works on the active backend (see :func:`d2l_optim.get_backend`) and returns that
framework's own tensor type. Python numbers and lists are accepted everywhere and become tensors
of the default float dtype (:func:`d2l_optim.floatx`, ``"float32"`` unless changed); a NumPy
float array keeps its precision; a tensor of another framework is rejected with a ``TypeError``.
Creation ops compute their values in float64 NumPy and then convert, so a grid or a random draw
holds the same numbers on every backend.

Dtype rules, the same on every backend:

* the shim computes in float32 or float64 only: an integer or boolean input (a Python int, a NumPy
  or framework integer tensor) becomes :func:`floatx`;
* operands of one shim call that mix float32 and float64 are computed in float64 (NumPy's
  promotion); a Python number takes the dtype of the tensor it meets. The frameworks' own
  operators (``x + y``) are not the shim: PyTorch and NumPy promote, TensorFlow and MXNet raise,
  so convert first with :func:`cast`.
"""
import contextvars
import math
import warnings

import numpy as np

from d2l_optim import _config, _registry

pi = math.pi


def family(x):
    """The backend owning ``x``'s type (``"numpy"`` for NumPy data), None for Python objects."""
    kind = type(x)
    try:
        return _owners[kind]
    except KeyError:
        _owners[kind] = _registry.MODULE_OWNERS.get(kind.__module__.split(".")[0])
        return _owners[kind]


#: type -> the backend owning it (family's answers: every shim call asks)
_owners = {}


def _is_numpy_data(x):
    kind = type(x)
    try:
        return _numpy_types[kind]
    except KeyError:
        _numpy_types[kind] = kind.__module__.split(".")[0] == "numpy"
        return _numpy_types[kind]


#: type -> whether it is NumPy's (_is_numpy_data's answers)
_numpy_types = {}


def _backend_for(*args):
    """The active backend, after checking that no argument belongs to another framework."""
    backend = _config.current()
    for arg in args:
        try:
            owner = _owners[type(arg)]  # family(arg), without a call on the common path
        except KeyError:
            owner = family(arg)
        if owner not in (None, "numpy", backend.NAME):
            raise TypeError(
                f"got a {owner} tensor ({type(arg).__name__}) while the active backend is "
                f"{backend.NAME!r}; convert it with d2l.numpy(x) or switch with "
                f"d2l.use_backend({owner!r})")
    return backend


def is_tensor(x):
    """Whether ``x`` is a tensor of the active backend."""
    return isinstance(x, _config.current().TENSOR_TYPES)


def tensor(data, dtype=None):
    """A tensor of the active backend holding ``data`` (numbers, nested lists or arrays).

    ``dtype`` is ``"float32"`` or ``"float64"``; by default a float32 or float64 framework tensor
    keeps its dtype and anything else (numbers, lists, NumPy arrays, integer tensors) becomes
    :func:`floatx`.
    """
    backend = _backend_for(data)
    if isinstance(data, backend.TENSOR_TYPES) and not _is_numpy_data(data):
        if dtype is None:
            return _lift(backend, data)
        return backend.cast(data, _config.resolve_dtype(dtype))
    array = np.asarray(data)
    if array.dtype == object:
        raise TypeError(f"cannot make a tensor from {type(data).__name__} data: {data!r:.80}")
    return _new(array, dtype)


def _new(array, dtype=None):
    """A new tensor of the active backend from a NumPy array, as ``dtype`` (default floatx)."""
    return _config.current().from_numpy(np.asarray(array).astype(_config.resolve_dtype(dtype)))


def _native_float(backend, x):
    """Whether ``x`` is a float32 or float64 tensor of ``backend``, which every shim op takes as it
    is (with no question of its framework or its dtype)."""
    return type(x) in backend.TENSOR_TYPES and x.dtype in backend.FLOAT_DTYPES


def _lift(backend, x, like=None):
    """``x`` as a float tensor of ``backend``: a float32/float64 tensor as it is, an integer or
    boolean one as floatx, a non-tensor in the dtype of the tensor ``like`` (floatx without one)."""
    if isinstance(x, backend.TENSOR_TYPES):
        return x if x.dtype in backend.FLOAT_DTYPES else backend.cast(x, _config.floatx())
    if _is_numpy_data(x) and np.asarray(x).dtype.kind == "f":
        return backend.from_numpy(np.asarray(x))  # a float array keeps its precision
    dtype = backend.dtype_name(like) if isinstance(like, backend.TENSOR_TYPES) else None
    return tensor(x, dtype)


def _unary(name, doc):
    def op(x):
        backend = _config.current()
        if not _native_float(backend, x):
            backend = _backend_for(x)
            x = _lift(backend, x)
        return getattr(backend.MATH, name)(x)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _promoted(backend, tensors):
    """Float tensors of one dtype: all float64 if any is (float32 meets float64 -> float64)."""
    first = tensors[0].dtype
    for t in tensors:
        if t.dtype != first:
            return [backend.cast(t, "float64") for t in tensors]
    return tensors


def _binary(name, doc):
    def op(x, y):
        backend = _backend_for(x, y)
        x, y = _promoted(backend, [_lift(backend, x, like=y), _lift(backend, y, like=x)])
        return getattr(backend.MATH, name)(x, y)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


cos = _unary("cos", "Elementwise cosine, cos(x).")
sin = _unary("sin", "Elementwise sine, sin(x).")
tan = _unary("tan", "Elementwise tangent, tan(x).")
tanh = _unary("tanh", "Elementwise hyperbolic tangent, tanh(x).")
cosh = _unary("cosh", "Elementwise hyperbolic cosine, cosh(x).")
sinh = _unary("sinh", "Elementwise hyperbolic sine, sinh(x).")
exp = _unary("exp", "Elementwise exponential, e^x.")
log = _unary("log", "Elementwise natural logarithm, ln(x).")
sqrt = _unary("sqrt", "Elementwise square root, √x.")
square = _unary("square", "Elementwise square, x².")
sign = _unary("sign", "Elementwise sign: -1, 0 (at 0) or 1.")
abs = _unary("abs", "Elementwise absolute value, ``|x|``.")
maximum = _binary("maximum", "Elementwise maximum of x and y.")
minimum = _binary("minimum", "Elementwise minimum of x and y.")
matmul = _binary("matmul", "Matrix product x @ y.")


def reshape(x, shape):
    """``x`` with a new shape (one entry may be -1)."""
    backend = _backend_for(x)
    return backend.MATH.reshape(_lift(backend, x), tuple(shape))


def reduce_sum(x, axis=None, keepdims=False):
    """Sum over ``axis`` (all axes when None)."""
    backend = _backend_for(x)
    return backend.MATH.sum(_lift(backend, x), axis=axis, keepdims=keepdims)


def reduce_mean(x, axis=None, keepdims=False):
    """Mean over ``axis`` (all axes when None).

    The mean of an empty tensor is undefined: it raises ``ValueError`` on every backend (NumPy and
    PyTorch would give nan, MXNet 0 or a crash at exit), whatever the axis.
    """
    backend = _backend_for(x)
    x = _lift(backend, x)
    if 0 in tuple(x.shape):
        raise ValueError(f"reduce_mean of an empty tensor (shape {shape(x)}) has no value; check "
                         "that the data is not empty before averaging")
    return backend.MATH.mean(x, axis=axis, keepdims=keepdims)


def shape(x):
    """Shape of ``x`` as a tuple of ints."""
    backend = _backend_for(x)
    return tuple(int(n) for n in _lift(backend, x).shape)


def size(x):
    """Number of elements of ``x``."""
    return math.prod(shape(x))


def dtype(x):
    """dtype name of ``x``: ``"float32"``, ``"float64"``, ``"int64"``, ... (a non-tensor as the shim
    would convert it)."""
    backend = _backend_for(x)
    return backend.dtype_name(x if isinstance(x, backend.TENSOR_TYPES) else _lift(backend, x))


def cast(x, dtype):
    """``x`` converted to ``dtype`` (``"float32"`` or ``"float64"``)."""
    return tensor(x, dtype)


def numpy(x):
    """A NumPy copy of ``x`` (a tensor of any backend, an array or a number).

    The copy is not connected to the tensor: a function that builds its result from it cannot be
    differentiated (see :func:`value_and_grad`).
    """
    owner = family(x)
    log = _conversions.get()
    if log is not None and owner is not None:
        log.append(type(x).__name__)
    if owner is None or _is_numpy_data(x):
        return np.array(x)
    try:
        return _config.load(owner).to_numpy(x)
    except TypeError as error:  # a tracing framework (JAX) cannot give the value of a traced tensor
        if log is None:
            raise
        raise TypeError(f"d2l.numpy or d2l.to_float of a {type(x).__name__} while it is being "
                        f"differentiated: {_GRADIENT_FIX}") from error


def to_float(x):
    """``x``, which must hold exactly one number, as a Python float."""
    if type(x) in (float, int):
        return float(x)
    if getattr(x, "ndim", None) == 0 and _conversions.get() is None and family(x) is not None:
        return float(x)  # a 0-d tensor outside a derivative: the framework's own conversion
    array = numpy(x)
    if array.size != 1:
        raise ValueError(f"expected a single number, got an array of shape {array.shape}")
    return float(array.reshape(()))


def _steps(start, stop, step):
    if stop is None:
        start, stop = 0.0, start
    if step == 0:
        raise ValueError("arange: step must be non-zero")
    count = max(0, math.ceil(round((stop - start) / step, 9)))
    return start + step * np.arange(count, dtype=np.float64)


def arange(start, stop=None, step=1.0, dtype=None):
    """Evenly spaced values ``start, start + step, ...`` below ``stop`` (like ``numpy.arange``).

    There are ``ceil((stop - start) / step)`` values (the quotient rounded to 9 decimals first,
    so ``arange(-5.5, 1.0, 0.1)`` has 65 values on every backend); each is ``start + i * step``
    computed in float64, then converted to ``dtype``.
    """
    return _new(_steps(start, stop, step), dtype)


def linspace(start, stop, num, dtype=None):
    """``num`` evenly spaced values from ``start`` to ``stop``, both included."""
    return _new(np.linspace(start, stop, int(num)), dtype)


def meshgrid(*axes, indexing="xy"):
    """Coordinate grids of 1-D ``axes``; ``indexing="xy"`` (default, as matplotlib) or ``"ij"``.

    With ``"xy"`` and axes of lengths n and m, both grids have shape (m, n).
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    grids = np.meshgrid(*[numpy(a) for a in axes], indexing=indexing)
    return tuple(_new(g, _common_dtype(axes)) for g in grids)


def _common_dtype(arrays):
    dtypes = {dtype(a) for a in arrays if family(a) is not None}
    return "float64" if "float64" in dtypes else None


def zeros(shape, dtype=None):
    """A tensor of zeros."""
    return _new(np.zeros(shape), dtype)


def ones(shape, dtype=None):
    """A tensor of ones."""
    return _new(np.ones(shape), dtype)


def zeros_like(x):
    """Zeros with the shape and dtype of ``x``."""
    return _new(np.zeros(shape(x)), dtype(x))


def stack(xs, axis=0):
    """Join equally shaped tensors along a new ``axis`` (float64 if any of them is)."""
    backend = _config.current()
    for x in xs:  # float tensors of the active backend, all of one dtype, are stacked as they are
        if not _native_float(backend, x) or x.dtype != xs[0].dtype:
            backend = _backend_for(*xs)
            xs = _promoted(backend, [_lift(backend, x) for x in xs])
            break
    return backend.MATH.stack(xs, axis=axis)


def unstack(x):
    """The slices ``x[0], x[1], ...`` of ``x`` along its first axis, as a tuple of tensors."""
    backend = _config.current()
    if not _native_float(backend, x):
        backend = _backend_for(x)
        x = _lift(backend, x)
    try:
        rows = _unstackers[backend.NAME]
    except KeyError:  # the backend's own unstack where its MATH has one, else iteration
        rows = _unstackers[backend.NAME] = getattr(backend.MATH, "unstack", iter)
    return tuple(rows(x))


#: backend name -> its function giving a tensor's rows (unstack's answers)
_unstackers = {}


def normal(shape, mean=0.0, std=1.0, dtype=None):
    """Draws from N(mean, std²) of the given shape.

    The numbers come from the shared NumPy generator (:func:`seed`), so after ``d2l.seed(n)``
    every backend sees the same draws.
    """
    if not std >= 0:
        raise ValueError(f"normal: std must be >= 0, got {std}")
    return _new(_config.rng().normal(mean, std, size=shape), dtype)


#: While a function is being differentiated: the types that d2l.numpy / d2l.to_float converted.
_conversions = contextvars.ContextVar("d2l_optim_conversions", default=None)

_GRADIENT_FIX = ("build the result from the inputs with d2l ops and the framework's operators; "
                 "d2l.to_float, d2l.numpy, float() and NumPy functions cut the chain of derivatives")


def value_and_grad(f, argnums=0, has_aux=False):
    """``f`` and its gradient through the backend's autograd.

    Returns a function of the same arguments as ``f`` that gives ``(f(*args), grads)``; ``grads``
    is the gradient with respect to argument ``argnums`` or, when ``argnums`` is a tuple, a tuple
    of gradients, each in the dtype of its argument. With ``has_aux`` (as in JAX), ``f`` returns a
    pair ``(value, aux)``, only ``value`` is differentiated, and the result is
    ``((value, aux), grads)``, ``aux`` (e.g. a network's logits) cut from any autograd graph.
    Rules, the same on every backend:

    * the value must be a tensor of the active backend holding one number; a Python float, a NumPy
      array on another backend or a bigger tensor raises (``TypeError``/``ValueError``);
    * the differentiated arguments are converted first: numbers, lists and integer tensors become
      :func:`floatx` tensors, float tensors keep their dtype;
    * where the value does not depend on any differentiated argument, the gradient is zero and a
      ``UserWarning`` says so (as HIPS autograd does), unless the value was cut from its inputs by
      :func:`numpy` or :func:`to_float`, which raises ``TypeError``; an argument the value does not
      depend on, next to one it does, silently gets a zero gradient;
    * the caller's tensors are left untouched (no ``.grad`` or tape remains).
    """
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)
    fewest_args = max(nums) + 1 if nums else math.inf  # the call's arguments that argnums needs
    name = getattr(f, "__name__", "f")

    def checked(*args):
        result = f(*args)
        if has_aux:
            if not (isinstance(result, tuple) and len(result) == 2):
                raise TypeError(f"{name} is differentiated with has_aux=True, so it must return a pair "
                                f"(value, aux); it returned a {type(result).__name__}")
            value, aux = result
        else:
            value = result
        backend = _config.current()
        if not isinstance(value, backend.TENSOR_TYPES):
            raise TypeError(f"{name} returned a {type(value).__name__}, not a {backend.NAME} tensor, "
                            f"so no gradient can flow back to its inputs; {_GRADIENT_FIX}")
        if value.ndim != 0:
            if size(value) != 1:
                raise ValueError(f"can only differentiate a function returning one number; "
                                 f"{name} returned shape {shape(value)}")
            value = reshape(value, ())
        return (value, aux) if has_aux else value

    derivatives = {}  # backend name -> the backend's derivative of checked

    def evaluate(*args):
        backend = _config.current()
        if len(args) < fewest_args:
            raise ValueError(f"argnums={argnums!r} does not fit a call with {len(args)} arguments")
        for arg in args:  # float tensors of the active backend (the common case) go in as they are
            if not _native_float(backend, arg):
                backend, args = _backend_for(*args), list(args)
                for i in nums:
                    args[i] = _lift(backend, args[i])
                break
        try:
            derivative = derivatives[backend.NAME]
        except KeyError:
            derivative = derivatives[backend.NAME] = backend.value_and_grad(checked, nums, has_aux)
        token = _conversions.set([])
        try:
            result, grads = derivative(*args)
            converted = _conversions.get()
        finally:
            _conversions.reset(token)
        if grads is None:
            if converted:
                raise TypeError(f"the value of {name} does not depend on its inputs: it went through "
                                f"d2l.numpy or d2l.to_float (of a {converted[0]}); {_GRADIENT_FIX}")
            warnings.warn(f"the value of {name} does not depend on argument(s) {argnums!r}: their "
                          "gradient is zero", UserWarning, stacklevel=3)
            grads = [zeros_like(args[i]) for i in nums]
        return result, (grads[0] if single else tuple(grads))

    return evaluate


def grad(f, argnums=0):
    """The gradient function of ``f`` (see :func:`value_and_grad`); it records what it
    differentiates as its attributes ``function`` (``f``) and ``argnums``."""
    derivative = value_and_grad(f, argnums)

    def gradient(*args):
        return derivative(*args)[1]

    gradient.function, gradient.argnums = f, argnums
    return gradient


def hessian(f):
    """The second-derivative function f''(x) of a function of one scalar variable.

    Raises :class:`d2l_optim.errors.SecondDerivativeUnsupported` on backends whose autograd cannot
    differentiate twice through ``f`` (MXNet 1.9 for most operators).
    """
    return grad(grad(f))


# Convolutional networks (the lr-scheduler section). Images are NCHW (batch, channels, height,
# width) on every backend; a backend whose CPU kernels want another layout converts inside.

def _check_ndim(name, x, ndim, layout):
    if len(shape(x)) != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D tensor {layout}, got shape {shape(x)}")


def conv2d(x, weight, bias=None, padding=0):
    """2-D convolution with stride 1 (a cross-correlation, as in every framework):

    out[n, o, i, j] = bias[o] + Σ_{c, u, v} weight[o, c, u, v] · x̃[n, c, i + u, j + v],

    x̃ being ``x`` (N, C, H, W) zero-padded by ``padding`` on each side and ``weight`` of shape
    (O, C, kh, kw); the result has shape (N, O, H + 2·padding − kh + 1, W + 2·padding − kw + 1).
    """
    backend = _backend_for(x, weight, bias)
    x = _lift(backend, x)
    weight = _lift(backend, weight, like=x)
    _check_ndim("conv2d", x, 4, "of images (batch, channels, height, width)")
    _check_ndim("conv2d", weight, 4, "of kernels (out_channels, in_channels, height, width)")
    (_, channels, height, width), (out_channels, in_channels, kh, kw) = shape(x), shape(weight)
    if channels != in_channels:
        raise ValueError(f"conv2d: the images have {channels} channels but the kernels expect "
                         f"{in_channels} (weight shape {shape(weight)})")
    if not (isinstance(padding, int) and padding >= 0):
        raise ValueError(f"conv2d: padding must be a whole number >= 0, got {padding!r}")
    if height + 2 * padding < kh or width + 2 * padding < kw:
        raise ValueError(f"conv2d: a {kh}x{kw} kernel does not fit {height}x{width} images "
                         f"padded by {padding}")
    out = backend.conv2d(x, weight, padding)
    if bias is None:
        return out
    bias = _lift(backend, bias, like=x)
    if shape(bias) != (out_channels,):
        raise ValueError(f"conv2d: bias must have shape ({out_channels},), got {shape(bias)}")
    return out + reshape(bias, (1, out_channels, 1, 1))


def max_pool2d(x, size=2):
    """Maximum over non-overlapping ``size`` × ``size`` windows (stride ``size``) of NCHW images:
    (N, C, H, W) → (N, C, H // size, W // size); rows and columns left over are dropped."""
    backend = _backend_for(x)
    x = _lift(backend, x)
    _check_ndim("max_pool2d", x, 4, "of images (batch, channels, height, width)")
    if not (isinstance(size, int) and 1 <= size <= min(shape(x)[2:])):
        raise ValueError(f"max_pool2d: size must be a whole number from 1 to the image side "
                         f"{min(shape(x)[2:])}, got {size!r}")
    return backend.max_pool2d(x, size)


def relu(x):
    """Elementwise max(x, 0); its derivative is taken as 0 at x = 0 on every backend."""
    backend = _backend_for(x)
    return backend.relu(_lift(backend, x))


def logsumexp(x, axis=-1, keepdims=False):
    """log Σ exp(x) along ``axis``, computed stably (the maximum is subtracted before exp)."""
    backend = _backend_for(x)
    return backend.logsumexp(_lift(backend, x), axis, keepdims)


def log_softmax(x, axis=-1):
    """log softmax(x) = x − logsumexp(x) along ``axis``."""
    return x - logsumexp(x, axis, keepdims=True)


def argmax(x, axis=-1):
    """Index of the largest value along ``axis``, an int64 tensor (the first one at a tie)."""
    backend = _backend_for(x)
    return backend.argmax(_lift(backend, x), axis)


def int_tensor(data):
    """An int64 tensor of the active backend holding the whole numbers ``data`` (labels, indices)."""
    array = numpy(data)
    if array.dtype.kind not in "iu" and not (array.dtype.kind == "f" and (array == np.round(array)).all()):
        raise TypeError(f"int_tensor: expected whole numbers, got {array.dtype} data: {data!r:.80}")
    return _backend_for(data).from_numpy(array.astype(np.int64))


def one_hot(labels, num_classes, dtype=None):
    """Rows of the identity: ``one_hot(y, k)[n, c]`` is 1 where c = y[n], else 0; shape (N, k).

    ``labels`` are whole numbers in [0, num_classes) (a tensor, an array or a list).
    """
    array = numpy(labels)
    if array.ndim != 1 or array.dtype.kind not in "iuf" or not (array == np.round(array)).all():
        raise ValueError(f"one_hot: labels must be a 1-D sequence of whole numbers, got "
                         f"{array.dtype} data of shape {array.shape}")
    outside = array[(array < 0) | (array >= num_classes)]
    if outside.size:
        raise ValueError(f"one_hot: labels must lie in 0..{num_classes - 1}, got {outside[:5].tolist()}")
    return _new(np.eye(num_classes)[array.astype(np.int64)], dtype)
