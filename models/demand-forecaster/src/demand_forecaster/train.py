"""python -m demand_forecaster.train --version v1 : candidate families on validation, pick the best, calibrate
cold-start widening, export <version>/ (model.onnx, manifest.json, weights.npz, training.json)."""
from __future__ import annotations

import argparse
import json
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import METRICS, QUANTILES, SEED
from .backtest import baseline_forecaster, compare, model_forecaster, origins_for, truth_and_scale
from .data import DATA_DIR, PACKAGE_ROOT, dataset_sha256, load_dataset
from .export import write_version
from .features import N_FEATURES
from .model import QuantileNet, pinball_grad, train_net
from .residual import ResidualQuantileNet, train_residual
from .samples import build_set, scale_priors

DEFAULT_SPEC = "v3"
# featureSpec v2: residual head on the hour-of-week baseline quantiles; "calib-const" is a pure calibration (per
# metric and quantile: median and baseline increments scaled by exp(r) and shifted by c, no feature dependence),
# "calib-linear" makes r and c linear in the 99 features.
# name: (hidden, bias_only, learning rate, weight decay)
CANDIDATES_V2 = {
    "calib-const": ((), True, 1e-3, 0.0),
    "calib-linear": ((), False, 3e-4, 1e-3),
    "resid-mlp-32": ((32,), False, 3e-4, 1e-3),
    "resid-mlp-64x64": ((64, 64), False, 1e-4, 1e-3),
}
EPOCHS_V2, PATIENCE_V2 = 12, 3
# v2 selection: mean relative-to-baseline pinball on the validation backtest windows (validation entities, >= 1 week
# of history, 168-h horizon: the quantity the targets are stated in). The validation-set pinball (which also holds
# origins with 1-6 days of history) is used for early stopping; on it the feature-dependent candidates win while they
# lose on the windows (recorded in training.json and the model card).
SELECT_V2 = "meanValidationRelative"

# featureSpec v3 (mixture.py): quantile averaging of the hw, hd7, l24 and l168 blocks (softmax weights per metric and
# quantile slot) + the v2 calibration head. name: (r/c input groups, gate input groups or None = constant,
# learning rate, weight decay, train only on rows with >= 1 week of history)
CANDIDATES_V3 = {
    "calib-const-v3": ((), None, 1e-3, 0.0, False, 1),  # hw block only: = v2 calib-const (reference)
    "mix-const": ((), None, 1e-3, 0.0, False, 4),
    "mix-const-1w": ((), None, 1e-3, 0.0, True, 4),
    "mix-step-1w": ((), ("step*",), 1e-3, 0.0, True, 4),
}
EPOCHS_V3, PATIENCE_V3 = 12, 3
MIN_HISTORY_SHARE = 0.25  # "history" column: >= 168 of the last 672 hours

# head "regime" (regime.py; input featureSpec v3, unchanged): the v3 head whose r, c (and optionally block logits) also
# read six log ratios of the history's own quantile blocks per metric. name: (regime columns reach r/c, reach the block
# logits, weight decay, minimum "history" share of the training rows); all: block logits read `step`, lr 1e-3,
# up to 12 epochs, patience 3. "mix-step-1w" is v3's configuration (the reference, trained the same way).
CANDIDATES_REGIME = {
    "mix-step-1w": (False, False, 0.0, 0.25),
    "mix-step-2w": (False, False, 0.0, 0.5),
    "regime-rc-1w": (True, False, 0.0, 0.25),
    "regime-rc-1w-wd1e-2": (True, False, 1e-2, 0.25),
    "regime-rc-2w": (True, False, 0.0, 0.5),
    "regime-rc-2w-wd1e-2": (True, False, 1e-2, 0.5),
}
# Selection for the regime head: mean over metrics of the relative pinball on the protocol-matched selection windows
# (calibrate.calibration_windows: >= 504 h of history, 168-h horizon, as the held-out evaluation; the time-split
# windows of the training entities (hours never trained on) + rolling origins of the validation entities; never a test
# entity), among the candidates whose 80% / 98% coverage there is in 75-85% / 95-99.5% (all, if none is).
SELECT_REGIME = "selectionMeanRelative"

