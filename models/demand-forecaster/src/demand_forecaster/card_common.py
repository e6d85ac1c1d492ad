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
