#!/usr/bin/env bash
# The whole pipeline on this machine, without Docker: the local Kafka broker and the five services.
#   stack.sh up     start broker + services in the background; returns when every /health is ready
#   stack.sh down   stop the services (SIGTERM: each commits its message in flight), then the broker
#   stack.sh status show each service's health
# Logs: .stack/<service>.log. Env passes through (OTEL_*, SCALING_*, KAFKA_TOPIC_PREFIX, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/node-env.sh

SERVICES=(prediction-service:3001 cost-optimization-service:3002 provisioning-service:3003 cloning-service:3004 scaling-service:3005)
STACK=.stack
mkdir -p "$STACK"

health() { node -e "fetch('http://127.0.0.1:$1/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; }
alive() { [ -f "$STACK/$1.pid" ] && kill -0 "$(cat "$STACK/$1.pid")" 2>/dev/null; }

up() {
  bash scripts/kafka-local.sh start
  node_modules/.bin/nx run-many -t build --output-style=stream-without-prefixes >/dev/null
  export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:${KAFKA_PORT:-9092}}"
  # Traces leave the process only when a collector is configured.
  if [ -z "${OTEL_EXPORTER_OTLP_ENDPOINT:-}" ]; then export OTEL_TRACES_EXPORTER="${OTEL_TRACES_EXPORTER:-none}"; fi
  for entry in "${SERVICES[@]}"; do
    name="${entry%%:*}"; port="${entry##*:}"
    if alive "$name"; then continue; fi
    HTTP_PORT="$port" SERVICE_INSTANCE_ID="${SERVICE_INSTANCE_ID:-local}" ARTIFACTS_DIR="${ARTIFACTS_DIR:-$PWD/artifacts}" \
      nohup node --disable-warning=TimeoutNegativeWarning --require "./dist/apps/$name/instrumentation.js" "dist/apps/$name/main.js" \
      > "$STACK/$name.log" 2>&1 &
    echo $! > "$STACK/$name.pid"
  done
  local deadline=$((SECONDS + ${STACK_START_TIMEOUT:-180}))
  for entry in "${SERVICES[@]}"; do
    name="${entry%%:*}"; port="${entry##*:}"
    until health "$port"; do
      if ! alive "$name"; then echo "stack: $name exited; last lines of $STACK/$name.log:" >&2; tail -n 40 "$STACK/$name.log" >&2; exit 1; fi
      if [ "$SECONDS" -ge "$deadline" ]; then echo "stack: $name not healthy in time; see $STACK/$name.log" >&2; exit 1; fi
      sleep 0.5
    done
    echo "stack: $name ready on :$port"
  done
}

down() {
  for entry in "${SERVICES[@]}"; do
    name="${entry%%:*}"
    if alive "$name"; then kill "$(cat "$STACK/$name.pid")"; fi
  done
  for entry in "${SERVICES[@]}"; do
    name="${entry%%:*}"
    for _ in $(seq 1 60); do alive "$name" || break; sleep 0.5; done
    if alive "$name"; then kill -9 "$(cat "$STACK/$name.pid")"; fi
    rm -f "$STACK/$name.pid"
  done
  echo "stack: services stopped"
  bash scripts/kafka-local.sh stop
}

status() {
  for entry in "${SERVICES[@]}"; do
    name="${entry%%:*}"; port="${entry##*:}"
    if health "$port"; then echo "$name: ready"; elif alive "$name"; then echo "$name: starting"; else echo "$name: stopped"; fi
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
