"""How far could a head go on the selection windows? Hindsight oracles (analysis, not a forecaster).

The relative <= 0.80 target is not met (v4: 0.894 on the selection windows, 0.902 held out). This measures, on v4's
protocol-matched selection windows (never a test entity), what forecasters that *know the outcome* would score, each
relative to the hour-of-week baseline with the same scoring as the selection (``train.selection_figures``):

* every quantile block the head mixes (hw = the baseline itself, hd7, l24, l168) alone, and one block featureSpec v3
  does not have: the same day type (weekday / weekend, UTC) and hour of day +-1 h over the last 3 weeks;
* **best block in hindsight**: per window and metric the block with the lowest pinball on that window's actuals
  (the four blocks; then with the day-type block added) - the best any head that picks one block per window and
  metric could do, with these blocks and with that block added in a future featureSpec;
* **best scale in hindsight**: per window and metric the model's quantiles times the factor k in exp([-1.5, 1.5])
  (61 steps) with the lowest pinball - a bound for any head that recalibrates v4's level and spread by one factor;
* **the future week's own distribution**: per window and metric the empirical quantiles of the 168 actuals, constant
  over the steps - the best forecaster that ignores the time of day;
* the model by horizon segment (steps 0-5, 6-23, 24-71, 72-167), to show where its gain is.

    bash models/run.sh headroom [--version v4]    writes <version>/headroom.json, rendered in the model card
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from . import HOUR_MS, MAX_HORIZON, METRICS, QUANTILES
from .backtest import baseline_forecaster, model_forecaster, truth_and_scale
from .calibrate import calibration_windows, figures
from .data import DATA_DIR, PACKAGE_ROOT, load_dataset
from .features import build_features
from .features_v3 import _sorted_quantiles
from .mixture import BLOCK_COLS
from .samples import scale_priors

Q = np.asarray(QUANTILES)
NQ = len(QUANTILES)
BLOCKS = ("hw", "hd7", "l24", "l168")  # mixture.BLOCK_COLS order
SCALE_GRID = np.exp(np.linspace(-1.5, 1.5, 61))
SEGMENTS = ((0, 6), (6, 24), (24, 72), (72, MAX_HORIZON))
DAY_TYPE_WEEKS = 3


def block_forecasts(windows, priors) -> dict[str, np.ndarray]:
    """The featureSpec v3 quantile blocks of every window in raw units: name -> [W, H, 4, 9]."""
    out = {b: [] for b in BLOCKS}
    for e, o in windows:
        X, s, _ = build_features(e.start_ms, e.values, o, MAX_HORIZON, e.account_type, e.applications, (), priors,
                                 spec="v3")
        scale = np.asarray([s[m] for m in METRICS])[None, :, None]
        for b, cols in zip(BLOCKS, BLOCK_COLS):
            out[b].append(X[:, cols].reshape(MAX_HORIZON, len(METRICS), NQ) * scale)
    return {b: np.stack(v) for b, v in out.items()}


def is_weekend(hours: np.ndarray) -> np.ndarray:
    """UTC hours since the epoch -> Saturday or Sunday (1970-01-01 was a Thursday)."""
    return (hours // 24 + 3) % 7 >= 5


def day_type_block(windows, fallback: np.ndarray, weeks: int = DAY_TYPE_WEEKS) -> np.ndarray:
    """Same day type (weekday / weekend) and UTC hour of day +-1 h over the `weeks` weeks before the origin; type-7
    quantiles, >= 0, non-decreasing; the fallback's values where that sample is empty. Raw units [W, H, 4, 9]."""
    out = fallback.copy()
    for w, (e, o) in enumerate(windows):
        k = (o - e.start_ms) // HOUR_MS
        lo = max(0, k - 168 * weeks)
        hours = e.start_ms // HOUR_MS + np.arange(lo, k)
        target = o // HOUR_MS + np.arange(MAX_HORIZON)
        dist = np.abs((hours % 24)[None, :] - (target % 24)[:, None])
        same = (np.minimum(dist, 24 - dist) <= 1) & (is_weekend(hours)[None, :] == is_weekend(target)[:, None])
        for mi, m in enumerate(METRICS):
            v = np.asarray(e.values[m][lo:k], dtype=np.float64)
            for h in range(MAX_HORIZON):
                pool = v[same[h] & np.isfinite(v)]
                if pool.size:
                    out[w, h, mi] = _sorted_quantiles(pool, Q)
    return out