CANDIDATES = {
    "linear": (),
    "mlp-32": (32,),
    "mlp-64x64": (64, 64),
}


def calibrate_widening(net, Xc, Yc) -> np.ndarray:
    """Per quantile factor f_q with P(y <= f_q * q_hat) = q on cold-start validation forecasts; made non-decreasing
    in q so that widened quantiles stay ordered."""
    return widening_factors(net.predict(Xc), Yc, upper=50.0)


def widening_factors(pred, y, *, upper: float) -> np.ndarray:
    """f_q = the q-quantile of y / pred[..., q] over the cells where both are usable (1 where none is), made
    non-decreasing in q and clipped to [0, upper], rounded to 4 decimals. pred [..., Q], y [...] (same leading shape
    as pred without Q)."""
    f = []
    for qi, q in enumerate(QUANTILES):
        p = pred[..., qi]
        ok = np.isfinite(y) & (p > 1e-9)
        f.append(float(np.quantile(y[ok] / p[ok], q)) if ok.any() else 1.0)
    return np.round(np.clip(np.maximum.accumulate(np.asarray(f)), 0.0, upper), 4)


def calibrate_widening_by_metric(net, entities, train_priors, *, spec="v3") -> dict[str, list[float]]:
    """Per metric and quantile factor f_mq with P(y <= f_mq * q_hat) = q on cold-start forecasts (whole history masked)
    of every non-test entity: the validation entities with the training priors, each training entity with the priors
    of the other training entities (leave one out, so that an account type seen once falls back to the default prior as
    a new account would). Made non-decreasing in q so that widened quantiles stay ordered."""
    train = [e for e in entities if e.split == "train"]
    rng = np.random.default_rng(SEED)
    preds, ys = [], []
    for e in (e for e in entities if e.split in ("train", "validation")):
        priors = scale_priors([t for t in train if t is not e]) if e.split == "train" else train_priors
        X, Y, _, _ = build_set([e], priors, role="val-cold", rng=rng, spec=spec)
        if len(X):
            preds.append(net.predict(X)); ys.append(Y)
    pred, Y = np.concatenate(preds), np.concatenate(ys)
    return {m: widening_factors(pred[:, mi], Y[:, mi], upper=1e4).tolist() for mi, m in enumerate(METRICS)}


def prepare_sets(entities, priors, seed, spec="v1"):
    rng = np.random.default_rng(seed)
    tr = [e for e in entities if e.split == "train"]
    va = [e for e in entities if e.split == "validation"]
    Xt, Yt, wt, _ = build_set(tr, priors, role="train", rng=rng, spec=spec)
    Xv1, Yv1, wv1, _ = build_set(tr, priors, role="val-time", rng=rng, spec=spec)
    Xv2, Yv2, wv2, _ = build_set(va, priors, role="val-entity", rng=rng, spec=spec)
    Xc, Yc, wc, _ = build_set(va, priors, role="val-cold", rng=rng, spec=spec)
    val = (np.concatenate([Xv1, Xv2]), np.concatenate([Yv1, Yv2]), np.concatenate([wv1, wv2]))
    return (Xt, Yt, wt), val, (Xc, Yc, wc), tr, va


LR, WEIGHT_DECAY, BATCH = 3e-4, 1e-3, 1024


def fit(hidden, train, val, *, epochs, seed, log=print):
    net = QuantileNet(N_FEATURES, hidden, seed)
    net.fit_standardiser(train[0])
    hist = train_net(net, *train, epochs=epochs, seed=seed, val=val, log=log, lr=LR, weight_decay=WEIGHT_DECAY,
                     batch=BATCH)
    return net, hist


def fit_v2(name, train, val, *, epochs, seed, log=print):
    hidden, bias_only, lr, wd = CANDIDATES_V2[name]
    net = ResidualQuantileNet(hidden, seed, bias_only=bias_only)
    net.fit_standardiser(train[0])
    hist = train_residual(net, *train, epochs=epochs, seed=seed, val=val, log=log, lr=lr, weight_decay=wd,
                          patience=PATIENCE_V2)
    return net, hist


