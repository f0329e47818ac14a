"""The shim: one signature and one behaviour on every backend."""
import math
import warnings

import numpy as np
import pytest

import d2l_optim as d2l
from d2l_optim import _config, ops

CREATORS = {
    "tensor": lambda **kw: d2l.tensor([1.5, -2.0], **kw),
    "arange": lambda **kw: d2l.arange(0.0, 1.0, 0.25, **kw),
    "linspace": lambda **kw: d2l.linspace(-1.0, 1.0, 5, **kw),
    "zeros": lambda **kw: d2l.zeros((2, 3), **kw),
    "ones": lambda **kw: d2l.ones((2,), **kw),
    "normal": lambda **kw: d2l.normal((4,), 0.0, 1.0, **kw),
}


def _native_types(backend):
    return _config.load(backend).TENSOR_TYPES


@pytest.mark.parametrize("creator", sorted(CREATORS))
def test_creation_is_native_float32_by_default_and_float64_on_request(backend, creator):
    made = CREATORS[creator]()
    assert isinstance(made, _native_types(backend))
    assert d2l.dtype(made) == "float32"
    assert d2l.dtype(CREATORS[creator](dtype="float64")) == "float64"
    with d2l.use_floatx("float64"):
        assert d2l.dtype(CREATORS[creator]()) == "float64"


@pytest.mark.parametrize("args, length", [((-5.5, 1.0, 0.1), 65), ((-3.0, 1.0, 0.1), 40),
                                          ((0.5, 1.5, 0.01), 100), ((-1.0, 2.0, 0.01), 300),
                                          ((-2.0, 5.0, 0.01), 700), ((40,), 40)])
def test_arange_lengths_and_values(backend, args, length):
    values = d2l.numpy(d2l.arange(*args))
    start, stop, step = (0.0, args[0], 1.0) if len(args) == 1 else args
    assert values.shape == (length,)
    np.testing.assert_array_equal(values, (start + step * np.arange(length)).astype(np.float32))


def test_meshgrid_indexing_is_the_same_everywhere(backend):
    x1, x2 = d2l.arange(-5.5, 1.0, 0.1), d2l.arange(-3.0, 1.0, 0.1)
    g1, g2 = d2l.meshgrid(x1, x2)
    assert d2l.shape(g1) == d2l.shape(g2) == (40, 65)
    assert d2l.to_float(g1[0, 1]) == pytest.approx(-5.4) and d2l.to_float(g2[1, 0]) == pytest.approx(-2.9)
    h1, _ = d2l.meshgrid(x1, x2, indexing="ij")
    assert d2l.shape(h1) == (65, 40)
    with pytest.raises(ValueError, match="indexing must be 'xy' or 'ij'"):
        d2l.meshgrid(x1, x2, indexing="yx")


UNARY = ["cos", "sin", "tan", "tanh", "cosh", "sinh", "exp", "log", "sqrt", "square", "sign", "abs"]


@pytest.mark.parametrize("name", UNARY)
def test_unary_ops_match_numpy(backend, name):
    data = np.array([0.25, 0.5, 1.0, 2.0]) * (1 if name in ("log", "sqrt") else np.array([1, -1, 1, -1]))
    result = getattr(d2l, name)(d2l.tensor(data))
    assert isinstance(result, _native_types(backend)) and d2l.dtype(result) == "float32"
    np.testing.assert_allclose(d2l.numpy(result), getattr(np, name)(data.astype(np.float32)), rtol=2e-6)


def test_binary_ops_with_python_numbers_keep_the_tensor_dtype(backend):
    x = d2l.tensor([1.0, -2.0], "float64")
    for op in (d2l.maximum, d2l.minimum):
        assert d2l.dtype(op(x, 0.0)) == d2l.dtype(op(0.0, x)) == "float64"
    np.testing.assert_array_equal(d2l.numpy(d2l.maximum(x, 0.0)), [1.0, 0.0])
    np.testing.assert_array_equal(d2l.numpy(d2l.minimum(0.0, x)), [0.0, -2.0])


