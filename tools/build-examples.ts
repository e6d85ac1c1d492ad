// Builds the demo inputs in examples/ from the real Bitbrains VM traces copied into data/traces/.
//   bash scripts/node.sh node tools/run-ts.mjs tools/build-examples.ts
// Conversions are documented in examples/README.md, trace provenance in data/traces/PROVENANCE.md.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  type AccountConfiguration,
  type AccountProfile,
  type UsageSample,
  METRICS,
  accountConfigurationSchema,
  accountProfileSchema,
} from '@clonecast/contracts';
import { parseHistoryCsv } from '@clonecast/prediction/domain';

const TRACE_DIR = 'data/traces/bitbrains-rnd/2013-8';
const EXAMPLES_DIR = 'examples';
const HOUR_S = 3600;

interface DemoVm {
  id: string;
  /** sha256 from the shared MANIFEST.tsv: the copy must be byte-identical to the published file. */
  sha256: string;
  /** Illustrative: the trace is anonymised and does not say what ran on the VM. */
  applications: string[];
  storageCapacityGiB: number;
}

const DEMO_VMS: readonly DemoVm[] = [
  {
    id: '417',
    sha256: '48af667abc4d89dd1fe80aa4259b21a9d9e9d62ba9ae7a690e37adb80b4faba1',
    applications: ['policy-administration', 'claims-batch-jobs'],
    storageCapacityGiB: 250,
  },
  {
    id: '220',
    sha256: '17e1f7f1d16dec1c17fb3ecf93d26c48ca3a951989482a5d5666e3493f71c240',
    applications: ['reporting-database', 'nightly-etl'],
    storageCapacityGiB: 500,
  },
];

/** One source row, in the trace's own units (see data/traces/PROVENANCE.md). */
interface TraceRow {
  epochSeconds: number;
  cores: number;
  capacityMhz: number;
  usageMhz: number;
  memoryCapacityKb: number;
  memoryUsageKb: number;
  diskReadKbps: number;
  diskWriteKbps: number;
  netRxKbps: number;
  netTxKbps: number;
}

const COLUMNS = 11;

function readTrace(file: string, expectedSha256: string): TraceRow[] {
  const bytes = readFileSync(file);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== expectedSha256) throw new Error(`${file}: sha256 ${actual} differs from the published ${expectedSha256}`);
  const lines = bytes.toString('utf8').split('\n');
  const rows: TraceRow[] = [];
  // Line 1 is the header; fields are separated by ";\t".
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const fields = line.split(';').map((field) => Number(field.trim()));
    if (fields.length !== COLUMNS || fields.some((v) => !Number.isFinite(v) || v < 0))
      throw new Error(`${file}:${i + 2}: expected ${COLUMNS} non-negative numbers, got "${line}"`);
    const [epochSeconds, cores, capacityMhz, usageMhz, , memoryCapacityKb, memoryUsageKb, diskReadKbps, diskWriteKbps, netRxKbps, netTxKbps] =
      fields as [number, number, number, number, number, number, number, number, number, number, number];
    rows.push({ epochSeconds, cores, capacityMhz, usageMhz, memoryCapacityKb, memoryUsageKb, diskReadKbps, diskWriteKbps, netRxKbps, netTxKbps });
  });
  return rows;
}

const KIB_PER_GIB = 1024 * 1024;

/** Trace units to ResourceDemand units: vCPU, GiB, MB/s, Mbit/s. */
function toSample(row: TraceRow): UsageSample {
  const mhzPerCore = row.capacityMhz / row.cores;
  return {
    timestamp: isoSeconds(row.epochSeconds),
    cpu: row.usageMhz / mhzPerCore,
    memory: row.memoryUsageKb / KIB_PER_GIB,
    storage: (row.diskReadKbps + row.diskWriteKbps) / 1000,
    network: ((row.netRxKbps + row.netTxKbps) * 8) / 1000,
  };
}

