#!/usr/bin/env bash
# Every check and test tier, in order: lint (module boundaries), typecheck, unit and contract tests,
# real-broker integration tests, and the whole-stack end-to-end test. Run after scripts/setup.sh.
# Uses KAFKA_BROKERS when set; otherwise starts the local broker (testcontainers is tried by the jest
# global setup only when neither is available) and stops it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/node-env.sh
export TZ=UTC FORCE_COLOR=0
export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=TimeoutNegativeWarning"
export NX_DAEMON=false
log="$(mktemp -t clonecast-tests.XXXXXX)"
nx() { node_modules/.bin/nx "$@" --output-style=stream-without-prefixes --skip-nx-cache; }

step() { printf '\n== %s\n' "$1"; }

step "lint (ESLint + Nx module boundaries)"
nx run-many -t lint

step "typecheck (tsc --noEmit, strict)"
node_modules/.bin/tsc -p tsconfig.json --noEmit

step "unit and contract tests"
nx run-many -t test 2>&1 | tee -a "$log"

step "model training project (pytest)"
# pytest reads any FORCE_COLOR as "force colour": plain output keeps its closing line greppable
env -u FORCE_COLOR bash models/run.sh test -p no:cacheprovider --color=no 2>&1 | tee "$log.py"
# pytest's closing line ("30 passed in 1.3s"; a failure already stopped the run) joins the count below
sed -nE 's/^([0-9]+) passed.*/Tests: \1 passed/p' "$log.py" >> "$log"
rm -f "$log.py"

started_broker=0
if [ -z "${KAFKA_BROKERS:-}" ]; then
  step "local Kafka broker"
  bash scripts/kafka-local.sh start
  started_broker=1
  export KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-9092}"
fi
cleanup() { if [ "$started_broker" = 1 ]; then bash scripts/kafka-local.sh stop >/dev/null; fi; }
trap cleanup EXIT

step "integration tests (real broker at $KAFKA_BROKERS)"
nx run-many -t integration --parallel=1 2>&1 | tee -a "$log"

step "end-to-end: five services as processes"
nx run-many -t build >/dev/null
nx run e2e:e2e 2>&1 | tee -a "$log"

# One closing line over every jest run above ("Tests: 1 failed, 2 skipped, 40 passed, 43 total").
read -r passed failed skipped < <(awk '/^Tests:/ {
    for (i = 2; i <= NF; i++) { n = $i + 0; w = $(i + 1); sub(/,$/, "", w)
      if (w == "passed") p += n; else if (w == "failed") f += n; else if (w == "skipped") s += n }
  } END { print p + 0, f + 0, s + 0 }' "$log")
rm -f "$log"
printf '\n%s passed, %s failed, %s skipped\n' "$passed" "$failed" "$skipped"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
