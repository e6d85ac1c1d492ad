"""Post-hoc interval calibration of a trained featureSpec v3 network (tried on v3 as "v4"; not exported, see main).

Per metric m and quantile q, the distance of the quantile from the median is scaled by a constant f[m, q]:

    out'_q = relu(med + f[m, q] * (out_q - med)),   med = out_0.5,  f[m, 0.5] = 1

With f >= 0 and f non-decreasing from the median outwards (per side), the distances stay ordered, so the output stays
non-crossing; the relu keeps it non-negative; f = 1 is the identity. The factors are fitted on *calibration windows*
that follow the held-out evaluation protocol (>= 504 h of history before the origin, 168-h horizon) but never touch
the test entities:

- the time-split windows: origin = end - 168 h of every training entity with >= 504 h before it (the last week of a
  training entity is never trained on), and
- rolling origins on the validation entities with >= 504 h of history (as evaluate.py does on the test entities).

Each f[m, q] minimises the mean scaled pinball loss of quantile q of metric m on those windows' cells (grid search),
fitted outwards from the median with f >= the factor of the next inner quantile. Leave-one-entity-out cross-validation
over the calibration entities estimates what the fit does out of sample.

    python -m demand_forecaster.calibrate --base v3 [--out FILE.json]

prints (and optionally writes) the calibration-window figures of every variant: fit set x fit rule, in sample and
leave-one-entity-out. Variants: factors per metric and quantile / one per metric / per quantile shared over metrics /
one shared; fitted by pinball, by one-sided coverage (P(y <= q_hat) = q) or by two-sided interval coverage (one
factor per interval (q, 1 - q) with its coverage closest to 1 - 2q).
"""
from __future__ import annotations

import argparse
import json
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import MAX_HORIZON, METRICS, QUANTILES, HOUR_MS
from .backtest import baseline_forecaster, compare, model_forecaster, origins_for, truth_and_scale
from .data import DATA_DIR, PACKAGE_ROOT, load_dataset

MIN_HISTORY_H = 504
Q = np.asarray(QUANTILES)
MED = QUANTILES.index(0.5)
NM, NQ = len(METRICS), len(QUANTILES)
GRID = np.round(np.arange(0.30, 3.0001, 0.01), 4)


def apply_calibration(y: np.ndarray, factors: np.ndarray | None) -> np.ndarray:
    """y [N, 4, 9] non-negative, non-decreasing quantiles; factors [4, 9] (1 at the median) -> calibrated y."""
    if factors is None:
        return y
    med = y[:, :, MED:MED + 1]
    # = relu(med + f (y - med)), written so that f = 1 is exactly the identity (also in float32)
    return np.maximum(y + (np.asarray(factors)[None] - 1.0) * (y - med), 0.0)


def calibration_windows(ents, min_hist_h: int = MIN_HISTORY_H):
    """[(entity, origin, kind)]: time-split windows of the training entities and rolling origins of the validation
    entities, every one with >= min_hist_h hours before the origin. Never a test entity."""
    out = []
    for e in ents:
        if e.split == "train" and e.length - MAX_HORIZON >= min_hist_h:
            out.append((e, e.start_ms + (e.length - MAX_HORIZON) * HOUR_MS, "time-split"))
        elif e.split == "validation":
            out += [(e, o, "validation") for o in origins_for(e, min_hist_h, stride_h=24, max_n=6)]
    assert all(e.split != "test" for e, _, _ in out)
    return out


def cells(pred, Y, S, base):
    """Normalised cells where the truth, the model and the baseline all answer: P [n, 9], y [n], per metric."""
    out = []
    for mi in range(NM):
        y = Y[:, :, mi] / S[:, None, mi]
        p = pred[:, :, mi, :] / S[:, None, mi, None]
        ok = np.isfinite(y) & np.isfinite(p).all(axis=2) & np.isfinite(base[:, :, mi, :]).all(axis=2)
        out.append((p[ok], y[ok]))
    return out


def _pinball(pred_q, y, q):
    d = y - pred_q
    return np.maximum(q * d, (q - 1) * d).mean()


def _groups(per_metric, shared: bool):
    """The metric groups a fit runs over (all four together, or one each) with their pooled forecasts P, outcomes y
    and medians; groups without data are left out."""
    for g in ([list(range(NM))] if shared else [[m] for m in range(NM)]):
        P = np.concatenate([per_metric[m][0] for m in g])
        y = np.concatenate([per_metric[m][1] for m in g])
        if len(y):
            yield g, P, y, P[:, MED]


