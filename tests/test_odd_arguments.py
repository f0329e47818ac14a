"""Odd arguments to the library's helpers end in errors that say what is allowed, and derivatives
that a framework cannot take end in the same answer as on every other framework, never in a raw
traceback from inside a framework."""
import re

import numpy as np
import pytest

import d2l_optim as d2l

LINEAR = {"2x": lambda x: 2.0 * x, "-x": lambda x: -x, "x + 1": lambda x: x + 1.0,
          "constant": lambda x: d2l.tensor(3.0)}


@pytest.mark.parametrize("name", LINEAR)
def test_the_second_derivative_of_a_linear_function_is_zero_on_every_backend(backend, name):
    with pytest.warns(UserWarning, match="does not depend on"):
        assert d2l.to_float(d2l.hessian(LINEAR[name])(1.5)) == 0.0


@pytest.mark.parametrize("arguments, message", [
    ({"batch_size": 0}, "batch_size must be a whole number from 1 to the number of examples, 1500; got 0"),
    ({"batch_size": -3}, "from 1 to the number of examples, 1500; got -3"),
    ({"batch_size": 2.5}, "got 2.5"),
    ({"batch_size": 10.0}, "got 10.0"),
    ({"batch_size": "10"}, "got '10'"),
    ({"batch_size": None}, "got None"),
    ({"batch_size": True}, "got True"),
    ({"n": 0}, "n must be a whole number >= 1, got 0"),
    ({"n": 1.5}, "got 1.5"),
    ({"n": 5000}, "n must be at most 1503 (the airfoil rows), got 5000"),
    ({"n": 10, "batch_size": 20}, "from 1 to the number of examples, 10; got 20"),
])
def test_odd_arguments_to_get_data_ch11_say_what_is_allowed(arguments, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        d2l.get_data_ch11(**arguments)


def test_numpy_integers_are_whole_numbers_too(backend):
    data_iter, feature_dim = d2l.get_data_ch11(batch_size=np.int64(10), n=np.int64(100))
    assert feature_dim == 5 and len(data_iter) == 10
    assert [d2l.shape(X) for X, _ in data_iter] == [(10, 5)] * 10
