"""MODEL_CARD.md for a regime-head version (v4; featureSpec v3 input; called by card.py)."""
from __future__ import annotations

import json

from . import METRICS, QUANTILES
from .data import PACKAGE_ROOT
from .card_common import event_lines, pct, speed_lines, summary_table, targets_met
from .evaluate import fmt_table

# Exploratory runs before the final candidate list (scratch harness on the same training / validation sets and the
# same protocol-matched selection windows, never the test entities; seed 20240601 unless stated; recorded by hand from
# the run log of 2026-11-28). Unless stated: 4 blocks, block logits read `step`, lr 1e-3, up to 12 epochs, patience 3,
# early stopping on the validation-set pinball, training rows with >= 1 week of history. "regime" = the six log ratios
# of regime.py per metric; "blk" = the 144 block columns themselves (log1p); "lvl" = level24/level168/std168/lastday;
# "cal" = hod/dow/weekend; "acc" = account type and application columns. Columns: selection mean relative | per metric
# cpu / memory / storage / network | selection cov. 80 / 98 | time-split subset rel. | validation subset rel. |
# validation entities >= 336 h rel. (50 windows) | v3's old validation windows (>= 1 week) rel.
EXPLORATORY = [
    ("v3 as released (ONNX)", "0.920", "0.956 / 0.831 / 0.967 / 0.926", "80.6% / 98.1%", "0.917", "0.884", "0.861", "0.797"),
    ("mix-step-1w re-trained (= v3, identical)", "0.920", "0.956 / 0.831 / 0.967 / 0.926", "80.6% / 98.1%", "0.917", "0.884", "0.861", "0.797"),
    ("hour-of-week baseline", "1.000", "1.000 / 1.000 / 1.000 / 1.000", "58.3% / 66.7%", "1.000", "1.000", "1.000", "1.000"),
    ("gate reads blk + history", "0.956", "0.941 / 0.900 / 0.958 / 1.024", "81.1% / 96.8%", "0.870", "1.043", "0.977", "0.890"),
    ("gate + r/c read blk + history", "0.953", "0.951 / 0.955 / 0.945 / 0.962", "76.5% / 93.4%", "0.890", "0.997", "0.925", "0.852"),
    ("gate + r/c read blk + history, wd 1e-3", "0.944", "0.950 / 0.924 / 0.943 / 0.958", "77.6% / 93.4%", "0.889", "0.978", "0.907", "0.836"),
    ("gate + r/c read lvl + history", "0.920", "0.948 / 0.853 / 0.972 / 0.905", "78.8% / 97.6%", "0.894", "0.914", "0.869", "0.838"),
    ("gate reads cal + acc", "0.928", "0.943 / 0.835 / 0.990 / 0.943", "77.9% / 97.7%", "0.903", "0.915", "0.865", "0.807"),
    ("r/c read cal + acc", "0.923", "0.949 / 0.852 / 0.978 / 0.914", "80.1% / 97.8%", "0.920", "0.891", "0.853", "0.812"),
    ("everything (blk, lvl, cal, acc, history), wd 1e-3", "0.963", "0.944 / 0.928 / 0.980 / 0.999", "73.2% / 94.4%", "0.886", "1.036", "0.937", "0.852"),
    ("v3 config, rows >= 2 weeks", "0.917", "0.954 / 0.820 / 0.961 / 0.933", "77.6% / 97.3%", "0.914", "0.877", "0.850", "0.804"),
    ("v3 config, rows >= 3 weeks weighted x4", "0.919", "0.954 / 0.825 / 0.965 / 0.930", "79.7% / 98.2%", "0.915", "0.883", "0.859", "0.799"),
    ("v3 config, loss weighted per metric (1 / baseline pinball)", "0.920", "identical to v3 (Adam is invariant: no parameter is shared by metrics)", "80.6% / 98.1%", "0.917", "0.884", "0.861", "0.797"),
    ("v3 config, early stopping on validation rows >= 2 weeks", "0.920", "identical (same best epoch)", "80.6% / 98.1%", "0.917", "0.884", "0.861", "0.797"),
    ("regime -> gate", "0.951", "0.948 / 0.822 / 0.991 / 1.043", "80.0% / 97.5%", "0.893", "1.013", "0.957", "0.912"),
    ("regime -> gate + r/c", "0.939", "0.947 / 0.833 / 0.988 / 0.989", "79.5% / 96.6%", "0.881", "0.976", "0.927", "0.876"),
    ("regime -> gate + r/c, wd 1e-2", "0.919", "0.945 / 0.819 / 0.978 / 0.934", "78.1% / 97.7%", "0.894", "0.905", "0.859", "0.793"),
    ("regime -> gate + r/c, wd 3e-2", "0.913", "0.946 / 0.820 / 0.962 / 0.924", "79.7% / 97.8%", "0.899", "0.884", "0.844", "0.784"),
    ("regime (g1, g2) -> gate + r/c, wd 1e-2", "0.912", "0.948 / 0.820 / 0.965 / 0.915", "79.8% / 97.8%", "0.899", "0.881", "0.836", "0.790"),
    ("regime -> gate + r/c, early stopping on rows >= 2 weeks", "0.943", "0.947 / 0.837 / 0.987 / 1.001", "78.7% / 96.3%", "0.879", "0.991", "0.936", "0.887"),
    ("regime -> r/c", "0.918", "0.945 / 0.846 / 0.970 / 0.911", "80.5% / 96.8%", "0.894", "0.887", "0.837", "0.789"),
    ("regime -> r/c, wd 1e-3", "0.913", "0.946 / 0.828 / 0.967 / 0.911", "79.1% / 97.7%", "0.894", "0.881", "0.828", "0.778"),
    ("regime -> r/c, wd 1e-2", "0.909", "0.945 / 0.817 / 0.963 / 0.909", "79.9% / 97.9%", "0.898", "0.868", "0.815", "0.768"),
    ("regime -> r/c, wd 3e-2", "0.910", "0.947 / 0.818 / 0.964 / 0.912", "80.5% / 97.9%", "0.901", "0.872", "0.834", "0.778"),
    ("regime (g1, g2, g5) -> r/c, wd 1e-2", "0.910", "0.947 / 0.817 / 0.966 / 0.910", "80.4% / 97.9%", "0.901", "0.871", "0.831", "0.785"),
    ("regime + history -> r/c, wd 1e-2", "0.909", "0.944 / 0.820 / 0.959 / 0.910", "79.2% / 97.8%", "0.896", "0.871", "0.816", "0.769"),
    ("regime -> r/c, rows >= 3 weeks weighted x4", "0.912", "0.949 / 0.827 / 0.963 / 0.909", "80.4% / 96.7%", "0.896", "0.872", "0.830", "0.786"),
    ("regime -> r/c, rows >= 2 weeks", "0.894", "0.945 / 0.801 / 0.948 / 0.880", "79.5% / 97.2%", "0.882", "0.850", "0.835", "0.806"),
    ("regime -> r/c, rows >= 2 weeks, seed 1", "0.894", "0.945 / 0.803 / 0.946 / 0.881", "79.6% / 97.3%", "0.882", "0.850", "0.836", "0.808"),
    ("regime -> r/c, rows >= 2 weeks, wd 1e-2", "0.894", "0.946 / 0.805 / 0.946 / 0.878", "77.4% / 97.2%", "0.888", "0.847", "0.819", "0.790"),
    ("v3 config, seed 1", "0.920", "0.956 / 0.831 / 0.967 / 0.926", "80.6% / 98.1%", "0.917", "0.884", "0.861", "0.797"),
    ("v3 config, rows >= 2 weeks, seed 1", "0.917", "0.954 / 0.820 / 0.961 / 0.933", "77.6% / 97.3%", "0.914", "0.877", "0.850", "0.804"),
    ("regime -> r/c, seed 1", "0.919", "0.944 / 0.847 / 0.973 / 0.914", "80.3% / 97.2%", "0.895", "0.888", "0.836", "0.791"),
    ("residual MLP (16 relu units on step, history, the 24 ratios; zero-init, added to gate and r/c), wd 1e-2", "0.924", "0.951 / 0.818 / 0.977 / 0.952", "79.9% / 98.0%", "0.903", "0.917", "0.865", "0.796"),
    ("LightGBM quantile, 207 columns (ceiling reference, not servable)", "1.009", "0.990 / 0.915 / 1.078 / 1.052", "72.7% / 89.5%", "0.913", "1.263", "1.181", "0.985"),
    ("chosen + 48 synthetic multi-VM accounts, weight 0.3 (`run.sh synthetic-accounts --accounts 48 --weight 0.3`)", "0.899", "0.943 / 0.818 / 0.945 / 0.890", "77.6% / 97.4%", "0.886", "0.863", "—", "—"),
    ("chosen + 48 synthetic multi-VM accounts, weight 1 (`--accounts 48 --weight 1`)", "0.906", "0.945 / 0.829 / 0.945 / 0.904", "77.9% / 96.8%", "0.889", "0.876", "—", "—"),
    ("regime -> gate + r/c + 48 synthetic accounts, weight 1 (`--accounts 48 --weight 1 --gate`)", "0.914", "0.948 / 0.835 / 0.945 / 0.928", "77.7% / 96.8%", "0.889", "0.898", "—", "—"),
    ("regime -> gate + r/c + 96 synthetic accounts, weight 2 (`--accounts 96 --weight 2 --gate`)", "0.917", "0.949 / 0.847 / 0.944 / 0.928", "78.2% / 96.5%", "0.892", "0.901", "—", "—"),
    ("in-sample fit of the v3 head on the selection windows (not a candidate)", "0.858", "0.918 / 0.759 / 0.928 / 0.825", "82.5% / 98.3%", "0.889", "0.753", "0.778", "0.817"),
    ("in-sample fit of regime -> gate + r/c on the selection windows (not a candidate)", "0.763", "0.852 / 0.672 / 0.816 / 0.713", "83.1% / 98.0%", "0.814", "0.622", "0.737", "0.864"),
]
NOTES = [  # findings from the same run log
    "Noise: re-training with another shuffling seed moves the selection figure by <= 0.001; the selection set itself "
    "is the noise: an entity bootstrap (2000 resamples of its 23 entities) of the difference in mean relative to v3 "
    "gives -0.026 (90% interval -0.061 to -0.007; better on 17 of 23 entities) for regime -> r/c on rows >= 2 weeks, "
    "-0.026 (-0.056 to -0.014; 16 of 23) with wd 1e-2, -0.011 (-0.035 to +0.005) for regime -> r/c on rows >= 1 "
    "week with wd 1e-2, -0.003 (-0.014 to +0.003) for v3's configuration on rows >= 2 weeks. About 35 variants were "
    "compared on these 33 windows, so the winner's margin is biased upwards; the held-out figure is the check.",
    "Heads whose block weights read the blocks, levels, calendar or account columns win on the time-split subset "
    "(later hours of the training entities, 0.870-0.894) and lose on the validation entities (0.91-1.04): they learn "
    "the 32 training entities. LightGBM on all 207 columns is the extreme case (time-split 0.913, validation "
    "entities 1.263). What transfers to new entities is the calibration (spread and shift, r and c) read from a few "
    "scale-free ratios, with the block weights left to the step; training on rows with >= 2 weeks of history adds "
    "to that (0.909 -> 0.894) but not to v3's head (0.920 -> 0.917).",
    "More entities from the data we have: synthetic multi-VM accounts (sums of 2-4 Bitbrains training VMs over their "
    "common hours, `synthetic_accounts.py`; added after the release, same selection windows, 'chosen' = "
    "regime-rc-2w-wd1e-2 at 0.894) lose in every configuration tried (0.899-0.917): the held-out entities are single "
    "VMs, and summed series are smoother than any of them, so what the head learns there does not carry over; with "
    "the gate open as well (0.914-0.917) they stay behind the r/c-only head.",
    "Weighting the loss per metric (1 / baseline pinball) changes nothing: no parameter is shared by two metrics, and "
    "Adam is invariant to a constant gradient scale per parameter.",
    "An interval-width correction was not needed: on the selection windows the candidates' 80% / 98% coverage is "
    "77-81% / 97-98% (v3's post-hoc calibration study, `v3/MODEL_CARD.md`, found every fitted factor worse out of "
    "entity on the same windows).",
    "Pipeline check before the real run: the train command with 1 epoch and 2 candidates, written to a scratch "
    "directory, and its evaluate step (--no-peers) on the test entities to test the code path; its backtest tables "
    "were not printed or read (only the synthetic-event line of that 1-epoch model was printed), the files were "
    "deleted and nothing was decided on them.",
]



