"""featureSpec v3 extra columns (FEATURES-v3.md): appended after the 99 v2 columns.

featureSpec v3 = v2 + the 108 block columns hd7/l24/l168 (F = 207). The experimental spec "v3x" (not served, used
for the in-history calibration candidates in the v3 model card) appends the 48 calibration columns hwn/pit/pitpb/
pitok as well (F = 255).

Per metric m (all quantile blocks divided by s_m, type-7 quantiles, clamped >= 0 and made non-decreasing in q like
the hour-of-week baseline; a block with no finite value in its window takes the hw block's values; NoHistory: 1.0):

* ``hd7_{m}_{q}``  same UTC hour of day +-1 h over the 168 h before the origin (up to 21 values), per target step;
* ``l24_{m}_{q}``  every value of the 24 h before the origin (constant over the steps);
* ``l168_{m}_{q}`` every value of the 168 h before the origin (constant over the steps);
* ``hwn_{m}``      number of finite values in the hw step's hour-of-week sample / 12 (0 when it fell back);
* ``pit_{m}_{q}``  in-history calibration: at the earlier origin o' = o - 168 h, the hour-of-week baseline's
  quantiles (history strictly before o') for the 168 steps [o', o), compared with the actual values there:
  the fraction of finite actuals <= the baseline quantile q (empirical PIT);
* ``pitpb_{m}``    the mean pinball loss (over the steps with a finite actual and the 9 quantiles) of that week,
  divided by s_m;
* ``pitok_{m}``    1 when available: o' - start >= 168 h, a finite value of m before o', >= 24 finite actuals in
  [o', o); otherwise 0 and pit_{m}_{q} = q, pitpb_{m} = 0.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from . import HOUR_MS, METRICS, QUANTILES

WEEK_H = 168
NQ = len(QUANTILES)
BLOCKS = ("hd7", "l24", "l168")
PIT_MIN_ACTUALS = 24


def names(spec: str = "v3x") -> list[str]:
    out = [f"{b}_{m}_{q}" for b in BLOCKS for m in METRICS for q in QUANTILES]
    if spec == "v3":
        return out
    out += [f"hwn_{m}" for m in METRICS]
    out += [f"pit_{m}_{q}" for m in METRICS for q in QUANTILES]
    out += [f"pitpb_{m}" for m in METRICS]
    out += [f"pitok_{m}" for m in METRICS]
    return out


N_V3_BLOCKS = len(names("v3"))  # 3*36 = 108
N_V3_EXTRA = len(names("v3x"))  # 108 + 4 + 36 + 4 + 4 = 156


def _sorted_quantiles(pool: np.ndarray, q: np.ndarray) -> np.ndarray:
    """type-7 quantiles of the (finite) pool, clamped >= 0 and non-decreasing."""
    x = np.sort(pool)
    n = len(x)
    pos = (n - 1) * q
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    v = x[lo] + (pos - lo) * (x[hi] - x[lo])
    return np.maximum.accumulate(np.maximum(v, 0.0))


def _history(values, origin_ms, start_ms):
    lens = [len(values[m]) for m in METRICS if m in values]
    length = max(lens) if lens else 0
    usable = max(0, min(length, (origin_ms - start_ms) // HOUR_MS))
    return usable


def _hist_of(values, m, usable):
    raw = np.asarray(values[m], dtype=np.float64) if m in values else np.zeros(0)
    hist = np.full(usable, np.nan)
    k = min(usable, len(raw))
    hist[:k] = raw[:k]
    return hist


def extra_features(start_ms: int, values, origin_ms: int, horizon: int, scale: Mapping[str, float],
                   hw: np.ndarray, spec: str = "v3x") -> np.ndarray:
    """[horizon, 108] (v3) or [horizon, 156] (v3x) float64. ``hw``: the [horizon, 36] v2 hour-of-week block
    (already divided by s_m)."""
    from .features import hour_of_week_features
    q = np.asarray(QUANTILES, dtype=np.float64)
    H = horizon
    usable = _history(values, origin_ms, start_ms)
    o_idx = (origin_ms - start_ms) // HOUR_MS  # hour index of the origin (may exceed usable)
    t = origin_ms + np.arange(H, dtype=np.int64) * HOUR_MS
    hod_step = (t // HOUR_MS) % 24
    blocks = np.ones((len(BLOCKS), H, len(METRICS), NQ))
    hwn = np.zeros((H, len(METRICS)))
    pit = np.tile(q, (len(METRICS), 1))
    pitpb = np.zeros(len(METRICS))
    pitok = np.zeros(len(METRICS))
    hwr = hw.reshape(H, len(METRICS), NQ)
    # hour-of-week sample sizes (same windows as features.hour_of_week_features)
    data_end = start_ms + usable * HOUR_MS
    week_ms = WEEK_H * HOUR_MS
    ts = t - np.maximum(0, (t - data_end) // week_ms) * week_ms
    centre = (ts - start_ms) // HOUR_MS
    offs = np.array([-WEEK_H * w + d for w in range(1, 5) for d in (-1, 0, 1)], dtype=np.int64)
    idx = centre[:, None] + offs[None, :]
    inside = (idx >= 0) & (idx < usable)
    for mi, m in enumerate(METRICS):
        hist = _hist_of(values, m, usable)
        fin = np.isfinite(hist)
        if not fin.any():
            continue  # NoHistory: blocks 1.0, hwn 0, pit defaults
        s = scale[m]
        win = np.where(inside, hist[np.clip(idx, 0, max(usable - 1, 0))], np.nan)
        hwn[:, mi] = np.isfinite(win).sum(axis=1) / 12.0
        # windows relative to the origin: hours [o - k, o) that are usable
        def window(k):
            lo = max(0, o_idx - k)
            seg = hist[lo:min(o_idx, usable)]
            return seg[np.isfinite(seg)], lo
        w168, lo168 = window(WEEK_H)
        for b, name in enumerate(BLOCKS):
            if name == "hd7":  # same hour of day +-1 h among the usable hours [o - 168, o)
                seg = hist[lo168:min(o_idx, usable)]
                hod_seg = (start_ms // HOUR_MS + lo168 + np.arange(len(seg), dtype=np.int64)) % 24
                segf = np.isfinite(seg)
                cache = {}
                for h in range(H):
                    hd = int(hod_step[h])
                    if hd not in cache:
                        dist = np.abs(hod_seg - hd)
                        pool = seg[(np.minimum(dist, 24 - dist) <= 1) & segf]
                        cache[hd] = _sorted_quantiles(pool, q) / s if pool.size else None
                    blocks[b, h, mi] = cache[hd] if cache[hd] is not None else hwr[h, mi]
            elif name == "hw1":  # experimental: same hour of week +-1 h, last week only
                w1 = win[:, :3]
                for h in range(H):
                    pool = w1[h][np.isfinite(w1[h])]
                    blocks[b, h, mi] = _sorted_quantiles(pool, q) / s if pool.size else hwr[h, mi]
            else:  # "l<k>": every value of the k hours before the origin
                wk, _ = window(int(name[1:]))
                blocks[b, :, mi] = _sorted_quantiles(wk, q) / s if wk.size else hwr[:, mi]
        # in-history calibration week [o', o)
        o2 = origin_ms - week_ms
        if spec == "v3x" and o2 - start_ms >= week_ms:
            u2 = _history(values, o2, start_ms)
            if np.isfinite(hist[:u2]).any():
                act = np.full(WEEK_H, np.nan)
                a0 = o_idx - WEEK_H
                k = min(usable, o_idx) - a0
                if k > 0:
                    act[:k] = hist[a0:a0 + k]
                okh = np.isfinite(act)
                if okh.sum() >= PIT_MIN_ACTUALS:
                    sub = {mm: values[mm] for mm in METRICS if mm in values}
                    qb = hour_of_week_features(start_ms, sub, o2, WEEK_H, {mm: 1.0 for mm in METRICS})
                    qb = qb[:, mi * NQ:(mi + 1) * NQ][okh]  # raw units
                    y = act[okh][:, None]
                    pit[mi] = (y <= qb).mean(axis=0)
                    d = y - qb
                    pitpb[mi] = float(np.maximum(q * d, (q - 1) * d).mean()) / s
                    pitok[mi] = 1.0
    bl = blocks.reshape(len(BLOCKS), H, -1).transpose(1, 0, 2).reshape(H, -1)
    if spec == "v3":
        return bl
    out = np.concatenate([
        bl,
        hwn,
        np.broadcast_to(pit.reshape(-1), (H, len(METRICS) * NQ)),
        np.broadcast_to(pitpb, (H, len(METRICS))),
        np.broadcast_to(pitok, (H, len(METRICS))),
    ], axis=1)
    assert out.shape == (H, len(names(spec)))
    return out
