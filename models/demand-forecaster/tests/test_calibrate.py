"""Post-hoc interval calibration (calibrate.py) in numpy and in the v3 ONNX graph: identity at f = 1, non-negative and
non-crossing for any admissible factors, ONNX vs numpy within 1e-4, fitted factors admissible."""
import numpy as np
import pytest

from demand_forecaster.calibrate import MED, apply_calibration, fit_coverage, fit_factors
from demand_forecaster.export import onnx_predict, session, to_onnx
from demand_forecaster.mixture import NOUT, MixResidualNet, build_mask

from test_export import inputs_v3


def admissible(rng, lo=0.0, hi=3.0):
    """[4, 9] factors: >= 0, 1 at the median, non-decreasing from the median outwards on each side."""
    f = np.ones((4, 9))
    up = np.maximum.accumulate(rng.uniform(lo, hi, (4, 4)), axis=1)
    down = np.maximum.accumulate(rng.uniform(lo, hi, (4, 4)), axis=1)
    f[:, MED + 1:] = up
    f[:, :MED] = down[:, ::-1]
    return f


def quantiles(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    y = np.sort(rng.random((n, 4, 9)) * 3, axis=2)
    y[:100, :, :4] = 0.0  # lower quantiles at the floor
    y[100:150] = 0.0
    return y


def test_identity_when_factors_are_one():
    y = quantiles()
    assert np.array_equal(apply_calibration(y, np.ones((4, 9))), y)
    assert apply_calibration(y, None) is y


@pytest.mark.parametrize("seed", range(5))
def test_non_negative_non_crossing_median_kept(seed):
    rng = np.random.default_rng(seed)
    y = quantiles(seed=seed)
    out = apply_calibration(y, admissible(rng))
    assert (out >= 0).all() and (np.diff(out, axis=2) >= -1e-12).all()
    assert np.array_equal(out[:, :, MED], y[:, :, MED])


def _net(seed=3):
    net = MixResidualNet(build_mask(("history*",), ("step*",), "v3"), seed)
    X = inputs_v3()
    net.fit_standardiser(X)
    rng = np.random.default_rng(5)
    net.b[0] = rng.normal(0, 0.5, NOUT)
    net.W[0] = rng.normal(0, 0.3, net.W[0].shape) * net.mask
    return net, X


def test_onnx_round_trip_with_calibration_and_identity():
    net, X = _net()
    plain = onnx_predict(session(to_onnx(net).SerializeToString()), X)
    net.calib = np.ones((4, 9))
    ident = onnx_predict(session(to_onnx(net).SerializeToString()), X)
    assert np.array_equal(ident, plain)  # f = 1: exactly the uncalibrated graph
    rng = np.random.default_rng(11)
    for _ in range(3):
        net.calib = admissible(rng, 0.2, 3.0)
        got = onnx_predict(session(to_onnx(net).SerializeToString()), X)
        want = net.predict(X)
        assert np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want).max(axis=2, keepdims=True))) < 1e-4
        assert (got >= 0).all() and (np.diff(got, axis=2) >= 0).all()
        f, net.calib = net.calib, None
        assert np.allclose(want, apply_calibration(net.predict(X), f))  # numpy: the calibration after the head


def test_fitted_factors_are_admissible_and_recover_a_known_width():
    rng = np.random.default_rng(1)
    n = 20000
    from demand_forecaster import QUANTILES
    from statistics import NormalDist
    z = np.asarray([NormalDist().inv_cdf(q) for q in QUANTILES])
    per_metric = []
    for true_scale in (0.5, 1.0, 2.0, 1.0):
        P = 10.0 + z[None, :] * np.ones((n, 1))  # predicted N(10, 1) quantiles
        y = 10.0 + true_scale * rng.standard_normal(n)
        per_metric.append((P, y))
    for f in (fit_factors(per_metric), fit_factors(per_metric, single=True), fit_coverage(per_metric),
              fit_coverage(per_metric, two_sided=False)):
        assert (f >= 0).all() and (f[:, MED] == 1).all()
        assert (np.diff(f[:, MED + 1:], axis=1) >= 0).all() and (np.diff(f[:, :MED], axis=1) <= 0).all()
    f = fit_factors(per_metric, single=True)
    assert np.allclose(f[:, 0], [0.5, 1.0, 2.0, 1.0], atol=0.05)