def _fig(f):
    m = f["mean"]
    return m["relative"], m["coverage80"], m["coverage98"]


def render(version, man, tr, ev) -> str:
    summ = ev["backtest"]["summary"]
    ours = summ["model"]
    peers = {k: s for k, s in summ.items() if k not in ("model", "hour-of-week")}
    beats_all = all(ours["relative"] < s["relative"] for s in peers.values() if s["relative"] is not None)
    ref = (ev.get("speedVsReference") or {}).get("reference", "v3")
    try:
        rev = json.loads((PACKAGE_ROOT / ref / "evaluation.json").read_text())
    except FileNotFoundError:
        rev = None
    ch = tr["candidates"][tr["chosen"]]
    L = [f"# Model card: demand-forecaster {version}", "",
         f"- Family: **{man['family']}**; one global model for all entities, all 4 metrics, 168 hourly steps.",
         f"- ONNX `model.onnx` (sha256 `{man['sha256']}`), input `features` float32 [N, 207]: **featureSpec v3 "
         "unchanged** (`../FEATURES-v3.md`; the same 207 columns as v3, so the TypeScript features stay as they are), "
         f"output `quantiles` float32 [N, 4, 9] in scale-normalised units, quantiles {list(QUANTILES)}.",
         "- Head (inside the graph, `src/demand_forecaster/regime.py`): v3's head (per metric and quantile slot a "
         "softmax over the four blocks hw, hd7, l24, l168 of their medians and increments, then the calibration "
         "v = relu(D·exp(clip(r, ±4)) + c), out = median ± cumulative increments, relu; non-negative and "
         "non-crossing for any weights) whose r and c are no longer constants: per metric they are linear in six log "
         "ratios of the history's own blocks (e = 0.05, clipped to ±5): g1 = log(width(l168)+e) − log(width(hw)+e), "
         "g2 = log(med(l24)+e) − log(med(hw)+e), g3 = log(width(l24)+e) − log(width(l168)+e), g4 = "
         "log(width(hd7)+e) − log(width(hw)+e), g5 = log(width(hw)+e) − log(med(hw)+e), g6 = log(med(l168)+e) − "
         "log(med(hw)+e), width = q0.9 − q0.1: recent volatility and level relative to the hour-of-week sample. "
         f"The block logits read `step` (clipped to [0, 1]) as in v3. Chosen candidate: **{tr['chosen']}** "
         f"(regime → r/c: {ch.get('regimeReachesRC')}, regime → block logits: {ch.get('regimeReachesGate')}).",
         f"- Training data: `data/` sha256 `{man['trainingData']['sha256']}`, {len(man['trainingData']['entities'])} "
         f"training entities, {man['trainingData']['hours']} entity-hours; seed {tr['seed']}; up to {tr['epochs']} "
         f"epochs, early stopping (patience {man.get('earlyStoppingPatience')}) on the validation-set pinball, Adam "
         f"lr {man.get('learningRate')}, weight decay {man.get('weightDecay')}; trained on the rows whose origin has "
         f"`history` >= {man.get('minHistoryShare')} (share of the last 672 h with data; 0.25 = 1 week, 0.5 = 2 "
         "weeks; the other rows weigh 0). The last week of every training entity is never a training target.",
         f"- Created {man['createdAt']}; evaluated {ev['date']} with `{ev['command']}` on 2 CPU cores (shared).",
         f"- Reproduce: `bash models/run.sh train --version {version} --head regime` (trains the candidates below, "
         "selects, exports, evaluates once on the test entities, writes the test vectors and this card).", "",
         "## Selection set (protocol-matched, never the test entities)", "",
         "The held-out windows have >= 504 h of history (mostly 3-4 weeks) and a 168-h horizon; v3 was selected on "
         "validation windows with >= 1 week, where it scored 0.797 but 0.92 on protocol-like windows. The selection "
         f"set here follows the held-out protocol: {ch['selection']['windows']} windows over "
         f"{ch['selection']['entities']} entities = the **time-split windows** (origin = last week of each training "
         f"entity with >= 504 h before it; {ch['selection']['time-split']['windows']} windows; those hours are never "
         "training targets, the candidates are trained with them held out) + rolling origins of the **validation "
         f"entities** with >= 504 h of history ({ch['selection']['validation']['windows']} windows). The data allow no "
         "more: the validation entities have 337 or 720 h, the other training entities < 504 h before their last "
         "week. As in v3, the early-stopping set (validation entities from 1 day of history + the last week of each "
         "training entity) overlaps these windows' hours: they choose the epoch as well as the candidate.", "",
         "**Selection rule:** lowest mean over metrics of the relative pinball on all selection windows, among the "
         "candidates whose 80% / 98% coverage there is in 75-85% / 95-99.5% (v3's configuration `mix-step-1w` "
         "trained alongside as the reference; a v4 is released only if the chosen candidate beats it).", "",
         "| candidate | rel. cpu | rel. memory | rel. storage | rel. network | **mean rel.** | cov. 80 / 98 | "
         "time-split rel. (cov. 80) | validation rel. (cov. 80) | val pinball | best epoch | train s |",
         "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in tr["candidates"].items():
        s = r["selection"]
        pm = s["all"]["perMetric"]
        rel, c80, c98 = _fig(s["all"])
        ts, va = s["time-split"], s["validation"]
        tail = ("— | — | —" if r.get("reference") else
                f"{r['valPinball']:.4f} | {r['bestEpoch']} | {r['trainSeconds']}")
        L.append(f"| {name}{' (chosen)' if name == tr['chosen'] else ''} | "
                 + " | ".join(f"{pm[m]['relative']:.3f}" for m in METRICS)
                 + f" | **{rel:.3f}** | {pct(c80)} / {pct(c98)} | {ts['mean']['relative']:.3f} "
                 f"({pct(ts['mean']['coverage80'])}) | {va['mean']['relative']:.3f} ({pct(va['mean']['coverage80'])})"
                 f" | {tail} |")
    L += ["", "Exploratory runs (scratch harness, same sets and selection windows, recorded from the run log; not "
          "re-run by the train command). Columns: selection mean rel. | per metric (cpu / memory / storage / network) "
          "| selection cov. 80 / 98 | time-split subset rel. | validation subset rel. | validation entities >= 336 h "
          "(50 windows) rel. | v3's old validation windows (>= 1 week, 32) rel.:", "",
          "| run | sel. mean rel. | per metric | cov. 80 / 98 | time-split | validation | val. >= 336 h | old val. |",
          "|---|---|---|---|---|---|---|---|"]
    L += [f"| {row[0]} | " + " | ".join(row[1:]) + " |" for row in EXPLORATORY if row[1] != "see log"]
    L += [""] + [f"- {n}" for n in NOTES]
    L += ["", "## Held-out evaluation (test entities, rolling origin, history strictly before each origin)", "",
          f"Test entities: {', '.join(ev['testEntities'])}. Same windows, peers and scoring as v1-v3 "
          f"({ev['backtest']['windows']} windows, >= {ev['backtest']['minHistoryHours']} h history). Evaluated once, "
          "after the selection. Losses are pinball losses of values divided by the series scale s_m at the origin; "
          "*relative* = mean pinball / hour-of-week baseline's on the same cells.", "",
          fmt_table(ev["backtest"]["results"]), ""]
    L += summary_table(summ, version,
                       (f"{ref} (model, as released)", rev["backtest"]["summary"]["model"]) if rev else None)
    if rev:
        L += ["", f"Per metric, {version} vs {ref} (relative / cov. 80% / cov. 98%): " + "; ".join(
            f"{m} {ev['backtest']['results']['model'][m]['relative']:.3f} / "
            f"{pct(ev['backtest']['results']['model'][m]['coverage80'])} / "
            f"{pct(ev['backtest']['results']['model'][m]['coverage98'])} vs "
            f"{rev['backtest']['results']['model'][m]['relative']:.3f} / "
            f"{pct(rev['backtest']['results']['model'][m]['coverage80'])} / "
            f"{pct(rev['backtest']['results']['model'][m]['coverage98'])}"
            for m in METRICS if m in ev['backtest']['results']['model']) + "."]
    L += ["", *targets_met(ours, beats_all), "",
          f"Short history (1-3 weeks before the origin, {ev['shortHistory']['windows']} windows, model vs baseline):",
          "", fmt_table(ev["shortHistory"]["results"]), "",
          "## Cold start", "",
          "As v3: with no history of a metric every `hw_{m}_{q}` and block column is **1.0**, so the regime columns "
          "are constants (g5 = log(e / (1 + e)), the others 0). The caller multiplies quantile q of metric m by "
          "`coldStartWidening[m][q]` when `missing_m = 1`: per metric (v1-v3 had one factor per quantile for all "
          "metrics, which left the wide-ranging network and storage far under-covered), calibrated on the cold-start "
          "forecasts of every non-test entity (validation entities with the training priors; each training entity "
          "with the priors of the other training entities, so that a type seen once falls back to the default prior "
          "as a new account's would), non-decreasing in q:", "",
          "| metric | " + " | ".join(str(q) for q in QUANTILES) + " |",
          "|---|" + "---|" * len(QUANTILES),
          *(f"| {m} | " + " | ".join(f"{man['coldStartWidening'][m][str(q)]:g}" for q in QUANTILES) + " |"
            for m in METRICS), "",
          f"Held-out cold start ({ev['coldStart']['windows']} windows; pinball relative to the scale prior):", "",
          fmt_table(ev["coldStart"]["results"]), "",
          "## Events", "",
          "As in v1-v3: event columns 42-47 are not read (declared uplift is applied by the caller, "
          "`eventUplift: \"applied-by-caller\"`).", "",
          *event_lines(ev["events"])]
    sp = ev["speed"]
    L += ["", "## Speed (onnxruntime, Python, 1 intra-op thread, this 2-core machine, shared)", "",
          *speed_lines(sp, 207)]
    pr = ev.get("speedVsReference")
    if pr:
        rps = pr["rowsPerSecond"]
        L.append(f"- Same run, {version} and {pr['reference']} interleaved ({pr['rounds']} rounds, best round each, "
                 f"{pr['batchRows']} rows): {version} **{rps[version]:,}** rows/s vs {pr['reference']} "
                 f"**{rps[pr['reference']]:,}** rows/s (ratio {rps[version] / rps[pr['reference']]:.3f}). The graph "
                 "pays for the regime columns (a MatMul from the block columns to their widths / medians, one Log, a "
                 "MatMul to the 24 ratios, Clip) with a cheaper layout of the rest: the input is read once, as a "
                 "Slice of the 144 block columns viewed as [4N, 36], so the medians / increments and the widths / "
                 "medians of all four blocks are one MatMul each; no block logits at all: they read only the step, "
                 "so the softmax weights over the blocks at the 169 grid steps h / 168 are computed at export "
                 "(float64) and gathered per row by h = round(clip(step, 0, 1) · 168) from one [169, 144] table "
                 "(the model is defined on that grid, numpy too; `regime.py`); r and c by their own Gemms; the last "
                 "Relu writes the output. On this shared machine absolute rows/s move by 10-20 % between runs; the "
                 "interleaved ratio is the figure to compare.")
    L += headroom_lines(version)
    L += ["", "## Limitations", "",
          "- The selection set is small (33 windows, 23 entities; the 18 time-split windows are later hours of "
          "training entities) and many candidates were compared on it: differences of ~0.01 in mean relative are "
          "within its noise (entity bootstrap, see the notes above), so the held-out figure is the one to trust.",
          f"- The relative <= 0.80 target is {'met' if ours['relative'] <= 0.8 else 'not met'} "
          f"({ours['relative']:.3f}). Even fitted in-sample on the selection windows, v3's head reaches only 0.858 "
          "there, and the richer heads that win on the training entities' later hours lose on new entities (see the "
          "exploratory table): with 32 training entities the information the head can use without over-fitting "
          "to entities is limited; the hindsight oracles above bound what a better head could reach on these "
          "blocks.",
          "- Same data, peers and scoring caveats as v1-v3 (see `../v1/MODEL_CARD.md`)."]
    return "\n".join(L) + "\n"


def headroom_lines(version) -> list[str]:
    """The Headroom section from <version>/headroom.json (`run.sh headroom`), when it has been run."""
    path = PACKAGE_ROOT / version / "headroom.json"
    if not path.exists():
        return []
    hr = json.loads(path.read_text())

    def rel(key):
        return hr["rows"][key]["relative"]

    by = [r["relative"] for r in hr["modelBySteps"].values()]
    rows = [*((r["name"], r) for r in hr["rows"].values()),
            *((f"{version}, steps {k} only", r) for k, r in hr["modelBySteps"].items())]
    return ["", "## Headroom (hindsight oracles on the selection windows)", "",
            f"`bash models/run.sh headroom --version {version}` (`headroom.py`): on the {hr['windows']} selection "
            f"windows ({hr['entities']} entities, never a test entity), forecasters that know each window's actuals, "
            "scored like the selection (relative to the hour-of-week baseline). They cannot be served (they read the "
            "outcome); they bound what a head built on these blocks could reach.", "",
            "| forecaster | mean rel. | cpu / memory / storage / network | cov. 80 / 98 |", "|---|---|---|---|",
            *(f"| {name} | {r['relative']:.3f} | {' / '.join(f'{x:.3f}' for x in r['perMetric'].values())} | "
              f"{pct(r['coverage80'])} / {pct(r['coverage98'])} |" for name, r in rows),
            "",
            f"- Choosing in hindsight, per window and metric, the best of the four blocks the head mixes "
            f"({rel('best-block'):.3f}), or the best single factor on the model's quantiles ({rel('best-scale'):.3f}): "
            f"{'both stay above' if min(rel('best-block'), rel('best-scale')) > 0.8 else 'not both above'} 0.80; "
            "a block featureSpec v3 lacks (day type x hour of day) moves the first bound to "
            f"{rel('best-block-day-type'):.3f}. Knowing the future week's distribution without its time of day "
            f"scores {rel('future'):.3f}: the time-of-day shape is what the blocks carry.",
            f"- By horizon the model scores {by[0]:.3f} / {by[1]:.3f} in the first day and {by[3]:.3f} from step 72 "
            "on, which is most of a 168-h horizon: the recent level informs the first day, little of the rest."]
