"""Loading the shared raw traces into hourly per-entity series in ResourceDemand units.

Raw loaders (``load_raw_entities``) are only used by ``prepare``; training and evaluation read the lean
derived dataset in ``models/demand-forecaster/data`` through ``load_dataset``.

Unit mapping (ResourceDemand: cpu vCPU, memory GiB, storage MB/s, network Mbit/s; KB = 1024 B, MB = 10^6 B):

* Bitbrains: cpu = CPU usage [MHz] / (capacity [MHz] / cores); memory = usage [KB] / 2^20;
  storage = (disk read + write [KB/s]) * 1024 / 1e6; network = (rx + tx [KB/s]) * 1024 * 8 / 1e6.
* NAB CloudWatch (one metric per file, grouped into entities by instance suffix): CPU % -> cpu = % / 100 (vCPU of an
  assumed 1-vCPU instance: the core count is not in the data); DiskWriteBytes per 5-min period -> storage = bytes / 300
  / 1e6 (writes only); NetworkIn bytes per period -> network = bytes * 8 / 300 / 1e6 (inbound only). The ELB request
  count is not a resource metric and is dropped. Metrics a file does not carry are missing (NaN), never zero.
* Datacenter aggregates are fleet entities in *relative* units (the sources give normalised or unit-less figures):
  the model only sees scale-normalised values, so only the shape is used; their absolute levels are not ResourceDemand
  and they are excluded from the absolute scale priors of non-fleet account types.
  - Alibaba 2018: cpu = cpu_util_percent / 100, memory = mem_util_percent / 100, storage = disk_io_percent / 100,
    network = (net_in + net_out) / 100. Only trace days 3-8 are kept (day 2 lost ~5 h without a marker, so rows before
    day 3 cannot be placed in time). Synthetic start 2018-01-03T00:00Z (the trace has no absolute date).
  - Google 2019: cpu = avg_cpu, memory = avg_mem (Google's normalised units); storage, network missing.
    Start 2019-05-01T00:00Z (start of the May 2019 trace; zone not stated by the source).
  - Azure 2019 (V2): cpu = cpu_usage / 1e6, memory = assigned_mem / 1e6 (assigned, not used); storage, network missing.
    Synthetic start 2019-01-07T00:00Z (dates anonymised).
"""
from __future__ import annotations

import csv
import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import HOUR_MS, METRICS

PACKAGE_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PACKAGE_ROOT / "data"


@dataclass
class Entity:
    id: str
    source: str
    account_type: str
    applications: list[str]
    start_ms: int  # first hour, epoch ms (whole UTC hour)
    values: dict[str, np.ndarray]  # metric -> float64 [T], NaN = gap / metric absent
    split: str = "train"
    notes: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def length(self) -> int:
        return len(next(iter(self.values.values())))


# Held-out entities are fixed here (never used for training, tuning or calibration).
TEST_ENTITIES = (
    "bb-16", "bb-88", "bb-220", "bb-310", "bb-393", "bb-436", "bb-473", "bb-334",
    "nab-825cc2", "nab-e47b3b", "nab-asg-misconfiguration",
    "fleet-google2019",
)
# Validation entities: model-family selection, early stopping, cold-start widening calibration.
VALIDATION_ENTITIES = (
    "bb-3", "bb-105", "bb-245", "bb-402", "bb-468",
    "nab-ac20cd", "nab-257a54",
)


def split_of(entity_id: str) -> str:
    if entity_id in TEST_ENTITIES:
        return "test"
    if entity_id in VALIDATION_ENTITIES:
        return "validation"
    return "train"


def hourly_mean(times_ms: np.ndarray, values: np.ndarray) -> tuple[int, np.ndarray]:
    """Mean of the samples whose timestamp falls in each whole UTC hour; NaN where no sample."""
    order = np.argsort(times_ms, kind="stable")
    times_ms, values = times_ms[order], values[order]
    hours = times_ms // HOUR_MS
    start = int(hours[0])
    idx = (hours - start).astype(np.int64)
    n = int(idx[-1]) + 1
    ok = np.isfinite(values)
    sums = np.bincount(idx[ok], weights=values[ok], minlength=n)
    counts = np.bincount(idx[ok], minlength=n)
    out = np.full(n, np.nan)
    has = counts > 0
    out[has] = sums[has] / counts[has]
    return start * HOUR_MS, out


def _align(parts: dict[str, tuple[int, np.ndarray]]) -> tuple[int, dict[str, np.ndarray]]:
    start = min(s for s, _ in parts.values())
    end = max(s + len(v) * HOUR_MS for s, v in parts.values())
    n = (end - start) // HOUR_MS
    out = {m: np.full(n, np.nan) for m in METRICS}
    for m, (s, v) in parts.items():
        off = (s - start) // HOUR_MS
        out[m][off:off + len(v)] = v
    return start, out