def fit_v3(name, train, val, *, epochs, seed, log=print):
    from .mixture import MixResidualNet, build_mask
    rc, gate, lr, wd, long_only, blocks = CANDIDATES_V3[name]
    X, Y, w = train
    if long_only:
        w = w * (X[:, 62] >= MIN_HISTORY_SHARE - 1e-6)
    net = MixResidualNet(build_mask(rc, gate, "v3"), seed, blocks=blocks)
    net.fit_standardiser(X)
    hist = train_residual(net, X, Y, w, epochs=epochs, seed=seed, val=val, log=log, lr=lr, weight_decay=wd,
                          patience=PATIENCE_V3)
    return net, hist


def fit_regime(name, train, val, *, epochs, seed, log=print):
    return fit_regime_config(CANDIDATES_REGIME[name], train, val, epochs=epochs, seed=seed, log=log)


def fit_regime_config(config, train, val, *, epochs, seed, log=print):
    """config = (regime -> r/c, regime -> gate, weight decay, minimum history share), as CANDIDATES_REGIME's."""
    from .mixture import MixResidualNet, build_mask
    from .regime import RegimeMixNet
    regime_rc, regime_gate, wd, min_hist = config
    X, Y, w = train
    w = w * (X[:, 62] >= min_hist - 1e-6)
    if regime_rc or regime_gate:
        net = RegimeMixNet((), ("step*",), seed, regime_rc=regime_rc, regime_gate=regime_gate)
    else:
        net = MixResidualNet(build_mask((), ("step*",), "v3"), seed)
    net.fit_standardiser(X)
    hist = train_residual(net, X, Y, w, epochs=epochs, seed=seed, val=val, log=log, lr=1e-3, weight_decay=wd,
                          patience=PATIENCE_V3)
    return net, hist


def selection_figures(predict, priors, ents, spec="v3"):
    """The protocol-matched selection windows' figures: all windows and the two kinds separately; per metric relative
    to the hour-of-week baseline and coverage, with their means."""
    from .calibrate import calibration_windows, figures
    wk = calibration_windows(ents)
    windows = [(e, o) for e, o, _ in wk]
    kinds = np.asarray([k for _, _, k in wk])
    Y, S = truth_and_scale(windows, priors)
    base = baseline_forecaster(windows)
    pred = model_forecaster(predict, priors, spec=spec)(windows)
    out = {"windows": len(windows), "entities": len({e.id for e, _ in windows}), "all": figures(pred, Y, S, base)}
    for k in ("time-split", "validation"):
        sel = kinds == k
        out[k] = {"windows": int(sel.sum()), **figures(pred[sel], Y[sel], S[sel], base[sel])}
    return out


def in_band(fig) -> bool:
    return 0.75 <= fig["mean"]["coverage80"] <= 0.85 and 0.95 <= fig["mean"]["coverage98"] <= 0.995


