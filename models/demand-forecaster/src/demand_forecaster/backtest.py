"""Rolling-origin backtest harness shared by validation (train.py) and the held-out evaluation (evaluate.py).

Every forecaster answers for a list of windows (entity, origin) with raw-unit quantiles [H, 4, Q] (NaN where it
cannot answer); only history strictly before the origin is visible to it. Losses are computed on values divided by
the series scale s_m at the origin (FEATURES.md), so entities of any size weigh alike.
"""
from __future__ import annotations

import numpy as np

from . import HOUR_MS, MAX_HORIZON, METRICS, QUANTILES
from .baseline import hour_of_week_quantiles
from .features import build_features

Q = np.asarray(QUANTILES)


def origins_for(e, min_hist_h: int, max_hist_h: int | None = None, stride_h: int = 24, max_n: int = 6):
    first = min_hist_h
    last = e.length - MAX_HORIZON
    if max_hist_h is not None:
        last = min(last, max_hist_h)
    if last < first:
        return []
    cand = np.arange(first, last + 1, stride_h)
    if len(cand) > max_n:
        cand = cand[np.linspace(0, len(cand) - 1, max_n).round().astype(int)]
    return [e.start_ms + int(c) * HOUR_MS for c in cand]


def model_forecaster(predict, priors, *, cold=False, events_for=None, spec="v1"):
    """predict: float32 [N,F] (F = 63 for featureSpec v1, 99 for v2) -> [N,4,Q] normalised. Returns a windows -> raw-unit quantiles function."""
    def run(windows):
        Xs, scales = [], []
        for e, o in windows:
            vals = e.values
            if cold:
                vals = {m: np.full(0, np.nan) for m in METRICS}
            ev = events_for(e, o) if events_for else ()
            X, s, _ = build_features(e.start_ms, vals, o, MAX_HORIZON, e.account_type, e.applications, ev, priors,
                                     spec=spec)
            Xs.append(X); scales.append([s[m] for m in METRICS])
        out = np.asarray(predict(np.concatenate(Xs)), dtype=np.float64).reshape(len(windows), MAX_HORIZON, 4, len(Q))
        return out * np.asarray(scales)[:, None, :, None]
    return run


def baseline_forecaster(windows):
    out = np.full((len(windows), MAX_HORIZON, 4, len(Q)), np.nan)
    for i, (e, o) in enumerate(windows):
        for mi, m in enumerate(METRICS):
            if np.isfinite(e.values[m]).any():
                out[i, :, mi] = hour_of_week_quantiles(e.start_ms, e.values[m], o, MAX_HORIZON, Q)
    return out


def seasonal_naive_empirical(windows):
    """Seasonal naive (value one week earlier) with empirical quantiles of past weekly differences (no library)."""
    out = np.full((len(windows), MAX_HORIZON, 4, len(Q)), np.nan)
    for i, (e, o) in enumerate(windows):
        k = (o - e.start_ms) // HOUR_MS
        for mi, m in enumerate(METRICS):
            v = e.values[m][:k]
            if k < 2 * MAX_HORIZON or not np.isfinite(v).any():
                continue
            d = v[MAX_HORIZON:] - v[:-MAX_HORIZON]
            d = d[np.isfinite(d)]
            point = v[k - MAX_HORIZON:k]
            point = np.where(np.isfinite(point), point, np.nanmean(v))
            out[i, :, mi] = np.maximum(point[:, None] + np.quantile(d, Q)[None, :], 0)
    return out


def truth_and_scale(windows, priors):
    Y = np.full((len(windows), MAX_HORIZON, 4), np.nan)
    S = np.ones((len(windows), 4))
    for i, (e, o) in enumerate(windows):
        k = (o - e.start_ms) // HOUR_MS
        _, s, _ = build_features(e.start_ms, e.values, o, 1, e.account_type, e.applications, (), priors)
        S[i] = [s[m] for m in METRICS]
        for mi, m in enumerate(METRICS):
            seg = e.values[m][k:k + MAX_HORIZON]
            Y[i, :len(seg), mi] = seg
    return Y, S


def score(pred, Y, S):
    """pred [W,H,4,Q] raw, Y [W,H,4] raw, S [W,4]. Returns per-metric dict of figures (normalised units).
    Cells where the truth or the prediction is missing are skipped; the caller aligns cells across models."""
    res = {}
    for mi, m in enumerate(METRICS):
        y = Y[:, :, mi] / S[:, None, mi]
        p = pred[:, :, mi, :] / S[:, None, mi, None]
        ok = np.isfinite(y) & np.isfinite(p).all(axis=2)
        if not ok.any():
            continue
        yv, pv = y[ok][:, None], p[ok]
        diff = yv - pv
        pin = np.maximum(Q * diff, (Q - 1) * diff).mean(axis=0)
        yy = yv[:, 0]
        res[m] = {
            "n": int(ok.sum()),
            "pinball": {str(q): float(x) for q, x in zip(QUANTILES, pin)},
            "meanPinball": float(pin.mean()),
            "coverage80": float(((yy >= pv[:, 2]) & (yy <= pv[:, 6])).mean()),
            "coverage90": float(((yy >= pv[:, 1]) & (yy <= pv[:, 7])).mean()),
            "coverage98": float(((yy >= pv[:, 0]) & (yy <= pv[:, 8])).mean()),
        }
    return res


def compare(preds: dict, Y, S, reference="hour-of-week"):
    """Scores every model on the cells where all models answered; adds relative = meanPinball / reference's."""
    common = np.isfinite(Y)
    for p in preds.values():
        common &= np.isfinite(p).all(axis=3)
    Yc = np.where(common, Y, np.nan)
    out = {name: score(p, Yc, S) for name, p in preds.items()}
    for name in out:
        for m, r in out[name].items():
            ref = out.get(reference, {}).get(m)
            r["relative"] = r["meanPinball"] / ref["meanPinball"] if ref and ref["meanPinball"] > 0 else None
    return out
