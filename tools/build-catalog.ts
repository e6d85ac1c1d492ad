// Builds the bundled price catalog snapshot from the shared pricing data. Run once by a human when the
// shared data changes; the output is committed and the project never reads the shared folder at run time.
//   bash scripts/node.sh node tools/run-ts.mjs tools/build-catalog.ts <shared>/data/pricing [out.json]
// Filters, quirks and sources are documented in libs/pricing/catalog/data/PROVENANCE.md.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Architecture, Cloud } from '@clonecast/contracts';
import {
  type CatalogRow,
  type CatalogSource,
  type PriceCatalog,
  priceCatalogSchema,
} from '../libs/pricing/catalog/src/schema';

const DEFAULT_OUT = 'libs/pricing/catalog/data/catalog.snapshot.json';

/** Eight regions per cloud: US east/central/west, EU (incl. the Netherlands, where the demo trace ran), Tokyo (+ Singapore on AWS). */
const REGIONS: Record<Cloud, readonly string[]> = {
  aws: ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'eu-west-2', 'ap-northeast-1', 'ap-southeast-1'],
  gcp: ['us-east1', 'us-east4', 'us-central1', 'us-west1', 'europe-west1', 'europe-west3', 'europe-west4', 'asia-northeast1'],
  azure: ['eastus', 'eastus2', 'centralus', 'westus2', 'westeurope', 'northeurope', 'germanywestcentral', 'japaneast'],
};

/** General-purpose, compute- and memory-optimised series of the two latest generations, without GPUs. */
const AWS_FAMILY = /^[mcr][67][agi]$/;
const GCP_FAMILIES = new Set(['e2', 'n2', 'n2d', 'n4', 'c4', 'c4a', 't2d']);
const GCP_ARM_FAMILIES = new Set(['c4a', 't2a', 'n4a']);
const AZURE_FAMILIES = new Set([
  'Dv5', 'Dsv5', 'Ddv5', 'Ddsv5', 'Dasv5', 'Dadsv5', 'Dpsv5', 'Dpdsv5',
  'Ev5', 'Esv5', 'Edv5', 'Edsv5', 'Easv5', 'Eadsv5', 'Epsv5',
  'Fsv2',
]);
/** Larger demand is met with several instances; the biggest sizes would only bloat the snapshot. */
const MAX_VCPU = 96;
/** A karpenter Azure price this far above the size-linear price of its series is the Cloud Services contamination. */
const AZURE_CONTAMINATION_RATIO = 1.5;
const HOURS_PER_MONTH = 730;

type Counts = Record<string, number>;
const dropped: Record<Cloud, Counts> = { aws: {}, gcp: {}, azure: {} };
function drop(cloud: Cloud, reason: string): void {
  dropped[cloud][reason] = (dropped[cloud][reason] ?? 0) + 1;
}

/** Micro-dollar precision: upstream values carry float noise (0.242703890410959) that only bloats the file. */
function roundPrice(usdPerHour: number): number {
  return Math.round(usdPerHour * 1e6) / 1e6;
}

function positivePrice(value: number | string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const price = roundPrice(Number(value));
  return Number.isFinite(price) && price > 0 ? price : null;
}

