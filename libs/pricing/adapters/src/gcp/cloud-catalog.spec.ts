import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { protos } from '@google-cloud/billing';
import { ResourcePrices, classifyComputeSku, moneyAmount, tieredUnitPrice } from './cloud-catalog';

type Sku = protos.google.cloud.billing.v1.ISku;
const fixtures = path.join(__dirname, '../../test/fixtures/gcp');
const skus = (name: string) => (JSON.parse(readFileSync(path.join(fixtures, name), 'utf8')) as { skus: Sku[] }).skus;
const opencost = skus('skus-page-1.opencost.json');
const byDescription = (text: string) => opencost.find((s) => s.description === text) ?? {};

describe('Cloud Billing Catalog SKUs', () => {
  it('reads a price as units + nanos / 1e9, units being a string', () => {
    expect(moneyAmount({ currencyCode: 'USD', units: '2', nanos: 933908000 })).toBeCloseTo(2.933908, 12);
    expect(moneyAmount({ currencyCode: 'IDR', units: '327', nanos: 173848364 })).toBeCloseTo(327.173848364, 9);
  });

  it('picks the tier that applies at a usage amount (egress tiers at 0, 1 TiB and 10 TiB)', () => {
    const egress = skus('skus-page-2.cyclenerd-vpn-egress.derived.json')[0];
    const tiers = egress?.pricingInfo?.[0]?.pricingExpression?.tieredRates ?? [];
    expect([0, 1023, 1024, 10240, 50000].map((gib) => moneyAmount(tieredUnitPrice(tiers, gib)))).toEqual([0.12, 0.12, 0.11, 0.08, 0.08]);
    expect(classifyComputeSku(egress ?? {})).toEqual({ ok: false, reason: 'resource family Network' });
  });

  it('gives per-core and per-GiB hourly USD, converting IDR with currencyConversionRate', () => {
    expect(classifyComputeSku(byDescription('A2 Instance Core running in Americas'))).toEqual({
      ok: true,
      series: 'a2',
      resource: 'core',
      usage: 'on-demand',
      regions: ['us-central1', 'us-east1', 'us-west1'],
      hourlyUsd: 0.031611,
    });
    const e2Ram = classifyComputeSku(byDescription('E2 Instance Ram running in Americas'));
    expect(e2Ram).toMatchObject({ ok: true, series: 'e2', resource: 'ram' });
    if (e2Ram.ok) expect(e2Ram.hourlyUsd).toBeCloseTo(43.85294978 / 14999.999925, 12);
    expect(classifyComputeSku(byDescription('T2D AMD Instance Core running in Singapore'))).toMatchObject({ ok: true, series: 't2d', regions: ['asia-southeast1'] });
    expect(classifyComputeSku(byDescription('Nvidia Tesla A100 GPU running in Americas'))).toEqual({ ok: false, reason: 'resource group GPU' });
  });

  it('converts per-second units to per-hour and refuses unknown units', () => {
    const core = byDescription('A2 Instance Core running in Americas');
    const expression = core.pricingInfo?.[0]?.pricingExpression;
    const perSecond: Sku = { ...core, pricingInfo: [{ ...core.pricingInfo?.[0], pricingExpression: { ...expression, usageUnit: 's', tieredRates: [{ startUsageAmount: 0, unitPrice: { currencyCode: 'USD', units: '0', nanos: 10000 } }] } }] };
    const classified = classifyComputeSku(perSecond);
    expect(classified.ok && classified.hourlyUsd).toBeCloseTo(0.036, 12);
    const monthly: Sku = { ...core, pricingInfo: [{ ...core.pricingInfo?.[0], pricingExpression: { ...expression, usageUnit: 'mo' } }] };
    expect(classifyComputeSku(monthly)).toEqual({ ok: false, reason: 'usage unit "mo"' });
  });

  it('prices a machine as vcpu × core + memory × RAM, and only when both are known', () => {
    const prices = new ResourcePrices();
    for (const sku of opencost) {
      const classified = classifyComputeSku(sku);
      if (classified.ok) prices.add(classified);
    }
    // e2-standard-2: 2 vCPU, 8 GiB; the Cyclenerd snapshot lists 0.067011 $/h in us-central1.
    expect(prices.machine('e2', 'us-central1', 'on-demand', 2, 8)).toBeCloseTo(0.067011, 6);
    expect(prices.machine('e2', 'us-central1', 'spot', 2, 8)).toBeUndefined();
    expect(prices.machine('e2', 'asia-southeast1', 'on-demand', 2, 8)).toBeUndefined();
  });
});
