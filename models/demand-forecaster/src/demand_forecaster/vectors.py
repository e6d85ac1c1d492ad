"""python -m demand_forecaster.vectors [--version vN] : writes test-vectors/features-<spec>.json (feature cases for the
TypeScript implementation) and model-vectors-<spec>.json (feature matrices and the exact ONNX outputs), where <spec>
is the version's featureSpec (v1 -> features-v1.json / model-vectors-v1.json, v2 -> features-v2.json /
model-vectors-v2.json)."""
from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import HOUR_MS, METRICS, QUANTILES
from .data import DATA_DIR, PACKAGE_ROOT, load_dataset
from .export import onnx_predict, session
from .features import build_features, feature_names

OUT = PACKAGE_ROOT / "test-vectors"


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _f(x):
    return None if not np.isfinite(x) else float(x)


def make_case(name, start_ms, values, origin_ms, horizon, account_type, applications, events, priors, spec="v1"):
    X, scale, missing = build_features(start_ms, values, origin_ms, horizon, account_type, applications,
                                       [{**e, "start": e["start"], "end": e["end"]} for e in events], priors,
                                       spec=spec)
    return {
        "name": name,
        "inputs": {
            "historyHourly": {"start": iso(start_ms), "values": {m: [_f(v) for v in values[m]] for m in METRICS}},
            "origin": iso(origin_ms), "horizon": horizon, "accountType": account_type, "applications": applications,
            "events": [{k: (iso(v) if k in ("start", "end") else v) for k, v in e.items()} for e in events],
        },
        "expected": {"scale": scale, "missing": missing, "rows": [[float(v) for v in r] for r in X]},
    }


def cases(priors, spec="v1"):
    ents = {e.id: e for e in load_dataset(DATA_DIR)}
    out = []
    bb = ents["bb-16"]
    n = 600
    vals = {m: bb.values[m][:n].round(6).copy() for m in METRICS}
    vals["cpu"][100:130] = np.nan  # gaps
    vals["memory"][590:600] = np.nan
    o = bb.start_ms + n * HOUR_MS
    out.append(make_case("gaps, 25 days of history, full horizon", bb.start_ms, vals, o, 168, "business-critical", [],
                         [], priors, spec))
    nab = ents["nab-825cc2"]
    vals = {m: nab.values[m][:300].round(6) for m in METRICS}
    out.append(make_case("single-metric source: memory, storage, network missing", nab.start_ms, vals,
                         nab.start_ms + 300 * HOUR_MS, 72, "other", ["API", "Web", "unknown-app"], [], priors, spec))
    o = 1_700_000_000_000 // HOUR_MS * HOUR_MS
    out.append(make_case("cold start: empty history", o, {m: np.zeros(0) for m in METRICS}, o, 48, "web",
                         ["web", "cache"], [], priors, spec))
    vals = {m: bb.values[m][200:500].round(6) for m in METRICS}
    s0 = bb.start_ms + 200 * HOUR_MS
    o = s0 + 300 * HOUR_MS
    evs = [{"kind": "campaign", "start": o + 10 * HOUR_MS, "end": o + 30 * HOUR_MS, "uplift": 1.5},
           {"kind": "holiday", "start": o + 20 * HOUR_MS, "end": o + 40 * HOUR_MS},
           {"kind": "other", "start": o + 25 * HOUR_MS, "end": o + 27 * HOUR_MS, "uplift": 2.0},
           {"kind": "launch", "start": o - 5 * HOUR_MS, "end": o + 2 * HOUR_MS}]
    out.append(make_case("events: overlapping, declared and undeclared uplift", s0, vals, o, 48, "database",
                         ["database", "queue"], evs, priors, spec))
    vals = {m: bb.values[m][300:400].round(6) for m in METRICS}
    s0 = bb.start_ms + 300 * HOUR_MS
    out.append(make_case("short history (100 h < 1 week)", s0, vals, s0 + 100 * HOUR_MS, 168, "batch",
                         ["batch", "analytics", "ml"], [], priors, spec))
    vals = {m: bb.values[m][:400].round(6) for m in METRICS}
    out.append(make_case("origin 10 days after the history ends (partial window)", bb.start_ms, vals,
                         bb.start_ms + 640 * HOUR_MS, 24, "fleet", [], [], priors, spec))
    out.append(make_case("origin 60 days after the history ends (nothing in the 672-h window)", bb.start_ms, vals,
                         bb.start_ms + (400 + 60 * 24) * HOUR_MS, 24, "business-critical", [], [], priors, spec))
    vals = {m: bb.values[m][:200].round(6).copy() for m in METRICS}
    vals["storage"][:] = 0.0
    out.append(make_case("all-zero storage (scale falls back to the prior), unknown account type", bb.start_ms, vals,
                         bb.start_ms + 200 * HOUR_MS + 7 * HOUR_MS, 24, "production", ["Queue"], [], priors, spec))
    if spec in ("v2", "v3"):  # exercises the hour-of-week windows' fallbacks (v2 and later)
        vals = {m: bb.values[m][:500].round(6).copy() for m in METRICS}
        vals["cpu"][500 - 168 * 4 + 10:] = np.nan  # no value left in any same-hour window -> hour-of-day fallback
        vals["cpu"][:500 - 168 * 4 + 10] = np.nan  # (all cpu NaN -> NoHistory -> 1.0)
        vals["memory"][:] = np.nan
        vals["memory"][[5, 17, 40]] = [1.0, 2.0, 4.0]  # 3 values, none in a same-hour window, some same-hour-of-day
        vals["storage"][500 - 200:] = np.nan  # windows partly empty: weeks 1 (and part of 2) gone
        out.append(make_case("v2: hour-of-week fallbacks (hour of day, all values, NoHistory)", bb.start_ms, vals,
                             bb.start_ms + 500 * HOUR_MS, 168, "web", [], [], priors, spec))
    if spec == "v3":  # the recent blocks' windows and fallbacks (v3 only)
        vals = {m: bb.values[m][:470].round(6).copy() for m in METRICS}
        vals["cpu"][470 - 30:] = np.nan  # nothing in the last 24 h (l24 -> hw), hd7 / l168 partly empty
        vals["memory"][470 - 168:470 - 100] = np.nan
        vals["memory"][470 - 100::24] = np.nan  # one hour of day fewer in hd7's pools
        vals["storage"][:] = np.nan  # NoHistory -> 1.0 everywhere
        vals["network"][470 - 168:] = np.nan
        vals["network"][470 - 5] = 3.25  # a single value: l24 = l168 = that value, hd7 only near its hour of day
        out.append(make_case("v3: recent blocks (empty last day, gaps, NoHistory, a single recent value)",
                             bb.start_ms, vals, bb.start_ms + 470 * HOUR_MS + 0, 168, "web", [], [], priors, spec))
        out.append(make_case("v3: history ends 30 h before the origin", bb.start_ms,
                             {m: bb.values[m][:300].round(6) for m in METRICS}, bb.start_ms + 330 * HOUR_MS, 48,
                             "business-critical", [], [], priors, spec))
    return out


