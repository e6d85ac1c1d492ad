"""Experiment (not part of the train command): do synthetic multi-VM accounts help the regime head transfer?

An account usually runs several VMs and its demand is their sum (all four units add). The heads that read more than
the step overfit the 32 training entities (v4/MODEL_CARD.md), so this adds n synthetic accounts, each the sum of
2-4 Bitbrains training VMs over their common hours (a gap in one VM is a gap of the account), as extra training
entities with total weight w times the real ones'. Their last week is never a target (build_set's time split), and it
covers the last week of every component VM that ends first, so no selection-window hour is trained on. Scored on v4's
protocol-matched selection windows (no test entity); prints one JSON line per configuration.

    bash models/run.sh synthetic-accounts [--accounts 48] [--weight 1.0] [--gate]
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

from . import HOUR_MS, SEED
from .data import DATA_DIR, Entity, load_dataset
from .samples import build_set, scale_priors
from .train import EPOCHS_V3, fit_regime_config, prepare_sets, selection_figures

SYNTH_SEED = 7


def synthetic_accounts(ents: list[Entity], n: int, sizes: tuple[int, ...], rng: np.random.Generator) -> list[Entity]:
    """n accounts, each the sum of `size` distinct Bitbrains training VMs (size drawn from sizes)."""
    vms = [e for e in ents if e.split == "train" and e.id.startswith("bb-")]
    out = []
    for i in range(n):
        comp = [vms[j] for j in rng.choice(len(vms), size=int(rng.choice(sizes)), replace=False)]
        start = max(e.start_ms for e in comp)
        hours = (min(e.start_ms + e.length * HOUR_MS for e in comp) - start) // HOUR_MS
        values = {m: sum(e.values[m][(start - e.start_ms) // HOUR_MS:][:hours] for e in comp) for m in comp[0].values}
        out.append(Entity(f"synthetic-{i}", "+".join(e.id for e in comp), "business-critical", [], start, values))
    return out


def run(accounts: int, weight: float, gate: bool, weight_decay: float = 1e-2) -> dict:
    t0 = time.time()
    ents = load_dataset(DATA_DIR)
    priors = scale_priors([e for e in ents if e.split == "train"])  # real entities only: cold start is unchanged
    (X, Y, w), val, _, _, _ = prepare_sets(ents, priors, SEED, "v3")
    if accounts:
        rng = np.random.default_rng(SYNTH_SEED)
        Xs, Ys, ws, _ = build_set(synthetic_accounts(ents, accounts, (2, 3, 4), rng), priors, role="train", rng=rng,
                                  spec="v3")
        X, Y, w = np.concatenate([X, Xs]), np.concatenate([Y, Ys]), np.concatenate([w, ws * (weight * w.sum() / ws.sum())])
    # v4's configuration (rows with >= 2 weeks of history), the gate optionally reading the regime too
    net, hist = fit_regime_config((True, gate, weight_decay, 0.5), (X, Y, w), val, epochs=EPOCHS_V3, seed=SEED,
                                  log=lambda *_: None)
    sel = selection_figures(net.predict, priors, ents)
    mean = sel["all"]["mean"]
    return {"accounts": accounts, "weight": weight, "head": "regime -> gate + r/c" if gate else "regime -> r/c",
            "trainRows": len(X), "selectionRelative": round(mean["relative"], 4),
            "perMetric": {m: round(r["relative"], 3) for m, r in sel["all"]["perMetric"].items()},
            "coverage80": round(mean["coverage80"], 3), "coverage98": round(mean["coverage98"], 3),
            "timeSplitRelative": round(sel["time-split"]["mean"]["relative"], 4),
            "validationRelative": round(sel["validation"]["mean"]["relative"], 4),
            "bestEpoch": int(np.argmin([h["val"] for h in hist])) + 1, "seconds": round(time.time() - t0)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accounts", type=int, default=48, help="synthetic accounts (0 = v4's chosen configuration)")
    ap.add_argument("--weight", type=float, default=1.0, help="their total weight relative to the real entities'")
    ap.add_argument("--gate", action="store_true", help="the regime ratios reach the block weights too")
    a = ap.parse_args(argv)
    if a.accounts < 0 or a.weight <= 0:
        ap.error("--accounts must be >= 0 and --weight > 0")
    print(json.dumps(run(a.accounts, a.weight, a.gate)))


if __name__ == "__main__":
    main()
