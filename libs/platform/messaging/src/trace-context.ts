import { context, Context, propagation, TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';

export type KafkaHeaders = IHeaders;

const setter: TextMapSetter<KafkaHeaders> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

const getter: TextMapGetter<KafkaHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  },
};

/** Writes the W3C trace context of `ctx` into Kafka headers so the next service joins the same trace. */
export function injectTraceContext(headers: KafkaHeaders, ctx: Context = context.active()): KafkaHeaders {
  propagation.inject(ctx, headers, setter);
  return headers;
}

export function extractTraceContext(headers: KafkaHeaders | undefined): Context {
  return propagation.extract(context.active(), headers ?? {}, getter);
}