def vectors_name(manifest) -> str:
    """model-vectors-<name>.json: the featureSpec for the v1-v3 models (one model per spec), the version for a model
    with another head on an existing spec (v4: the regime head on featureSpec v3)."""
    return manifest["version"] if manifest.get("head") else manifest.get("featureSpec", "v1")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--version", default="v1")
    a = ap.parse_args(argv)
    vdir = PACKAGE_ROOT / a.version
    manifest = json.loads((vdir / "manifest.json").read_text())
    priors = manifest["scalePriors"]
    spec = manifest.get("featureSpec", "v1")
    nf = len(feature_names(spec))
    cs = cases(priors, spec)
    OUT.mkdir(exist_ok=True)
    (OUT / f"features-{spec}.json").write_text(json.dumps(
        {"featureSpec": spec, "featureNames": feature_names(spec), "scalePriors": priors, "tolerance": 1e-5,
         "note": "history values null = NaN; 'start' of historyHourly is the first hour; generated by "
                 "python -m demand_forecaster.vectors", "cases": cs}) + "\n")
    sess = session(vdir / "model.onnx")
    rng = np.random.default_rng(7)
    mats = {
        "gaps case, first 24 steps": np.asarray(cs[0]["expected"]["rows"][:24], np.float32),
        "cold start case": np.asarray(cs[2]["expected"]["rows"][:12], np.float32),
        "events case, steps 8-31": np.asarray(cs[3]["expected"]["rows"][8:32], np.float32),
        "random extreme inputs": (rng.random((8, 63)) * np.r_[np.full(32, 50.0), np.ones(31)]).astype(np.float32),
    }
    if spec in ("v2", "v3"):
        nb = 1 if spec == "v2" else 4  # v3: hw + the three recent blocks, each sorted per metric
        hw = np.sort(rng.random((8, nb, 4, 9)) * 50.0, axis=3).reshape(8, 36 * nb)
        mats["random extreme inputs"] = np.concatenate([mats["random extreme inputs"], hw], axis=1).astype(np.float32)
        mats["fallback case, first 24 steps"] = np.asarray(cs[8]["expected"]["rows"][:24], np.float32)
    if spec == "v3":
        mats["recent blocks case, steps 0-23"] = np.asarray(cs[9]["expected"]["rows"][:24], np.float32)
        mats["history ends before the origin, steps 24-47"] = np.asarray(cs[10]["expected"]["rows"][24:48], np.float32)
    assert all(X.shape[1] == nf for X in mats.values())
    mv = {"model": a.version, "onnxSha256": manifest["sha256"], "quantiles": list(QUANTILES), "tolerance": 1e-4,
          "cases": [{"name": k, "features": [[float(v) for v in r] for r in X],
                     "quantiles": onnx_predict(sess, X).astype(float).tolist()} for k, X in mats.items()]}
    mv["featureSpec"] = spec
    name = vectors_name(manifest)
    (OUT / f"model-vectors-{name}.json").write_text(json.dumps(mv) + "\n")
    print(f"wrote {OUT}/features-{spec}.json ({len(cs)} cases) and model-vectors-{name}.json")


if __name__ == "__main__":
    main()
