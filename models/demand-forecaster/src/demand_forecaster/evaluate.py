"""python -m demand_forecaster.evaluate --version v1 [--no-peers]

Rolling-origin backtest on the held-out test entities (history strictly before each origin, 168-h horizon):
the exported ONNX model vs the hour-of-week baseline, seasonal naive, and statsforecast AutoETS / MSTL (and
SeasonalNaive) with ConformalIntervals; plus short-history, cold-start and synthetic-event checks and the
onnxruntime speed. Writes <version>/evaluation.json, evaluation.md, updates manifest.evaluation and MODEL_CARD.md.
"""
from __future__ import annotations

import argparse
import json
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import HOUR_MS, MAX_HORIZON, METRICS, QUANTILES
from .backtest import (baseline_forecaster, compare, model_forecaster, origins_for, score, seasonal_naive_empirical,
                       truth_and_scale)
from .data import DATA_DIR, PACKAGE_ROOT, dataset_sha256, load_dataset
from .export import onnx_predict, session

MIN_HISTORY_H = 504  # 3 weeks: conformal intervals of the peers need 2 x 168 h of calibration windows plus a fit
Q = np.asarray(QUANTILES)
LEVELS = (50, 80, 90, 98)  # symmetric intervals -> quantiles 0.25/0.75, 0.1/0.9, 0.05/0.95, 0.01/0.99


