import type { Command } from 'commander';
import { CLOUDS, type Cloud } from '@clonecast/contracts';
import {
  AwsPriceRefresher,
  AzureRateCardRefresher,
  AzureRetailPricesRefresher,
  GcpBillingCatalogRefresher,
  type PriceRefresher,
  type RefreshReport,
  StaticTokenCredential,
  UnknownRegionError,
  regionsByCloud,
  refreshCatalog,
} from '@clonecast/pricing/adapters';
import { type CatalogOrigin, allSources, catalogDir, loadCatalog, rowsFor, sourceAges } from '@clonecast/pricing/catalog';
import { UsageError } from '../cli-error';
import { parseList, printJson, progress } from '../io';

export interface CatalogRefreshOptions {
  clouds?: string[];
  regions?: string[];
  endpointAws?: string;
  endpointAzure?: string;
  endpointGcp?: string;
  azureApi: string;
  json: boolean;
}

export interface CatalogSelection {
  clouds?: string[];
  regions?: string[];
  json: boolean;
}

function parseClouds(values: string[] | undefined): Cloud[] {
  if (!values) return [...CLOUDS];
  return values.map((c) => {
    if (!(CLOUDS as readonly string[]).includes(c)) throw new UsageError(`--clouds: unknown cloud "${c}" (use ${CLOUDS.join(', ')})`);
    return c as Cloud;
  });
}

function parseRegions(values: string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  try {
    regionsByCloud(values);
  } catch (error) {
    if (error instanceof UnknownRegionError) throw new UsageError(`--regions: ${error.message}`);
    throw error;
  }
  return values;
}

function parseEndpoint(option: string, value: string | undefined): URL | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${option} must be a URL like http://127.0.0.1:8080, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${option} must be an http(s) URL, got "${value}"`);
  return url;
}

/** One refresher per cloud; an endpoint option points that cloud's SDK at a replay server or proxy. */
export function buildRefreshers(options: CatalogRefreshOptions, env: NodeJS.ProcessEnv = process.env): PriceRefresher[] {
  const aws = parseEndpoint('--endpoint-aws', options.endpointAws);
  const azure = parseEndpoint('--endpoint-azure', options.endpointAzure);
  const gcp = parseEndpoint('--endpoint-gcp', options.endpointGcp);
  if (options.azureApi !== 'retail-prices' && options.azureApi !== 'ratecard')
    throw new UsageError(`--azure-api must be retail-prices or ratecard, got "${options.azureApi}"`);
  return parseClouds(options.clouds).map((cloud): PriceRefresher => {
    if (cloud === 'aws') return new AwsPriceRefresher(aws ? { endpoint: aws.origin, maxAttempts: 1 } : {});
    if (cloud === 'gcp') {
      const apiKey = env['CLONECAST_GCP_API_KEY'] ?? (gcp ? 'replay' : undefined);
      return new GcpBillingCatalogRefresher({
        ...(gcp ? { apiEndpoint: gcp.host, protocol: gcp.protocol === 'http:' ? 'http' : 'https' } : {}),
        ...(apiKey ? { apiKey } : {}),
      });
    }
    if (options.azureApi === 'retail-prices') return new AzureRetailPricesRefresher(azure ? { endpoint: azure.origin } : {});
    const subscriptionId = env['AZURE_SUBSCRIPTION_ID'] ?? (azure ? '00000000-0000-0000-0000-000000000000' : undefined);
    const token = env['AZURE_ACCESS_TOKEN'] ?? (azure ? 'replay' : undefined);
    if (!subscriptionId || !token)
      throw new UsageError('--azure-api ratecard needs AZURE_SUBSCRIPTION_ID and AZURE_ACCESS_TOKEN (az account get-access-token --query accessToken -o tsv)');
    return new AzureRateCardRefresher({ credential: new StaticTokenCredential(token), subscriptionId, ...(azure ? { baseUri: azure.origin } : {}) });
  });
}

/** Refreshes into the catalog directory; missing credentials are the user's to fix (UsageError, exit 2). */
export async function runCatalogRefresh(options: CatalogRefreshOptions, now = new Date(), env: NodeJS.ProcessEnv = process.env): Promise<RefreshReport> {
  const refreshers = buildRefreshers(options, env);
  const regions = parseRegions(options.regions);
  return refreshCatalog({ dir: catalogDir(env), refreshers, now, ...(regions ? { regions } : {}) });
}

export interface CatalogSummary {
  catalogVersion: string;
  origin: CatalogOrigin;
  file: string | null;
  /** Why a refreshed catalog in the directory was ignored, if one was. */
  rejected: string | null;
  rowsPerCloud: Record<Cloud, number>;
  sources: { source: string; cloud: Cloud; kind: 'snapshot' | 'api'; rows: number; oldestSnapshotDate: string | null; ageDays: number | null; fetchedAt: string | null }[];
}

export function runCatalogShow(now = new Date(), env: NodeJS.ProcessEnv = process.env): CatalogSummary {
  const loaded = loadCatalog(catalogDir(env));
  const { catalog } = loaded;
  const fetchedAt = new Map((catalog.apiSources ?? []).map((s) => [s.id, s.fetchedAt]));
  const rowsPerCloud = Object.fromEntries(CLOUDS.map((cloud) => [cloud, catalog.rows.filter((r) => r.cloud === cloud).length])) as Record<Cloud, number>;
  const kinds = new Map(allSources(catalog).map((s) => [s.id, 'api' in s ? ('api' as const) : ('snapshot' as const)]));
  return {
    catalogVersion: catalog.catalogVersion,
    origin: loaded.origin,
    file: loaded.file,
    rejected: loaded.rejected,
    rowsPerCloud,
    sources: sourceAges(catalog, now).map((age) => ({ ...age, kind: kinds.get(age.source) ?? 'snapshot', fetchedAt: fetchedAt.get(age.source) ?? null })),
  };
}

