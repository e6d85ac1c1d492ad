import json
from pathlib import Path

import numpy as np
import pytest

from demand_forecaster import QUANTILES
from demand_forecaster.export import load_net, onnx_predict, session, sha256_file, to_onnx
from demand_forecaster.features import feature_names
from demand_forecaster.model import QuantileNet

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = sorted((p for p in ROOT.glob("v[0-9]*") if (p / "model.onnx").exists()), key=lambda p: int(p.name[1:]))


def inputs(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 63)).astype(np.float32) * 3
    X[:50, :32] *= 100  # spikes
    X[50:60, :32] = 0
    return X


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
def test_released_model_matches_weights_manifest_and_vectors():
    v = VERSIONS[-1]
    m = json.loads((v / "manifest.json").read_text())
    assert m["sha256"] == sha256_file(v / "model.onnx")
    assert m["featureNames"] == feature_names() and m["quantiles"] == list(QUANTILES) and m["maxHorizon"] == 168
    assert m["eventUplift"] in ("applied-by-caller", "learned") and "default" in m["scalePriors"]
    w = [m["coldStartWidening"][str(q)] for q in QUANTILES]
    assert all(b >= a for a, b in zip(w, w[1:]))
    sess = session(v / "model.onnx")
    X = inputs(500, 1)
    got = onnx_predict(sess, X)
    assert np.max(np.abs(got - load_net(v).predict(X)) / np.maximum(1.0, np.abs(got))) < 1e-4
    mv = json.loads((ROOT / "test-vectors" / "model-vectors-v1.json").read_text())
    assert mv["onnxSha256"] == m["sha256"]
    for case in mv["cases"]:
        out = onnx_predict(sess, np.asarray(case["features"], np.float32))
        assert np.allclose(out, np.asarray(case["quantiles"]), atol=1e-5)
