"""python -m demand_forecaster.prepare --shared /work/shared/data/traces  -> data/ (lean hourly dataset)."""
from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np

from . import METRICS
from .data import DATA_DIR, TEST_ENTITIES, VALIDATION_ENTITIES, dataset_sha256, load_raw_entities, write_dataset

LICENCES = {
    "JessieRayeBauer/Time-Series-Forecasting-": "BSD-2-Clause repository; GWA-T-12 Bitbrains trace (Grid Workloads "
    "Archive terms: acknowledge the archive and Bitbrains, cite Shen, van Beek, Iosup, CCGrid 2015). Internal use.",
    "numenta/NAB": "MIT (NAB LICENSE.txt at this commit); cite Ahmad et al., Neurocomputing 2017.",
    "alejandrofdez-us/DataCenter-Traces-Datasets": "CC-BY-4.0 (Zenodo 10.5281/zenodo.14564847, A. Fernandez); upstream "
    "Alibaba cluster-trace-v2018, Google cluster traces v3 (CC-BY), Azure Public Dataset V2 (CC-BY-4.0).",
}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", required=True, type=Path)
    ap.add_argument("--out", type=Path, default=DATA_DIR)
    a = ap.parse_args(argv)
    ents, dropped = load_raw_entities(a.shared)
    write_dataset(ents, a.out)
    manifest = [l.split("\t") for l in (a.shared / "MANIFEST.tsv").read_text().splitlines()[1:] if l.strip()]
    lines = ["# Provenance of the derived hourly dataset", "",
             f"Derived by `python -m demand_forecaster.prepare --shared <traces>` from the shared raw traces (read only).",
             f"Dataset sha256 (hourly.csv.gz + entities.json): `{dataset_sha256(a.out)}`", "",
             "Files: `hourly.csv.gz` (entity, hour = epoch hours UTC, cpu vCPU, memory GiB, storage MB/s, network Mbit/s;"
             " empty = missing, never zero) and `entities.json` (account type, applications, split, source).",
             "Resampling: mean of the raw samples whose timestamp falls in each whole UTC hour; an hour without a sample "
             "is missing. Unit mapping: see `src/demand_forecaster/data.py` (module docstring) and `../README.md`.", "",
             "## Sources and licences", ""]
    for repo, lic in LICENCES.items():
        commits = sorted({r[5] for r in manifest if r[4] == repo})
        lines.append(f"- `{repo}` @ {', '.join(commits)}: {lic}")
    lines += ["", "## Split (by entity; training entities are additionally split by time: last 168 h = validation)", "",
              f"- test (held out, never trained or tuned on): {', '.join(TEST_ENTITIES)}",
              f"- validation: {', '.join(VALIDATION_ENTITIES)}", "- train: all others", "",
              "## Entities", "", "| id | type | split | hours | metrics | source |", "|---|---|---|---|---|---|"]
    for e in ents:
        ms = [m for m in METRICS if np.isfinite(e.values[m]).any()]
        lines.append(f"| {e.id} | {e.account_type} | {e.split} | {e.length} | {' '.join(ms)} | {e.source} |")
    lines += ["", "Not used: " + ("; ".join(dropped) or "none"), "",
              "## Raw files (sha256 verified against the shared MANIFEST.tsv at prepare time)", "",
              "| file | sha256 | repo | commit |", "|---|---|---|---|"]
    for r in manifest:
        p = a.shared / r[0]
        actual = hashlib.sha256(p.read_bytes()).hexdigest()
        if actual != r[2]:
            raise SystemExit(f"sha256 mismatch for {r[0]}")
        lines.append(f"| {r[0]} | {r[2]} | {r[4]} | {r[5][:12]} |")
    (a.out / "PROVENANCE.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {len(ents)} entities to {a.out} (sha256 {dataset_sha256(a.out)})")


if __name__ == "__main__":
    main()