/** Spot at or above on-demand is a stale or averaged quote; treat it as unknown rather than keep a useless price. */
function spotBelow(cloud: Cloud, spot: number | null, onDemand: number): number | null {
  if (spot === null) return null;
  if (spot >= onDemand) {
    drop(cloud, 'spot price >= on-demand: spot set to null');
    return null;
  }
  return spot;
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

// ---------------------------------------------------------------- GCP

const gcpPricingSchema = z.object({
  compute: z.object({
    instance: z.record(
      z.string(),
      z.object({
        cpu: z.number(),
        ram: z.number(),
        cost: z
          .record(
            z.string(),
            z.object({
              hour: z.number().optional(),
              hour_spot: z.number().optional(),
              month_1y: z.number().optional(),
              month_3y: z.number().optional(),
            }),
          )
          .optional(),
      }),
    ),
  }),
});

function gcpRows(file: string, source: CatalogSource): CatalogRow[] {
  const pricing = gcpPricingSchema.parse(parseYaml(readFileSync(file, 'utf8')));
  const rows: CatalogRow[] = [];
  for (const [instanceType, spec] of Object.entries(pricing.compute.instance)) {
    const family = instanceType.split('-')[0] ?? instanceType;
    if (!GCP_FAMILIES.has(family) || spec.cpu > MAX_VCPU) continue;
    // Local-SSD and bare-metal variants price extra hardware; shared-core e2 types have no sustained vCPU.
    if (/-(lssd|metal)$/.test(instanceType) || /^e2-(micro|small|medium)$/.test(instanceType)) {
      drop('gcp', 'local-SSD, metal or shared-core type');
      continue;
    }
    for (const region of REGIONS.gcp) {
      const cost = spec.cost?.[region];
      if (!cost) continue;
      const onDemand = positivePrice(cost.hour);
      if (onDemand === null) {
        drop('gcp', 'no on-demand price');
        continue;
      }
      const committed1y = positivePrice(cost.month_1y === undefined ? null : cost.month_1y / HOURS_PER_MONTH);
      const committed3y = positivePrice(cost.month_3y === undefined ? null : cost.month_3y / HOURS_PER_MONTH);
      rows.push({
        cloud: 'gcp',
        region,
        instanceType,
        family,
        architecture: GCP_ARM_FAMILIES.has(family) ? 'arm64' : 'x86_64',
        vcpu: spec.cpu,
        memoryGiB: spec.ram,
        gpu: 0,
        onDemandHourly: onDemand,
        spotHourly: spotBelow('gcp', positivePrice(cost.hour_spot), onDemand),
        spotInterruptionRate: null, // no source here estimates interruptions for the whole table
        commitmentModel: committed1y !== null || committed3y !== null ? 'committed' : null,
        commitment1yHourly: committed1y,
        commitment3yHourly: committed3y,
        source: source.id,
        snapshotDate: source.snapshotDate,
      });
    }
  }
  return rows;
}

// ---------------------------------------------------------------- AWS

const awsInstancesSchema = z.object({
  data: z.array(
    z.object({
      'instance-type': z.string(),
      arch: z.string(),
      memory: z.number(),
      vCPU: z.number(),
      GPU: z.number(),
      'current-generation': z.boolean(),
      region: z.string(),
      ondemand: z.string().nullable(),
      spot_avg: z.string().nullable(),
    }),
  ),
});

/** Plain regions only: Local Zones and Wavelength zones carry extra suffixes ("us-east-1-atl-1", "…-wl1-bos1"). */
const AWS_PLAIN_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

function awsArchitecture(arch: string): Architecture | null {
  if (arch === 'arm64') return 'arm64';
  if (arch === 'x86_64') return 'x86_64';
  return null;
}

function awsRows(file: string, source: CatalogSource): CatalogRow[] {
  const instances = awsInstancesSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const wanted = new Set(REGIONS.aws);
  const rows: CatalogRow[] = [];
  for (const item of instances.data) {
    if (!AWS_PLAIN_REGION.test(item.region)) {
      drop('aws', 'Local Zone / Wavelength zone');
      continue;
    }
    if (!wanted.has(item.region)) continue;
    const instanceType = item['instance-type'];
    const family = instanceType.split('.')[0] ?? instanceType;
    if (!AWS_FAMILY.test(family) || !item['current-generation'] || item.GPU > 0 || item.vCPU > MAX_VCPU) continue;
    if (instanceType.endsWith('.metal') || /\.metal-/.test(instanceType)) {
      drop('aws', 'bare-metal size');
      continue;
    }
    const architecture = awsArchitecture(item.arch);
    const onDemand = positivePrice(item.ondemand);
    if (architecture === null || onDemand === null) {
      drop('aws', architecture === null ? `unsupported architecture ${item.arch}` : 'no on-demand price');
      continue;
    }
    rows.push({
      cloud: 'aws',
      region: item.region,
      instanceType,
      family,
      architecture,
      vcpu: item.vCPU,
      memoryGiB: item.memory,
      gpu: 0,
      onDemandHourly: onDemand,
      spotHourly: spotBelow('aws', positivePrice(item.spot_avg), onDemand),
      spotInterruptionRate: null, // no source here estimates interruptions for the whole table
      // The only AWS RI rates in the shared data are for x2iedn.32xlarge from another snapshot date: not mixed in.
      commitmentModel: null,
      commitment1yHourly: null,
      commitment3yHourly: null,
      source: source.id,
      snapshotDate: source.snapshotDate,
    });
  }
  return rows;
}

// ---------------------------------------------------------------- Azure

interface AzureSpec {
  vcpu: number;
  memoryGiB: number;
  gpu: number;
}

const ga4ghSchema = z.array(
  z.object({
    VmSize: z.string(),
    LowPriority: z.boolean(),
    VCpusAvailable: z.number(),
    MemoryInGiB: z.number(),
    GpusAvailable: z.number().nullable(),
  }),
);

const karpenterCsvSchema = z.array(z.object({ region: z.string(), sku: z.string(), ondemand_usd_per_hour: z.string() }));

const skypilotCsvSchema = z.array(
  z.object({
    InstanceType: z.string(),
    AcceleratorCount: z.string(),
    vCPUs: z.string(),
    MemoryGiB: z.string(),
    Price: z.string(),
    SpotPrice: z.string(),
    Region: z.string(),
  }),
);

/** "Standard_D16ads_v5" -> series "Dadsv5", size 16 (the size number is the vCPU count in these series). */
const AZURE_SKU = /^Standard_([A-Z]+)(\d+)([a-z]*)_(v\d+)$/;

function azureSeries(sku: string): { family: string; size: number } | null {
  const match = AZURE_SKU.exec(sku);
  if (!match) return null;
  const [, letters = '', size = '0', suffix = '', version = ''] = match;
  return { family: `${letters}${suffix}${version}`, size: Number(size) };
}

/** Azure Arm (Ampere) sizes carry a "p" in the feature letters: D2ps_v5, D4pds_v5, E2ps_v5. */
function azureArchitecture(sku: string): Architecture {
  const match = AZURE_SKU.exec(sku);
  return match?.[3]?.includes('p') ? 'arm64' : 'x86_64';
}

function readCsv(file: string): unknown {
  return parseCsv(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true });
}