/** The header says [ms] but the values are Unix seconds. */
function isoSeconds(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** Means per UTC clock hour, stamped with the hour's start; an hour without samples is an error, not a gap. */
function hourlyMeans(rows: readonly TraceRow[]): UsageSample[] {
  const buckets = new Map<number, UsageSample[]>();
  for (const row of rows) {
    const hour = Math.floor(row.epochSeconds / HOUR_S) * HOUR_S;
    const bucket = buckets.get(hour) ?? [];
    bucket.push(toSample(row));
    buckets.set(hour, bucket);
  }
  const hours = [...buckets.keys()].sort((a, b) => a - b);
  const first = hours[0];
  const last = hours[hours.length - 1];
  if (first === undefined || last === undefined) throw new Error('trace has no rows');
  const means: UsageSample[] = [];
  for (let hour = first; hour <= last; hour += HOUR_S) {
    const samples = buckets.get(hour);
    if (!samples) throw new Error(`no sample in the hour starting ${isoSeconds(hour)}`);
    const mean: UsageSample = { timestamp: isoSeconds(hour), cpu: 0, memory: 0, storage: 0, network: 0 };
    for (const metric of METRICS) mean[metric] = samples.reduce((sum, s) => sum + s[metric], 0) / samples.length;
    means.push(mean);
  }
  return means;
}

/** Four decimals: 0.1 mvCPU, ~0.1 MiB, 0.1 kB/s, 0.1 kbit/s, far below what the trace resolves. */
function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}

function rounded(sample: UsageSample): UsageSample {
  return {
    timestamp: sample.timestamp,
    cpu: round(sample.cpu),
    memory: round(sample.memory),
    storage: round(sample.storage),
    network: round(sample.network),
  };
}

function historyCsv(samples: readonly UsageSample[]): string {
  const lines = samples.map((s) => [s.timestamp, ...METRICS.map((m) => String(s[m]))].join(','));
  return `timestamp,${METRICS.join(',')}\n${lines.join('\n')}\n`;
}

/** Pretty metadata, one usage sample per line (timestamp first): compact and diff-friendly. */
function profileJson(profile: AccountProfile): string {
  const { historicalData, events, ...head } = profile;
  const headText = JSON.stringify(head, null, 2);
  const rows = historicalData.map(
    ({ timestamp, cpu, memory, storage, network }) => `    ${JSON.stringify({ timestamp, cpu, memory, storage, network })}`,
  );
  const eventsText = JSON.stringify(events, null, 2).replace(/\n/g, '\n  ');
  return `${headText.slice(0, -2)},\n  "historicalData": [\n${rows.join(',\n')}\n  ],\n  "events": ${eventsText}\n}\n`;
}

function configuration(vm: DemoVm, rows: readonly TraceRow[]): AccountConfiguration {
  const last = rows[rows.length - 1];
  if (!last) throw new Error('trace has no rows');
  return {
    storageCapacityGiB: vm.storageCapacityGiB,
    settings: {
      // Provisioned size of the source VM at the end of the trace, from the trace's capacity columns.
      sourceVm: {
        vcpu: last.cores,
        cpuMhzPerCore: Math.round(last.capacityMhz / last.cores),
        memoryGiB: round(last.memoryCapacityKb / KIB_PER_GIB),
      },
      operatingSystem: 'linux',
      timezone: 'Europe/Amsterdam',
      applications: Object.fromEntries(vm.applications.map((app) => [app, { enabled: true }])),
      backup: { schedule: '0 1 * * *', retentionDays: 30 },
      network: { ingressPorts: [443], egress: 'nat' },
    },
  };
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`wrote ${file} (${(text.length / 1024).toFixed(0)} KiB)`);
}

function main(): void {
  for (const vm of DEMO_VMS) {
    const accountId = `bitbrains-vm-${vm.id}`;
    const rows = readTrace(path.join(TRACE_DIR, `${vm.id}.csv`), vm.sha256);

    const history = rows.map((row) => rounded(toSample(row)));
    const csv = historyCsv(history);
    // Round trip through the prediction service's reader: the demo file must be accepted as-is.
    if (parseHistoryCsv(csv).length !== history.length) throw new Error(`${accountId}: history CSV does not round-trip`);

    const profile = accountProfileSchema.parse({
      accountId,
      accountType: 'business-critical',
      applications: vm.applications,
      historicalData: hourlyMeans(rows).map(rounded),
      events: [],
    });
    const config = accountConfigurationSchema.parse(configuration(vm, rows));

    write(path.join(EXAMPLES_DIR, 'history', `${accountId}.csv`), csv);
    write(path.join(EXAMPLES_DIR, 'profiles', `${accountId}.json`), profileJson(profile));
    write(path.join(EXAMPLES_DIR, 'config', `${accountId}.json`), `${JSON.stringify(config, null, 2)}\n`);
    console.log(`  ${history.length} 5-minute rows, ${profile.historicalData.length} hourly rows`);
  }
}

main();
