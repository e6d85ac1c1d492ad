"""Feature rows exactly as FEATURES.md (featureSpec v1). Computed in float64, returned as float32."""
from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence

import numpy as np

from . import HOUR_MS, MAX_HORIZON, METRICS

N_FEATURES = 63
EVENT_KINDS = ("campaign", "launch", "holiday", "season")
ACCOUNT_TYPES = ("business-critical", "web", "batch", "database", "fleet")
APPLICATIONS = ("web", "api", "database", "cache", "batch", "analytics", "queue", "ml")
SCALE_WINDOW = 672


def feature_names() -> list[str]:
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
) -> tuple[np.ndarray, dict[str, float], dict[str, int]]:
    """Returns (rows float32 [horizon, 63], scale per metric, missing per metric).

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
    return X.astype(np.float32), scale, missing
