import json
from pathlib import Path

import numpy as np
import pytest

from demand_forecaster import QUANTILES
from demand_forecaster.export import load_net, onnx_predict, session, sha256_file, to_onnx
from demand_forecaster.features import feature_names
from demand_forecaster.model import QuantileNet
from demand_forecaster.residual import ResidualQuantileNet
from demand_forecaster.evaluate import cold_start_widening
from demand_forecaster.vectors import vectors_name

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = sorted((p for p in ROOT.glob("v[0-9]*") if (p / "model.onnx").exists()), key=lambda p: int(p.name[1:]))


def inputs(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 63)).astype(np.float32) * 3
    X[:50, :32] *= 100  # spikes
    X[50:60, :32] = 0
    return X


def inputs_v2(n=2000, seed=0):
    """99 columns; hw columns (63-98) are valid baseline quantiles: >= 0, non-decreasing per metric, some zero."""
    rng = np.random.default_rng(seed)
    hw = np.sort(rng.random((n, 4, 9)) * 3, axis=2)
    hw[:40] *= 100
    hw[40:80, :, :4] = 0.0
    hw[80:90] = 1.0  # cold start
    return np.concatenate([inputs(n, seed), hw.reshape(n, 36)], axis=1).astype(np.float32)


def inputs_v3(n=2000, seed=0):
    """207 columns; columns 63-206 are 4 quantile blocks (hw, hd7, l24, l168), each valid per metric."""
    rng = np.random.default_rng(seed + 1)
    blocks = np.sort(rng.random((n, 3, 4, 9)) * 3, axis=3)
    blocks[:30] *= 100
    blocks[60:70, 0, :, :5] = 0.0
    return np.concatenate([inputs_v2(n, seed), blocks.reshape(n, 108)], axis=1).astype(np.float32)


@pytest.mark.parametrize("rc,gate", [((), None), (("history*", "std168", "missing"), ("step*", "std168"))])
def test_onnx_round_trip_v3(rc, gate):
    from demand_forecaster.mixture import NOUT, MixResidualNet, build_mask
    X = inputs_v3()
    hw = X[:, 63:99].reshape(-1, 4, 9).astype(np.float64)
    ref = np.maximum(1.0, hw.max(axis=2, keepdims=True))
    base = MixResidualNet(build_mask(rc, gate, "v3"), 3, blocks=1)  # hw block only, zero head: the baseline
    base.fit_standardiser(X)
    assert np.max(np.abs(base.predict(X) - hw) / ref) < 1e-6
    assert np.max(np.abs(onnx_predict(session(to_onnx(base).SerializeToString()), X) - hw) / ref) < 1e-6
    net = MixResidualNet(build_mask(rc, gate, "v3"), 3)
    net.fit_standardiser(X)
    rng = np.random.default_rng(5)
    net.b[0] = rng.normal(0, 0.5, NOUT)
    net.W[0] = rng.normal(0, 0.3, net.W[0].shape)
    got = onnx_predict(session(to_onnx(net).SerializeToString()), X)
    want = net.predict(X)
    assert got.shape == (len(X), 4, len(QUANTILES))
    assert np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want).max(axis=2, keepdims=True))) < 1e-4
    assert (got >= 0).all() and (np.diff(got, axis=2) >= 0).all()
    assert (want >= 0).all() and (np.diff(want, axis=2) >= 0).all()


@pytest.mark.parametrize("hidden,bias_only", [((), True), ((), False), ((8,), False), ((16, 16), False)])
def test_onnx_round_trip_v2_and_untrained_is_baseline(hidden, bias_only):
    X = inputs_v2()
    hw = X[:, 63:].reshape(-1, 4, 9).astype(np.float64)
    net = ResidualQuantileNet(hidden, 3, bias_only=bias_only)
    net.fit_standardiser(X)
    sess0 = session(to_onnx(net).SerializeToString())
    ref = np.maximum(1.0, hw.max(axis=2, keepdims=True))  # float32 rounding scales with the row's largest quantile
    assert np.max(np.abs(net.predict(X) - hw) / ref) < 1e-6  # untrained = baseline (numpy)
    assert np.max(np.abs(onnx_predict(sess0, X) - hw) / ref) < 1e-6  # and in the float32 graph
    rng = np.random.default_rng(5)
    net.b[-1] = rng.normal(0, 0.5, net.b[-1].shape)
    if not bias_only:
        net.W[-1] = rng.normal(0, 0.3, net.W[-1].shape)
    got = onnx_predict(session(to_onnx(net).SerializeToString()), X)
    want = net.predict(X)
    assert got.shape == (len(X), 4, len(QUANTILES))
    # lower quantiles are median - increments: float32 cancellation scales with the row's largest quantile
    assert np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want).max(axis=2, keepdims=True))) < 1e-4
    assert (got >= 0).all() and (np.diff(got, axis=2) >= 0).all()
    assert (want >= 0).all() and (np.diff(want, axis=2) >= 0).all()


@pytest.mark.parametrize("hidden", [(), (8,), (16, 16)])
def test_onnx_round_trip(hidden):
    X = inputs()
    net = QuantileNet(63, hidden, 3)
    net.fit_standardiser(X)
    net.W[-1] *= 20
    got = onnx_predict(session(to_onnx(net).SerializeToString()), X)
    want = net.predict(X)
    assert got.shape == (len(X), 4, len(QUANTILES))
    assert np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want))) < 1e-4
    assert (got >= 0).all() and (np.diff(got, axis=2) >= 0).all()


@pytest.mark.skipif(not VERSIONS, reason="no trained version")
@pytest.mark.parametrize("v", VERSIONS, ids=lambda p: p.name)
def test_released_model_matches_weights_manifest_and_vectors(v):
    m = json.loads((v / "manifest.json").read_text())
    spec = m.get("featureSpec", "v1")
    assert m["sha256"] == sha256_file(v / "model.onnx")
    assert m["featureNames"] == feature_names(spec) and m["quantiles"] == list(QUANTILES) and m["maxHorizon"] == 168
    assert m["inputs"][0]["shape"] == ["N", len(feature_names(spec))]
    assert m["eventUplift"] in ("applied-by-caller", "learned") and "default" in m["scalePriors"]
    w = cold_start_widening(m)  # [metric, quantile]
    assert w.shape == (4, len(QUANTILES)) and (np.diff(w, axis=1) >= 0).all()
    sess = session(v / "model.onnx")
    X = {"v1": inputs, "v2": inputs_v2, "v3": inputs_v3}[spec](500, 1)
    got = onnx_predict(sess, X)
    if m.get("head") == "regime":
        from demand_forecaster.regime import load_net as load_regime
        net = load_regime(v)
    else:
        net = load_net(v)
    assert np.max(np.abs(got - net.predict(X)) / np.maximum(1.0, np.abs(got))) < 1e-4
    mv = json.loads((ROOT / "test-vectors" / f"model-vectors-{vectors_name(m)}.json").read_text())
    assert mv["onnxSha256"] == m["sha256"]
    for case in mv["cases"]:
        out = onnx_predict(sess, np.asarray(case["features"], np.float32))
        assert np.allclose(out, np.asarray(case["quantiles"]), atol=1e-5)
