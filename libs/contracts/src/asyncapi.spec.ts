import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildAsyncApiDocument, renderAsyncApiDocument, topicKeyFields } from './asyncapi';
import { allTopics, topics, type TopicKey } from './topics';

const COMMITTED = path.join(__dirname, '..', 'asyncapi.json');

interface Document {
  asyncapi: string;
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  operations: Record<string, { action: 'send' | 'receive'; channel: { $ref: string } }>;
  components: { messages: Record<string, { payload: unknown; bindings: { kafka: { key: { description: string } } } }> };
}

const document = buildAsyncApiDocument() as Document;

function collectRefs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(collectRefs);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner] : collectRefs(inner),
  );
}

function resolvePointer(root: unknown, ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, token) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[token] : undefined), root);
}

describe('AsyncAPI document', () => {
  it('matches the committed libs/contracts/asyncapi.json', () => {
    const committed = existsSync(COMMITTED) ? readFileSync(COMMITTED, 'utf8') : '';
    const status = committed === renderAsyncApiDocument() ? 'up to date' : 'stale: run `npm run asyncapi` and commit libs/contracts/asyncapi.json';
    expect(status).toBe('up to date');
  });

  it('is AsyncAPI 3.0.0 with a channel, a DLQ channel and send/receive operations per topic', () => {
    expect(document.asyncapi).toBe('3.0.0');
    const addresses = Object.values(document.channels).map((channel) => channel.address).sort();
    expect(addresses).toEqual(allTopics.flatMap((topic) => [topic.name, topic.dlq]).sort());

    const actionsByChannel = new Map<string, string[]>();
    for (const operation of Object.values(document.operations)) {
      const actions = actionsByChannel.get(operation.channel.$ref) ?? [];
      actionsByChannel.set(operation.channel.$ref, [...actions, operation.action].sort());
    }
    for (const id of Object.keys(document.channels)) expect(actionsByChannel.get(`#/channels/${id}`)).toEqual(['receive', 'send']);
  });

  it('resolves every $ref inside the document', () => {
    const dangling = [...new Set(collectRefs(document))].filter((ref) => !ref.startsWith('#/') || resolvePointer(document, ref) === undefined);
    expect(dangling).toEqual([]);
  });

  it('describes each envelope with a strict JSON Schema and its Kafka key', () => {
    for (const [id, topic] of Object.entries(topics) as [TopicKey, (typeof topics)[TopicKey]][]) {
      const message = document.components.messages[id];
      expect(message?.payload).toMatchObject({
        type: 'object',
        additionalProperties: false,
        required: expect.arrayContaining(['id', 'type', 'version', 'source', 'occurredAt', 'requestId', 'data']),
        properties: { type: { const: topic.type }, version: { const: topic.version } },
      });
      for (const field of topicKeyFields[id]) expect(message?.bindings.kafka.key.description).toContain(`{data.${field}}`);
    }
  });
});