interface AzureSources {
  specs: CatalogSource;
  karpenter: CatalogSource;
  skypilot: CatalogSource;
}

function azureRows(files: Record<keyof AzureSources, string>, sources: AzureSources): CatalogRow[] {
  const specs = new Map<string, AzureSpec>();
  for (const vm of ga4ghSchema.parse(JSON.parse(readFileSync(files.specs, 'utf8')))) {
    if (vm.LowPriority) continue;
    specs.set(vm.VmSize, { vcpu: vm.VCpusAvailable, memoryGiB: vm.MemoryInGiB, gpu: vm.GpusAvailable ?? 0 });
  }

  const skypilot = new Map<string, { onDemand: number | null; spot: number | null }>();
  for (const vm of skypilotCsvSchema.parse(readCsv(files.skypilot))) {
    const spec = { vcpu: Number(vm.vCPUs), memoryGiB: Number(vm.MemoryGiB), gpu: Number(vm.AcceleratorCount || 0) };
    const known = specs.get(vm.InstanceType);
    if (known && (known.vcpu !== spec.vcpu || known.memoryGiB !== spec.memoryGiB))
      throw new Error(`ga4gh and SkyPilot disagree on the size of ${vm.InstanceType}`);
    // Sizes are region-independent, so SkyPilot specs also let karpenter prices in non-US regions in.
    specs.set(vm.InstanceType, spec);
    skypilot.set(`${vm.Region}/${vm.InstanceType}`, { onDemand: positivePrice(vm.Price), spot: positivePrice(vm.SpotPrice) });
  }

  const karpenter = new Map<string, number>();
  // Cheapest $/vCPU of each series per region: the reference for the size-linear contamination check.
  const cheapestPerVcpu = new Map<string, number>();
  for (const row of karpenterCsvSchema.parse(readCsv(files.karpenter))) {
    const price = positivePrice(row.ondemand_usd_per_hour);
    if (price === null) continue;
    karpenter.set(`${row.region}/${row.sku}`, price);
    const series = azureSeries(row.sku);
    if (!series || series.size === 0) continue;
    const key = `${row.region}/${series.family}`;
    cheapestPerVcpu.set(key, Math.min(cheapestPerVcpu.get(key) ?? Infinity, price / series.size));
  }

  const rows: CatalogRow[] = [];
  for (const [sku, spec] of specs) {
    const series = azureSeries(sku);
    if (!series || !AZURE_FAMILIES.has(series.family) || spec.gpu > 0 || spec.vcpu > MAX_VCPU) continue;
    for (const region of REGIONS.azure) {
      const preferred = skypilot.get(`${region}/${sku}`);
      const fallback = karpenter.get(`${region}/${sku}`);
      let onDemand: number;
      let source: CatalogSource;
      if (preferred?.onDemand) {
        onDemand = preferred.onDemand;
        // The SkyPilot excerpt is undated: where the dated karpenter table has the same price, date it from there.
        source = preferred.onDemand === fallback ? sources.karpenter : sources.skypilot;
      } else if (fallback !== undefined) {
        const linear = (cheapestPerVcpu.get(`${region}/${series.family}`) ?? Infinity) * series.size;
        if (fallback > AZURE_CONTAMINATION_RATIO * linear) {
          drop('azure', `karpenter price > ${AZURE_CONTAMINATION_RATIO}x size-linear (${series.family})`);
          continue;
        }
        onDemand = fallback;
        source = sources.karpenter;
      } else {
        continue;
      }
      rows.push({
        cloud: 'azure',
        region,
        instanceType: sku,
        family: series.family,
        architecture: azureArchitecture(sku),
        vcpu: spec.vcpu,
        memoryGiB: spec.memoryGiB,
        gpu: 0,
        onDemandHourly: onDemand,
        spotHourly: spotBelow('azure', preferred?.spot ?? null, onDemand),
        spotInterruptionRate: null, // no source here estimates interruptions for the whole table
        commitmentModel: null,
        commitment1yHourly: null,
        commitment3yHourly: null,
        source: source.id,
        snapshotDate: source.snapshotDate,
      });
    }
  }
  return rows;
}

