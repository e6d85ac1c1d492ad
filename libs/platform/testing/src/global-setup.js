// Jest globalSetup for the integration tier: finds a real Kafka broker and hands its address to the tests
// through KAFKA_BROKERS. Order: KAFKA_BROKERS when set; a testcontainers Kafka where a Docker engine answers;
// otherwise the project's local broker (scripts/kafka-local.sh). No broker = the run fails; it never skips.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '../../../..');
const KEY = Symbol.for('clonecast.testing.broker');

async function dockerAnswers() {
  try {
    const { getContainerRuntimeClient } = require('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

module.exports = async function globalSetup() {
  if (process.env.KAFKA_BROKERS) {
    console.log(`\n[broker] using KAFKA_BROKERS=${process.env.KAFKA_BROKERS}`);
    return;
  }
  if (await dockerAnswers()) {
    const { KafkaContainer } = require('@testcontainers/kafka');
    const container = await new KafkaContainer('confluentinc/cp-kafka:8.2.0').withKraft().start();
    process.env.KAFKA_BROKERS = `${container.getHost()}:${container.getMappedPort(9093)}`;
    globalThis[KEY] = { stop: () => container.stop() };
    console.log(`\n[broker] testcontainers Kafka at ${process.env.KAFKA_BROKERS}`);
    return;
  }
  const script = path.join(root, 'scripts/kafka-local.sh');
  let startedHere = false;
  try {
    execFileSync('bash', [script, 'status'], { stdio: 'ignore' });
  } catch {
    execFileSync('bash', [script, 'start'], { stdio: 'inherit' });
    startedHere = true;
  }
  process.env.KAFKA_BROKERS = `127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`;
  if (startedHere) globalThis[KEY] = { stop: async () => execFileSync('bash', [script, 'stop'], { stdio: 'inherit' }) };
  console.log(`\n[broker] local Apache Kafka at ${process.env.KAFKA_BROKERS}`);
};

module.exports.teardown = async function globalTeardown() {
  const started = globalThis[KEY];
  if (started) await started.stop();
};