def _load_bitbrains(root: Path) -> list[Entity]:
    base = root / "bitbrains-rnd"
    ids = sorted({p.stem for p in base.glob("*/*.csv")}, key=int)
    entities = []
    for vm in ids:
        rows = []
        for month in ("2013-7", "2013-8", "2013-9"):
            f = base / month / f"{vm}.csv"
            if not f.exists():
                continue
            with open(f) as fh:
                next(fh)
                for line in fh:
                    parts = [p.strip() for p in line.split(";")]
                    if len(parts) >= 11:
                        rows.append([float(p) for p in parts[:11]])
        a = np.asarray(rows)
        t = (a[:, 0] * 1000).astype(np.int64)  # header says ms, values are seconds
        cores, cap_mhz, use_mhz = a[:, 1], a[:, 2], a[:, 3]
        cpu = np.where(cap_mhz > 0, use_mhz / (cap_mhz / np.maximum(cores, 1)), np.nan)
        mem = a[:, 6] / 2**20
        storage = (a[:, 7] + a[:, 8]) * 1024 / 1e6
        network = (a[:, 9] + a[:, 10]) * 1024 * 8 / 1e6
        parts = {m: hourly_mean(t, v) for m, v in zip(METRICS, (cpu, mem, storage, network))}
        start, vals = _align(parts)
        entities.append(Entity(
            id=f"bb-{vm}", source=f"bitbrains-rnd/*/{vm}.csv", account_type="business-critical",
            applications=[], start_ms=start, values=vals,
            extra={"cpuCores": float(np.median(cores)), "memoryProvisionedGiB": float(np.median(a[:, 5]) / 2**20)},
        ))
    return entities


_NAB_KIND = {
    "ec2_cpu_utilization": ("cpu", lambda v: v / 100.0),
    "rds_cpu_utilization": ("cpu", lambda v: v / 100.0),
    "ec2_disk_write_bytes": ("storage", lambda v: v / 300.0 / 1e6),
    "ec2_network_in": ("network", lambda v: v * 8 / 300.0 / 1e6),
}


def _read_nab(path: Path) -> tuple[np.ndarray, np.ndarray]:
    ts, vs = [], []
    with open(path) as fh:
        r = csv.reader(fh)
        next(r)
        for t, v in r:
            ts.append(np.datetime64(t.replace(" ", "T"), "ms").astype(np.int64))
            vs.append(float(v))
    return np.asarray(ts, dtype=np.int64), np.asarray(vs)


def _load_nab(root: Path) -> tuple[list[Entity], list[str]]:
    base = root / "nab-aws-cloudwatch"
    groups: dict[str, dict] = {}
    dropped = []
    for f in sorted(base.glob("real*/*.csv")):
        name = f.stem
        m = re.match(r"^(ec2_cpu_utilization|rds_cpu_utilization|ec2_disk_write_bytes|ec2_network_in)_([0-9a-f]+)$", name)
        if m:
            metric, conv = _NAB_KIND[m.group(1)]
            eid = f"nab-{m.group(2)}"
            atype, apps = ("database", ["database"]) if m.group(1).startswith("rds") else ("other", [])
        elif name == "grok_asg_anomaly":
            metric, conv, eid, atype, apps = "cpu", lambda v: v / 100.0, "nab-grok-asg", "web", ["web"]
        elif name == "cpu_utilization_asg_misconfiguration":
            metric, conv, eid, atype, apps = "cpu", lambda v: v / 100.0, "nab-asg-misconfiguration", "web", ["web"]
        elif name == "ec2_request_latency_system_failure":
            metric, conv, eid, atype, apps = "cpu", lambda v: v / 100.0, "nab-ec2-system-failure", "other", []
        elif name.startswith("iio_") and name.endswith("NetworkIn"):
            metric, conv, eid, atype, apps = "network", lambda v: v * 8 / 300.0 / 1e6, "nab-i-a2eb1cd9", "other", []
        else:
            dropped.append(f"{f.parent.name}/{f.name}: not a ResourceDemand metric")
            continue
        t, v = _read_nab(f)
        g = groups.setdefault(eid, {"parts": {}, "files": [], "type": atype, "apps": apps})
        g["parts"][metric] = hourly_mean(t, conv(v))
        g["files"].append(f"{f.parent.name}/{f.name}")
    out = []
    for eid, g in sorted(groups.items()):
        start, vals = _align(g["parts"])
        out.append(Entity(id=eid, source=", ".join(g["files"]), account_type=g["type"], applications=g["apps"],
                          start_ms=start, values=vals))
    return out, dropped


def _regular(start_iso: str, cols: dict[str, np.ndarray]) -> tuple[int, dict[str, np.ndarray]]:
    start = int(np.datetime64(start_iso, "ms").astype(np.int64))
    n = len(next(iter(cols.values())))
    t = start + np.arange(n, dtype=np.int64) * 300_000
    parts = {m: hourly_mean(t, v) for m, v in cols.items()}
    return _align(parts)


