"""python -m demand_forecaster.card --version vN : writes <version>/MODEL_CARD.md from manifest, training.json and
evaluation.json (figures are never typed by hand)."""
from __future__ import annotations

import argparse
import json

from . import METRICS, QUANTILES
from .data import PACKAGE_ROOT
from .card_common import event_table, pct
from .evaluate import fmt_table



def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--version", default="v1")
    a = ap.parse_args(argv)
    v = PACKAGE_ROOT / a.version
    man = json.loads((v / "manifest.json").read_text())
    tr = json.loads((v / "training.json").read_text())
    ev = json.loads((v / "evaluation.json").read_text())
    spec = man.get("featureSpec", "v1")
    if spec == "v2":
        return write_v2(a.version, v, man, tr, ev)
    if man.get("head") == "regime" or tr.get("head") == "regime":
        from .card_v4 import render
        (v / "MODEL_CARD.md").write_text(render(a.version, man, tr, ev))
        print(f"wrote {v}/MODEL_CARD.md")
        return None
    if spec == "v3":
        from .card_v3 import render
        (v / "MODEL_CARD.md").write_text(render(a.version, man, tr, ev))
        print(f"wrote {v}/MODEL_CARD.md")
        return None
    summ = ev["backtest"]["summary"]
    ours = summ["model"]
    peers = {k: s for k, s in summ.items() if k not in ("model", "hour-of-week")}
    beats_all = all(ours["relative"] < s["relative"] for k, s in peers.items() if s["relative"] is not None)
    L = [f"# Model card: demand-forecaster {a.version}", "",
         f"- Family: **{man['family']}**; one global model for all entities, all 4 metrics, 168 hourly steps.",
         f"- ONNX `model.onnx` (sha256 `{man['sha256']}`), input `features` float32 [N, 63] (featureSpec v1, see "
         "`../FEATURES.md`), output `quantiles` float32 [N, 4, 9] in scale-normalised units, quantiles "
         f"{list(QUANTILES)}.",
         "- Non-negative and non-crossing by construction in the graph: softplus(base) + cumulative sum of softplus "
         "increments. Inputs: log1p of the normalised-level columns 0-31 and standardisation are inside the graph.",
         f"- Training data: `data/` sha256 `{man['trainingData']['sha256']}`, {len(man['trainingData']['entities'])} "
         f"training entities, {man['trainingData']['hours']} entity-hours; seed {tr['seed']}; {tr['epochs']} epochs, "
         f"Adam lr {man.get('learningRate')}, weight decay {man.get('weightDecay')}, best epoch by validation.",
         f"- Created {man['createdAt']}; evaluated {ev['date']} with `{ev['command']}` on 2 CPU cores.", "",
         "## What was tried (validation entities, never the test entities)", "",
         "Selection criterion: mean pinball loss (normalised units) on the validation set (validation entities + the "
         "last week of each training entity). Relative = model / hour-of-week baseline mean pinball on validation "
         "backtest windows.", "",
         "| candidate | val pinball | rel. cpu | rel. memory | rel. storage | rel. network | train s |", "|---|---|---|---|---|---|---|"]
    for name, r in tr["candidates"].items():
        rel = r["validationRelativeToBaseline"]
        L.append(f"| {name}{' (chosen)' if name == tr['chosen'] else ''} | {r['valPinball']:.4f} | "
                 + " | ".join(f"{rel.get(m, float('nan')):.3f}" for m in METRICS) + f" | {r['trainSeconds']} |")
    L += ["", "Earlier exploratory runs (same harness, validation entities): a larger learning rate (2e-3, no weight "
          "decay) overfitted from the first epoch (validation loss rising every epoch; mlp-64x64 relative cpu 1.55); "
          "training in log1p space (quantiles are equivariant under monotone maps) was worse in linear pinball "
          "(storage relative 1.4-9.9) and was dropped; unweighted cold-start rows (targets / scale prior up to 1,500) "
          "dominated the loss and were down-weighted to 0.05. Tree ensembles were not tried: the speed budget "
          "(336k rows/s on one core) rules out all but tiny ones.", "",
          "## Held-out evaluation (test entities, rolling origin, history strictly before each origin)", "",
          f"Test entities: {', '.join(ev['testEntities'])}. Losses are pinball losses of values divided by the series "
          "scale s_m at the origin; *relative* = mean pinball / hour-of-week baseline's on the same cells. Coverage of "
          "the 80% (0.1-0.9), 90% (0.05-0.95) and 98% (0.01-0.99) intervals.", "",
          fmt_table(ev["backtest"]["results"]), "",
          "Summary (mean over metrics):", "", "| model | relative | cov. 80% | cov. 98% |", "|---|---|---|---|"]
    for k, s in summ.items():
        L.append(f"| {k} | {'—' if s['relative'] is None else format(s['relative'], '.3f')} | {pct(s['coverage80'])} | {pct(s['coverage98'])} |")
    L += ["", "Targets: relative <= 0.80 and lower than every peer; 80% coverage in 75-85%; 98% coverage in 95-99.5%.",
          f"Met: relative {ours['relative']:.3f} ({'yes' if ours['relative'] <= 0.8 else 'NO'}); lower than every peer "
          f"(seasonal naive, AutoETS, MSTL) on the mean over metrics: {'yes' if beats_all else 'NO'} (per metric: see the table); 80% coverage {pct(ours['coverage80'])} "
          f"({'yes' if 0.75 <= ours['coverage80'] <= 0.85 else 'NO'}); 98% coverage {pct(ours['coverage98'])} "
          f"({'yes' if 0.95 <= ours['coverage98'] <= 0.995 else 'NO'}).", "",
          f"Short history (1-3 weeks before the origin, {ev['shortHistory']['windows']} windows; peers need 3 weeks "
          "for their conformal calibration windows, so only the baseline is compared):", "",
          fmt_table(ev["shortHistory"]["results"]), "",
          "## Cold start", "",
          "With no history the features fall back to the manifest `scalePriors` (median entity mean per account type "
          "over the training entities; fleet priors are in the fleets' relative units) with `missing_m = 1` and "
          "`history = 0`. 12% of the training forecasts had their whole history masked (weight 0.05, because targets "
          "divided by a prior span orders of magnitude) and 20% had it truncated to 1-14 days. The caller multiplies "
          "quantile q by `coldStartWidening[q]` for a metric whose `missing_m = 1`; the factors were calibrated on the "
          "validation entities' cold-start forecasts so that P(y <= factor * q_hat) = q, and made non-decreasing in q "
          f"(they keep the order): {man['coldStartWidening']}.", "",
          f"Held-out cold start ({ev['coldStart']['windows']} windows; pinball relative to the scale prior):", "",
          fmt_table(ev["coldStart"]["results"]), "",
          "An account's size is unknowable without history: cold-start intervals are necessarily very wide, and the "
          "figures above show how well they are calibrated on held-out entities.", "",
          "## Events", "",
          "The traces carry no event labels, so no event effect could be learned. The event feature columns (42-47) "
          "are masked to zero inside the model (`eventUplift: \"applied-by-caller\"`): the caller multiplies the "
          "quantiles of the steps where an event is active by the declared uplift (product of the active events' "
          "`uplift`); an event without a declared uplift does not change the forecast. Validation: synthetic events "
          "(campaigns of 12-48 h starting in the first 120 h, uplift 1.3/1.5/2.0) were injected into the held-out "
          "actuals of the backtest windows.", "",
          f"- Largest change of any output when events are put on the calendar: "
          f"{ev['events']['maxOutputChangeFromEventFeatures']:.2e} (the graph ignores them, as declared).",
          f"- Inside the {ev['events']['eventHours']} event hours, with the declared uplift applied vs ignored:", ""]
    L += event_table(ev["events"])
    sp = ev["speed"]
    L += ["", "This validates the mechanics (the response equals the declared uplift and calibration is kept inside "
          "events); it says nothing about the size of real events, which must be declared.", "",
          "## Speed (onnxruntime, Python, 1 intra-op thread, this 2-core machine)", "",
          f"- Batched ({sp['batchRows']} rows): **{sp['rowsPerSecond']:,} rows/s** = {sp['forecastsPerSecond']:,} "
          "168-step forecasts/s (budget: 336k rows/s = 2,000 forecasts/s).",
          f"- Single forecast (168 rows): p50 {sp['singleForecastMs']['p50']} ms, p99 {sp['singleForecastMs']['p99']} "
          "ms (budget p99 < 20 ms; feature building on the TS side comes on top).", "",
          "## Limitations", "",
          "- Small and narrow training set: 17 Bitbrains business VMs in training (5 more for validation, 8 held out), NAB CloudWatch single-metric "
          "series, two fleets. Account types `web`, `batch`, `database` and all applications are barely represented "
          "(NAB entities were typed by their file names; applications are mostly unknown), so those one-hot features "
          "carry little information.",
          "- Fleet entities are in relative units with synthetic dates (Alibaba, Azure): their weekly phase is "
          "arbitrary; their scale priors are not ResourceDemand.",
          "- NAB units assume a 1-vCPU instance and count only disk writes / network in. NAB anomalies were kept.",
          "- Most held-out series have only ~30 days, so the backtest has 3 origins per 30-day entity (overlapping "
          "windows) and the figures are noisy.",
          "- The feature set (featureSpec v1) gives the model only the four same-hour-of-week lags and a last-day "
          "value per step, not the ±1 h neighbours the baseline pools: a v2 spec with per-step empirical quantiles "
          "of the same-hour window would likely close most of the gap to the baseline on spiky metrics.",
          ]
    (v / "MODEL_CARD.md").write_text("\n".join(L) + "\n")
    print(f"wrote {v}/MODEL_CARD.md")


def write_v2(version, v, man, tr, ev):
    """Model card of a featureSpec v2 version (residual head on the hour-of-week baseline)."""
    from .card_v2 import render
    (v / "MODEL_CARD.md").write_text(render(version, man, tr, ev))
    print(f"wrote {v}/MODEL_CARD.md")


if __name__ == "__main__":
    main()