def created_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def training_data_of(ents, data_dir: Path) -> dict:
    """The manifest's trainingData: the data's hash and which entities trained, validated and were held out."""
    ids = lambda split: sorted(e.id for e in ents if e.split == split)  # noqa: E731
    return {"sha256": dataset_sha256(data_dir), "entities": ids("train"),
            "hours": int(sum(e.length for e in ents if e.split == "train")),
            "validationEntities": ids("validation"), "testEntities": ids("test")}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--version", default="v1")
    ap.add_argument("--spec", choices=("v1", "v2", "v3"), default=DEFAULT_SPEC, help="featureSpec (default %(default)s)")
    ap.add_argument("--epochs", type=int, default=None, help="default 6 (v1), 12 with early stopping (v2)")
    ap.add_argument("--data", type=Path, default=DATA_DIR)
    ap.add_argument("--out", type=Path, default=PACKAGE_ROOT)
    ap.add_argument("--candidates", default=None)
    ap.add_argument("--head", choices=("mix", "regime"), default="mix",
                    help="featureSpec v3 head: mix (v3) or regime (v4, regime.py); default %(default)s")
    a = ap.parse_args(argv)
    if a.head == "regime":
        if a.spec != "v3":
            ap.error("--head regime reads featureSpec v3")
        return main_regime(a)
    cands = {"v2": CANDIDATES_V2, "v3": CANDIDATES_V3}.get(a.spec, CANDIDATES)
    a.candidates = a.candidates or ",".join(cands)
    a.epochs = a.epochs or {"v2": EPOCHS_V2, "v3": EPOCHS_V3}.get(a.spec, 6)
    t0 = time.time()
    ents = load_dataset(a.data)
    priors = scale_priors([e for e in ents if e.split == "train"])
    train, val, cold, tr, va = prepare_sets(ents, priors, SEED, a.spec)
    print(f"train rows {len(train[0])}, validation rows {len(val[0])}, cold-start validation rows {len(cold[0])}")

    # validation backtest windows (validation entities, >= 1 week of history) for figures relative to the baseline
    windows = [(e, o) for e in va for o in origins_for(e, 168, stride_h=48, max_n=6)]
    Yw, Sw = truth_and_scale(windows, priors)
    base = baseline_forecaster(windows)
    # v3 also reports the time-split windows (origin = end - 168 h of each training entity with >= 1 week before it:
    # later hours of the training entities, never trained on) as a second view of coverage (not used for selection)
    from . import HOUR_MS, MAX_HORIZON
    if a.spec == "v3":
        wt_ = [(e, e.start_ms + (e.length - MAX_HORIZON) * HOUR_MS) for e in tr if e.length >= 2 * MAX_HORIZON]
        Yt_, St_ = truth_and_scale(wt_, priors)
        base_t = baseline_forecaster(wt_)

    results, nets = {}, {}
    if a.spec in ("v2", "v3"):  # the untrained residual model is the baseline: record it as the reference row
        net0 = ResidualQuantileNet((), SEED)
        net0.fit_standardiser(train[0][:, :99])
        p0 = lambda X: net0.predict(np.asarray(X)[:, :99])  # noqa: E731
        v0 = pinball_grad(p0(val[0]), val[1], val[2])[0]
        cmp0 = compare({"hour-of-week": base, "m": model_forecaster(p0, priors, spec=a.spec)(windows)}, Yw, Sw)
        results["untrained (= hour-of-week baseline)"] = {
            "hidden": [], "valPinball": v0, "bestEpoch": -1,
            "validationRelativeToBaseline": {m: r["relative"] for m, r in cmp0["m"].items()},
            "validationCoverage80_98": {m: (round(r["coverage80"], 3), round(r["coverage98"], 3))
                                        for m, r in cmp0["m"].items()}, "trainSeconds": 0.0, "reference": True}
        print(f"untrained (= baseline) val pinball {v0:.5f}")
    for name in a.candidates.split(","):
        hidden = cands[name][0] if a.spec == "v2" else () if a.spec == "v3" else cands[name]
        t1 = time.time()
        print(f"candidate {name} hidden={hidden}")
        if a.spec == "v3":
            net, hist = fit_v3(name, train, val, epochs=a.epochs, seed=SEED)
        elif a.spec == "v2":
            net, hist = fit_v2(name, train, val, epochs=a.epochs, seed=SEED)
        else:
            net, hist = fit(hidden, train, val, epochs=a.epochs, seed=SEED)
        vloss = pinball_grad(net.predict(val[0]), val[1], val[2])[0]
        cmp = compare({"hour-of-week": base, name: model_forecaster(net.predict, priors, spec=a.spec)(windows)}, Yw, Sw)
        rel = {m: r["relative"] for m, r in cmp[name].items()}
        cov = {m: (round(r["coverage80"], 3), round(r["coverage98"], 3)) for m, r in cmp[name].items()}
        vals_ = [h["val"] for h in hist]
        extra_t = {}
        if a.spec == "v3":
            ct = compare({"hour-of-week": base_t, name: model_forecaster(net.predict, priors, spec=a.spec)(wt_)},
                         Yt_, St_)[name]
            extra_t = {"timeSplitWindows": len(wt_),
                       "timeSplitRelativeToBaseline": {m: r["relative"] for m, r in ct.items()},
                       "timeSplitCoverage80_98": {m: (round(r["coverage80"], 3), round(r["coverage98"], 3))
                                                  for m, r in ct.items()}}
        results[name] = {"hidden": list(hidden), "valPinball": vloss,
                         "bestEpoch": int(hist[int(np.argmin(vals_))]["epoch"]), "epochsRun": len(hist),
                         "meanValidationRelative": float(np.mean(list(
                             {m: r["relative"] for m, r in cmp[name].items()}.values()))),
                         "validationRelativeToBaseline": rel, "validationCoverage80_98": cov,
                         **({"learningRate": cands[name][2], "weightDecay": cands[name][3],
                             "biasOnly": cands[name][1]} if a.spec == "v2" else {}),
                         **({"rcInputs": list(cands[name][0]), "gateInputs": list(cands[name][1] or []),
                             "learningRate": cands[name][2], "weightDecay": cands[name][3],
                             "trainedOnRowsWithAtLeastOneWeek": cands[name][4], "blocks": cands[name][5]}
                            if a.spec == "v3" else {}), **extra_t,
                         "trainSeconds": round(time.time() - t1, 1)}
        nets[name] = net
        print(f"  -> val pinball {vloss:.5f}; relative to hour-of-week {rel}; coverage80/98 {cov}")
    crit = SELECT_V2 if a.spec in ("v2", "v3") else "valPinball"
    chosen = min((k for k in results if not results[k].get("reference")), key=lambda k: results[k][crit])
    net = nets[chosen]
    widening = calibrate_widening(net, cold[0], cold[1])
    print(f"chosen {chosen}; cold-start widening {widening.tolist()}")
    created, training_data = created_now(), training_data_of(ents, a.data)
    out_dir = a.out / a.version
    if a.spec == "v3":
        rc, gate, lr, wd, long_only, blocks = CANDIDATES_V3[chosen]
        family = (f"{chosen}: quantile averaging of {blocks} baseline quantile blocks (hw, hd7, l24, l168) with the "
                  "v2 calibration head (featureSpec v3; numpy, Adam, pinball loss)")
        extra = {"seed": SEED, "epochs": a.epochs, "learningRate": lr, "weightDecay": wd,
                 "earlyStoppingPatience": PATIENCE_V3, "selection": SELECT_V2,
                 "trainedOnRowsWithAtLeastOneWeek": long_only}
    elif a.spec == "v2":
        family = (f"{chosen}: residual quantile head on the hour-of-week baseline quantiles (featureSpec v2; numpy, "
                  "Adam, pinball loss)")
        extra = {"seed": SEED, "epochs": a.epochs, "learningRate": CANDIDATES_V2[chosen][2],
                 "weightDecay": CANDIDATES_V2[chosen][3], "earlyStoppingPatience": PATIENCE_V2,
                 "selection": SELECT_V2}
    else:
        family = (f"{chosen} quantile MLP (numpy, Adam, pinball loss)" if CANDIDATES[chosen] else
                  "linear quantile model (numpy, Adam, pinball loss)")
        extra = {"seed": SEED, "epochs": a.epochs, "learningRate": LR, "weightDecay": WEIGHT_DECAY}
    write_version(out_dir, net, version=a.version, priors=priors, widening=widening, training_data=training_data,
                  family=family, created_at=created, extra=extra)
    (out_dir / "training.json").write_text(json.dumps(
        {"featureSpec": a.spec, "candidates": results, "chosen": chosen, "coldStartWidening": widening.tolist(), "seed": SEED,
         "epochs": a.epochs, "selection": crit, "trainRows": len(train[0]), "validationRows": len(val[0]),
         "seconds": round(time.time() - t0, 1)}, indent=2) + "\n")
    print(f"wrote {out_dir} in {time.time() - t0:.0f}s")


