#!/usr/bin/env bash
# Creates clonecast's topics and their dead-letter topics, idempotently (auto-create is off on the broker).
# The services create the topics they touch at boot (libs/platform/messaging ensureTopics, 3 partitions,
# the broker's default replication factor), so this is optional: it creates them all up front, e.g. on a
# production cluster with more partitions and replication factor 3. Each group's internal
# clonecast.<service>.processed topic is left to its service. In docker-compose.yml:
#   docker compose --profile tools run --rm kafka-topics
# Against another cluster, set the variables below.
#   BOOTSTRAP_SERVER          a broker, host:port                                  (kafka:9092)
#   TOPIC_PREFIX              the services' KAFKA_TOPIC_PREFIX, if they use one     (none)
#   TOPIC_PARTITIONS          partitions per topic = the most consumers one group,
#                             i.e. replicas of one service, can use                (3)
#   TOPIC_REPLICATION_FACTOR  1 for a single broker, 3 in production               (1)
#   COMMAND_CONFIG            client properties file for SASL/TLS                  (none)
#   KAFKA_TOPICS              the kafka-topics command      (/opt/kafka/bin/kafka-topics.sh)
#   PARALLEL                  topics created at once; each is a JVM                (4)
set -euo pipefail

bootstrap="${BOOTSTRAP_SERVER:-kafka:9092}"
partitions="${TOPIC_PARTITIONS:-3}"
replication="${TOPIC_REPLICATION_FACTOR:-1}"
parallel="${PARALLEL:-4}"
read -r -a kafka_topics <<< "${KAFKA_TOPICS:-/opt/kafka/bin/kafka-topics.sh}"
client=(--bootstrap-server "${bootstrap}")
if [ -n "${COMMAND_CONFIG:-}" ]; then client+=(--command-config "${COMMAND_CONFIG}"); fi
# Each kafka-topics JVM makes a single admin request: a small heap and the C1 compiler start it faster.
export KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms32m -Xmx128m}"
export KAFKA_JVM_PERFORMANCE_OPTS="${KAFKA_JVM_PERFORMANCE_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"

# "<name> [kafka-topics options]"; keep in step with libs/contracts/src/topics.ts. Each gets a <name>.dlq.
specs=(
  "clone.requested.v1"
  "demand.predicted.v1"
  "allocation.planned.v1"
  "resources.provisioned.v1"
  "clone.completed.v1"
  "clone.failed.v1"
  "usage.observed.v1"
  "scaling.decided.v1"
  "resources.scaled.v1"
  "account.config.v1 --config cleanup.policy=compact"
  "provisioning.scheduled.v1 --config cleanup.policy=compact"
)
prefix="${TOPIC_PREFIX:-}"

create() {
  local name="$1"; shift
  # --if-not-exists also covers losing a race with a service that creates the same topic.
  if "${kafka_topics[@]}" "${client[@]}" --create --if-not-exists --topic "${name}" \
      --partitions "${partitions}" --replication-factor "${replication}" "$@" > /dev/null; then
    echo "kafka-topics: ${name} ok"
  else
    echo "kafka-topics: ${name} FAILED" >&2
    return 1
  fi
}

failed=0
batch=()
flush() {
  local pid
  for pid in "${batch[@]}"; do wait "${pid}" || failed=1; done
  batch=()
}
count=0
for spec in "${specs[@]}"; do
  read -r -a args <<< "${spec}"
  name="${prefix}${args[0]}"
  for topic in "${name}" "${name}.dlq"; do
    if [ "${topic}" = "${name}" ]; then create "${name}" "${args[@]:1}" & else create "${topic}" & fi
    batch+=("$!")
    count=$((count + 1))
    if [ "${#batch[@]}" -ge "${parallel}" ]; then flush; fi
  done
done
flush

if [ "${failed}" -ne 0 ]; then
  echo "kafka-topics: some topics could not be created on ${bootstrap}" >&2
  exit 1
fi
echo "kafka-topics: ${count} topics present on ${bootstrap}"
