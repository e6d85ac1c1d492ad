"""Feature rows exactly as FEATURES.md (featureSpec v1, 63 features) and FEATURES-v2.md (featureSpec v2 = v1 + 36
hour-of-week baseline quantiles, 99 features). Computed in float64, returned as float32."""
from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence

import numpy as np

from . import HOUR_MS, MAX_HORIZON, METRICS, QUANTILES

N_FEATURES = 63  # featureSpec v1
N_HW = len(METRICS) * len(QUANTILES)  # 36 hour-of-week baseline quantile features (v2)
N_V3 = 108  # featureSpec v3 block columns (features_v3.py, FEATURES-v3.md)
N_V3X = 156  # + 48 in-history calibration columns of the experimental spec v3x (not served)
SPECS = {"v1": N_FEATURES, "v2": N_FEATURES + N_HW, "v3": N_FEATURES + N_HW + N_V3, "v3x": N_FEATURES + N_HW + N_V3X}
WEEK_H = 168
LOOKBACK_WEEKS = 4
EVENT_KINDS = ("campaign", "launch", "holiday", "season")
ACCOUNT_TYPES = ("business-critical", "web", "batch", "database", "fleet")
APPLICATIONS = ("web", "api", "database", "cache", "batch", "analytics", "queue", "ml")
SCALE_WINDOW = 672


def n_features(spec: str = "v1") -> int:
    return SPECS[spec]


def feature_names(spec: str = "v1") -> list[str]:
    names = _v1_names()
    if spec in ("v2", "v3", "v3x"):
        names += [f"hw_{m}_{q}" for m in METRICS for q in QUANTILES]
    if spec in ("v3", "v3x"):
        from .features_v3 import names as v3_names
        names += v3_names(spec)
    assert len(names) == SPECS[spec]
    return names


def _v1_names() -> list[str]:
    names = [f"lag{w}_{m}" for m in METRICS for w in range(1, 5)]
    names += [f"lastday_{m}" for m in METRICS]
    names += [f"level24_{m}" for m in METRICS]
    names += [f"level168_{m}" for m in METRICS]
    names += [f"std168_{m}" for m in METRICS]
    names += [f"missing_{m}" for m in METRICS]
    names += ["hod_sin", "hod_cos", "dow_sin", "dow_cos", "weekend", "step", "event_active", "event_uplift"]
    names += [f"event_{k}" for k in EVENT_KINDS]
    names += [f"type_{t}" for t in ACCOUNT_TYPES] + ["type_other"]
    names += [f"app_{a}" for a in APPLICATIONS]
    names += ["history"]
    assert len(names) == N_FEATURES
    return names


def _window(values: np.ndarray, start_ms: int, origin_ms: int, hours: int) -> np.ndarray:
    """values for hours [origin - hours, origin) (NaN outside the history)."""
    out = np.full(hours, np.nan)
    first = (origin_ms - start_ms) // HOUR_MS - hours  # index of origin-hours
    lo, hi = max(first, 0), min(first + hours, len(values))
    if hi > lo:
        out[lo - first:hi - first] = values[lo:hi]
    return out


def _finite_mean(a: np.ndarray) -> float | None:
    f = a[np.isfinite(a)]
    return float(f.mean()) if f.size else None


