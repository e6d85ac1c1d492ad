"""featureSpec v3 (FEATURES-v3.md): the v2 columns followed by the hd7, l24 and l168 quantile blocks."""
import numpy as np
import pytest

from demand_forecaster import HOUR_MS, METRICS, QUANTILES
from demand_forecaster.features import build_features, feature_names

MONDAY = 1_704_067_200_000  # 2024-01-01T00:00Z, a Monday
PRIORS = {"default": {"cpu": 2.0, "memory": 4.0, "storage": 1.0, "network": 10.0}}
Q = np.asarray(QUANTILES)


def col(name):
    return feature_names("v3").index(name)


def block(X, b, m):
    i = col(f"{b}_{m}_0.01")
    return X[:, i:i + 9].astype(np.float64)


def type7(pool):
    return np.maximum.accumulate(np.maximum(np.quantile(np.asarray(pool, float), Q, method="linear"), 0.0))


def series(n, seed=0):
    rng = np.random.default_rng(seed)
    return {m: 1.0 + rng.random(n) * (mi + 1) for mi, m in enumerate(METRICS)}


def test_names_order_and_v2_prefix():
    names = feature_names("v3")
    assert len(names) == 207 and names[:99] == feature_names("v2")
    assert names[99] == "hd7_cpu_0.01" and names[99 + 36] == "l24_cpu_0.01" and names[99 + 72] == "l168_cpu_0.01"
    assert names[-1] == "l168_network_0.99"
    v = series(700)
    o = MONDAY + 700 * HOUR_MS
    X3, s3, _ = build_features(MONDAY, v, o, 168, "web", [], [], PRIORS, spec="v3")
    X2, s2, _ = build_features(MONDAY, v, o, 168, "web", [], [], PRIORS, spec="v2")
    assert X3.shape == (168, 207) and X3.dtype == np.float32 and s3 == s2
    assert np.array_equal(X3[:, :99], X2)


def test_blocks_are_quantiles_of_their_windows():
    n = 500
    v = series(n, 1)
    o = MONDAY + n * HOUR_MS
    X, s, _ = build_features(MONDAY, v, o, 48, "web", [], [], PRIORS, spec="v3")
    for m in METRICS:
        x = v[m]
        np.testing.assert_allclose(block(X, "l24", m), np.tile(type7(x[-24:]) / s[m], (48, 1)), rtol=1e-6)
        np.testing.assert_allclose(block(X, "l168", m), np.tile(type7(x[-168:]) / s[m], (48, 1)), rtol=1e-6)
        hod = np.arange(n - 168, n) % 24  # MONDAY is 00:00 UTC
        for h in (0, 5, 23, 24, 47):
            d = np.abs(hod - (n + h) % 24)
            pool = x[n - 168:][np.minimum(d, 24 - d) <= 1]
            assert len(pool) == 21
            np.testing.assert_allclose(block(X, "hd7", m)[h], type7(pool) / s[m], rtol=1e-6)
        for b in ("hd7", "l24", "l168"):
            B = block(X, b, m)
            assert (B >= 0).all() and (np.diff(B, axis=1) >= 0).all()


def test_fallbacks_to_hw_and_no_history():
    n = 400
    v = series(n, 2)
    v["cpu"][n - 30:] = np.nan  # empty last day -> l24 = hw
    v["storage"][:] = np.nan  # NoHistory -> 1.0
    X, s, _ = build_features(MONDAY, v, MONDAY + n * HOUR_MS, 24, "web", [], [], PRIORS, spec="v3")
    np.testing.assert_array_equal(block(X, "l24", "cpu"), block(X, "hw", "cpu"))
    assert not np.array_equal(block(X, "l168", "cpu"), block(X, "hw", "cpu"))
    for b in ("hw", "hd7", "l24", "l168"):
        assert np.all(block(X, b, "storage") == 1.0)
    # history ending more than a week before the origin: every recent block falls back to hw
    X2, _, _ = build_features(MONDAY, series(300, 3), MONDAY + 500 * HOUR_MS, 24, "web", [], [], PRIORS, spec="v3")
    for m in METRICS:
        for b in ("hd7", "l24", "l168"):
            np.testing.assert_array_equal(block(X2, b, m), block(X2, "hw", m))


def test_cold_start_all_ones():
    X, _, _ = build_features(MONDAY, {m: np.zeros(0) for m in METRICS}, MONDAY, 12, "web", [], [], PRIORS, spec="v3")
    assert np.all(X[:, 63:] == 1.0)


def test_gaps_and_partial_windows():
    n = 300
    v = series(n, 4)
    v["memory"][n - 168:n - 100] = np.nan
    v["memory"][n - 100::24] = np.nan
    X, s, _ = build_features(MONDAY, v, MONDAY + n * HOUR_MS, 30, "web", [], [], PRIORS, spec="v3")
    x = v["memory"]
    fin = lambda a: a[np.isfinite(a)]  # noqa: E731
    np.testing.assert_allclose(block(X, "l168", "memory")[0], type7(fin(x[-168:])) / s["memory"], rtol=1e-6)
    hod = np.arange(n - 168, n) % 24
    for h in range(30):
        d = np.abs(hod - (n + h) % 24)
        pool = fin(x[n - 168:][np.minimum(d, 24 - d) <= 1])
        np.testing.assert_allclose(block(X, "hd7", "memory")[h], type7(pool) / s["memory"], rtol=1e-6)


@pytest.mark.parametrize("spec", ["v3"])
def test_unknown_spec_rejected(spec):
    with pytest.raises(ValueError):
        build_features(MONDAY, series(10), MONDAY + 10 * HOUR_MS, 5, "web", [], [], PRIORS, spec="v9")
