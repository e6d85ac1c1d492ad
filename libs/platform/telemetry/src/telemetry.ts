import { context, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace';

// The SDK lives on globalThis: the instrumentation entry and the application are separate bundles.
const SDK_KEY = Symbol.for('clonecast.telemetry.sdk');
type Holder = { [SDK_KEY]?: NodeSDK };

/**
 * Starts the OpenTelemetry Node SDK. Call it from the service's instrumentation entry, which is loaded
 * with `node --require` before any application module. Exporters come from the standard OTEL_* variables
 * (OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL incl. http/json,
 * OTEL_SDK_DISABLED, ...); only the service name and W3C propagation are set here.
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): void {
  const holder = globalThis as Holder;
  if (holder[SDK_KEY]) return;
  env['OTEL_SERVICE_NAME'] ??= serviceName;
  // Only traces leave the process by default: metrics are scraped from /metrics, logs go to stdout.
  env['OTEL_METRICS_EXPORTER'] ??= 'none';
  env['OTEL_LOGS_EXPORTER'] ??= 'none';
  // With no exporter, spans still get real ids: request ids in logs and CLI output name a trace.
  const exportsNothing = (env['OTEL_TRACES_EXPORTER'] ?? 'otlp').split(',').every((e) => e.trim() === 'none');
  const sdk = new NodeSDK({
    serviceName: env['OTEL_SERVICE_NAME'],
    textMapPropagator: new W3CTraceContextPropagator(),
    instrumentations: [],
    ...(exportsNothing ? { spanProcessors: [new NoopSpanProcessor()] } : {}),
  });
  sdk.start();
  holder[SDK_KEY] = sdk;
}

/** Flushes and stops the SDK (no-op when it was never started). */
export async function shutdownTelemetry(): Promise<void> {
  const holder = globalThis as Holder;
  const sdk = holder[SDK_KEY];
  if (!sdk) return;
  delete holder[SDK_KEY];
  await sdk.shutdown();
}

/** Trace id of the active span, if any. */
export function activeTraceId(): string | undefined {
  const span = trace.getSpan(context.active());
  const id = span?.spanContext().traceId;
  return id && id !== '00000000000000000000000000000000' ? id : undefined;
}