def build_features(
    start_ms: int,
    values: Mapping[str, Sequence[float] | np.ndarray],
    origin_ms: int,
    horizon: int,
    account_type: str,
    applications: Iterable[str],
    events: Iterable[Mapping] = (),
    scale_priors: Mapping[str, Mapping[str, float]] | None = None,
    spec: str = "v1",
) -> tuple[np.ndarray, dict[str, float], dict[str, int]]:
    """Returns (rows float32 [horizon, F], scale per metric, missing per metric); F = 63 (v1) or 99 (v2).

    ``values``: hourly history per metric from ``start_ms`` (whole UTC hour), NaN = gap / absent metric.
    ``events``: dicts with kind, start, end (epoch ms) and optional uplift.
    """
    if not 1 <= horizon <= MAX_HORIZON:
        raise ValueError(f"horizon must be in 1..{MAX_HORIZON}")
    if origin_ms % HOUR_MS or start_ms % HOUR_MS:
        raise ValueError("start and origin must be whole UTC hours")
    priors = scale_priors or {}
    prior = priors.get(account_type) or priors.get("default") or {m: 1.0 for m in METRICS}
    H = horizon
    h = np.arange(H)
    t = origin_ms + h.astype(np.int64) * HOUR_MS
    X = np.zeros((H, N_FEATURES), dtype=np.float64)
    scale, missing = {}, {}
    any_finite = np.zeros(SCALE_WINDOW, dtype=bool)
    for mi, m in enumerate(METRICS):
        raw = np.asarray(values.get(m, []), dtype=np.float64) if m in values else np.zeros(0)
        win = _window(raw, start_ms, origin_ms, SCALE_WINDOW)  # index j -> hour o-672+j
        fin = np.isfinite(win)
        any_finite |= fin
        s = float(win[fin].mean()) if fin.any() else None
        if s is None or s <= 1e-6:
            s, miss = float(prior[m]), 1
        else:
            miss = 0
        scale[m], missing[m] = s, miss
        z = win / s
        lvl168 = _finite_mean(z[-168:])
        lvl168 = 1.0 if lvl168 is None else lvl168
        lvl24 = _finite_mean(z[-24:])
        lvl24 = lvl168 if lvl24 is None else lvl24
        f168 = z[-168:][np.isfinite(z[-168:])]
        std168 = float(f168.std()) if f168.size >= 2 else 0.0
        # lags: z[t - 168 w] -> window index 672 + h - 168 w (always < 672, >= 0 for h < 168)
        lags = np.stack([z[SCALE_WINDOW + h - 168 * w] for w in range(1, 5)], axis=1)  # [H,4]
        lf = np.isfinite(lags)
        cnt = lf.sum(axis=1)
        lag_mean = np.where(cnt > 0, np.where(lf, lags, 0.0).sum(axis=1) / np.maximum(cnt, 1), lvl168)
        lags = np.where(lf, lags, lag_mean[:, None])
        last = z[SCALE_WINDOW + h - 24 * (h // 24 + 1)]
        last = np.where(np.isfinite(last), last, lag_mean)
        X[:, 4 * mi:4 * mi + 4] = lags
        X[:, 16 + mi] = last
        X[:, 20 + mi] = lvl24
        X[:, 24 + mi] = lvl168
        X[:, 28 + mi] = std168
        X[:, 32 + mi] = miss
    hours = t // HOUR_MS
    hod = (hours % 24).astype(np.float64)
    dow = ((t // 86_400_000 + 3) % 7).astype(np.float64)  # 1970-01-01 was a Thursday; Monday = 0
    X[:, 36] = np.sin(2 * math.pi * hod / 24)
    X[:, 37] = np.cos(2 * math.pi * hod / 24)
    X[:, 38] = np.sin(2 * math.pi * dow / 7)
    X[:, 39] = np.cos(2 * math.pi * dow / 7)
    X[:, 40] = (dow >= 5).astype(np.float64)
    X[:, 41] = h / 168.0
    X[:, 43] = 1.0
    for ev in events:
        active = (t >= int(ev["start"])) & (t < int(ev["end"]))
        X[active, 42] = 1.0
        if ev.get("uplift") is not None:
            X[active, 43] *= float(ev["uplift"])
        if ev["kind"] in EVENT_KINDS:
            X[active, 44 + EVENT_KINDS.index(ev["kind"])] = 1.0
    X[:, 48 + (ACCOUNT_TYPES.index(account_type) if account_type in ACCOUNT_TYPES else 5)] = 1.0
    for a in applications:
        a = a.lower()
        if a in APPLICATIONS:
            X[:, 54 + APPLICATIONS.index(a)] = 1.0
    X[:, 62] = min(1.0, any_finite.sum() / SCALE_WINDOW)
    if spec in ("v2", "v3", "v3x"):
        hw = hour_of_week_features(start_ms, values, origin_ms, horizon, scale)
        X = np.concatenate([X, hw], axis=1)
        if spec in ("v3", "v3x"):
            from .features_v3 import extra_features
            X = np.concatenate([X, extra_features(start_ms, values, origin_ms, horizon, scale, hw, spec)], axis=1)
    elif spec != "v1":
        raise ValueError(f"unknown featureSpec {spec!r}")
    return X.astype(np.float32), scale, missing


def _type7_rows(vals: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise type-7 quantiles of the finite values of ``vals`` [R, K] (NaN = absent), with the TypeScript
    formula lo + (pos - floor(pos)) * (hi - lo). Returns ([R, Q], count [R]); rows with count 0 are NaN."""
    s = np.sort(vals, axis=1)  # NaN sorts last
    n = np.isfinite(vals).sum(axis=1)
    pos = np.maximum(n - 1, 0)[:, None] * q[None, :]
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0)[:, None])
    a = np.take_along_axis(s, lo, axis=1)
    b = np.take_along_axis(s, hi, axis=1)
    out = a + (pos - lo) * (b - a)
    out[n == 0] = np.nan
    return out, n


def hour_of_week_features(start_ms: int, values, origin_ms: int, horizon: int, scale: Mapping[str, float]) -> np.ndarray:
    """[horizon, 36] float64: the hour-of-week baseline's quantiles (libs/prediction/domain/src/
    hour-of-week-forecaster.ts, 4 weeks, +-1 h) for each target step, divided by s_m; metric-major, quantile-minor.
    A metric with no finite value before the origin (the baseline's NoHistory) gets 1.0 for every quantile."""
    q = np.asarray(QUANTILES, dtype=np.float64)
    H = horizon
    lens = [len(values[m]) for m in METRICS if m in values]
    length = max(lens) if lens else 0
    usable = max(0, min(length, (origin_ms - start_ms) // HOUR_MS))
    data_end = start_ms + usable * HOUR_MS
    t = origin_ms + np.arange(H, dtype=np.int64) * HOUR_MS
    week_ms = WEEK_H * HOUR_MS
    t = t - np.maximum(0, (t - data_end) // week_ms) * week_ms  # steps > 1 week after the data end: back by weeks
    centre = (t - start_ms) // HOUR_MS  # hour index of the (moved) step
    offs = np.array([-WEEK_H * w + d for w in range(1, LOOKBACK_WEEKS + 1) for d in (-1, 0, 1)], dtype=np.int64)
    idx = centre[:, None] + offs[None, :]  # [H, 12]
    inside = (idx >= 0) & (idx < usable)
    hod_step = (t // HOUR_MS) % 24
    hod_hist = (start_ms // HOUR_MS + np.arange(usable, dtype=np.int64)) % 24
    out = np.ones((H, N_HW), dtype=np.float64)
    for mi, m in enumerate(METRICS):
        raw = np.asarray(values[m], dtype=np.float64) if m in values else np.zeros(0)
        hist = np.full(usable, np.nan)
        k = min(usable, len(raw))
        hist[:k] = raw[:k]
        fin = np.isfinite(hist)
        if not fin.any():
            continue  # NoHistory -> 1.0 (cold-start value)
        win = np.where(inside, hist[np.clip(idx, 0, max(usable - 1, 0))], np.nan)
        qs, n = _type7_rows(win, q)
        for r in np.nonzero(n == 0)[0]:  # fallback 1: same hour of day +-1 h over all usable history
            dist = np.abs(hod_hist - hod_step[r])
            pool = hist[(np.minimum(dist, 24 - dist) <= 1) & fin]
            if pool.size == 0:  # fallback 2: every usable value
                pool = hist[fin]
            qs[r] = _type7_rows(pool[None, :], q)[0][0]
        qs = np.maximum.accumulate(np.maximum(qs, 0.0), axis=1)  # never negative, never crossing
        out[:, mi * len(q):(mi + 1) * len(q)] = qs / scale[m]
    return out
