"""python -m demand_forecaster.train --version v1 : candidate families on validation, pick the best, calibrate
cold-start widening, export <version>/ (model.onnx, manifest.json, weights.npz, training.json)."""
from __future__ import annotations

import argparse
import json
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import QUANTILES, SEED
from .backtest import baseline_forecaster, compare, model_forecaster, origins_for, truth_and_scale
from .data import DATA_DIR, PACKAGE_ROOT, dataset_sha256, load_dataset
from .export import write_version
from .features import N_FEATURES
from .model import QuantileNet, pinball_grad, train_net
from .samples import build_set, scale_priors

CANDIDATES = {
    "linear": (),
    "mlp-32": (32,),
    "mlp-64x64": (64, 64),
}


def calibrate_widening(net, Xc, Yc) -> np.ndarray:
    """Per quantile factor f_q with P(y <= f_q * q_hat) = q on cold-start validation forecasts; made non-decreasing
    in q so that widened quantiles stay ordered."""
    pred = net.predict(Xc)
    f = []
    for qi, q in enumerate(QUANTILES):
        p, y = pred[:, :, qi], Yc
        ok = np.isfinite(y) & (p > 1e-9)
        f.append(float(np.quantile(y[ok] / p[ok], q)) if ok.any() else 1.0)
    f = np.clip(np.maximum.accumulate(np.asarray(f)), 0.0, 50.0)
    return np.round(f, 4)


def prepare_sets(entities, priors, seed):
    rng = np.random.default_rng(seed)
    tr = [e for e in entities if e.split == "train"]
    va = [e for e in entities if e.split == "validation"]
    Xt, Yt, wt, _ = build_set(tr, priors, role="train", rng=rng)
    Xv1, Yv1, wv1, _ = build_set(tr, priors, role="val-time", rng=rng)
    Xv2, Yv2, wv2, _ = build_set(va, priors, role="val-entity", rng=rng)
    Xc, Yc, wc, _ = build_set(va, priors, role="val-cold", rng=rng)
    val = (np.concatenate([Xv1, Xv2]), np.concatenate([Yv1, Yv2]), np.concatenate([wv1, wv2]))
    return (Xt, Yt, wt), val, (Xc, Yc, wc), tr, va


LR, WEIGHT_DECAY, BATCH = 3e-4, 1e-3, 1024


def fit(hidden, train, val, *, epochs, seed, log=print):
    net = QuantileNet(N_FEATURES, hidden, seed)
    net.fit_standardiser(train[0])
    hist = train_net(net, *train, epochs=epochs, seed=seed, val=val, log=log, lr=LR, weight_decay=WEIGHT_DECAY,
                     batch=BATCH)
    return net, hist


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--version", default="v1")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--data", type=Path, default=DATA_DIR)
    ap.add_argument("--out", type=Path, default=PACKAGE_ROOT)
    ap.add_argument("--candidates", default=",".join(CANDIDATES))
    a = ap.parse_args(argv)
    t0 = time.time()
    ents = load_dataset(a.data)
    priors = scale_priors([e for e in ents if e.split == "train"])
    train, val, cold, tr, va = prepare_sets(ents, priors, SEED)
    print(f"train rows {len(train[0])}, validation rows {len(val[0])}, cold-start validation rows {len(cold[0])}")

    # validation backtest windows (validation entities, >= 1 week of history) for figures relative to the baseline
    windows = [(e, o) for e in va for o in origins_for(e, 168, stride_h=48, max_n=6)]
    Yw, Sw = truth_and_scale(windows, priors)
    base = baseline_forecaster(windows)

    results, nets = {}, {}
    for name in a.candidates.split(","):
        hidden = CANDIDATES[name]
        t1 = time.time()
        print(f"candidate {name} hidden={hidden}")
        net, hist = fit(hidden, train, val, epochs=a.epochs, seed=SEED)
        vloss = pinball_grad(net.predict(val[0]), val[1], val[2])[0]
        cmp = compare({"hour-of-week": base, name: model_forecaster(net.predict, priors)(windows)}, Yw, Sw)
        rel = {m: r["relative"] for m, r in cmp[name].items()}
        cov = {m: (round(r["coverage80"], 3), round(r["coverage98"], 3)) for m, r in cmp[name].items()}
        results[name] = {"hidden": list(hidden), "valPinball": vloss, "bestEpoch": int(np.argmin([h["val"] for h in hist])),
                         "validationRelativeToBaseline": rel, "validationCoverage80_98": cov,
                         "trainSeconds": round(time.time() - t1, 1)}
        nets[name] = net
        print(f"  -> val pinball {vloss:.5f}; relative to hour-of-week {rel}; coverage80/98 {cov}")
    chosen = min(results, key=lambda k: results[k]["valPinball"])
    net = nets[chosen]
    widening = calibrate_widening(net, cold[0], cold[1])
    print(f"chosen {chosen}; cold-start widening {widening.tolist()}")
    created = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    training_data = {"sha256": dataset_sha256(a.data),
                     "entities": sorted(e.id for e in ents if e.split == "train"),
                     "hours": int(sum(e.length for e in ents if e.split == "train")),
                     "validationEntities": sorted(e.id for e in va),
                     "testEntities": sorted(e.id for e in ents if e.split == "test")}
    out_dir = a.out / a.version
    write_version(out_dir, net, version=a.version, priors=priors, widening=widening, training_data=training_data,
                  family=f"{chosen} quantile MLP (numpy, Adam, pinball loss)" if CANDIDATES[chosen] else
                  "linear quantile model (numpy, Adam, pinball loss)", created_at=created,
                  extra={"seed": SEED, "epochs": a.epochs, "learningRate": LR, "weightDecay": WEIGHT_DECAY})
    (out_dir / "training.json").write_text(json.dumps(
        {"candidates": results, "chosen": chosen, "coldStartWidening": widening.tolist(), "seed": SEED,
         "epochs": a.epochs, "trainRows": len(train[0]), "validationRows": len(val[0]),
         "seconds": round(time.time() - t0, 1)}, indent=2) + "\n")
    print(f"wrote {out_dir} in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