// ---------------------------------------------------------------- snapshot

function compareRows(a: CatalogRow, b: CatalogRow): number {
  return (
    a.cloud.localeCompare(b.cloud) ||
    a.region.localeCompare(b.region) ||
    a.family.localeCompare(b.family) ||
    a.vcpu - b.vcpu ||
    a.memoryGiB - b.memoryGiB ||
    a.instanceType.localeCompare(b.instanceType)
  );
}

/** Metadata pretty-printed, one row per line: small, and a price change shows as a one-line diff. */
function formatCatalog(catalog: PriceCatalog): string {
  const head = JSON.stringify({ catalogVersion: catalog.catalogVersion, currency: catalog.currency, sources: catalog.sources }, null, 2);
  const rows = catalog.rows.map((row) => `    ${JSON.stringify(row)}`).join(',\n');
  return `${head.slice(0, -2)},\n  "rows": [\n${rows}\n  ]\n}\n`;
}

function main(): void {
  const [pricingDir, outFile = DEFAULT_OUT] = process.argv.slice(2);
  if (!pricingDir) {
    console.error('usage: build-catalog.ts <path to shared data/pricing> [out.json]');
    process.exit(2);
  }
  const file = (relative: string): string => path.join(pricingDir, 'catalogs', relative);
  const files = {
    gcp: file('gcp/cyclenerd-pricing.yml'),
    aws: file('aws/ec2instances-info-opszero-instances.json'),
    specs: file('azure/ga4gh-tes-BatchSupportedVmSizeInformation_AZURECLOUD.json'),
    karpenter: file('azure/karpenter-azure-ondemand-linux.derived.csv'),
    skypilot: file('azure/skypilot-catalog-v6-azure-vms.excerpt.csv'),
  };

  const gcp: CatalogSource = {
    id: 'gcp-cyclenerd',
    cloud: 'gcp',
    provides: ['specs', 'on-demand', 'spot', 'commitments'],
    repository: 'Cyclenerd/google-cloud-pricing-cost-calculator',
    path: 'pricing.yml',
    commit: 'fd66b26ff84fee5cdd94f341ea89206e76c06b99',
    inputSha256: sha256(files.gcp),
    snapshotDate: '2026-07-30',
    licence: 'Apache-2.0',
  };
  const aws: CatalogSource = {
    id: 'aws-ec2instances-info',
    cloud: 'aws',
    provides: ['specs', 'on-demand', 'spot'],
    repository: 'vantage-sh/ec2instances.info',
    path: 'opszero-app/instances.json',
    commit: 'a19cd859f0591c40bead51230996dcfc8c468071',
    inputSha256: sha256(files.aws),
    snapshotDate: '2024-04-04',
    licence: 'MIT',
  };
  const azure: AzureSources = {
    specs: {
      id: 'azure-ga4gh-tes-specs',
      cloud: 'azure',
      provides: ['specs'],
      repository: 'microsoft/ga4gh-tes',
      path: 'src/TesApi.Web/BatchSupportedVmSizeInformation_AZURECLOUD.json',
      commit: '010ba715729691198ff5f753541e78ac380bc504',
      inputSha256: sha256(files.specs),
      snapshotDate: '2025-03-04',
      licence: 'MIT',
    },
    karpenter: {
      id: 'azure-karpenter',
      cloud: 'azure',
      provides: ['on-demand'],
      repository: 'Azure/karpenter-provider-azure',
      path: 'pkg/providers/pricing/zz_generated.pricing.go',
      commit: '352646f599290c3a6d2f9710fb535a7b288f88ed',
      inputSha256: sha256(files.karpenter),
      snapshotDate: '2026-06-18',
      licence: 'Apache-2.0',
    },
    skypilot: {
      id: 'azure-skypilot-v6',
      cloud: 'azure',
      provides: ['specs', 'on-demand', 'spot'],
      repository: 'skypilot-org/skypilot-catalog',
      path: 'catalogs/v6/azure/vms.csv',
      commit: '098741e70562f65d7af1cceb81e33b284f742604',
      inputSha256: sha256(files.skypilot),
      snapshotDate: null,
      licence: 'Apache-2.0',
    },
  };

  const rows = [
    ...awsRows(files.aws, aws),
    ...azureRows({ specs: files.specs, karpenter: files.karpenter, skypilot: files.skypilot }, azure),
    ...gcpRows(files.gcp, gcp),
  ].sort(compareRows);
  const catalogVersion = createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 12);
  const catalog = priceCatalogSchema.parse({
    catalogVersion,
    currency: 'USD',
    sources: [aws, azure.specs, azure.karpenter, azure.skypilot, gcp],
    rows,
  });
  const text = formatCatalog(catalog);
  writeFileSync(outFile, text);

  console.log(`wrote ${outFile}: ${(text.length / 1024).toFixed(0)} KiB, catalogVersion ${catalogVersion}`);
  for (const cloud of ['aws', 'azure', 'gcp'] as const) {
    const mine = rows.filter((r) => r.cloud === cloud);
    const types = new Set(mine.map((r) => r.instanceType)).size;
    const regions = new Set(mine.map((r) => r.region)).size;
    const withSpot = mine.filter((r) => r.spotHourly !== null).length;
    const withCommitment = mine.filter((r) => r.commitmentModel !== null).length;
    const families = [...new Set(mine.map((r) => r.family))].join(' ');
    console.log(
      `${cloud}: ${mine.length} rows, ${types} types, ${regions} regions, ${withSpot} with spot, ${withCommitment} with commitments`,
    );
    console.log(`  families: ${families}`);
    for (const [reason, count] of Object.entries(dropped[cloud])) console.log(`  dropped ${count}: ${reason}`);
  }
  for (const source of catalog.sources) {
    const priced = rows.filter((r) => r.source === source.id).length;
    if (priced > 0) console.log(`on-demand prices from ${source.id}: ${priced} rows`);
  }
  console.log('input sha256:');
  for (const source of catalog.sources) console.log(`  ${source.id}: ${source.inputSha256}`);
}

main();
