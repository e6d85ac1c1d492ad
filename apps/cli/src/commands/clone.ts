import { randomUUID } from 'node:crypto';
import { context, SpanKind, trace } from '@opentelemetry/api';
import type { Command } from 'commander';
import {
  accountIdSchema,
  accountProfileSchema,
  cloneRequestedSchema,
  topics,
  type CloneCompleted,
  type CloneFailed,
  type CloneRequested,
  type Envelope,
} from '@clonecast/contracts';
import { createEnvelope, formatZodIssues } from '@clonecast/platform/messaging';
import { UsageError } from '../cli-error';
import { kafkaContext, withPublisher } from '../kafka';
import { parseNumberOption, printJson, progress, readJson } from '../io';
import { type PlacementOptions, addPlacementOptions, placementConstraints } from '../placement-options';
import { EventWatch } from '../event-watch';

export interface CloneRequestOptions extends PlacementOptions {
  profile: string;
  target?: string;
  timeframeHours: number;
  activationAt?: string;
  serviceLevel: number;
  configVersion?: number;
  wait: boolean;
  timeoutSeconds: number;
  json: boolean;
}

export interface CloneOutcome {
  requestId: string;
  status: 'completed' | 'failed' | 'pending';
  targetAccountId: string;
  expectedCost?: number;
  allocations?: CloneCompleted['allocations'];
  artifactPath?: string;
  restoredConfig?: CloneCompleted['restoredConfig'];
  traceId: string;
  stage?: string;
  code?: string;
  reason?: string;
}

/** Builds clone.requested data from the CLI options; every problem is a UsageError that names the option. */
export function buildCloneRequest(options: CloneRequestOptions, now: Date): CloneRequested {
  const profile = readJson(options.profile, accountProfileSchema, 'profile');
  const constraints = placementConstraints(options);
  const targetAccountId = options.target ?? `${profile.accountId}-clone-${randomUUID().slice(0, 6)}`;
  if (!accountIdSchema.safeParse(targetAccountId).success) throw new UsageError(`--target "${targetAccountId}" is not a valid account id`);
  const activationAt = options.activationAt ?? now.toISOString();
  if (Number.isNaN(Date.parse(activationAt))) throw new UsageError(`--activation-at "${activationAt}" is not an ISO-8601 instant`);
  const data = {
    spec: {
      sourceAccountId: profile.accountId,
      targetAccountId,
      accountType: profile.accountType,
      applications: profile.applications,
      activationAt: new Date(activationAt).toISOString(),
      timeframeHours: options.timeframeHours,
      serviceLevel: options.serviceLevel,
      constraints,
      ...(options.configVersion ? { configVersion: options.configVersion } : {}),
    },
    profile,
  };
  const parsed = cloneRequestedSchema.safeParse(data);
  if (!parsed.success) throw new UsageError(`clone request is invalid: ${formatZodIssues(parsed.error.issues)}`);
  return parsed.data;
}

export async function requestClone(options: CloneRequestOptions): Promise<CloneOutcome> {
  const data = buildCloneRequest(options, new Date());
  const ctx = kafkaContext();
  const requestId = randomUUID();
  const tracer = trace.getTracer('clonecast-cli');
  const span = tracer.startSpan('clone request', { kind: SpanKind.PRODUCER, attributes: { 'clonecast.request_id': requestId, 'clonecast.target_account': data.spec.targetAccountId } });
  const traceId = span.spanContext().traceId;
  const watch = options.wait ? await EventWatch.start(ctx, [topics.cloneCompleted, topics.cloneFailed], (e) => e.requestId === requestId) : undefined;
  try {
    const envelope = createEnvelope(topics.cloneRequested, data, { source: 'clonecast-cli', requestId });
    await context.with(trace.setSpan(context.active(), span), () => withPublisher(ctx, (p) => p.publishEnvelope(topics.cloneRequested, envelope)));
    progress(`clone.requested ${requestId}: ${data.spec.sourceAccountId} → ${data.spec.targetAccountId} (trace ${traceId})`);
    if (!watch) return { requestId, status: 'pending', targetAccountId: data.spec.targetAccountId, traceId };
    progress('waiting for the pipeline…');
    const outcome = await watch.next(options.timeoutSeconds * 1000);
    return toOutcome(requestId, traceId, data.spec.targetAccountId, outcome);
  } finally {
    span.end();
    await watch?.stop();
  }
}

