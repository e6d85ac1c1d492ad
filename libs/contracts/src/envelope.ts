import { z } from 'zod';
import { isoInstant } from './core';

/**
 * Every message is an envelope. W3C trace context travels in Kafka headers, not here.
 * `requestId` correlates everything that one clone request causes (for usage/config events it is the
 * producer's own correlation id).
 */
export function envelopeSchema<T extends string, V extends number, D extends z.ZodType>(type: T, version: V, data: D) {
  return z
    .object({
      id: z.uuid().describe('event id; consumers are idempotent on it'),
      type: z.literal(type),
      version: z.literal(version),
      source: z.string().min(1).describe('producing service or tool'),
      occurredAt: isoInstant,
      requestId: z.string().min(1).max(128).describe('correlation id of the clone request'),
      data,
    })
    .strict();
}

/** The fields every envelope has, whatever its data: used to route and to dedupe before full validation. */
export const envelopeHeadSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().min(1),
  source: z.string().min(1),
  occurredAt: isoInstant,
  requestId: z.string().min(1),
  data: z.unknown(),
});
export type EnvelopeHead = z.infer<typeof envelopeHeadSchema>;