def test_reductions_reshape_matmul(backend):
    a = d2l.reshape(d2l.arange(6), (2, 3))
    assert d2l.shape(a) == (2, 3) and d2l.size(a) == 6
    assert d2l.to_float(d2l.reduce_sum(a)) == 15.0
    np.testing.assert_array_equal(d2l.numpy(d2l.reduce_sum(a, axis=0)), [3.0, 5.0, 7.0])
    assert d2l.shape(d2l.reduce_mean(a, axis=1, keepdims=True)) == (2, 1)
    np.testing.assert_array_equal(d2l.numpy(d2l.reduce_mean(a, axis=1)), [1.0, 4.0])
    product = d2l.matmul(a, d2l.ones((3, 1)))
    np.testing.assert_array_equal(d2l.numpy(product), [[3.0], [12.0]])
    assert d2l.shape(d2l.stack([a, a])) == (2, 2, 3)
    assert d2l.shape(d2l.reshape(a, (-1,))) == (6,)


def test_seeded_normal_draws_are_identical_on_every_backend(backend):
    d2l.seed(7)
    draws = d2l.numpy(d2l.normal((5,), 1.0, 2.0))
    with d2l.use_backend("numpy"):
        d2l.seed(7)
        reference = d2l.numpy(d2l.normal((5,), 1.0, 2.0))
    np.testing.assert_array_equal(draws, reference)
    assert not np.array_equal(draws, d2l.numpy(d2l.normal((5,), 1.0, 2.0)))


def test_foreign_tensors_are_rejected_and_numpy_arrays_accepted(backend):
    assert d2l.dtype(d2l.cos(np.array([0.0, 1.0]))) == "float64"  # NumPy input keeps its precision
    assert d2l.dtype(d2l.tensor(np.array([0.0, 1.0]))) == "float32"  # tensor() applies floatx
    if isinstance(np.zeros(2), _native_types(backend)):  # NumPy arrays are the numpy backend's own tensors
        assert isinstance(d2l.cos(np.zeros(2)), np.ndarray)
        return
    own = d2l.tensor([1.0])
    with d2l.use_backend("numpy"):
        with pytest.raises(TypeError, match=f"got a {backend} tensor .* active backend is 'numpy'"):
            d2l.cos(own)


def test_to_float_needs_one_number(backend):
    assert d2l.to_float(d2l.tensor([2.5])) == 2.5
    with pytest.raises(ValueError, match=r"single number, got an array of shape \(2,\)"):
        d2l.to_float(d2l.tensor([1.0, 2.0]))


def test_value_and_grad_with_several_arguments(backend):
    f = lambda x1, x2: x1**2 * x2 + 3 * x2  # noqa: E731
    value, (g1, g2) = d2l.value_and_grad(f, argnums=(0, 1))(2.0, 5.0)
    assert d2l.to_float(value) == 35.0 and d2l.to_float(g1) == 20.0 and d2l.to_float(g2) == 7.0
    assert d2l.to_float(d2l.grad(f, argnums=1)(2.0, 5.0)) == 7.0
    assert isinstance(g1, _native_types(backend)) and d2l.dtype(g1) == "float32"


def test_one_tensor_given_as_two_arguments_has_a_gradient_for_each(backend):
    x = d2l.tensor(3.0)
    g1, g2 = d2l.grad(lambda a, b: a * a * b, argnums=(0, 1))(x, x)
    assert (d2l.to_float(g1), d2l.to_float(g2)) == (18.0, 9.0)


def test_unstack_gives_the_rows(backend):
    rows = ops.unstack(d2l.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], "float64"))
    assert len(rows) == 3 and all(isinstance(r, _native_types(backend)) for r in rows)
    assert [d2l.dtype(r) for r in rows] == ["float64"] * 3
    np.testing.assert_array_equal(d2l.numpy(rows[2]), [5.0, 6.0])
    first, second = ops.unstack([1, 2])  # not a tensor yet: floatx, as every shim op
    assert d2l.dtype(first) == "float32" and d2l.to_float(second) == 2.0


def test_grad_leaves_its_input_untouched(backend):
    x = d2l.tensor([1.0, 2.0])
    g = d2l.grad(lambda v: d2l.reduce_sum(v**3))(x)
    np.testing.assert_array_equal(d2l.numpy(g), [3.0, 12.0])
    np.testing.assert_array_equal(d2l.numpy(x), [1.0, 2.0])
    assert getattr(x, "grad", None) is None and not getattr(x, "requires_grad", False)


