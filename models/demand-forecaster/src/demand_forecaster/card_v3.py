"""MODEL_CARD.md for a featureSpec v3 version (called by card.py)."""
from __future__ import annotations

import json

from . import METRICS, QUANTILES
from .data import PACKAGE_ROOT
from .card_common import event_lines, speed_lines, summary_table, targets_met
from .evaluate import fmt_table

# Exploratory runs before the final configuration (scratch harness on the same training / validation sets and windows,
# seed 20240601; recorded by hand from the run log of 2026-11-28). Unless stated: 4 blocks (hw, hd7, l24, l168), lr
# 1e-3, 12 epochs, patience 3, all training rows. "pit"/"hwn" inputs are the v3x calibration columns; "6 blocks" adds
# l6 (last 6 h) and hw1 (same hour of week +-1 h, last week only).
EXPLORATORY = [
    ('calib-const (v3 head, hw only)', ('0.3833', '0.867', '77.5% / 97.6%', '0.935', '0.963', '89.1% / 96.8%')),
    ('mix-const (4 blocks, constant gate, constant r/c)', ('0.3724', '0.810', '71.6% / 98.0%', '0.890', '0.898', '85.9% / 98.2%')),
    ('calib-pit (hw only, r/c linear in own pit/pitpb/pitok/hwn + history)', ('0.3844', '0.898', '76.7% / 91.6%', '1.009', '0.948', '86.4% / 89.3%')),
    ('mix-const + calib-pit', ('0.3783', '0.843', '73.7% / 90.0%', '0.961', '0.920', '84.7% / 91.2%')),
    ('mix-gated + calib-pit (gate linear in same)', ('0.3763', '0.852', '74.4% / 91.4%', '0.921', '0.894', '84.1% / 90.0%')),
    ('mix-const, 20 epochs', ('0.3720', '0.816', '73.3% / 98.5%', '0.897', '0.891', '86.0% / 98.4%')),
    ('mix-const + calib-len (r/c linear in own hwn + history)', ('0.3744', '0.823', '72.3% / 93.5%', '0.913', '0.899', '82.2% / 93.7%')),
    ('mix-const + calib-pit, wd 1e-2', ('0.3714', '0.827', '73.0% / 95.6%', '0.912', '0.889', '79.4% / 97.7%')),
    ('mix-const + calib-pitpb (pitpb, pitok, hwn, history)', ('0.3761', '0.823', '73.9% / 93.0%', '0.912', '0.912', '83.2% / 93.0%')),
    ('mix-gated(hwn,history) + const r/c', ('0.3709', '0.804', '69.9% / 97.4%', '0.911', '0.893', '84.1% / 97.9%')),
    ('mix-const, trained on >= 1 week history rows', ('0.3722', '0.802', '72.5% / 96.5%', '0.884', '0.895', '85.2% / 97.8%')),
    ('mix-gated(step) + const r/c', ('0.3720', '0.805', '72.2% / 98.0%', '0.874', '0.896', '86.1% / 98.2%')),
    ('mix-gated(step, hwn, history) + const r/c', ('0.3705', '0.798', '70.3% / 97.5%', '0.889', '0.892', '84.3% / 97.9%')),
    ('mix-const >=1wk, lr 3e-3', ('0.3709', '0.806', '70.4% / 96.9%', '0.898', '0.884', '83.7% / 98.2%')),
    ('mix-const >=1wk, uniform gate init, lr 3e-3', ('0.3696', '0.817', '69.6% / 94.7%', '0.919', '0.878', '83.7% / 97.9%')),
    ('mix-gated(step) >=1wk', ('0.3721', '0.797', '72.5% / 96.5%', '0.859', '0.896', '85.4% / 97.8%')),
    ('6 blocks (+l6, hw1) mix-const >=1wk', ('0.3722', '0.800', '72.7% / 96.5%', '0.875', '0.896', '84.9% / 97.8%')),
    ('6 blocks (+l6, hw1) mix-gated(step) >=1wk', ('0.3720', '0.795', '72.7% / 96.6%', '0.852', '0.896', '84.6% / 97.8%')),
]