function toOutcome(requestId: string, traceId: string, targetAccountId: string, event: Envelope): CloneOutcome {
  if (event.type === topics.cloneCompleted.type) {
    const d = event.data as CloneCompleted;
    return { requestId, status: 'completed', targetAccountId, expectedCost: d.expectedCost, allocations: d.allocations, artifactPath: d.artifactPath, restoredConfig: d.restoredConfig, traceId };
  }
  const d = event.data as CloneFailed;
  return { requestId, status: 'failed', targetAccountId, traceId, stage: d.stage, code: d.code, reason: d.reason };
}

export function printOutcome(outcome: CloneOutcome, json: boolean): void {
  if (json) return printJson(outcome);
  const lines = [`request     ${outcome.requestId}`, `status      ${outcome.status}`, `target      ${outcome.targetAccountId}`, `trace id    ${outcome.traceId}`];
  if (outcome.expectedCost !== undefined) lines.push(`expected    $${outcome.expectedCost.toFixed(2)} over the timeframe`);
  for (const a of outcome.allocations ?? []) {
    lines.push(`allocation  ${a.quantity} × ${a.cloud} ${a.region} ${a.instanceType} (${a.vcpu} vCPU, ${a.memoryGiB} GiB) ${a.pricingModel} @ $${a.hourlyPrice}/h, ${a.from} → ${a.to}`);
  }
  if (outcome.restoredConfig) lines.push(`config      source v${outcome.restoredConfig.sourceVersion} restored as target v${outcome.restoredConfig.targetVersion}`);
  if (outcome.artifactPath) lines.push(`terraform   ${outcome.artifactPath}`);
  if (outcome.reason) lines.push(`failed at   ${outcome.stage} (${outcome.code}): ${outcome.reason}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerClone(program: Command): void {
  const clone = program.command('clone').description('request clones and follow them');
  const request = clone
    .command('request')
    .description('publish clone.requested.v1 for an account profile')
    .requiredOption('--profile <file>', 'AccountProfile JSON (accountId, accountType, applications, historicalData, events)')
    .option('--target <accountId>', 'target account id (default: <source>-clone-<random>)')
    .option('--timeframe-hours <n>', 'forecast and plan horizon, 1..168', parseNumberOption('--timeframe-hours', 1, 168, true), 24)
    .option('--activation-at <iso>', 'when the clone goes live (default: now)')
    .option('--service-level <q>', 'demand quantile to cover, in (0.5, 1)', parseNumberOption('--service-level', 0.5000001, 0.9999999), 0.95)
    .option('--config-version <n>', 'source configuration version to restore (default: latest)', parseNumberOption('--config-version', 1, Number.MAX_SAFE_INTEGER, true))
    .option('--wait', 'follow the saga until it completes or fails', false)
    .option('--timeout-seconds <n>', 'how long --wait waits', parseNumberOption('--timeout-seconds', 1, 86_400), 120)
    .option('--json', 'print one JSON document', false);
  addPlacementOptions(request).action(async (options: CloneRequestOptions) => {
    const outcome = await requestClone(options);
    printOutcome(outcome, options.json);
    if (outcome.status === 'failed') process.exitCode = 1;
  });

  clone
    .command('status')
    .description("show a clone request's saga (asks cloning-service over HTTP)")
    .argument('<requestId>')
    .option('--api <url>', 'cloning-service base URL', process.env['CLONECAST_API'] ?? 'http://127.0.0.1:3004')
    .action(async (requestId: string, options: { api: string }) => {
      let response: Response;
      try {
        response = await fetch(`${options.api.replace(/\/$/, '')}/clones/${encodeURIComponent(requestId)}`);
      } catch (error) {
        throw new UsageError(`cannot reach cloning-service at ${options.api}: ${(error as Error).message}`);
      }
      const body = (await response.json()) as unknown;
      if (response.status === 404) throw new UsageError(`no clone request ${requestId}`);
      if (!response.ok) throw new Error(`cloning-service answered ${response.status}: ${JSON.stringify(body)}`);
      printJson(body);
    });
}
