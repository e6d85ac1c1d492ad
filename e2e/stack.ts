import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');

export const SERVICES = ['prediction-service', 'cost-optimization-service', 'provisioning-service', 'cloning-service', 'scaling-service'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Spans received by a loopback OTLP/HTTP JSON endpoint. */
export class OtlpReceiver {
  readonly spans: { service: string; traceId: string; name: string }[] = [];
  private server?: http.Server;
  port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraces;
          for (const rs of body.resourceSpans ?? []) {
            const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue ?? '?';
            for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) this.spans.push({ service, traceId: s.traceId, name: s.name });
          }
        } catch {
          // not JSON: the assertion on content types will say so
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.port = (this.server?.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }
}

interface OtlpTraces {
  resourceSpans?: { resource?: { attributes?: { key: string; value?: { stringValue?: string } }[] }; scopeSpans?: { spans?: { traceId: string; name: string }[] }[] }[];
}

/** The five services as child processes, on a topic prefix of their own. */
export class Stack {
  readonly processes = new Map<ServiceName, ChildProcess>();
  readonly ports = new Map<ServiceName, number>();
  readonly logs = new Map<ServiceName, string[]>();
  readonly artifactsDir = mkdtempSync(path.join(os.tmpdir(), 'clonecast-e2e-artifacts-'));

  constructor(
    readonly prefix: string,
    private readonly otlpPort: number,
    private readonly basePort: number,
  ) {
    for (const name of SERVICES) {
      if (!existsSync(path.join(ROOT, `dist/apps/${name}/main.js`))) throw new Error(`dist/apps/${name}/main.js is missing: build first (npm run build)`);
    }
  }

  env(name: ServiceName): NodeJS.ProcessEnv {
    return {
      ...process.env,
      KAFKA_BROKERS: process.env['KAFKA_BROKERS'],
      KAFKA_TOPIC_PREFIX: this.prefix,
      HTTP_PORT: String(this.ports.get(name)),
      SERVICE_INSTANCE_ID: 'e2e',
      ARTIFACTS_DIR: this.artifactsDir,
      LOG_LEVEL: 'warn',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${this.otlpPort}`,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
  }

  start(name: ServiceName): void {
    if (!this.ports.has(name)) this.ports.set(name, this.basePort + SERVICES.indexOf(name));
    const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', '--require', `./dist/apps/${name}/instrumentation.js`, `dist/apps/${name}/main.js`], {
      cwd: ROOT,
      env: this.env(name),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = this.logs.get(name) ?? [];
    this.logs.set(name, log);
    child.stdout?.on('data', (d: Buffer) => log.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
    this.processes.set(name, child);
  }

  async healthy(name: ServiceName, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const port = this.ports.get(name);
    while (Date.now() < deadline) {
      const child = this.processes.get(name);
      if (child?.exitCode !== null && child?.exitCode !== undefined) throw new Error(`${name} exited with ${child.exitCode}:\n${this.tail(name)}`);
      try {
        const r = await fetch(`http://127.0.0.1:${port}/health`);
        if (r.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`${name} not healthy in ${timeoutMs} ms:\n${this.tail(name)}`);
  }

  async startAll(): Promise<void> {
    for (const name of SERVICES) this.start(name);
    for (const name of SERVICES) await this.healthy(name);
  }

  /** SIGKILL: no shutdown hooks, no commit; the restarted replica must recover from Kafka alone. */
  async kill(name: ServiceName): Promise<void> {
    const child = this.processes.get(name);
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.processes.values()].map(async (child) => {
        if (child.exitCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }),
    );
  }

  tail(name: ServiceName): string {
    return (this.logs.get(name) ?? []).join('').split('\n').slice(-40).join('\n');
  }

  /** Runs the built CLI against this stack's topics. */
  cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, ['--disable-warning=TimeoutNegativeWarning', 'dist/apps/cli/main.js', ...args], {
      cwd: ROOT,
      env: { ...this.env('cloning-service'), HTTP_PORT: undefined, OTEL_SERVICE_NAME: 'clonecast-cli', CLONECAST_API: `http://127.0.0.1:${this.ports.get('cloning-service')}` },
      encoding: 'utf8',
      timeout: 180_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }
}
