import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SkipCounter } from '../refresher';
import { classifyRetailItem, collectRetailPrices } from './retail-prices';

const fixtures = path.join(__dirname, '../../test/fixtures/azure');
const page = (name: string) => JSON.parse(readFileSync(path.join(fixtures, name), 'utf8')) as { Items: Record<string, unknown>[] };
const buildverse = page('retail-prices-page-1.buildverse-2022-04-19.json').Items;
const ace = page('retail-prices-page-2.ace-westeurope.json').Items;
const item = (armRegionName: string, armSkuName: string, type: string) => buildverse.find((i) => i['armRegionName'] === armRegionName && i['armSkuName'] === armSkuName && i['type'] === type);

describe('classifyRetailItem (Retail Prices API)', () => {
  it('divides a Reservation retailPrice (the whole term) by the term hours', () => {
    const reservations = buildverse.filter((i) => i['type'] === 'Reservation' && i['armSkuName'] === 'Standard_E96_v5');
    expect(reservations.map(classifyRetailItem)).toEqual([
      { ok: true, region: 'northeurope', armSkuName: 'Standard_E96_v5', kind: 'reserved-1y', hourly: 34980 / 8760, effectiveStartDate: expect.any(String) },
      { ok: true, region: 'northeurope', armSkuName: 'Standard_E96_v5', kind: 'reserved-3y', hourly: 67588 / 26280, effectiveStartDate: expect.any(String) },
    ]);
    expect(classifyRetailItem(item('northeurope', 'Standard_E96_v5', 'Consumption'))).toMatchObject({ kind: 'on-demand', hourly: 6.768 });
  });

  it('tells Spot from Low Priority by the name suffix', () => {
    expect(classifyRetailItem(item('westeurope', 'Standard_D4ds_v5', 'Consumption'))).toMatchObject({ ok: true, kind: 'spot', hourly: 0.094792 });
    expect(classifyRetailItem(item('northeurope', 'Standard_E2ads_v5', 'Consumption'))).toEqual({ ok: false, reason: 'Low Priority meter (Batch, not Spot)' });
  });

  it('leaves out Windows, Dev/Test, Cloud Services and non-VM items', () => {
    expect(classifyRetailItem(ace[1])).toEqual({ ok: false, reason: 'Windows product' });
    expect(classifyRetailItem(ace[0])).toEqual({ ok: false, reason: 'not a virtual machine (service)' });
    expect(classifyRetailItem(item('westeurope', 'Standard_G1', 'Consumption'))).toEqual({ ok: false, reason: 'not a virtual machine (service)' });
    const devTest = buildverse.find((i) => i['type'] === 'DevTestConsumption' && !String(i['productName']).endsWith('Windows') && i['serviceName'] === 'Virtual Machines');
    expect(devTest === undefined || classifyRetailItem(devTest).ok === false).toBe(true);
    expect(classifyRetailItem({ ...item('northeurope', 'Standard_E96_v5', 'Consumption'), type: 'DevTestConsumption' })).toEqual({ ok: false, reason: 'Dev/Test price' });
  });

  it('collects on-demand, spot and both reservation terms per region and size', () => {
    const skipped = new SkipCounter();
    const sizes = collectRetailPrices(buildverse, new Set(['centralus', 'northeurope']), skipped);
    expect(sizes.get('centralus/Standard_M16ms')?.prices).toEqual({
      'on-demand': { hourly: 3.472, effectiveStartDate: expect.any(String) },
      'reserved-1y': { hourly: 17493 / 8760, effectiveStartDate: expect.any(String) },
      'reserved-3y': { hourly: 25531 / 26280, effectiveStartDate: expect.any(String) },
    });
    const classified = buildverse.length - Object.values(skipped.counts).reduce((a, b) => a + b, 0);
    expect(classified).toBe([...sizes.values()].reduce((n, s) => n + Object.keys(s.prices).length, 0));
  });
});