def _read_csv_cols(path: Path) -> dict[str, np.ndarray]:
    with open(path) as fh:
        r = csv.reader(fh)
        header = next(r)
        rows = [[float(x) if x else np.nan for x in row] for row in r]
    a = np.asarray(rows)
    return {h: a[:, i] for i, h in enumerate(header)}


def _load_fleets(root: Path) -> list[Entity]:
    base = root / "datacenter-aggregates"
    out = []
    c = _read_csv_cols(base / "alibaba2018/machine_usage_days_1_to_8_grouped_300_seconds.csv")
    first = 288 + 226  # day 1 full, day 2 truncated: keep days 3..8
    start, vals = _regular("2018-01-03T00:00", {
        "cpu": c["cpu_util_percent"][first:] / 100, "memory": c["mem_util_percent"][first:] / 100,
        "storage": c["disk_io_percent"][first:] / 100, "network": (c["net_in"][first:] + c["net_out"][first:]) / 100,
    })
    out.append(Entity("fleet-alibaba2018", "datacenter-aggregates/alibaba2018", "fleet", ["web", "batch"], start, vals,
                      notes="relative units; synthetic date; days 3-8 only"))
    c = _read_csv_cols(base / "google2019/instance_usage_grouped_300_seconds_month.csv")
    start, vals = _regular("2019-05-01T00:00", {"cpu": c["avg_cpu"], "memory": c["avg_mem"]})
    out.append(Entity("fleet-google2019", "datacenter-aggregates/google2019", "fleet", ["batch", "web"], start, vals,
                      notes="Google normalised units"))
    c = _read_csv_cols(base / "azure_v2/vm_cpu_readings_month_aggregated_cpu_mem.csv")
    start0 = int(np.datetime64("2019-01-07T00:00", "ms").astype(np.int64))
    t = start0 + (c["timestamp"] * 1000).astype(np.int64)
    parts = {"cpu": hourly_mean(t, c["cpu_usage"] / 1e6), "memory": hourly_mean(t, c["assigned_mem"] / 1e6)}
    start, vals = _align(parts)
    out.append(Entity("fleet-azure2019", "datacenter-aggregates/azure_v2", "fleet", [], start, vals,
                      notes="relative units; synthetic date; memory = assigned"))
    return out


def load_raw_entities(shared: Path) -> tuple[list[Entity], list[str]]:
    shared = Path(shared)
    bb = _load_bitbrains(shared)
    nab, dropped = _load_nab(shared)
    fleets = _load_fleets(shared)
    ents = bb + nab + fleets
    for e in ents:
        e.split = split_of(e.id)
        for m in METRICS:  # never negative
            v = e.values[m]
            v[v < 0] = 0.0
    return ents, dropped


# ---------------------------------------------------------------- lean derived dataset

def write_dataset(entities: list[Entity], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(out_dir / "hourly.csv.gz", "wb", mtime=0) as gz:
        lines = ["entity,hour," + ",".join(METRICS)]
        for e in entities:
            hours = e.start_ms // HOUR_MS + np.arange(e.length)
            cols = [e.values[m] for m in METRICS]
            for i, h in enumerate(hours):
                vals = ["" if not np.isfinite(c[i]) else f"{c[i]:.6g}" for c in cols]
                lines.append(f"{e.id},{int(h)}," + ",".join(vals))
        gz.write(("\n".join(lines) + "\n").encode())
    meta = [{"id": e.id, "source": e.source, "accountType": e.account_type, "applications": e.applications,
             "split": e.split, "startMs": e.start_ms, "hours": e.length,
             "metrics": [m for m in METRICS if np.isfinite(e.values[m]).any()], "notes": e.notes, **e.extra}
            for e in entities]
    (out_dir / "entities.json").write_text(json.dumps(meta, indent=1) + "\n")


def load_dataset(data_dir: Path = DATA_DIR) -> list[Entity]:
    meta = json.loads((Path(data_dir) / "entities.json").read_text())
    by_id = {m["id"]: m for m in meta}
    rows: dict[str, list] = {m["id"]: [] for m in meta}
    with gzip.open(Path(data_dir) / "hourly.csv.gz", "rt") as fh:
        next(fh)
        for line in fh:
            p = line.rstrip("\n").split(",")
            rows[p[0]].append([float(p[1])] + [float(x) if x else np.nan for x in p[2:6]])
    out = []
    for eid, r in rows.items():
        a = np.asarray(r)
        m = by_id[eid]
        vals = {mt: a[:, i + 1].copy() for i, mt in enumerate(METRICS)}
        out.append(Entity(eid, m["source"], m["accountType"], m["applications"], m["startMs"], vals, m["split"],
                          m.get("notes", "")))
    return out


def dataset_sha256(data_dir: Path = DATA_DIR) -> str:
    import hashlib
    h = hashlib.sha256()
    for name in ("hourly.csv.gz", "entities.json"):
        h.update((Path(data_dir) / name).read_bytes())
    return h.hexdigest()