def fit_factors(per_metric, shared: bool = False, grid=GRID, single: bool = False) -> np.ndarray:
    """per_metric: [(P [n, 9], y [n])] per metric. Returns f [4, 9]: per metric (or shared over metrics) and quantile,
    the grid value minimising the quantile's mean pinball, fitted outwards from the median with f >= the inner one.
    single: one factor for every quantile of the group (minimising the mean pinball over the 8 non-median quantiles)."""
    f = np.ones((NM, NQ))
    for g, P, y, med in _groups(per_metric, shared):
        if single:
            ks = [k for k in range(NQ) if k != MED]
            losses = [sum(_pinball(np.maximum(med + c * (P[:, k] - med), 0.0), y, Q[k]) for k in ks) for c in grid]
            f[np.ix_(g, ks)] = float(grid[int(np.argmin(losses))])
            continue
        for side in (range(MED + 1, NQ), range(MED - 1, -1, -1)):
            lo = 0.0
            for k in side:
                cand = grid[grid >= lo - 1e-12]
                dist = P[:, k] - med
                losses = [_pinball(np.maximum(med + c * dist, 0.0), y, Q[k]) for c in cand]
                lo = float(cand[int(np.argmin(losses))])
                f[g, k] = lo
    return f


def figures(pred, Y, S, base):
    """compare() figures (relative to the hour-of-week baseline, coverage) per metric and their mean."""
    res = compare({"hour-of-week": base, "m": pred}, Y, S)["m"]
    per = {m: {"relative": r["relative"], "coverage80": r["coverage80"], "coverage98": r["coverage98"],
               "meanPinball": r["meanPinball"]} for m, r in res.items()}
    mean = {k: float(np.mean([r[k] for r in per.values()])) for k in ("relative", "coverage80", "coverage98")}
    return {"perMetric": per, "mean": mean}


def calibrated_pred(pred, S, f):
    """pred raw [W, H, 4, 9] -> calibrated raw (the calibration works on normalised values; it is scale-equivariant,
    so normalising first changes nothing but is what the graph does)."""
    W, H = pred.shape[:2]
    p = pred / S[:, None, :, None]
    out = apply_calibration(p.reshape(W * H, NM, NQ), f).reshape(p.shape)
    return out * S[:, None, :, None]


def fit_coverage(per_metric, shared: bool = False, two_sided: bool = True, grid=GRID) -> np.ndarray:
    """Coverage matching, outwards from the median with f >= the inner factor. two_sided: one factor per interval
    (q_k, q_{8-k}) whose empirical coverage is closest to 1 - 2 q_k; else per quantile, P(y <= q_hat) closest to q."""
    f = np.ones((NM, NQ))
    for g, P, y, med in _groups(per_metric, shared):
        if two_sided:
            lo = 0.0
            for k in range(MED - 1, -1, -1):
                cand = grid[grid >= lo - 1e-12]
                err = [abs(((y >= np.maximum(med + c * (P[:, k] - med), 0.0)) & (y <= med + c * (P[:, NQ - 1 - k] - med)))
                           .mean() - (1 - 2 * Q[k])) for c in cand]
                lo = float(cand[int(np.argmin(err))])
                f[g, k] = f[g, NQ - 1 - k] = lo
            continue
        for side in (range(MED + 1, NQ), range(MED - 1, -1, -1)):
            lo = 0.0
            for k in side:
                cand = grid[grid >= lo - 1e-12]
                err = [abs((y <= np.maximum(med + c * (P[:, k] - med), 0.0)).mean() - Q[k]) for c in cand]
                lo = float(cand[int(np.argmin(err))])
                f[g, k] = lo
    return f


# name: (fit function, keyword arguments)
VARIANTS = {
    "pinball, per metric and quantile": (fit_factors, {}),
    "pinball, one factor per metric": (fit_factors, {"single": True}),
    "pinball, per quantile (shared over metrics)": (fit_factors, {"shared": True}),
    "pinball, one shared factor": (fit_factors, {"shared": True, "single": True}),
    "two-sided coverage, per metric and interval": (fit_coverage, {}),
    "two-sided coverage, per interval (shared)": (fit_coverage, {"shared": True}),
    "one-sided coverage, per metric and quantile": (fit_coverage, {"two_sided": False}),
}


def fit(name, pred, Y, S, base):
    fn, kw = VARIANTS[name]
    return fn(cells(pred, Y, S, base), **kw)


def cross_validate(name, pred, Y, S, base, groups):
    """Leave-one-entity-out: factors fitted without an entity's windows, applied to them."""
    out = pred.copy()
    for g in sorted(set(groups)):
        tr = np.asarray([x != g for x in groups])
        out[~tr] = calibrated_pred(pred[~tr], S[~tr], fit(name, pred[tr], Y[tr], S[tr], base[tr]))
    return out