def statsforecast_peers(windows):
    """AutoETS(24), MSTL([24, 168]) and SeasonalNaive(168) with ConformalIntervals(h=168, n_windows=2), one fit per
    (window, metric) on the history before the origin (gaps linearly interpolated, as the library needs no NaN)."""
    import pandas as pd
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL, AutoETS, SeasonalNaive
    from statsforecast.utils import ConformalIntervals

    frames, keys = [], []
    for i, (e, o) in enumerate(windows):
        k = (o - e.start_ms) // HOUR_MS
        for mi, m in enumerate(METRICS):
            v = e.values[m][max(0, k - 1008):k]
            if np.isfinite(v).sum() < MIN_HISTORY_H // 2:
                continue
            s = pd.Series(v).interpolate(limit_direction="both").to_numpy()
            uid = f"{i}|{mi}"
            frames.append(pd.DataFrame({"unique_id": uid, "ds": np.arange(len(s)), "y": s}))
            keys.append((uid, i, mi))
    df = pd.concat(frames, ignore_index=True)
    names = {"AutoETS": AutoETS(season_length=24), "MSTL": MSTL(season_length=[24, 168]),
             "SeasonalNaive": SeasonalNaive(season_length=168)}
    out = {}
    for name, model in names.items():
        pred = np.full((len(windows), MAX_HORIZON, 4, len(Q)), np.nan)
        t = time.time()
        sf = StatsForecast(models=[model], freq=1, n_jobs=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fc = sf.forecast(df=df, h=MAX_HORIZON, level=list(LEVELS),
                             prediction_intervals=ConformalIntervals(h=MAX_HORIZON, n_windows=2))
        fc = fc.reset_index() if "unique_id" not in fc.columns else fc
        alias = [c for c in fc.columns if c not in ("unique_id", "ds") and "-lo-" not in c and "-hi-" not in c][0]
        g = dict(tuple(fc.groupby("unique_id")))
        for uid, i, mi in keys:
            f = g[uid].sort_values("ds")
            cols = [f"{alias}-lo-98", f"{alias}-lo-90", f"{alias}-lo-80", f"{alias}-lo-50", alias,
                    f"{alias}-hi-50", f"{alias}-hi-80", f"{alias}-hi-90", f"{alias}-hi-98"]
            arr = np.maximum(f[cols].to_numpy(dtype=np.float64), 0.0)
            pred[i, :, mi] = np.maximum.accumulate(arr, axis=1)
        out[f"statsforecast {name} + conformal"] = pred
        print(f"  {name}: {time.time() - t:.0f}s")
    return out


def synthetic_events(e, o, rng_seed):
    rng = np.random.default_rng(rng_seed)
    a = int(rng.integers(0, 120))
    length = int(rng.integers(12, 48))
    uplift = float(rng.choice([1.3, 1.5, 2.0]))
    return {"kind": "campaign", "start": o + a * HOUR_MS, "end": o + (a + length) * HOUR_MS, "uplift": uplift}


def events_check(predict, priors, windows, Y, S, spec="v1"):
    """Inject declared-uplift events into held-out actuals; forecast with the event on the calendar; compare the
    caller-applied uplift with ignoring it, inside the event windows."""
    evs = [synthetic_events(e, o, i) for i, (e, o) in enumerate(windows)]
    base = model_forecaster(predict, priors, spec=spec)(windows)
    with_ev = model_forecaster(predict, priors, spec=spec, events_for=lambda e, o: [evs[windows.index((e, o))]])(windows)
    graph_invariant = float(np.nanmax(np.abs(with_ev - base)))
    Yi = Y.copy()
    mask = np.zeros(Y.shape[:2], dtype=bool)
    up = np.ones(Y.shape[:2])
    for i, ((e, o), ev) in enumerate(zip(windows, evs)):
        a, b = (ev["start"] - o) // HOUR_MS, (ev["end"] - o) // HOUR_MS
        mask[i, a:b] = True
        up[i, a:b] = ev["uplift"]
    Yi = Yi * up[:, :, None]
    Yin = np.where(mask[:, :, None], Yi, np.nan)
    applied = with_ev * up[:, :, None, None]
    r_applied = score(applied, Yin, S)
    r_ignored = score(with_ev, Yin, S)
    return {
        "windows": len(windows), "eventHours": int(mask.sum()),
        "maxOutputChangeFromEventFeatures": graph_invariant,
        "applied": {m: {k: r_applied[m][k] for k in ("meanPinball", "coverage80", "coverage98")} for m in r_applied},
        "ignored": {m: {k: r_ignored[m][k] for k in ("meanPinball", "coverage80", "coverage98")} for m in r_ignored},
    }


def speed(sess, n_features=63):
    rng = np.random.default_rng(0)
    X = rng.random((64 * MAX_HORIZON, n_features), dtype=np.float32)
    for _ in range(5):
        sess.run(None, {"features": X})
    n, t = 40, time.perf_counter()
    for _ in range(n):
        sess.run(None, {"features": X})
    rows_per_s = n * len(X) / (time.perf_counter() - t)
    lat = []
    x1 = X[:MAX_HORIZON]
    for _ in range(2000):
        t = time.perf_counter()
        sess.run(None, {"features": x1})
        lat.append((time.perf_counter() - t) * 1000)
    return {"threads": 1, "batchRows": len(X), "rowsPerSecond": round(rows_per_s),
            "forecastsPerSecond": round(rows_per_s / MAX_HORIZON),
            "singleForecastMs": {"p50": round(float(np.percentile(lat, 50)), 4),
                                 "p99": round(float(np.percentile(lat, 99)), 4)}}


def speed_pair(sessions: dict, n_features: int, reps: int = 30, runs: int = 5) -> dict:
    """Batched rows/s of several sessions measured in the same run, interleaved (reps rounds of `runs` batches each,
    best round per session), so that load from other processes on the machine hits them alike."""
    rng = np.random.default_rng(0)
    X = rng.random((64 * MAX_HORIZON, n_features), dtype=np.float32)
    best = {k: 0.0 for k in sessions}
    for s in sessions.values():
        for _ in range(3):
            s.run(None, {"features": X})
    for _ in range(reps):
        for k, s in sessions.items():
            t = time.perf_counter()
            for _ in range(runs):
                s.run(None, {"features": X})
            best[k] = max(best[k], runs * len(X) / (time.perf_counter() - t))
    return {"threads": 1, "batchRows": len(X), "rounds": reps, "rowsPerSecond": {k: round(v) for k, v in best.items()}}


def reference_version(root: Path, manifest) -> str | None:
    """For a model with another head on an existing featureSpec (v4): the newest version of that spec without one."""
    if not manifest.get("head"):
        return None
    cands = []
    for p in root.glob("v[0-9]*"):
        m = p / "manifest.json"
        if p.name != manifest["version"] and m.exists():
            mm = json.loads(m.read_text())
            if mm.get("featureSpec") == manifest.get("featureSpec") and not mm.get("head"):
                cands.append(p.name)
    return max(cands, key=lambda s: int(s[1:])) if cands else None


def cold_start_widening(manifest) -> np.ndarray:
    """[metric, quantile] factors from the manifest's coldStartWidening: per quantile for every metric (v1-v3) or per
    metric and quantile (v4)."""
    w = manifest["coldStartWidening"]
    per_metric = {m: w[m] for m in METRICS} if all(m in w for m in METRICS) else {m: w for m in METRICS}
    return np.asarray([[per_metric[m][str(q)] for q in QUANTILES] for m in METRICS])


def fmt_table(res: dict, ref="hour-of-week") -> str:
    lines = ["| model | metric | mean pinball (norm.) | relative to hour-of-week | cov. 80% | cov. 90% | cov. 98% | "
             + " | ".join(f"pb {q}" for q in QUANTILES) + " |",
             "|---|---|---|---|---|---|---|" + "---|" * len(QUANTILES)]
    for name, per in res.items():
        for m in METRICS:
            if m not in per:
                continue
            r = per[m]
            rel = "—" if r.get("relative") is None else f"{r['relative']:.3f}"
            lines.append(f"| {name} | {m} | {r['meanPinball']:.4f} | {rel} | {r['coverage80']:.3f} | "
                         f"{r['coverage90']:.3f} | {r['coverage98']:.3f} | "
                         + " | ".join(f"{r['pinball'][str(q)]:.4f}" for q in QUANTILES) + " |")
    return "\n".join(lines)


def overall(res):
    """Mean over metrics of the relative figure and of the coverages."""
    out = {}
    for name, per in res.items():
        ms = [per[m] for m in METRICS if m in per]
        rel = [r["relative"] for r in ms if r.get("relative") is not None]
        out[name] = {"relative": float(np.mean(rel)) if rel else None,
                     "coverage80": float(np.mean([r["coverage80"] for r in ms])),
                     "coverage98": float(np.mean([r["coverage98"] for r in ms]))}
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--version", default=None, help="version dir name (default: newest v*)")
    ap.add_argument("--root", type=Path, default=PACKAGE_ROOT)
    ap.add_argument("--data", type=Path, default=DATA_DIR)
    ap.add_argument("--no-peers", action="store_true")
    a = ap.parse_args(argv)
    version = a.version or sorted((p.name for p in a.root.glob("v[0-9]*") if p.is_dir()), key=lambda s: int(s[1:]))[-1]
    vdir = a.root / version
    manifest = json.loads((vdir / "manifest.json").read_text())
    priors = manifest["scalePriors"]
    spec = manifest.get("featureSpec", "v1")
    widening = cold_start_widening(manifest)
    sess = session(vdir / "model.onnx", threads=1)
    predict = lambda X: onnx_predict(sess, X)  # noqa: E731 - the exported artefact is what is evaluated
    ents = load_dataset(a.data)
    test = [e for e in ents if e.split == "test"]
    t0 = time.time()

    # A: main rolling-origin backtest (>= 3 weeks of history), every model
    windows = [(e, o) for e in test for o in origins_for(e, MIN_HISTORY_H, stride_h=24, max_n=6)]
    Y, S = truth_and_scale(windows, priors)
    preds = {"model": model_forecaster(predict, priors, spec=spec)(windows), "hour-of-week": baseline_forecaster(windows),
             "seasonal naive (empirical)": seasonal_naive_empirical(windows)}
    if not a.no_peers:
        preds.update(statsforecast_peers(windows))
    main_res = compare(preds, Y, S)
    print(f"A. held-out backtest: {len(windows)} windows over {len({e.id for e, _ in windows})} entities")
    print(fmt_table(main_res))

    # B: short history (1-3 weeks), model vs baseline only
    wb = [(e, o) for e in test for o in origins_for(e, 168, MIN_HISTORY_H - 1, stride_h=24, max_n=6)]
    Yb, Sb = truth_and_scale(wb, priors)
    short_res = compare({"model": model_forecaster(predict, priors, spec=spec)(wb), "hour-of-week": baseline_forecaster(wb)}, Yb, Sb)
    print(f"B. short history: {len(wb)} windows")
    print(fmt_table(short_res))

    # C: cold start (no history at all) on the A and B windows, widening applied as the caller does
    wc = windows + wb
    Yc, Sc = truth_and_scale(wc, priors)
    cold = model_forecaster(predict, priors, cold=True, spec=spec)(wc)
    cold_w = cold * widening[None, None, :, :]
    # losses relative to the *scale prior* (what the caller knows), coverage is unit-free
    Sp = np.asarray([[priors.get(e.account_type, priors["default"])[m] for m in METRICS] for e, _ in wc])
    cold_res = {"cold start (raw)": score(cold, Yc, Sp), "cold start (widened)": score(cold_w, Yc, Sp)}
    print("C. cold start")
    print(fmt_table(cold_res))

    ev = events_check(predict, priors, windows, Y, S, spec)
    print("D. synthetic events:", json.dumps(ev)[:600])
    sp = speed(sess, len(manifest["featureNames"]))
    print("E. speed:", sp)
    ref = reference_version(a.root, manifest)
    sp_ref = None
    if ref:  # the graph it replaces, measured in the same run
        sp_ref = speed_pair({version: sess, ref: session(a.root / ref / "model.onnx", threads=1)},
                            len(manifest["featureNames"]))
        sp_ref["reference"] = ref
        print(f"E2. speed vs {ref}, same run, interleaved:", sp_ref)
    evaluation = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "command": f"bash models/run.sh evaluate --version {version}",
        "featureSpec": spec,
        "dataSha256": dataset_sha256(a.data),
        "testEntities": sorted(e.id for e in test),
        "backtest": {"windows": len(windows), "minHistoryHours": MIN_HISTORY_H, "horizon": MAX_HORIZON,
                     "results": main_res, "summary": overall(main_res)},
        "shortHistory": {"windows": len(wb), "results": short_res, "summary": overall(short_res)},
        "coldStart": {"windows": len(wc), "results": cold_res, "summary": overall(cold_res)},
        "events": ev,
        "speed": sp,
        **({"speedVsReference": sp_ref} if sp_ref else {}),
        "seconds": round(time.time() - t0),
    }
    (vdir / "evaluation.json").write_text(json.dumps(evaluation, indent=1) + "\n")
    md = [f"A. Held-out rolling-origin backtest ({len(windows)} windows, >= {MIN_HISTORY_H} h history, 168-h horizon)",
          "", fmt_table(main_res), "", f"B. Short history (1-3 weeks, {len(wb)} windows)", "", fmt_table(short_res), "",
          f"C. Cold start (no history; {len(wc)} windows; pinball relative to the scale prior)", "", fmt_table(cold_res)]
    (vdir / "evaluation.md").write_text("\n".join(md) + "\n")
    manifest["evaluation"] = {k: evaluation[k] for k in ("date", "command", "dataSha256", "testEntities", "speed")}
    manifest["evaluation"]["backtest"] = {"windows": len(windows), "summary": overall(main_res),
                                          "perMetric": {n: {m: {k: r[k] for k in ("relative", "coverage80", "coverage90", "coverage98", "meanPinball")}
                                                            for m, r in per.items()} for n, per in main_res.items()}}
    manifest["evaluation"]["coldStart"] = overall(cold_res)
    (vdir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {vdir}/evaluation.json, evaluation.md; manifest updated ({time.time() - t0:.0f}s)")


if __name__ == "__main__":
    main()
