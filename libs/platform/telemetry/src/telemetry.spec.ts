import http from 'node:http';
import { AddressInfo } from 'node:net';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { activeTraceId, shutdownTelemetry, startTelemetry } from './telemetry';

interface OtlpJson {
  resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: { traceId: string; name: string }[] }[] }[];
}

describe('telemetry', () => {
  it('exports spans as OTLP/HTTP JSON to the endpoint given by the standard variables, with the service name', async () => {
    const received: OtlpJson[] = [];
    const contentTypes: string[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        contentTypes.push(String(req.headers['content-type']));
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpJson);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const env: NodeJS.ProcessEnv = {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
    };
    Object.assign(process.env, env);
    try {
      startTelemetry('telemetry-spec', process.env);
      const span = trace.getTracer('spec').startSpan('unit-of-work', { kind: SpanKind.INTERNAL });
      let seen: string | undefined;
      context.with(trace.setSpan(context.active(), span), () => {
        seen = activeTraceId();
        const headers: Record<string, string> = {};
        propagation.inject(context.active(), headers);
        expect(headers['traceparent']).toMatch(new RegExp(`^00-${span.spanContext().traceId}-[0-9a-f]{16}-01$`));
      });
      span.end();
      expect(seen).toBe(span.spanContext().traceId);
      await shutdownTelemetry();
      expect(contentTypes[0]).toContain('application/json');
      const spans = received.flatMap((r) => r.resourceSpans);
      const names = spans.flatMap((rs) => rs.scopeSpans.flatMap((s) => s.spans.map((x) => x.name)));
      expect(names).toContain('unit-of-work');
      const serviceNames = spans.flatMap((rs) => rs.resource.attributes.filter((a) => a.key === 'service.name').map((a) => a.value.stringValue));
      expect(serviceNames).toContain('telemetry-spec');
    } finally {
      for (const key of Object.keys(env)) delete process.env[key];
      server.close();
    }
  });
});
