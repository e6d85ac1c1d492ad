import { loadBundledCatalog } from '@clonecast/pricing/catalog';
import {
  AwsPriceRefresher,
  AzureRateCardRefresher,
  AzureRetailPricesRefresher,
  GcpBillingCatalogRefresher,
  MissingCredentialsError,
  PriceSourceUnavailableError,
  StaticTokenCredential,
  specIndexOf,
} from '../src';
import {
  GCP_API_KEY,
  RATECARD_TOKEN,
  type ReplayServer,
  awsHandler,
  azureRateCardHandler,
  azureRetailHandler,
  failingHandler,
  gcpHandler,
  startReplayServer,
} from './replay-server';

const now = new Date('2026-08-09T12:00:00Z');
const bundled = loadBundledCatalog();

describe('AWS refresher against the replayed Price List and EC2 APIs', () => {
  let server: ReplayServer;
  beforeAll(async () => (server = await startReplayServer(awsHandler)));
  afterAll(() => server.close());

  it('prices m5.large in us-east-1 with on-demand, averaged spot and effective reserved rates', async () => {
    const outcome = await new AwsPriceRefresher({ endpoint: server.origin }).refresh({ regions: ['us-east-1'], now, specs: specIndexOf(bundled, 'aws') });
    expect(outcome.rows).toEqual([
      {
        cloud: 'aws',
        region: 'us-east-1',
        instanceType: 'm5.large',
        family: 'm5',
        architecture: 'x86_64',
        vcpu: 2,
        memoryGiB: 8,
        gpu: 0,
        onDemandHourly: 0.096,
        spotHourly: 0.04122,
        spotInterruptionRate: null,
        commitmentModel: 'reserved',
        commitment1yHourly: 0.056393,
        commitment3yHourly: 0.036111,
        source: 'aws-price-list-api',
        snapshotDate: '2026-08-09',
      },
    ]);
    expect(outcome.sources.map((s) => s.id)).toEqual(['aws-price-list-api', 'aws-ec2-spot-price-history']);
  });

  it('sends the Linux/shared filters and pages through the spot history of the signed region', async () => {
    const getProducts = server.requests.find((r) => r.headers['x-amz-target'] === 'AWSPriceListService.GetProducts');
    expect(JSON.parse(getProducts?.body ?? '{}')).toMatchObject({
      ServiceCode: 'AmazonEC2',
      Filters: expect.arrayContaining([{ Type: 'TERM_MATCH', Field: 'regionCode', Value: 'us-east-1' }, { Type: 'TERM_MATCH', Field: 'operatingSystem', Value: 'Linux' }]),
    });
    const spotCalls = server.requests.filter((r) => r.body.includes('Action=DescribeSpotPriceHistory'));
    expect(spotCalls.length).toBe(3);
    expect(spotCalls[0]?.body).toContain('InstanceType.1=m5.large');
  });
});

describe('Azure Retail Prices refresher against the replayed pages', () => {
  let server: ReplayServer;
  beforeAll(async () => (server = await startReplayServer(azureRetailHandler)));
  afterAll(() => server.close());

  it('follows NextPageLink and prices only Linux pay-as-you-go sizes with known specs', async () => {
    const regions = ['switzerlandnorth', 'northeurope', 'westeurope', 'centralus'];
    const outcome = await new AzureRetailPricesRefresher({ endpoint: server.origin }).refresh({ regions, now, specs: specIndexOf(bundled, 'azure') });
    expect(server.requests.map((r) => r.url.searchParams.get('$skip'))).toEqual([null, '200']);
    expect(server.requests[0]?.url.searchParams.get('$filter')).toBe(
      "serviceName eq 'Virtual Machines' and (armRegionName eq 'switzerlandnorth' or armRegionName eq 'northeurope' or armRegionName eq 'westeurope' or armRegionName eq 'centralus')",
    );
    expect(outcome.rows).toEqual([
      expect.objectContaining({ region: 'switzerlandnorth', instanceType: 'Standard_F48s_v2', vcpu: 48, onDemandHourly: 2.5608, spotHourly: null, commitmentModel: null, source: 'azure-retail-prices-api', snapshotDate: '2026-08-09' }),
    ]);
    expect(outcome.skipped).toMatchObject({
      'Windows product': expect.any(Number),
      'Low Priority meter (Batch, not Spot)': expect.any(Number),
      'not a virtual machine (service)': expect.any(Number),
      // E96_v5 and the M16 sizes have on-demand and reservations here, but no specs in the catalog.
      'size without known specs': 4,
    });
  });
});

