import { readFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(path.join(__dirname, 'fixtures', name), 'utf8')) as T;
}

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Reply {
  status: number;
  contentType: string;
  body: string;
}

export type ReplayHandler = (request: RecordedRequest, origin: string) => Reply;

export interface ReplayServer {
  origin: string;
  /** host:port, for SDKs that take a host and a port */
  host: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A node:http server on 127.0.0.1 and a random port that answers with recorded API responses. */
export async function startReplayServer(handler: ReplayHandler): Promise<ReplayServer> {
  const requests: RecordedRequest[] = [];
  let origin = '';
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? 'GET', url: new URL(req.url ?? '/', origin), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      const reply = handler(request, origin);
      res.writeHead(reply.status, { 'content-type': reply.contentType, 'content-length': Buffer.byteLength(reply.body) });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    host: `127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const json = (value: unknown, status = 200): Reply => ({ status, contentType: 'application/json', body: JSON.stringify(value) });
const notFound = (request: RecordedRequest): Reply => json({ message: `no recording for ${request.method} ${request.url.pathname}` }, 404);

/** Every request fails like an unavailable service. */
export const failingHandler: ReplayHandler = () => json({ message: 'service unavailable (replay)' }, 503);

interface SpotRecord {
  AvailabilityZone: string;
  InstanceType: string;
  ProductDescription: string;
  SpotPrice: string;
  Timestamp: string;
}

const SPOT_PAGE = 100;

/** Price List (JSON 1.1) and EC2 DescribeSpotPriceHistory (query protocol, XML) on one origin. */
export const awsHandler: ReplayHandler = (request) => {
  if (request.headers['x-amz-target'] === 'AWSPriceListService.GetProducts')
    return { status: 200, contentType: 'application/x-amz-json-1.1', body: JSON.stringify(fixture('aws/GetProducts-response-m5.large-us-east-1.derived.json')) };
  const form = new URLSearchParams(request.body);
  if (form.get('Action') !== 'DescribeSpotPriceHistory') return notFound(request);
  // The region is only in the SigV4 credential scope: Credential=<key>/<date>/<region>/ec2/aws4_request.
  const region = String(request.headers['authorization'] ?? '').match(/Credential=[^/]+\/\d+\/([^/]+)\/ec2\//)?.[1] ?? '';
  const types = [...form.entries()].filter(([key]) => key.startsWith('InstanceType.')).map(([, value]) => value);
  const records = fixture<{ SpotPriceHistory: SpotRecord[] }>('aws/DescribeSpotPriceHistory-m5.large.json').SpotPriceHistory.filter(
    (r) => r.AvailabilityZone.startsWith(region) && (types.length === 0 || types.includes(r.InstanceType)),
  );
  const start = Number(form.get('NextToken') ?? 0);
  const page = records.slice(start, start + SPOT_PAGE);
  const next = start + SPOT_PAGE < records.length ? `<nextToken>${start + SPOT_PAGE}</nextToken>` : '<nextToken/>';
  const items = page
    .map(
      (r) =>
        `<item><availabilityZone>${r.AvailabilityZone}</availabilityZone><instanceType>${r.InstanceType}</instanceType>` +
        `<productDescription>${r.ProductDescription}</productDescription><spotPrice>${r.SpotPrice}</spotPrice>` +
        `<timestamp>${new Date(r.Timestamp).toISOString()}</timestamp></item>`,
    )
    .join('');
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeSpotPriceHistoryResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>replay</requestId><spotPriceHistorySet>${items}</spotPriceHistorySet>${next}</DescribeSpotPriceHistoryResponse>`;
  return { status: 200, contentType: 'text/xml;charset=UTF-8', body };
};

/** Retail Prices: page 1 (NextPageLink rewritten to this server), then page 2. */
export const azureRetailHandler: ReplayHandler = (request, origin) => {
  if (request.url.pathname !== '/api/retail/prices') return notFound(request);
  if (request.url.searchParams.get('$skip') === '200') {
    const { Url: _harnessKey, ...page } = fixture<Record<string, unknown>>('azure/retail-prices-page-2.ace-westeurope.json');
    return json(page);
  }
  const page = fixture<{ NextPageLink: string }>('azure/retail-prices-page-1.buildverse-2022-04-19.json');
  const next = new URL(page.NextPageLink);
  return json({ ...page, NextPageLink: `${origin}${next.pathname}${next.search}` });
};

export const RATECARD_TOKEN = 'replay-bearer-token';

/** RateCard: the example body, only for the stub bearer token. */
export const azureRateCardHandler: ReplayHandler = (request) => {
  if (!/^\/subscriptions\/[^/]+\/providers\/Microsoft\.Commerce\/RateCard$/.test(request.url.pathname)) return notFound(request);
  if (request.headers['authorization'] !== `Bearer ${RATECARD_TOKEN}`) return json({ error: { code: 'AuthenticationFailed' } }, 401);
  return json(fixture<{ responses: { '200': { body: unknown } } }>('azure/GetRateCard.example.json').responses['200'].body);
};

export const GCP_API_KEY = 'replay-api-key';

/** Cloud Billing Catalog REST: page 1 and, for its nextPageToken, page 2; only with the API key. */
export const gcpHandler: ReplayHandler = (request) => {
  if (request.url.pathname !== '/v1/services/6F81-5844-456A/skus') return notFound(request);
  if (request.headers['x-goog-api-key'] !== GCP_API_KEY) return json({ error: { code: 403, message: 'API key not valid', status: 'PERMISSION_DENIED' } }, 403);
  const first = fixture<{ nextPageToken: string }>('gcp/skus-page-1.opencost.json');
  if (request.url.searchParams.get('pageToken') === first.nextPageToken) return json(fixture('gcp/skus-page-2.cyclenerd-vpn-egress.derived.json'));
  return json(first);
};
