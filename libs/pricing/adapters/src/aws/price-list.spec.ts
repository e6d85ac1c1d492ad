import { readFileSync } from 'node:fs';
import path from 'node:path';
import { averageLatestSpot, parsePriceListItem, regionOfZone } from './price-list';

const fixtures = path.join(__dirname, '../../test/fixtures/aws');
const response = JSON.parse(readFileSync(path.join(fixtures, 'GetProducts-response-m5.large-us-east-1.derived.json'), 'utf8')) as { PriceList: string[] };
const encoded = response.PriceList[0] ?? '';

/** The recorded item with some product attributes changed, re-encoded as the API sends it. */
function withAttributes(attributes: Record<string, string>): string {
  const item = JSON.parse(encoded) as { product: { attributes: Record<string, string> } };
  return JSON.stringify({ ...item, product: { ...item.product, attributes: { ...item.product.attributes, ...attributes } } });
}

describe('parsePriceListItem (GetProducts PriceList element)', () => {
  it('decodes the JSON-encoded string: specs, region from the location name, on-demand $/h', () => {
    expect(typeof encoded).toBe('string');
    const parsed = parsePriceListItem(encoded);
    expect(parsed).toMatchObject({ ok: true, price: { region: 'us-east-1', instanceType: 'm5.large', family: 'm5', architecture: 'x86_64', vcpu: 2, memoryGiB: 8, gpu: 0, onDemandHourly: 0.096 } });
  });

  it('spreads upfront "Quantity" fees over the term hours and adds the "Hrs" fee', () => {
    const parsed = parsePriceListItem(encoded);
    if (!parsed.ok) throw new Error(parsed.reason);
    const offers = parsed.price.reservedOffers;
    expect(offers).toHaveLength(12);
    const offer = (term: string, cls: string, option: string) => offers.find((o) => o.term === term && o.offeringClass === cls && o.purchaseOption === option);
    expect(offer('1y', 'standard', 'Partial Upfront')).toMatchObject({ upfrontUsd: 252, hourlyUsd: 0.029 });
    expect(offer('1y', 'standard', 'Partial Upfront')?.effectiveHourly).toBeCloseTo(0.029 + 252 / 8760, 9);
    expect(offer('3y', 'convertible', 'All Upfront')?.effectiveHourly).toBeCloseTo(1161 / 26280, 9);
    expect(offer('3y', 'standard', 'No Upfront')?.effectiveHourly).toBe(0.041);
    // The catalog keeps the cheapest standard offering per term: All Upfront here.
    expect(parsed.price.reserved1yHourly).toBeCloseTo(494 / 8760, 9);
    expect(parsed.price.reserved3yHourly).toBeCloseTo(949 / 26280, 9);
  });

  it.each([
    [{ operatingSystem: 'Windows' }, 'operating system is not Linux'],
    [{ tenancy: 'Dedicated' }, 'tenancy is not shared'],
    [{ preInstalledSw: 'SQL Std' }, 'has pre-installed software'],
    [{ capacitystatus: 'UnusedCapacityReservation' }, 'capacity reservation line'],
    [{ location: 'US East (Boston)' }, 'unknown location'],
  ])('skips %j: %s', (attributes, reason) => {
    expect(parsePriceListItem(withAttributes(attributes))).toEqual({ ok: false, reason });
  });

  it('prefers regionCode and detects Graviton as arm64', () => {
    expect(parsePriceListItem(withAttributes({ regionCode: 'eu-west-1', physicalProcessor: 'AWS Graviton2 Processor' }))).toMatchObject({ ok: true, price: { region: 'eu-west-1', architecture: 'arm64' } });
  });

  it('rejects an element that is not a JSON string', () => {
    expect(parsePriceListItem('{"product":')).toEqual({ ok: false, reason: 'PriceList element is not JSON' });
  });
});

describe('averageLatestSpot (DescribeSpotPriceHistory)', () => {
  const history = (JSON.parse(readFileSync(path.join(fixtures, 'DescribeSpotPriceHistory-m5.large.json'), 'utf8')) as { SpotPriceHistory: { Timestamp: string }[] }).SpotPriceHistory.map(
    (r) => ({ ...r, Timestamp: new Date(r.Timestamp) }),
  );

  it('averages the latest price of each of the five zones, ignoring older history', () => {
    expect(history).toHaveLength(250);
    const spot = averageLatestSpot(history);
    expect([...spot.keys()]).toEqual(['us-east-1/m5.large']);
    expect(spot.get('us-east-1/m5.large')).toBeCloseTo((0.0437 + 0.0423 + 0.0389 + 0.0381 + 0.0431) / 5, 9);
  });

  it('ignores other operating systems and Local Zones', () => {
    const at = new Date('2021-02-10T00:00:00Z');
    const spot = averageLatestSpot([
      { AvailabilityZone: 'us-east-1a', InstanceType: 'm5.large', ProductDescription: 'Windows', SpotPrice: '0.2', Timestamp: at },
      { AvailabilityZone: 'us-east-1-bos-1a', InstanceType: 'm5.large', ProductDescription: 'Linux/UNIX', SpotPrice: '0.2', Timestamp: at },
    ]);
    expect(spot.size).toBe(0);
    expect(regionOfZone('us-east-1-bos-1a')).toBeUndefined();
    expect(regionOfZone('eu-central-1b')).toBe('eu-central-1');
  });
});
