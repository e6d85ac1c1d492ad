"""Python port of libs/prediction/domain/src/hour-of-week-forecaster.ts (the baseline to beat), for the backtest:
empirical type-7 quantiles of the same hour of week +-1 h over the last 4 weeks before the origin; fallback to the
same hour of day +-1 h anywhere before the origin, then to every earlier value."""
from __future__ import annotations

import numpy as np

from . import HOUR_MS


def hour_of_week_quantiles(start_ms: int, values: np.ndarray, origin_ms: int, horizon: int, quantiles,
                           lookback_weeks: int = 4) -> np.ndarray:
    """[horizon, len(quantiles)], ascending quantiles, non-negative and non-decreasing. NaN when no history."""
    values = np.asarray(values, dtype=np.float64)
    usable = max(0, min(len(values), (origin_ms - start_ms) // HOUR_MS))
    hist = values[:usable]
    q = np.asarray(quantiles)
    out = np.full((horizon, len(q)), np.nan)
    fin_all = hist[np.isfinite(hist)]
    if fin_all.size == 0:
        return out
    o = (origin_ms - start_ms) // HOUR_MS
    hod_hist = ((start_ms // HOUR_MS + np.arange(usable)) % 24)
    for h in range(horizon):
        idx = np.array([o + h - 168 * w + d for w in range(1, lookback_weeks + 1) for d in (-1, 0, 1)])
        idx = idx[(idx >= 0) & (idx < usable)]
        sample = hist[idx]
        sample = sample[np.isfinite(sample)]
        if sample.size == 0:
            hod = (origin_ms // HOUR_MS + h) % 24
            dist = np.abs(hod_hist - hod)
            sel = np.minimum(dist, 24 - dist) <= 1
            sample = hist[sel]
            sample = sample[np.isfinite(sample)]
        if sample.size == 0:
            sample = fin_all
        out[h] = np.maximum.accumulate(np.maximum(np.quantile(sample, q, method="linear"), 0.0))
    return out
