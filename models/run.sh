#!/usr/bin/env bash
# bash models/run.sh <prepare|train|evaluate|test|vectors|reexport|synthetic-accounts|headroom> [args...]
#   prepare  [--shared DIR]   derive data/ from the shared raw traces (default /work/shared/data/traces or ../shared)
#   train    [--version vN] [--spec v1|v2|v3] [--head mix|regime]  train + export a new version dir (default: next
#                             vN, featureSpec v3, head mix = v3's), then evaluate it with the peers; the served v4:
#                             train --version v4 --head regime
#   evaluate [--version vN]   held-out backtest of the newest (or given) version vs baseline and peers
#   test                      pytest
#   vectors  [--version vN]   regenerate test-vectors/*.json
#   reexport --version vN     regime head: model.onnx again from weights.npz (no retraining), manifest sha256, then
#                             evaluate, vectors and card as after train
#   synthetic-accounts [--accounts N] [--weight W] [--gate]   experiment: v4's head trained with N synthetic
#                             multi-VM accounts added (synthetic_accounts.py), scored on the selection windows
#   headroom [--version v4]   analysis: hindsight oracles on the selection windows (headroom.py) -> <version>/headroom.json
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
proj="$here/demand-forecaster"
py="$proj/.venv/bin/python"
export PYTHONHASHSEED=0 OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 MKL_NUM_THREADS=2
cmd="${1:-}"; shift || true
cd "$proj"
case "$cmd" in
  prepare)
    bash "$here/setup.sh"
    shared="/work/shared/data/traces"; [ -d "$shared" ] || shared="$(cd "$here/../.." && pwd)/shared/data/traces"
    if [ "${1:-}" = "--shared" ]; then shared="$2"; shift 2; fi
    "$py" -m demand_forecaster.prepare --shared "$shared" "$@" ;;
  train)
    bash "$here/setup.sh" eval
    if [ "${1:-}" = "--version" ]; then v="$2"; shift 2; else
      n=$(ls -d v[0-9]* 2>/dev/null | sed 's/^v//' | sort -n | tail -1); v="v$(( ${n:-0} + 1 ))"; fi
    "$py" -m demand_forecaster.train --version "$v" "$@"
    "$py" -m demand_forecaster.evaluate --version "$v"
    "$py" -m demand_forecaster.vectors --version "$v"
    "$py" -m demand_forecaster.card --version "$v" ;;
  evaluate)
    bash "$here/setup.sh" eval
    "$py" -m demand_forecaster.evaluate "$@" ;;
  test)
    bash "$here/setup.sh"
    "$py" -m pytest -q "$@" ;;
  vectors)
    bash "$here/setup.sh"
    "$py" -m demand_forecaster.vectors "$@" ;;
  reexport)
    bash "$here/setup.sh" eval
    "$py" -m demand_forecaster.regime "$@"
    "$py" -m demand_forecaster.evaluate "$@"
    "$py" -m demand_forecaster.vectors "$@"
    "$py" -m demand_forecaster.card "$@" ;;
  synthetic-accounts)
    bash "$here/setup.sh"
    "$py" -m demand_forecaster.synthetic_accounts "$@" ;;
  headroom)
    bash "$here/setup.sh"
    "$py" -m demand_forecaster.headroom "$@" ;;
  *) sed -n '2,14p' "$here/run.sh"; exit 2 ;;
esac
