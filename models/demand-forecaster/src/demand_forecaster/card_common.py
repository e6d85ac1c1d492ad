"""Pieces every model card renderer (card.py, card_v2.py, card_v3.py, card_v4.py) writes the same way."""
from __future__ import annotations

from . import METRICS


def pct(x) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def event_table(events: dict) -> list[str]:
    """The synthetic-event check of evaluate.py as a table: per metric, pinball and coverage inside the event hours
    with the declared uplift applied vs ignored."""
    rows = ["| metric | pinball applied | pinball ignored | cov. 80% applied | cov. 80% ignored | cov. 98% applied | "
            "cov. 98% ignored |", "|---|---|---|---|---|---|---|"]
    for m in METRICS:
        ap_, ig = events["applied"].get(m), events["ignored"].get(m)
        if ap_:
            rows.append(f"| {m} | {ap_['meanPinball']:.4f} | {ig['meanPinball']:.4f} | {pct(ap_['coverage80'])} | "
                        f"{pct(ig['coverage80'])} | {pct(ap_['coverage98'])} | {pct(ig['coverage98'])} |")
    return rows


def summary_table(summary: dict, version: str, previous: tuple[str, dict] | None = None) -> list[str]:
    """The held-out summary (mean over metrics) of the model and its peers; `previous`: (label, summary of the
    previous released model) as a last row."""
    rows = ["Summary (mean over metrics):", "", "| model | relative | cov. 80% | cov. 98% |", "|---|---|---|---|"]
    for k, s in summary.items():
        label = f"**{version}** (model)" if k == "model" else k
        rows.append(f"| {label} | {'—' if s['relative'] is None else format(s['relative'], '.3f')} | "
                    f"{pct(s['coverage80'])} | {pct(s['coverage98'])} |")
    if previous:
        label, s = previous
        rows.append(f"| {label} | {s['relative']:.3f} | {pct(s['coverage80'])} | {pct(s['coverage98'])} |")
    return rows


def targets_met(ours: dict, beats_all: bool) -> list[str]:
    """The issue's held-out targets and whether the model's summary `ours` meets each."""
    return ["Targets: relative <= 0.80 and lower than every peer; 80% coverage in 75-85%; 98% coverage in 95-99.5%.",
            f"Met: relative {ours['relative']:.3f} ({'yes' if ours['relative'] <= 0.8 else 'NO'}); lower than every "
            f"peer on the mean over metrics: {'yes' if beats_all else 'NO'} (per metric: see the table); 80% coverage "
            f"{pct(ours['coverage80'])} ({'yes' if 0.75 <= ours['coverage80'] <= 0.85 else 'NO'}); 98% coverage "
            f"{pct(ours['coverage98'])} ({'yes' if 0.95 <= ours['coverage98'] <= 0.995 else 'NO'})."]


def event_lines(events: dict) -> list[str]:
    """The Events section's figures (v2 on): the event columns' effect on the outputs and the synthetic-event table."""
    return [f"- Largest change of any output when events are put on the calendar: "
            f"{events['maxOutputChangeFromEventFeatures']:.2e}.",
            f"- Inside the {events['eventHours']} synthetic event hours, declared uplift applied vs ignored:", "",
            *event_table(events)]


def speed_lines(speed: dict, features: int, single_note: str = "") -> list[str]:
    """The Speed section's two figures (v2 on): batched rows/s and single-forecast latency; `single_note` follows
    the latency budget."""
    return [f"- Batched ({speed['batchRows']} rows of {features} features): **{speed['rowsPerSecond']:,} rows/s** = "
            f"{speed['forecastsPerSecond']:,} 168-step forecasts/s (budget: 336k rows/s).",
            f"- Single forecast (168 rows): p50 {speed['singleForecastMs']['p50']} ms, p99 "
            f"{speed['singleForecastMs']['p99']} ms (budget p99 < 20 ms).{single_note}"]