def windows_with_train_rolling(ents):
    """calibration_windows + rolling origins (>= 504 h history) on the training entities before their last week:
    targets the network was trained on (an in-sample view, reported, never the only fit set)."""
    out = calibration_windows(ents)
    for e in ents:
        if e.split == "train":
            last = e.start_ms + (e.length - MAX_HORIZON) * HOUR_MS
            out += [(e, o, "train-rolling") for o in origins_for(e, MIN_HISTORY_H, stride_h=24, max_n=6) if o != last]
    return out


FIT_SETS = {  # name: kinds of window fitted on (leave-one-entity-out within the set)
    "protocol windows (time-split + validation >= 504 h)": ("time-split", "validation"),
    "time-split windows only": ("time-split",),
    "all incl. training-entity rolling origins (in-sample hours)": ("time-split", "validation", "train-rolling"),
}


def run(base_version="v3", log=print):
    from .export import onnx_predict, session
    vdir = PACKAGE_ROOT / base_version
    manifest = json.loads((vdir / "manifest.json").read_text())
    priors, spec = manifest["scalePriors"], manifest["featureSpec"]
    sess = session(vdir / "model.onnx", threads=1)
    predict = lambda X: onnx_predict(sess, X)  # noqa: E731 - the released artefact
    ents = load_dataset(DATA_DIR)
    wk = windows_with_train_rolling(ents)
    windows = [(e, o) for e, o, _ in wk]
    kinds = np.asarray([k for _, _, k in wk])
    groups = np.asarray([e.id for e, _ in windows])
    Y, S = truth_and_scale(windows, priors)
    base = baseline_forecaster(windows)
    pred = model_forecaster(predict, priors, spec=spec)(windows)
    rep = {"base": base_version, "baseSha256": manifest["sha256"], "minHistoryHours": MIN_HISTORY_H,
           "grid": [float(GRID[0]), float(GRID[-1]), 0.01],
           "windows": {k: int((kinds == k).sum()) for k in ("time-split", "validation", "train-rolling")},
           "subsets": {}, "fitSets": {}}
    for k in ("time-split", "validation", "train-rolling"):
        sel = kinds == k
        rep["subsets"][k] = {"windows": int(sel.sum()), "entities": sorted(set(groups[sel])),
                             "before": figures(pred[sel], Y[sel], S[sel], base[sel])}
    for fs, ks in FIT_SETS.items():
        sel = np.isin(kinds, ks)
        p, y, s, b, g = pred[sel], Y[sel], S[sel], base[sel], list(groups[sel])
        r = {"windows": int(sel.sum()), "entities": len(set(g)), "before": figures(p, y, s, b), "variants": {}}
        log(f"== fit set: {fs}: {r['windows']} windows, {r['entities']} entities")
        log(f"   before                                       {fmt(r['before'])}")
        for name in VARIANTS:
            f = fit(name, p, y, s, b)
            v = {"factors": {m: [round(float(x), 2) for x in row] for m, row in zip(METRICS, f)},
                 "inSample": figures(calibrated_pred(p, s, f), y, s, b),
                 "leaveOneEntityOut": figures(cross_validate(name, p, y, s, b, g), y, s, b)}
            if fs == "time-split windows only":  # factors applied to the validation-entity windows (other entities)
                o = kinds == "validation"
                v["appliedToValidationWindows"] = figures(calibrated_pred(pred[o], S[o], f), Y[o], S[o], base[o])
            r["variants"][name] = v
            log(f"   {name:44s} in   {fmt(v['inSample'])}")
            log(f"   {'':44s} LOEO {fmt(v['leaveOneEntityOut'])}")
            if "appliedToValidationWindows" in v:
                log(f"   {'':44s} val  {fmt(v['appliedToValidationWindows'])}")
        rep["fitSets"][fs] = r
    return rep


def fmt(fig):
    pm = fig["perMetric"]
    return (f"rel {fig['mean']['relative']:.3f} ("
            + ", ".join(f"{m[:3]} {pm[m]['relative']:.3f}" for m in METRICS if m in pm)
            + f") cov80 {100 * fig['mean']['coverage80']:.1f}% ("
            + "/".join(f"{100 * pm[m]['coverage80']:.1f}" for m in METRICS if m in pm)
            + f") cov98 {100 * fig['mean']['coverage98']:.1f}% ("
            + "/".join(f"{100 * pm[m]['coverage98']:.1f}" for m in METRICS if m in pm) + ")")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--base", default="v3")
    ap.add_argument("--out", type=Path, default=None, help="also write the figures as JSON")
    a = ap.parse_args(argv)
    t0 = time.time()
    rep = run(a.base)
    for k, r in rep["subsets"].items():
        print(f"subset {k}: {r['windows']} windows, before {fmt(r['before'])}")
    rep["seconds"] = round(time.time() - t0)
    rep["date"] = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    if a.out:
        a.out.write_text(json.dumps(rep, indent=1) + "\n")
        print(f"wrote {a.out}")
    print(f"{time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
