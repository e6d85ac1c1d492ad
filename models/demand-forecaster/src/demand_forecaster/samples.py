"""Training / validation samples: (feature rows, normalised targets) per (entity, origin)."""
from __future__ import annotations

import numpy as np

from . import HOUR_MS, MAX_HORIZON, METRICS
from .data import Entity
from .features import build_features, n_features


def scale_priors(entities: list[Entity]) -> dict[str, dict[str, float]]:
    """Per account type: median over entities of the entity mean per metric; 'default' over non-fleet entities."""
    def med(group, m):
        vals = [float(np.nanmean(e.values[m])) for e in group if np.isfinite(e.values[m]).any()]
        return float(np.median(vals)) if vals else None

    non_fleet = [e for e in entities if e.account_type != "fleet"]
    default = {m: med(non_fleet, m) or 1.0 for m in METRICS}
    out = {"default": default}
    for t in sorted({e.account_type for e in entities}):
        grp = [e for e in entities if e.account_type == t]
        out[t] = {m: (med(grp, m) or default[m]) for m in METRICS}
    return {k: {m: float(f"{v[m]:.6g}") for m in METRICS} for k, v in out.items()}


def sample(e: Entity, origin_ms: int, priors, *, horizon=MAX_HORIZON, history_from_ms=None, target_until_ms=None,
           events=(), spec="v1"):
    """Features and normalised targets for one forecast. history_from_ms masks history before it (cold start:
    history_from_ms = origin_ms). target_until_ms masks targets at or after it."""
    vals = e.values
    if history_from_ms is not None:
        cut = max(0, (history_from_ms - e.start_ms) // HOUR_MS)
        vals = {m: v.copy() for m, v in vals.items()}
        for v in vals.values():
            v[:cut] = np.nan
    X, scale, missing = build_features(e.start_ms, vals, origin_ms, horizon, e.account_type, e.applications,
                                       events, priors, spec=spec)
    o = (origin_ms - e.start_ms) // HOUR_MS
    Y = np.full((horizon, len(METRICS)), np.nan)
    for mi, m in enumerate(METRICS):
        seg = e.values[m][o:o + horizon]
        Y[:len(seg), mi] = seg / scale[m]
    if target_until_ms is not None:
        n_ok = max(0, (target_until_ms - origin_ms) // HOUR_MS)
        Y[n_ok:] = np.nan
    return X, Y, scale, missing


def build_set(entities, priors, *, role: str, rng: np.random.Generator, stride_h=12, max_origins=80,
              p_cold=0.12, p_trunc=0.2, cold_weight=0.05, spec="v1"):
    """role: 'train' (time-split: targets before end-168h, with history augmentation), 'val-time' (origin = end-168h
    of training entities), 'val-entity' (origins over validation entities), 'val-cold' (validation entities with the
    whole history masked)."""
    Xs, Ys, ws, info = [], [], [], []
    for e in entities:
        end = e.start_ms + e.length * HOUR_MS
        if role == "train":
            cutoff = end - MAX_HORIZON * HOUR_MS
            origins = np.arange(e.start_ms + 24 * HOUR_MS, cutoff - 12 * HOUR_MS + 1, stride_h * HOUR_MS)
        elif role == "val-time":
            origins = np.array([end - MAX_HORIZON * HOUR_MS]) if e.length >= MAX_HORIZON + 48 else np.array([])
            cutoff = None
        else:
            origins = np.arange(e.start_ms + 24 * HOUR_MS, end - 24 * HOUR_MS + 1, 24 * HOUR_MS)
            cutoff = None
        if len(origins) > max_origins:
            origins = origins[np.linspace(0, len(origins) - 1, max_origins).round().astype(int)]
        rows = []
        for o in origins:
            o = int(o)
            hist_from = None
            kind = "full"
            if role == "val-cold":
                hist_from, kind = o, "cold"
            elif role == "train":
                r = rng.random()
                if r < p_cold:
                    hist_from, kind = o, "cold"
                elif r < p_cold + p_trunc:
                    hist_from, kind = o - int(rng.integers(24, 337)) * HOUR_MS, "short"
            X, Y, _, _ = sample(e, o, priors, history_from_ms=hist_from, target_until_ms=cutoff, spec=spec)
            keep = np.isfinite(Y).any(axis=1)
            if keep.any():
                rows.append((X[keep], Y[keep], kind, o))
        n = sum(len(r[0]) for r in rows)
        for X, Y, kind, o in rows:
            Xs.append(X); Ys.append(Y)
            ws.append(np.full(len(X), 1000.0 / max(n, 1) * (cold_weight if kind == "cold" else 1.0)))
            info += [(e.id, o, kind)] * len(X)
    if not Xs:
        return np.zeros((0, n_features(spec)), np.float32), np.zeros((0, 4)), np.zeros(0), []
    return np.concatenate(Xs), np.concatenate(Ys), np.concatenate(ws), info