def _inputs(tr, key):
    cols = tr["candidates"][tr["chosen"]].get(key) or []
    return "nothing (constants)" if not cols else "its bias and " + ", ".join(
        f"`{c[:-1]}`" if c.endswith("*") else f"`{c}_{{m}}`" for c in cols)



def render(version, man, tr, ev) -> str:
    summ = ev["backtest"]["summary"]
    ours = summ["model"]
    peers = {k: s for k, s in summ.items() if k not in ("model", "hour-of-week")}
    beats_all = all(ours["relative"] < s["relative"] for s in peers.values() if s["relative"] is not None)
    try:
        v1 = json.loads((PACKAGE_ROOT / "v2" / "evaluation.json").read_text())
        v1tr = json.loads((PACKAGE_ROOT / "v2" / "training.json").read_text())
    except FileNotFoundError:
        v1, v1tr = None, None
    L = [f"# Model card: demand-forecaster {version}", "",
         f"- Family: **{man['family']}**; one global model for all entities, all 4 metrics, 168 hourly steps.",
         f"- ONNX `model.onnx` (sha256 `{man['sha256']}`), input `features` float32 [N, 207] (featureSpec **v3**, see "
         "`../FEATURES-v3.md`: the 99 v2 features + 108 quantile blocks of the recent history `hd7_{m}_{q}` (same hour "
         "of day ±1 h over the last week), `l24_{m}_{q}` (last 24 h), `l168_{m}_{q}` (last 168 h)), output "
         f"`quantiles` float32 [N, 4, 9] in scale-normalised units, quantiles {list(QUANTILES)}.",
         "- Head (inside the graph, `src/demand_forecaster/mixture.py`): per metric, the four quantile blocks B_k "
         "(hw, hd7, l24, l168; / s_m) are split into slots D_k = B_k·T (slot 4 the median, slots 0-3 the lower "
         "increments B_{j+1}-B_j, slots 5-8 the upper increments B_j-B_{j-1}, all >= 0); a softmax over the blocks "
         "per metric and slot gives convex weights a_k, D = sum_k a_k D_k (quantile averaging of medians and "
         "increments); then the v2 calibration v = relu(D·exp(clip(r, ±4)) + c) >= 0, out_0.5 = v_4, upper quantiles "
         "= median + cumulative increments, lower = relu(median - cumulative increments). So the output is "
         "non-negative and non-crossing for any weights; the block logits z and r, c come from one masked linear "
         f"layer (chosen candidate: r, c read {_inputs(tr, 'rcInputs')}, the block logits read "
         f"{_inputs(tr, 'gateInputs')}; per metric, block and quantile slot). With only the hw block and a zero head "
         "the graph reproduces the hour-of-week baseline (tested within 1e-6, float32 ONNX).",
         f"- Training data: `data/` sha256 `{man['trainingData']['sha256']}`, {len(man['trainingData']['entities'])} "
         f"training entities, {man['trainingData']['hours']} entity-hours; seed {tr['seed']}; up to {tr['epochs']} "
         f"epochs, early stopping (patience {man.get('earlyStoppingPatience')}) on the validation-set pinball, Adam "
         f"lr {man.get('learningRate')}, weight decay {man.get('weightDecay')}"
         + ("; trained on the rows whose origin has >= 1 week of history (`history` >= 0.25; the others, including "
            "cold starts, weigh 0)" if man.get("trainedOnRowsWithAtLeastOneWeek") else "") + ".",
         f"- Created {man['createdAt']}; evaluated {ev['date']} with `{ev['command']}` on 2 CPU cores.", "",
         "## What was tried (validation entities, never the test entities)", "",
         "Candidates share the mixture + calibration head and differ in the blocks mixed, what the block weights and r, c "
         "depend on, and the training rows. Early stopping: mean pinball on the "
         "validation set (validation entities from 1 day of history + the last week of each training entity), the "
         "untrained model (= the baseline) counting as epoch -1. **Selection: mean over metrics of the relative "
         "pinball on the validation backtest windows** (validation entities, >= 1 week of history, 168 h: the "
         "quantity the targets are stated in), because the two criteria disagree: feature-dependent heads win on the "
         "validation-set pinball (helped on 1-6-day histories) but lose on the windows. The last columns are a second, "
         "unselected view: the time-split windows (origin = last week of each training entity, >= 1 week before it; "
         "hours never trained on, but entities that were), closer to the held-out windows' history lengths.", "",
         "| candidate | val pinball | best epoch | rel. cpu | rel. memory | rel. storage | rel. network | **mean rel.** | "
         "cov. 80/98 (mean) | time-split mean rel. | time-split cov. 80/98 | train s |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in tr["candidates"].items():
        rel = r["validationRelativeToBaseline"]
        cov = r["validationCoverage80_98"]
        c80 = sum(c[0] for c in cov.values()) / len(cov)
        c98 = sum(c[1] for c in cov.values()) / len(cov)
        mean_rel = sum(rel.values()) / len(rel)
        ts = r.get("timeSplitRelativeToBaseline")
        tc = r.get("timeSplitCoverage80_98")
        ts_s = "—" if not ts else f"{sum(ts.values()) / len(ts):.3f}"
        tc_s = "—" if not tc else (f"{100 * sum(c[0] for c in tc.values()) / len(tc):.1f}% / "
                                   f"{100 * sum(c[1] for c in tc.values()) / len(tc):.1f}%")
        L.append(f"| {name}{' (chosen)' if name == tr['chosen'] else ''} | {r['valPinball']:.4f} | {r['bestEpoch']} | "
                 + " | ".join(f"{rel.get(m, float('nan')):.3f}" for m in METRICS)
                 + f" | **{mean_rel:.3f}** | {100 * c80:.1f}% / {100 * c98:.1f}% | {ts_s} | {tc_s} | {r['trainSeconds']} |")
    if v1tr:
        r = v1tr["candidates"][v1tr["chosen"]]
        rel = r["validationRelativeToBaseline"]
        cov = r["validationCoverage80_98"]
        L.append(f"| v2 ({v1tr['chosen']}, featureSpec v2, as released) | {r['valPinball']:.4f} | {r['bestEpoch']} | "
                 + " | ".join(f"{rel.get(m, float('nan')):.3f}" for m in METRICS)
                 + f" | **{sum(rel.values()) / len(rel):.3f}** | "
                 f"{100 * sum(c[0] for c in cov.values()) / len(cov):.1f}% / "
                 f"{100 * sum(c[1] for c in cov.values()) / len(cov):.1f}% | — | — | {r['trainSeconds']} |")
    L += ["", "Exploratory runs (scratch harness on the same sets and windows, seed as above; validation entities "
          "only). Columns: validation-set pinball | mean relative on the validation windows | their 80% / 98% "
          "coverage | mean relative on the 5 validation windows with >= 3 weeks of history | time-split windows' "
          "mean relative and 80% / 98% coverage:", "",
          "| run | val pinball | mean rel. | cov. 80/98 | mean rel. (>= 3 weeks) | time-split rel. | time-split cov. 80/98 |",
          "|---|---|---|---|---|---|---|"]
    L += [f"| {k} | " + " | ".join(t) + " |" for k, t in EXPLORATORY]
    L += ["", "calib-const-v3 is v2's calib-const in the v3 head (hw block only); the pit/hwn candidates read the "
          "in-history calibration columns of the experimental spec v3x (not served; `features_v3.py`): per metric, "
          "the empirical PIT of the previous week's actuals under the hour-of-week baseline fitted at o - 168 h "
          "(9 values), that week's scaled pinball, an availability flag and the hw sample size.", "",
          "## Held-out evaluation (test entities, rolling origin, history strictly before each origin)", "",
          f"Test entities: {', '.join(ev['testEntities'])}. Same windows, peers and scoring as v1 and v2. Losses are pinball "
          "losses of values divided by the series scale s_m at the origin; *relative* = mean pinball / hour-of-week "
          "baseline's on the same cells.", "",
          fmt_table(ev["backtest"]["results"]), ""]
    L += summary_table(summ, version, ("v2 (model, as released)", v1["backtest"]["summary"]["model"]) if v1 else None)
    L += ["", *targets_met(ours, beats_all), "",
          f"Short history (1-3 weeks before the origin, {ev['shortHistory']['windows']} windows, model vs baseline):",
          "", fmt_table(ev["shortHistory"]["results"]), "",
          "## Cold start", "",
          "With no history of a metric the baseline has nothing (NoHistory): featureSpec v3 sets every `hw_{m}_{q}` "
          "and every block column of the metric to **1.0** (= the scale prior after de-normalisation) and the v1 fallbacks apply to the other features "
          "(`missing_m = 1`, `history = 0`, scale = `scalePriors`). The caller multiplies quantile q by "
          "`coldStartWidening[q]` for a metric whose `missing_m = 1` (calibrated on the validation entities' cold-start "
          f"forecasts, non-decreasing in q): {man['coldStartWidening']}.", "",
          f"Held-out cold start ({ev['coldStart']['windows']} windows; pinball relative to the scale prior):", "",
          fmt_table(ev["coldStart"]["results"]), "",
          "## Events", "",
          "As in v1 and v2: no labelled events in the traces, event columns 42-47 masked to zero in the graph "
          "(`eventUplift: \"applied-by-caller\"`).", "",
          *event_lines(ev["events"])]
    sp = ev["speed"]
    L += ["", "## Speed (onnxruntime, Python, 1 intra-op thread, this 2-core machine)", "",
          *speed_lines(sp, 207, " Building the 36 hw and 108 block features (sorting up to 12 values per step "
                                "and metric, 24 hour-of-day pools of <= 21 values and two windows of <= 168 values "
                                "per metric and forecast) comes on top on the TypeScript side."), "",
          "## Limitations", "",
          "- Same small training set and noisy held-out backtest as v1 and v2 (see `../v1/MODEL_CARD.md`); the "
          "validation windows are few (32) and mostly have 1-3 weeks of history while the held-out ones have >= 3 "
          "weeks, which is why the validation coverage does not transfer one to one (see the time-split columns).",
          "- The chosen head has no per-series adaptation: the calibration r, c is constant per metric and quantile "
          "slot, the block weights depend on the step only. Per-series in-history calibration features (PIT of the "
          "previous week under the baseline) and history-length dependent calibration were tried and lost on the "
          "validation windows (see the exploratory table).",
          f"- The relative <= 0.80 target is not met ({ours['relative']:.3f}); unlike v2 part of the gain is in the "
          "centre: pb 0.5 model vs baseline " + ", ".join(
              f"{m} {ev['backtest']['results']['model'][m]['pinball']['0.5']:.4f} vs "
              f"{ev['backtest']['results']['hour-of-week'][m]['pinball']['0.5']:.4f}" for m in METRICS
              if m in ev['backtest']['results']['model']) + ".",
          "- Evaluated once; the ONNX graph was then re-laid out for speed (same weights: softmax and mixture as "
          "element-wise ops on [N, 36] tensors instead of a non-last-axis softmax and reduction) and the evaluation "
          "re-run: identical accuracy figures, the first layout measured 396,974 rows/s.", "",
          "## Post-hoc interval calibration: tried, not adopted", "",
          "A post-hoc widening/narrowing of the intervals fitted on 33 protocol-matched windows without test entities "
          "(`python -m demand_forecaster.calibrate --base v3`) did not improve on v3 out of sample: figures and "
          "method in `CALIBRATION-STUDY.md`.",
          ]
    return "\n".join(L) + "\n"
