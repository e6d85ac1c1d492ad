"""featureSpec v3 head (mixture.py): gradients, output guarantees and the hw-only reduction to the baseline."""
import numpy as np

from demand_forecaster.features import SPECS
from demand_forecaster.mixture import NOUT, MixResidualNet, build_mask
from demand_forecaster.model import pinball_grad
from gradcheck import check_gradient


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, SPECS["v3"])) * 2
    X[:, 63:207] = np.sort(rng.random((n, 4, 4, 9)) * 3, axis=3).reshape(n, 144)
    Y = rng.random((n, 4)) * 3
    return X, Y, np.ones(n)


def test_backward_matches_finite_differences():
    X, Y, w = data()
    net = MixResidualNet(build_mask(("history*", "std168"), ("step*", "level24")), 1)
    net.fit_standardiser(X)
    rng = np.random.default_rng(2)
    net.W[0] = rng.normal(0, 0.2, net.W[0].shape) * net.mask
    net.b[0] = rng.normal(0, 0.3, NOUT)
    y, cache = net.forward(X, cache=True)
    _, gy = pinball_grad(y, Y, w)
    gW, gb = net.backward(gy, cache, 0.0)
    checked = sum(check_gradient(net, X, Y, w, p, g, np.flatnonzero(np.abs(g) > 1e-4)[:25])
                  for p, g in ((net.b[0], gb), (net.W[0], gW)))
    assert checked > 20


def test_outputs_non_negative_non_crossing_and_hw_only_is_baseline():
    X, _, _ = data(500, 3)
    net = MixResidualNet(build_mask((), ("step*",)), 1, blocks=1)
    net.fit_standardiser(X)
    hw = X[:, 63:99].reshape(-1, 4, 9)
    assert np.max(np.abs(net.predict(X) - hw)) < 1e-9  # zero head, hw block only: the baseline
    rng = np.random.default_rng(4)
    net = MixResidualNet(build_mask(("history*",), ("step*",)), 1)
    net.fit_standardiser(X)
    net.W[0] = rng.normal(0, 1.0, net.W[0].shape) * net.mask
    net.b[0] = rng.normal(0, 2.0, NOUT)
    y = net.predict(X)
    assert (y >= 0).all() and (np.diff(y, axis=2) >= -1e-12).all()
