"""Regime head (regime.py, v4): its ratio columns, gradients, output guarantees, ONNX round trip and the version files."""
import json

import numpy as np
import pytest

from demand_forecaster import METRICS, QUANTILES
from demand_forecaster.data import PACKAGE_ROOT
from demand_forecaster.export import onnx_predict, session
from demand_forecaster.features import SPECS
from demand_forecaster.mixture import NOUT
from demand_forecaster.model import pinball_grad
from gradcheck import check_gradient
from demand_forecaster.regime import (EPS, NG, STEP, STEPS, RegimeMixNet, grid_index, load_net, regime_features,
                                      step_weights, to_onnx, write_version)

Q = list(QUANTILES)


def data(n=400, seed=0):
    """featureSpec v3 rows: random features, valid (sorted, >= 0) blocks, some flat / zero / cold-start blocks, steps
    in [0, 1) and a few out of range."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, SPECS["v3"])) * 2
    X[:, STEP] = rng.integers(0, 168, n) / 168
    X[:12, STEP] = [-3.0, -0.5, 1.0, 1.5, 7.0, 40.0, 0.999, 0.0, 0.5 / 168, 2.5 / 168, 0.4321, -1e3]  # off the grid
    B = np.sort(rng.random((n, 4, 4, 9)) * 3, axis=3)
    B[:30] *= 40
    B[30:50, :, :, :5] = 0.0
    B[50:60] = 1.0  # cold start: every block 1.0
    X[:, 63:207] = B.reshape(n, 144)
    return X, rng.random((n, 4)) * 3, np.ones(n)


def test_regime_columns_are_the_documented_log_ratios():
    X, _, _ = data(80)
    g = regime_features(X)
    assert g.shape == (80, 4 * NG)
    cold = np.tile([0, 0, 0, 0, np.log(EPS / (1 + EPS)), 0], 4)  # every block 1.0: flat, hw spread 0
    assert np.allclose(g[50:60], cold, atol=1e-12)
    for m in range(4):
        hw, hd7, l24, l168 = (X[:, 63 + 36 * k + 9 * m:63 + 36 * k + 9 * m + 9] for k in range(4))
        w = lambda B: B[:, Q.index(0.9)] - B[:, Q.index(0.1)]  # noqa: E731
        med = lambda B: B[:, Q.index(0.5)]  # noqa: E731
        lr = lambda a, b: np.clip(np.log(a + EPS) - np.log(b + EPS), -5, 5)  # noqa: E731
        want = [lr(w(l168), w(hw)), lr(med(l24), med(hw)), lr(w(l24), w(l168)), lr(w(hd7), w(hw)),
                lr(w(hw), med(hw)), lr(med(l168), med(hw))]
        assert np.allclose(g[:, m * NG:(m + 1) * NG], np.stack(want, axis=1), atol=1e-12)


def random_net(seed, **kw):
    X, _, _ = data(600, seed)
    net = RegimeMixNet(seed=seed, **kw)
    net.fit_standardiser(X)
    rng = np.random.default_rng(seed + 1)
    net.W[0] = rng.normal(0, 0.2, net.W[0].shape) * net.mask
    net.b[0] = rng.normal(0, 0.5, NOUT)
    return net


def test_backward_matches_finite_differences():
    X, Y, w = data(64, 3)
    net = random_net(5, rc_groups=("history*", "std168"), regime_rc=True, regime_gate=True)
    net.W[0] *= 0.4
    y, cache = net.forward(X, cache=True)
    _, gy = pinball_grad(y, Y, w)
    gW, gb = net.backward(gy, cache, 0.0)
    checked = 0
    F = SPECS["v3"]
    for p, g, rows in ((net.b[0], gb, None), (net.W[0], gW, F)):
        cand = np.flatnonzero(np.abs(g) > 1e-4)
        if rows is not None:  # the regime rows first
            cand = np.r_[cand[cand >= rows * NOUT][:20], cand[cand < rows * NOUT][:10]]
        checked += check_gradient(net, X, Y, w, p, g, cand[:30])
    assert checked > 40


@pytest.mark.parametrize("kw", [dict(), dict(regime_gate=True), dict(rc_groups=("history*", "level24"),
                                                                       gate_groups=("step*", "history*"))])
def test_outputs_non_negative_non_crossing_and_onnx_round_trip(kw):
    X, _, _ = data(2000, 7)
    net = random_net(11, **kw)
    y = net.predict(X)
    assert (y >= 0).all() and (np.diff(y, axis=2) >= -1e-12).all()
    model = to_onnx(net)
    got = onnx_predict(session(model.SerializeToString()), X.astype(np.float32))
    assert np.max(np.abs(got - y) / np.maximum(1.0, np.abs(y))) < 1e-4
    assert (got >= 0).all() and (np.diff(got, axis=2) >= 0).all()
    table = not kw  # block logits read only the step: gathered from the per-step weight table, no logits
    ops = {n.op_type for n in model.graph.node}
    assert ("Max" not in ops and "Div" not in ops and "Round" in ops) == table
    assert (step_weights(net) is not None) == table


def test_untrained_is_the_untrained_v3_head_and_export_files(tmp_path):
    from demand_forecaster.mixture import MixResidualNet, build_mask
    X, _, _ = data(300, 2)
    net = RegimeMixNet(seed=0)
    net.fit_standardiser(X)
    v3 = MixResidualNet(build_mask((), ("step*",), "v3"), 0)
    v3.fit_standardiser(X)
    assert np.array_equal(net.predict(X), v3.predict(X))
    net = random_net(4)
    man = write_version(tmp_path / "vx", net, version="vx", priors={"default": {}}, widening={m: np.ones(9) for m in METRICS},
                        training_data={}, family="test", created_at="2026-01-01T00:00:00Z")
    assert man["head"] == "regime" and man["featureSpec"] == "v3"
    assert json.loads((tmp_path / "vx" / "manifest.json").read_text())["sha256"] == man["sha256"]
    back = load_net(tmp_path / "vx")
    assert np.array_equal(back.predict(X), net.predict(X))
    got = onnx_predict(session(tmp_path / "vx" / "model.onnx"), X.astype(np.float32))
    assert np.max(np.abs(got - net.predict(X)) / np.maximum(1.0, np.abs(got))) < 1e-4


def test_large_step_logits_are_exact_in_the_weight_table():
    from demand_forecaster.mixture import NOUT_RC
    X, _, _ = data(500, 9)
    net = random_net(3)
    net.W[0][STEP, NOUT_RC:] *= 0.0
    net.W[0][STEP, NOUT_RC:NOUT_RC + 9] = 400.0 * net.sd[STEP]  # |logit| ~ 400 for steps near 1: exp overflows
    A = step_weights(net)
    assert A.shape == (STEPS + 1, 4 * 36) and np.isfinite(A).all()
    assert np.allclose(A.reshape(STEPS + 1, 4, 36).sum(axis=1), 1.0, atol=1e-12)
    want = net.predict(X)
    for step_table in (True, False):  # the table, and the max-subtracted softmax of the logits
        model = to_onnx(net, step_table=step_table)
        assert ("Max" in {n.op_type for n in model.graph.node}) != step_table
        got = onnx_predict(session(model.SerializeToString()), X.astype(np.float32))
        assert np.isfinite(got).all()
        assert np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want))) < 1e-4


def test_step_is_read_on_its_grid_as_the_graph_reads_it():
    h = np.arange(STEPS + 1)
    assert np.array_equal(grid_index(h / 168.0), h) and np.array_equal(grid_index(h / np.float32(168)), h)
    assert np.array_equal(grid_index([-1.0, 2.0, np.inf, -np.inf, 0.5 / 168, 1.5 / 168, 0.001]),
                          [0, 168, 168, 0, 0, 2, 0])
    X, _, _ = data(300, 4)
    net = random_net(8)
    Xg = X.copy()
    Xg[:, STEP] = grid_index(X[:, STEP]) / STEPS
    assert np.array_equal(net.predict(X), net.predict(Xg))  # numpy: any step is its grid point's


def close_rows(got, want, tol):
    """max |got - want| relative to max(1, the largest |quantile| of that row and metric) below tol."""
    scale = np.maximum(1.0, np.abs(want).max(axis=2, keepdims=True))
    return np.max(np.abs(np.asarray(got, np.float64) - want) / scale) < tol


def test_weight_table_graph_equals_the_logit_graph_on_the_grid():
    X, _, _ = data(3000, 12)
    X[:, STEP] = np.random.default_rng(12).integers(0, STEPS + 1, len(X)) / 168
    net = random_net(21)
    X = X.astype(np.float32)
    got = onnx_predict(session(to_onnx(net).SerializeToString()), X)
    ref = onnx_predict(session(to_onnx(net, step_table=False).SerializeToString()), X)
    assert close_rows(got, ref, 1e-6)


def test_weight_table_graph_reads_only_the_block_and_step_columns():
    """The table graph reads its input once as a Slice of the 144 block columns, plus the step's Gather (no Split of
    all 207 columns): whatever the other columns hold, NaN included, no output changes by a bit."""
    X, _, _ = data(600, 14)
    net = random_net(15)
    model = to_onnx(net)
    assert sorted(n.op_type for n in model.graph.node if "features" in n.input) == ["Gather", "Slice"]
    sess = session(model.SerializeToString())
    X = X.astype(np.float32)
    other = [c for c in range(SPECS["v3"] - 144) if c != STEP]
    noisy = X.copy()
    noisy[:, other] = np.nan
    noisy[::2, other] = 1e30
    assert np.array_equal(onnx_predict(sess, X), onnx_predict(sess, noisy))


def test_train_selection_rule_helpers():
    from demand_forecaster.train import CANDIDATES_REGIME, in_band
    assert CANDIDATES_REGIME["mix-step-1w"] == (False, False, 0.0, 0.25)  # v3's configuration as the reference
    fig = lambda c80, c98: {"mean": {"coverage80": c80, "coverage98": c98}}  # noqa: E731
    assert in_band(fig(0.80, 0.98)) and in_band(fig(0.75, 0.995))
    assert not in_band(fig(0.856, 0.98)) and not in_band(fig(0.80, 0.999)) and not in_band(fig(0.74, 0.97))


V4 = PACKAGE_ROOT / "v4"


@pytest.mark.skipif(not (V4 / "weights.npz").exists(), reason="no v4")
def test_released_v4_table_graph_equals_its_logit_graph():
    """The released graph (weight table) against the logit form from the same weights: the vectors' on-grid rows and
    5,000 random on-grid rows within 1e-6; numpy within 1e-4 on every row, on the grid or not."""
    net = load_net(V4)
    released = session(V4 / "model.onnx")
    ref = session(to_onnx(net, step_table=False).SerializeToString())
    mv = json.loads((PACKAGE_ROOT / "test-vectors" / "model-vectors-v4.json").read_text())
    cases = [np.asarray(c["features"], np.float32) for c in mv["cases"]]
    X, _, _ = data(5000, 31)
    X[:, STEP] = np.random.default_rng(31).integers(0, STEPS + 1, len(X)) / 168
    for Xc in cases + [X.astype(np.float32)]:
        got = onnx_predict(released, Xc)
        on_grid = np.abs(grid_index(Xc[:, STEP]) / STEPS - Xc[:, STEP]) < 1e-6  # h / 168 in float32
        if on_grid.any():
            assert close_rows(got[on_grid], onnx_predict(ref, Xc[on_grid]), 1e-6)
        assert close_rows(got, net.predict(Xc.astype(np.float64)), 1e-4)
