import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { allTopics, topicByName, type TopicDescriptor } from '@clonecast/contracts';
import { replayTopics } from '@clonecast/platform/messaging';
import { UsageError } from '../cli-error';
import { kafkaContext } from '../kafka';
import { parseNumberOption, printJson } from '../io';

function topicArgument(name: string): TopicDescriptor {
  const topic = topicByName(name);
  if (!topic) throw new UsageError(`unknown topic "${name}"; known: ${allTopics.map((t) => t.name).join(', ')}`);
  return topic;
}

function headersOf(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k] = String(Array.isArray(v) ? v[0] : v);
  return out;
}

export function registerTopics(program: Command): void {
  program
    .command('events')
    .description('read event topics')
    .command('tail')
    .description('print the events of a topic as they arrive (one JSON envelope per line)')
    .argument('<topic>', 'e.g. clone.requested.v1')
    .option('--from-beginning', 'start at the oldest retained event', false)
    .option('--count <n>', 'stop after n events', parseNumberOption('--count', 1, 1e9, true))
    .action(async (name: string, options: { fromBeginning: boolean; count?: number }) => {
      const topic = topicArgument(name);
      const ctx = kafkaContext();
      const consumer = ctx.kafka.consumer({ groupId: `clonecast-cli-tail-${randomUUID()}` });
      await consumer.connect();
      await consumer.subscribe({ topic: ctx.names.of(topic), fromBeginning: options.fromBeginning });
      let seen = 0;
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        void consumer.run({
          eachMessage: async ({ message }) => {
            process.stdout.write(`${message.value?.toString('utf8') ?? 'null'}\n`);
            seen += 1;
            if (options.count !== undefined && seen >= options.count) stop();
          },
        });
      });
      await consumer.disconnect();
    });

  program
    .command('dlq')
    .description('inspect dead-letter topics')
    .command('list')
    .description('list what a topic dead-lettered: reason, stage, source position, original bytes')
    .argument('<topic>', 'source topic, e.g. clone.requested.v1')
    .option('--json', 'print one JSON document', false)
    .action(async (name: string, options: { json: boolean }) => {
      const topic = topicArgument(name);
      const ctx = kafkaContext();
      const rows: { reason: string; stage: string; source: string; consumerGroup: string; at: string; key: string | null; value: string }[] = [];
      await replayTopics(ctx.kafka, [ctx.names.dlqOf(topic)], ({ message }) => {
        const h = headersOf(message.headers as Record<string, unknown>);
        rows.push({
          reason: h['x-dlq-reason'] ?? '',
          stage: h['x-dlq-stage'] ?? '',
          source: `${h['x-dlq-source-topic']}[${h['x-dlq-source-partition']}]@${h['x-dlq-source-offset']}`,
          consumerGroup: h['x-dlq-consumer-group'] ?? '',
          at: h['x-dlq-at'] ?? '',
          key: message.key?.toString() ?? null,
          value: message.value?.toString('utf8') ?? '',
        });
      });
      if (options.json) return printJson({ topic: topic.dlq, count: rows.length, messages: rows });
      process.stdout.write(`${topic.dlq}: ${rows.length} message(s)\n`);
      for (const r of rows) {
        const preview = r.value.length > 80 ? `${r.value.slice(0, 77)}...` : r.value;
        process.stdout.write(`- ${r.at} ${r.source} [${r.stage}] ${r.reason}\n    ${preview}\n`);
      }
    });
}
