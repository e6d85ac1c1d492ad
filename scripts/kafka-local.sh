#!/usr/bin/env bash
# A real Apache Kafka broker (KRaft, combined broker+controller) on loopback, from Maven Central jars.
#   kafka-local.sh fetch   copy the broker's classpath into .kafka-local/lib/<version> (idempotent)
#   kafka-local.sh start   fetch, format fresh storage, start, wait until it answers; prints the address
#   kafka-local.sh stop    stop the broker by its pid
#   kafka-local.sh status  exit 0 when running
# Env: KAFKA_VERSION (4.1.1), KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_LOG_LEVEL (WARN)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="${KAFKA_VERSION:-4.1.1}"
port="${KAFKA_PORT:-9092}"
cport="${KAFKA_CONTROLLER_PORT:-9093}"
home="$root/.kafka-local"
lib="$home/lib/$version"
run="$home/run"
pidfile="$home/kafka.pid"

fetch() {
  if [ -f "$lib/.complete" ]; then return 0; fi
  echo "kafka-local: fetching Apache Kafka $version jars from Maven Central"
  mkdir -p "$lib"
  mvn -q -B -f "$root/scripts/kafka/pom.xml" -Dkafka.version="$version" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$lib"
  touch "$lib/.complete"
}

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  fetch
  if running; then echo "kafka-local: already running on 127.0.0.1:$port (pid $(cat "$pidfile"))"; return 0; fi
  for p in "$port" "$cport"; do
    if port_taken "$p"; then echo "kafka-local: port $p is taken; set KAFKA_PORT/KAFKA_CONTROLLER_PORT" >&2; exit 1; fi
  done
  rm -rf "$run"; mkdir -p "$run/data"
  sed -e "s#@PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$cport#g" -e "s#@DATA_DIR@#$run/data#g" \
    "$root/scripts/kafka/server.properties" > "$run/server.properties"
  sed -e "s#@LEVEL@#${KAFKA_LOG_LEVEL:-WARN}#g" "$root/scripts/kafka/log4j2.properties" > "$run/log4j2.properties"
  local cp="$lib/*"
  local jvm=(-Xms256m -Xmx512m -XX:+UseG1GC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true
             "-Dlog4j2.configurationFile=$run/log4j2.properties" "-Dkafka.logs.dir=$run")
  local cluster_id
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | cut -c1-22)"
  java "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$cluster_id" -c "$run/server.properties" \
    > "$run/format.out" 2>&1 || { cat "$run/format.out" >&2; exit 1; }
  nohup java "${jvm[@]}" -cp "$cp" kafka.Kafka "$run/server.properties" > "$run/kafka.out" 2>&1 &
  echo $! > "$pidfile"
  local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-120}))
  until grep -q "Kafka Server started" "$run/kafka.out" 2>/dev/null && port_taken "$port"; do
    if ! running; then echo "kafka-local: broker exited during start:" >&2; tail -n 80 "$run/kafka.out" >&2; exit 1; fi
    if [ "$SECONDS" -ge "$deadline" ]; then echo "kafka-local: not ready after timeout" >&2; tail -n 80 "$run/kafka.out" >&2; stop; exit 1; fi
    sleep 0.5
  done
  echo "kafka-local: ready on 127.0.0.1:$port (Kafka $version, pid $(cat "$pidfile"))"
}

stop() {
  if ! running; then rm -f "$pidfile"; echo "kafka-local: not running"; return 0; fi
  local pid; pid="$(cat "$pidfile")"
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$pidfile"
  echo "kafka-local: stopped"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) running ;;
  *) echo "usage: $0 fetch|start|stop|status" >&2; exit 2 ;;
esac