export interface ExportRow {
  cloud: Cloud;
  region: string;
  instanceType: string;
  family: string;
  architecture: string;
  vcpu: number;
  memoryGiB: number;
  onDemandHourly: number | null;
  spotHourly: number | null;
  spotInterruptionRate: number | null;
  commitmentModel: string | null;
  commitment1yHourly: number | null;
  commitment3yHourly: number | null;
  source: string;
  snapshotDate: string | null;
}

export function runCatalogExport(options: CatalogSelection, env: NodeJS.ProcessEnv = process.env): ExportRow[] {
  const clouds = parseClouds(options.clouds);
  const regions = parseRegions(options.regions);
  const { catalog } = loadCatalog(catalogDir(env));
  return rowsFor(catalog, { clouds, ...(regions ? { regions } : {}) }).map((r) => ({
    cloud: r.cloud,
    region: r.region,
    instanceType: r.instanceType,
    family: r.family,
    architecture: r.architecture,
    vcpu: r.vcpu,
    memoryGiB: r.memoryGiB,
    onDemandHourly: r.onDemandHourly,
    spotHourly: r.spotHourly,
    spotInterruptionRate: r.spotInterruptionRate,
    commitmentModel: r.commitmentModel,
    commitment1yHourly: r.commitment1yHourly,
    commitment3yHourly: r.commitment3yHourly,
    source: r.source,
    snapshotDate: r.snapshotDate,
  }));
}

function printRefresh(report: RefreshReport): void {
  for (const c of report.clouds) {
    if (c.status === 'refreshed') process.stdout.write(`${c.cloud}: refreshed ${c.rows} row(s) in ${c.regions.join(', ') || 'no region'}\n`);
    else process.stdout.write(`${c.cloud}: FAILED (${c.error?.code}) ${c.error?.message}\n`);
  }
  if (report.wrote) process.stdout.write(`catalog ${report.catalogVersion} written to ${report.file}\n`);
  else process.stdout.write(`nothing written: still using the last good catalog ${report.catalogVersion} (${report.previous.origin})\n`);
}

function printShow(summary: CatalogSummary): void {
  process.stdout.write(`catalog ${summary.catalogVersion} (${summary.origin}${summary.file ? `: ${summary.file}` : ''})\n`);
  if (summary.rejected) process.stdout.write(`ignored refreshed catalog: ${summary.rejected}\n`);
  process.stdout.write(`rows: ${CLOUDS.map((c) => `${c} ${summary.rowsPerCloud[c]}`).join(', ')}\n`);
  for (const s of summary.sources)
    process.stdout.write(`- ${s.source} (${s.cloud}, ${s.kind}): ${s.rows} row(s), ${s.ageDays === null ? 'age unknown' : `${s.ageDays} day(s) old`}\n`);
}

export function registerCatalog(program: Command): void {
  const catalog = program.command('catalog').description('the price catalog: refresh from the cloud pricing APIs, show, export');

  catalog
    .command('refresh')
    .description('fetch prices from the AWS, Azure and GCP pricing APIs and merge them into the last good catalog')
    .option('--clouds <list>', 'clouds to refresh (default aws,azure,gcp)', parseList)
    .option('--regions <list>', 'regions of any cloud (default: the regions already in the catalog)', parseList)
    .option('--endpoint-aws <url>', 'Price List and EC2 endpoint (testing/offline)')
    .option('--endpoint-azure <url>', 'Retail Prices or ARM endpoint (testing/offline)')
    .option('--endpoint-gcp <url>', 'Cloud Billing endpoint (testing/offline)')
    .option('--azure-api <api>', 'retail-prices (public) or ratecard (needs a subscription)', 'retail-prices')
    .option('--json', 'print one JSON document', false)
    .action(async (options: CatalogRefreshOptions) => {
      progress(`refreshing ${(options.clouds ?? CLOUDS).join(', ')} into ${catalogDir()}`);
      const report = await runCatalogRefresh(options);
      if (options.json) printJson(report);
      else printRefresh(report);
      const missing = report.clouds.filter((c) => c.error?.code === 'MISSING_CREDENTIALS');
      if (missing.length > 0) throw new UsageError(missing.map((c) => c.error?.message).join('; '));
      if (report.clouds.some((c) => c.status === 'failed')) process.exitCode = 1;
    });

  catalog
    .command('show')
    .description('version, origin, rows per cloud and age per source of the catalog in use')
    .option('--json', 'print one JSON document', false)
    .action((options: { json: boolean }) => {
      const summary = runCatalogShow();
      if (options.json) printJson(summary);
      else printShow(summary);
    });

  catalog
    .command('export')
    .description('print the catalog rows (null where a price is unknown)')
    .option('--clouds <list>', 'clouds (default aws,azure,gcp)', parseList)
    .option('--regions <list>', 'regions of any cloud', parseList)
    .option('--json', 'print one JSON array (the default; kept for symmetry)', false)
    .action((options: CatalogSelection) => printJson(runCatalogExport(options)));
}