describe('Azure RateCard refresher (UsageManagementClient) against the replayed example', () => {
  let server: ReplayServer;
  beforeAll(async () => (server = await startReplayServer(azureRateCardHandler)));
  afterAll(() => server.close());

  it('calls rateCard.get with the offer filter and a bearer token, and skips the synthetic non-VM meter', async () => {
    const refresher = new AzureRateCardRefresher({ credential: new StaticTokenCredential(RATECARD_TOKEN), subscriptionId: '6d61cc05-8f8f-4916-b1b9-f1d9c25aae27', baseUri: server.origin });
    const outcome = await refresher.refresh({ regions: ['westus'], now, specs: specIndexOf(bundled, 'azure') });
    const call = server.requests[0];
    expect(call?.url.pathname).toBe('/subscriptions/6d61cc05-8f8f-4916-b1b9-f1d9c25aae27/providers/Microsoft.Commerce/RateCard');
    expect(call?.url.searchParams.get('api-version')).toBe('2015-06-01-preview');
    expect(call?.url.searchParams.get('$filter')).toBe("OfferDurableId eq 'MS-AZR-0003P' and Currency eq 'USD' and Locale eq 'en-US' and RegionInfo eq 'US'");
    expect(outcome.rows).toEqual([]);
    expect(outcome.skipped).toEqual({ 'not a virtual machine meter': 1 });
  });
});

describe('GCP Cloud Billing Catalog refresher (REST transport) against the replayed SKU pages', () => {
  let server: ReplayServer;
  beforeAll(async () => (server = await startReplayServer(gcpHandler)));
  afterAll(() => server.close());

  it('composes machine prices from core and RAM SKUs, converting IDR back to USD', async () => {
    const refresher = new GcpBillingCatalogRefresher({ apiEndpoint: server.host, protocol: 'http', apiKey: GCP_API_KEY });
    const outcome = await refresher.refresh({ regions: ['us-central1', 'us-east1', 'asia-southeast1'], now, specs: specIndexOf(bundled, 'gcp') });
    expect(server.requests).toHaveLength(2);
    const e2 = outcome.rows.find((r) => r.region === 'us-central1' && r.instanceType === 'e2-standard-2');
    // The bundled cyclenerd snapshot has 0.067011 for the same machine: the composition matches.
    expect(e2).toMatchObject({ onDemandHourly: 0.067011, spotHourly: null, commitmentModel: null, source: 'gcp-cloud-billing-catalog-api' });
    const t2d = outcome.rows.find((r) => r.region === 'asia-southeast1' && r.instanceType === 't2d-standard-1');
    expect(t2d?.onDemandHourly).toBeCloseTo((508.934997455 + 4 * 68.204999658) / 14999.999925, 6);
    expect(new Set(outcome.rows.map((r) => r.family))).toEqual(new Set(['e2', 't2d']));
    expect(outcome.rows.some((r) => r.region === 'us-west1')).toBe(false);
  });
});

describe('credentials and failures', () => {
  it('reports a failing server as an unavailable source', async () => {
    const server = await startReplayServer(failingHandler);
    try {
      const refresh = new AzureRetailPricesRefresher({ endpoint: server.origin }).refresh({ regions: ['westeurope'], now, specs: new Map() });
      await expect(refresh).rejects.toThrow(PriceSourceUnavailableError);
      await expect(refresh).rejects.toThrow(/HTTP 503/);
    } finally {
      await server.close();
    }
  });

  it('says GCP has no credentials when neither an API key nor ADC is available', async () => {
    const saved = { ...process.env };
    process.env['GOOGLE_APPLICATION_CREDENTIALS'] = '/nonexistent/adc.json';
    process.env['METADATA_SERVER_DETECTION'] = 'none';
    const server = await startReplayServer(gcpHandler);
    try {
      const refresh = new GcpBillingCatalogRefresher({ apiEndpoint: server.host, protocol: 'http' }).refresh({ regions: ['us-east1'], now, specs: new Map() });
      await expect(refresh).rejects.toThrow(MissingCredentialsError);
      expect(server.requests).toHaveLength(0);
    } finally {
      process.env = saved;
      await server.close();
    }
  });

  it('says AWS has no credentials when the default chain finds none', async () => {
    const saved = { ...process.env };
    for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
    process.env['AWS_SHARED_CREDENTIALS_FILE'] = '/nonexistent/credentials';
    process.env['AWS_CONFIG_FILE'] = '/nonexistent/config';
    process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
    try {
      const refresh = new AwsPriceRefresher({ maxAttempts: 1 }).refresh({ regions: ['us-east-1'], now, specs: new Map() });
      await expect(refresh).rejects.toThrow(MissingCredentialsError);
    } finally {
      process.env = saved;
    }
  });
});
