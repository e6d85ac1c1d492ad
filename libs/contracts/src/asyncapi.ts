import { z } from 'zod';
import { topics, type TopicDescriptor, type TopicKey } from './topics';

/** Version of the event API as a whole; bump it with the workspace version when a contract changes. */
export const ASYNCAPI_API_VERSION = '0.1.0';

const KAFKA_BINDING_VERSION = '0.5.0';

type JsonObject = { [key: string]: unknown };

/**
 * The data fields that make up each topic's record key, joined by "/". `topic.key` is a function, so the
 * document cannot read it: fixtures.spec.ts checks these paths against `topic.key` on the golden fixtures.
 */
export const topicKeyFields: { readonly [K in TopicKey]: readonly string[] } = {
  cloneRequested: ['spec.targetAccountId'],
  demandPredicted: ['spec.targetAccountId'],
  allocationPlanned: ['spec.targetAccountId'],
  resourcesProvisioned: ['spec.targetAccountId'],
  cloneCompleted: ['spec.targetAccountId'],
  cloneFailed: ['targetAccountId'],
  usageObserved: ['accountId'],
  scalingDecided: ['accountId'],
  resourcesScaled: ['accountId'],
  accountConfig: ['accountId', 'version'],
  provisioningScheduled: ['spec.targetAccountId'],
};

/** Headers the publisher sets on every event (trace context travels here, not in the envelope). */
const eventHeadersSchema = {
  type: 'object',
  description: 'Kafka record headers of an event',
  properties: {
    'content-type': { type: 'string', const: 'application/json' },
    'ce-type': { type: 'string', description: 'the envelope type, to route without parsing the value' },
    traceparent: { type: 'string', description: 'W3C trace context of the producing span' },
    tracestate: { type: 'string', description: 'W3C trace state, when the producer has one' },
  },
};

/** Headers the consumer adds when it dead-letters a record; the original headers are kept alongside. */
const deadLetterHeadersSchema = {
  type: 'object',
  description: 'The original record headers plus the x-dlq-* headers describing the failure',
  properties: {
    'x-dlq-reason': { type: 'string', maxLength: 2000, description: 'why the record could not be processed' },
    'x-dlq-stage': {
      type: 'string',
      enum: ['decode', 'validate', 'handle'],
      description: 'decode: not JSON; validate: not a valid envelope for the topic; handle: the handler failed',
    },
    'x-dlq-source-topic': { type: 'string', description: 'broker topic the record was consumed from' },
    'x-dlq-source-partition': { type: 'string', pattern: '^\\d+$', description: 'partition of the original record' },
    'x-dlq-source-offset': { type: 'string', pattern: '^\\d+$', description: 'offset of the original record' },
    'x-dlq-consumer-group': { type: 'string', description: 'consumer group that gave up on the record' },
    'x-dlq-at': { type: 'string', format: 'date-time', description: 'when the record was dead-lettered' },
  },
  required: ['x-dlq-reason', 'x-dlq-stage', 'x-dlq-source-topic', 'x-dlq-source-partition', 'x-dlq-source-offset'],
};

function pascal(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1);
}

function keyDescription(fields: readonly string[]): string {
  return fields.map((field) => `{data.${field}}`).join('/');
}

/** Replaces every local `$ref` by the one `rename` gives, at any depth. */
function renameRefs(value: unknown, rename: (ref: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => renameRefs(item, rename));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === '$ref' && typeof inner === 'string' ? rename(inner) : renameRefs(inner, rename),
    ]),
  );
}

/**
 * JSON Schema (draft-07, the base of AsyncAPI schemas) of a topic's envelope as producers may write it.
 * Local definitions (only recursive types such as JSON values) move to components.schemas, because `$ref`s
 * inside an AsyncAPI document resolve against the whole document.
 */
function envelopePayload(id: string, topic: TopicDescriptor): { payload: JsonObject; definitions: JsonObject } {
  const generated: JsonObject = { ...z.toJSONSchema(topic.envelope, { io: 'input', unrepresentable: 'any', target: 'draft-07' }) };
  const localDefinitions = (generated['definitions'] ?? {}) as JsonObject;
  delete generated['$schema'];
  delete generated['definitions'];
  const hoistedName = (name: string): string => `${id}.${name.replace(/^_+/, '')}`;
  const rename = (ref: string): string => {
    const local = /^#\/definitions\/(.+)$/.exec(ref);
    return local?.[1] ? `#/components/schemas/${hoistedName(local[1])}` : ref;
  };
  const definitions = Object.fromEntries(
    Object.entries(localDefinitions).map(([name, schema]) => [hoistedName(name), renameRefs(schema, rename)]),
  );
  return { payload: renameRefs(generated, rename) as JsonObject, definitions };
}