def main_regime(a):
    """Train the regime-head candidates, choose on the protocol-matched selection windows, export <version>/."""
    from .export import write_version as write_mix
    from .regime import RegimeMixNet, write_version as write_regime
    a.candidates = a.candidates or ",".join(CANDIDATES_REGIME)
    a.epochs = a.epochs or EPOCHS_V3
    t0 = time.time()
    ents = load_dataset(a.data)
    priors = scale_priors([e for e in ents if e.split == "train"])
    train, val, cold, tr, va = prepare_sets(ents, priors, SEED, "v3")
    print(f"train rows {len(train[0])}, validation rows {len(val[0])}, cold-start validation rows {len(cold[0])}")
    base_sel = selection_figures(lambda X: np.asarray(X, np.float64)[:, 63:99].reshape(-1, 4, 9), priors, ents)
    results = {"untrained (= hour-of-week baseline)": {"reference": True, "selection": base_sel}}
    nets = {}
    for name in a.candidates.split(","):
        t1 = time.time()
        print(f"candidate {name}")
        net, hist = fit_regime(name, train, val, epochs=a.epochs, seed=SEED)
        vals_ = [h["val"] for h in hist]
        sel = selection_figures(net.predict, priors, ents)
        regime_rc, regime_gate, wd, min_hist = CANDIDATES_REGIME[name]
        results[name] = {"valPinball": pinball_grad(net.predict(val[0]), val[1], val[2])[0],
                         "bestEpoch": int(hist[int(np.argmin(vals_))]["epoch"]), "epochsRun": len(hist),
                         "regimeReachesRC": regime_rc, "regimeReachesGate": regime_gate, "weightDecay": wd,
                         "minHistoryShare": min_hist, SELECT_REGIME: sel["all"]["mean"]["relative"],
                         "selection": sel, "trainSeconds": round(time.time() - t1, 1)}
        nets[name] = net
        m = sel["all"]["mean"]
        print(f"  -> selection windows: mean relative {m['relative']:.4f}, coverage 80/98 "
              f"{100 * m['coverage80']:.1f}% / {100 * m['coverage98']:.1f}%")
    cands = [k for k in results if not results[k].get("reference")]
    pool = [k for k in cands if in_band(results[k]["selection"]["all"])] or cands
    chosen = min(pool, key=lambda k: results[k][SELECT_REGIME])
    net = nets[chosen]
    widening = calibrate_widening_by_metric(net, ents, priors)
    print(f"chosen {chosen}; cold-start widening per metric {widening}")
    created, training_data = created_now(), training_data_of(ents, a.data)
    regime_rc, regime_gate, wd, min_hist = CANDIDATES_REGIME[chosen]
    extra = {"seed": SEED, "epochs": a.epochs, "learningRate": 1e-3, "weightDecay": wd,
             "earlyStoppingPatience": PATIENCE_V3, "selection": SELECT_REGIME, "minHistoryShare": min_hist}
    out_dir = a.out / a.version
    if isinstance(net, RegimeMixNet):
        family = (f"{chosen}: the v3 mixture of 4 baseline quantile blocks (hw, hd7, l24, l168) with a calibration "
                  "head whose r, c read six log ratios of the history's own blocks per metric (regime head; "
                  "featureSpec v3; numpy, Adam, pinball loss)")
        write_regime(out_dir, net, version=a.version, priors=priors, widening=widening, training_data=training_data,
                     family=family, created_at=created, extra=extra)
    else:
        family = f"{chosen}: v3 head configuration (featureSpec v3; numpy, Adam, pinball loss)"
        write_mix(out_dir, net, version=a.version, priors=priors, widening=widening, training_data=training_data,
                  family=family, created_at=created, extra=extra)
    (out_dir / "training.json").write_text(json.dumps(
        {"featureSpec": "v3", "head": "regime", "candidates": results, "chosen": chosen,
         "coldStartWidening": widening, "seed": SEED, "epochs": a.epochs, "selection": SELECT_REGIME,
         "trainRows": len(train[0]), "validationRows": len(val[0]), "seconds": round(time.time() - t0, 1)},
        indent=2) + "\n")
    print(f"wrote {out_dir} in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