def test_grad_errors(backend):
    with pytest.raises(ValueError, match=r"returning one number; .* returned shape \(2,\)"):
        d2l.grad(lambda v: v * 2)(d2l.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match="argnums=2 does not fit a call with 2 arguments"):
        d2l.grad(lambda a, b: a * b, argnums=2)(1.0, 2.0)


def test_pi():
    assert d2l.pi == math.pi


def test_a_value_independent_of_the_inputs_warns_and_gives_zeros(backend):
    with pytest.warns(UserWarning, match=r"value of <lambda> does not depend on argument\(s\) 1"):
        gradient = d2l.grad(lambda a, b: a * 2.0, argnums=1)(d2l.tensor(1.0), d2l.tensor([3.0, 4.0]))
    assert isinstance(gradient, _native_types(backend)) and d2l.dtype(gradient) == "float32"
    np.testing.assert_array_equal(d2l.numpy(gradient), [0.0, 0.0])
    with pytest.warns(UserWarning, match="does not depend"):
        assert d2l.to_float(d2l.grad(lambda x: d2l.tensor(3.0))(2.0)) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an argument unused next to a used one: zero, no warning
        g1, g2 = d2l.grad(lambda a, b: a * 2.0, argnums=(0, 1))(1.0, 3.0)
    assert (d2l.to_float(g1), d2l.to_float(g2)) == (2.0, 0.0)


@pytest.mark.parametrize("cut", [
    lambda x: d2l.to_float(x * x),  # a Python float
    lambda x: d2l.numpy(x * x),  # a NumPy array (on the numpy backend: a tensor cut from x)
    lambda x: d2l.tensor(d2l.numpy(x * x)),  # a tensor again, but cut from x
], ids=["to_float", "numpy", "numpy round trip"])
def test_a_value_cut_from_its_inputs_is_an_error_naming_the_fix(backend, cut):
    with pytest.raises(TypeError, match="d2l.to_float, d2l.numpy, float.. and NumPy functions cut"):
        d2l.grad(cut)(d2l.tensor(2.0))


def test_integer_inputs_become_floatx(backend):
    integers = _config.load(backend).from_numpy(np.array([1, 2], dtype=np.int64))
    for x in (integers, np.array([1, 2]), [1, 2]):
        gradient = d2l.grad(lambda v: d2l.reduce_sum(v * v))(x)
        assert d2l.dtype(gradient) == "float32"
        np.testing.assert_array_equal(d2l.numpy(gradient), [2.0, 4.0])
    assert d2l.dtype(d2l.tensor(integers)) == d2l.dtype(d2l.sqrt(integers)) == "float32"
    with d2l.use_floatx("float64"):
        assert d2l.dtype(d2l.grad(lambda v: d2l.reduce_sum(v * v))(integers)) == "float64"


def test_float32_meeting_float64_in_one_op_gives_float64(backend):
    single, double = d2l.tensor([1.0, 2.0]), d2l.tensor([2.0, 1.0], "float64")
    for result in (d2l.maximum(single, double), d2l.minimum(double, single), d2l.stack([single, double]),
                   d2l.matmul(d2l.reshape(single, (1, 2)), d2l.reshape(double, (2, 1)))):
        assert d2l.dtype(result) == "float64"
    np.testing.assert_array_equal(d2l.numpy(d2l.maximum(single, double)), [2.0, 2.0])
    gradient = d2l.grad(lambda v: d2l.reduce_sum(v * v))(double)
    assert d2l.dtype(gradient) == "float64"  # a gradient has its argument's dtype


def test_mean_of_nothing_is_an_error(backend):
    with pytest.raises(ValueError, match=r"reduce_mean of an empty tensor \(shape \(0,\)\)"):
        d2l.reduce_mean(d2l.zeros((0,)))
    for axis in (0, 1):
        with pytest.raises(ValueError, match=r"empty tensor \(shape \(0, 3\)\)"):
            d2l.reduce_mean(d2l.zeros((0, 3)), axis=axis)
    assert d2l.to_float(d2l.reduce_sum(d2l.zeros((0,)))) == 0.0