export function buildAsyncApiDocument(): object {
  const channels: JsonObject = {};
  const operations: JsonObject = {};
  const messages: JsonObject = {};
  const schemas: JsonObject = { eventHeaders: eventHeadersSchema, deadLetterHeaders: deadLetterHeadersSchema };

  messages['deadLetter'] = {
    name: 'dead-letter',
    title: 'Dead letter',
    summary: 'A record a consumer could not process, kept for inspection and replay',
    contentType: 'application/octet-stream',
    headers: { $ref: '#/components/schemas/deadLetterHeaders' },
    payload: {
      type: 'string',
      format: 'binary',
      description: 'the original record value, byte for byte: not necessarily JSON nor a valid envelope',
    },
    bindings: {
      kafka: { key: { type: 'string', description: 'the original record key' }, bindingVersion: KAFKA_BINDING_VERSION },
    },
  };

  for (const [id, topic] of Object.entries(topics) as [TopicKey, TopicDescriptor][]) {
    const key = keyDescription(topicKeyFields[id]);
    const { payload, definitions } = envelopePayload(id, topic);
    Object.assign(schemas, definitions);

    messages[id] = {
      name: topic.type,
      title: topic.name,
      summary: topic.description,
      ...(topic.schema.description ? { description: topic.schema.description } : {}),
      contentType: 'application/json',
      headers: { $ref: '#/components/schemas/eventHeaders' },
      payload,
      bindings: {
        kafka: {
          key: {
            type: 'string',
            description: topic.compacted
              ? `${key}: compaction keeps the latest record per key`
              : `${key}: the events of one account share a partition and stay in order`,
          },
          bindingVersion: KAFKA_BINDING_VERSION,
        },
      },
    };

    channels[id] = {
      address: topic.name,
      title: topic.name,
      description: `${topic.description}. Record key: ${key}.${topic.compacted ? ' Compacted: the latest record per key is kept.' : ''}`,
      messages: { [id]: { $ref: `#/components/messages/${id}` } },
      bindings: {
        kafka: {
          topic: topic.name,
          ...(topic.compacted ? { topicConfiguration: { 'cleanup.policy': ['compact'] } } : {}),
          bindingVersion: KAFKA_BINDING_VERSION,
        },
      },
    };

    const dlqId = `${id}Dlq`;
    channels[dlqId] = {
      address: topic.dlq,
      title: topic.dlq,
      description:
        `Dead letters of ${topic.name}: records a consumer could not decode, validate or handle. ` +
        'The payload is the original record bytes, unchanged, under the original key; the x-dlq-* headers carry ' +
        'the reason, the stage and the source topic, partition and offset.',
      messages: { deadLetter: { $ref: '#/components/messages/deadLetter' } },
      bindings: { kafka: { topic: topic.dlq, bindingVersion: KAFKA_BINDING_VERSION } },
    };

    const channelRef = { $ref: `#/channels/${id}` };
    const messageRefs = [{ $ref: `#/channels/${id}/messages/${id}` }];
    operations[`send${pascal(id)}`] = { action: 'send', channel: channelRef, messages: messageRefs, summary: `Publish a ${topic.type} event` };
    operations[`receive${pascal(id)}`] = { action: 'receive', channel: channelRef, messages: messageRefs, summary: `Consume ${topic.type} events` };

    const dlqRef = { $ref: `#/channels/${dlqId}` };
    const dlqMessageRefs = [{ $ref: `#/channels/${dlqId}/messages/deadLetter` }];
    operations[`send${pascal(dlqId)}`] = {
      action: 'send',
      channel: dlqRef,
      messages: dlqMessageRefs,
      summary: `Dead-letter a ${topic.name} record that cannot be processed`,
    };
    operations[`receive${pascal(dlqId)}`] = {
      action: 'receive',
      channel: dlqRef,
      messages: dlqMessageRefs,
      summary: `Inspect or replay dead letters of ${topic.name}`,
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'clonecast',
      version: ASYNCAPI_API_VERSION,
      description:
        'Events of the clonecast services, which predict, cost-optimise and pre-provision cloned cloud accounts. ' +
        'Every value is a JSON envelope {id, type, version, source, occurredAt, requestId, data}; units: cpu vCPU, ' +
        'memory GiB, storage MB/s, network Mbit/s. Cross-field rules (target differs from source, forecast lengths, ' +
        '...) are enforced by the zod schemas only. Generated from libs/contracts: run `npm run asyncapi`.',
    },
    defaultContentType: 'application/json',
    servers: {
      local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'Local single-node broker (npm run kafka:start)' },
    },
    channels,
    operations,
    components: { schemas, messages },
  };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as JsonObject)[key])]),
  );
}

/** The committed libs/contracts/asyncapi.json: sorted keys so regeneration only diffs on real changes. */
export function renderAsyncApiDocument(document: object = buildAsyncApiDocument()): string {
  return `${JSON.stringify(sortKeys(document), null, 2)}\n`;
}
