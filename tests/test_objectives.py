"""The objective catalogue: hand-written derivatives against autograd, on every backend."""
import numpy as np
import pytest

import d2l_optim as d2l
from d2l_optim import _registry, objectives
from d2l_optim.errors import SecondDerivativeUnsupported

ONE_D = [o for o in objectives.CATALOGUE.values() if o.arity == 1]
TWO_D = [o for o in objectives.CATALOGUE.values() if o.arity == 2]
POINTS = [-1.7, -0.3, 0.4, 1.1, 2.9]


@pytest.mark.parametrize("objective", ONE_D, ids=lambda o: o.name)
def test_autograd_equals_hand_written_gradient(backend, objective):
    x = d2l.tensor(POINTS, "float64")
    autograd = [d2l.to_float(d2l.grad(objective)(x[i])) for i in range(len(POINTS))]
    np.testing.assert_allclose(autograd, d2l.numpy(objective.grad(x)), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("objective", TWO_D, ids=lambda o: o.name)
def test_autograd_equals_hand_written_gradient_2d(backend, objective):
    x1, x2 = d2l.tensor(-1.3, "float64"), d2l.tensor(0.7, "float64")
    autograd = d2l.grad(objective, argnums=(0, 1))(x1, x2)
    for a, h in zip(autograd, objective.grad(x1, x2)):
        assert d2l.to_float(a) == pytest.approx(d2l.to_float(h), rel=1e-12)


@pytest.mark.parametrize("objective", [o for o in ONE_D if o.hess], ids=lambda o: o.name)
def test_second_derivative_equals_hand_written_hessian(backend, objective):
    x = d2l.tensor(0.8, "float64")
    expected = d2l.to_float(objective.hess(x))
    if not _registry.facts(backend).SECOND_DERIVATIVES:  # documented: MXNet 1.9 cannot differentiate twice
        with pytest.raises(SecondDerivativeUnsupported, match="hand-written Hessian"):
            d2l.hessian(objective)(x)
        return
    assert d2l.to_float(d2l.hessian(objective)(x)) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("objective", list(objectives.CATALOGUE.values()), ids=lambda o: o.name)
def test_catalogued_stationary_points(objective):
    with d2l.use_backend("numpy"), d2l.use_floatx("float64"):
        for point in objective.stationary:
            at = objective.grad(*point.x)
            if all(abs(d2l.to_float(g)) < 1e-12 for g in (at if isinstance(at, tuple) else (at,))):
                continue  # exact, e.g. the inflection of x³ at 0
            for i in range(len(point.x)):  # else each partial derivative changes sign across x_i
                below, above = list(point.x), list(point.x)
                below[i] -= 1e-5
                above[i] += 1e-5
                partials = [objective.grad(*p) for p in (below, above)]
                if isinstance(partials[0], tuple):
                    partials = [p[i] for p in partials]
                assert d2l.to_float(partials[0]) * d2l.to_float(partials[1]) < 0, (objective, i)
            assert d2l.to_float(objective(*point.x)) == pytest.approx(point.value, abs=2e-6)
            if objective.hess is not None and point.kind in ("min", "max"):
                curvature = d2l.to_float(objective.hess(d2l.tensor(point.x[0])))
                assert (curvature > 0) == (point.kind == "min")
