import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import type { Envelope, TopicDescriptor } from '@clonecast/contracts';

// Namespace for ids derived from a causing event: reprocessing the same input yields the same output ids.
const DERIVED_ID_NAMESPACE = '6f1c5b52-8e0f-4d0b-9a57-2f8a4c1d9e33';

export interface EnvelopeMeta {
  source: string;
  requestId: string;
  /** Id of the event this one is a consequence of; makes the new id deterministic. */
  causationId?: string;
  /** Distinguishes several outputs of one type caused by the same event. */
  index?: number;
  now?: Date;
}

export function createEnvelope<T extends string, D>(topic: TopicDescriptor<T>, data: D, meta: EnvelopeMeta): Envelope<T, D> {
  const id = meta.causationId
    ? uuidv5(`${meta.causationId}|${topic.name}|${meta.index ?? 0}`, DERIVED_ID_NAMESPACE)
    : randomUUID();
  return {
    id,
    type: topic.type,
    version: topic.version,
    source: meta.source,
    occurredAt: (meta.now ?? new Date()).toISOString(),
    requestId: meta.requestId,
    data,
  };
}

/** Validates an outgoing envelope against its contract: a service never publishes what it would reject. */
export function encodeEnvelope(topic: TopicDescriptor, envelope: Envelope): Buffer {
  const parsed = topic.envelope.safeParse(envelope);
  if (!parsed.success) {
    throw new Error(`refusing to publish an invalid ${topic.name} event: ${formatZodIssues(parsed.error.issues)}`);
  }
  return Buffer.from(JSON.stringify(envelope));
}

export function formatZodIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 8)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