def pinball_sums(pred: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Sum over the steps with an actual of the mean pinball over the quantiles: [W, 4] (raw units)."""
    d = Y[..., None] - pred
    loss = np.maximum(Q * d, (Q - 1) * d).mean(axis=-1)
    return np.where(np.isfinite(Y), loss, 0.0).sum(axis=1)


def best_in_hindsight(candidates: list[np.ndarray], Y: np.ndarray) -> np.ndarray:
    """Per window and metric the candidate [W, H, 4, 9] with the lowest pinball on the actuals Y [W, H, 4]."""
    best = np.argmin(np.stack([pinball_sums(c, Y) for c in candidates]), axis=0)  # [W, 4]
    stacked = np.stack(candidates)
    W, M = best.shape
    return stacked[best, np.arange(W)[:, None], :, np.arange(M)[None, :]].transpose(0, 2, 1, 3)


def best_scale_in_hindsight(pred: np.ndarray, Y: np.ndarray, grid=SCALE_GRID) -> np.ndarray:
    """pred times, per window and metric, the factor of the grid with the lowest pinball on the actuals."""
    return best_in_hindsight([pred * k for k in grid], Y)


def future_distribution(Y: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Per window and metric the empirical quantiles of its own actuals, constant over the steps."""
    out = fallback.copy()
    for w in range(Y.shape[0]):
        for mi in range(Y.shape[2]):
            y = Y[w, :, mi][np.isfinite(Y[w, :, mi])]
            if y.size:
                out[w, :, mi] = np.quantile(y, Q)
    return out


def _row(fig) -> dict:
    return {"relative": round(fig["mean"]["relative"], 4),
            "perMetric": {m: round(r["relative"], 3) for m, r in fig["perMetric"].items()},
            "coverage80": round(fig["mean"]["coverage80"], 3), "coverage98": round(fig["mean"]["coverage98"], 3)}


def run(version: str) -> dict:
    from .regime import load_net
    ents = load_dataset(DATA_DIR)
    priors = scale_priors([e for e in ents if e.split == "train"])
    windows = [(e, o) for e, o, _ in calibration_windows(ents)]
    Y, S = truth_and_scale(windows, priors)
    base = baseline_forecaster(windows)
    model = model_forecaster(load_net(PACKAGE_ROOT / version).predict, priors, spec="v3")(windows)
    blocks = block_forecasts(windows, priors)
    day_type = day_type_block(windows, blocks["hw"])
    rows = [("model", f"{version} (the model)", model)]
    rows += [(f"block-{b}", f"block {b} alone" + (" (= hour-of-week baseline)" if b == "hw" else ""), p)
             for b, p in blocks.items()]
    rows += [("day-type", f"block day type x hour of day, {DAY_TYPE_WEEKS} weeks, alone (not in featureSpec v3)",
              day_type),
             ("best-block", "best of the 4 blocks in hindsight", best_in_hindsight(list(blocks.values()), Y)),
             ("best-block-day-type", "best of the 4 blocks + day-type block in hindsight",
              best_in_hindsight([*blocks.values(), day_type], Y)),
             ("best-scale", f"{version} x best scale in hindsight", best_scale_in_hindsight(model, Y)),
             ("future", "the future week's own distribution (no time of day)", future_distribution(Y, base))]
    return {"version": version, "windows": len(windows), "entities": len({e.id for e, _ in windows}),
            "rows": {key: {"name": name, **_row(figures(p, Y, S, base))} for key, name, p in rows},
            "modelBySteps": {f"{a}-{b - 1}": _row(figures(model[:, a:b], Y[:, a:b], S, base[:, a:b]))
                             for a, b in SEGMENTS}}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--version", default="v4", help="a regime-head version directory (default v4)")
    a = ap.parse_args(argv)
    if not (PACKAGE_ROOT / a.version / "weights.npz").exists():
        ap.error(f"{a.version}: no regime-head weights ({a.version}/weights.npz); headroom needs a regime-head version")
    out = run(a.version)
    path = Path(PACKAGE_ROOT / a.version / "headroom.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    for name, r in [*((r["name"], r) for r in out["rows"].values()),
                    *((f"model, steps {k}", r) for k, r in out["modelBySteps"].items())]:
        print(f"{r['relative']:.3f}  {' / '.join(f'{x:.3f}' for x in r['perMetric'].values())}  {name}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
