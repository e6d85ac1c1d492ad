import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { METRICS, type Metric } from '@clonecast/contracts';
import { buildFeatureRows, featureCountOf, featureNamesOf, parseIsoInstant, type FeatureSpec, type HourlySeries, type ScalePriors } from '../src';

// Written by the Python trainer from the same FEATURES.md / FEATURES-v2.md / FEATURES-v3.md; a missing file is a failure, never a skip.
const VECTORS_DIR = path.resolve(__dirname, '../../../../models/demand-forecaster/test-vectors');
const TOLERANCE = 1e-5;

const perMetric = <T extends z.ZodType>(value: T) => z.object({ cpu: value, memory: value, storage: value, network: value });
const demand = perMetric(z.number());

const vectorsSchema = (spec: FeatureSpec) => z.object({
  featureSpec: z.literal(spec),
  featureNames: z.array(z.string()),
  scalePriors: z.record(z.string(), demand).refine((p) => 'default' in p),
  cases: z
    .array(
      z.object({
        name: z.string(),
        inputs: z.object({
          // null marks a gap (JSON has no NaN)
          historyHourly: z.object({ start: z.string(), values: perMetric(z.array(z.number().nullable())) }),
          origin: z.string(),
          horizon: z.number().int(),
          accountType: z.string(),
          applications: z.array(z.string()),
          events: z.array(
            z.object({
              kind: z.enum(['campaign', 'launch', 'holiday', 'season', 'other']),
              start: z.string(),
              end: z.string(),
              uplift: z.number().optional(),
            }),
          ),
        }),
        expected: z.object({
          rows: z.array(z.array(z.number()).length(featureCountOf(spec))),
          scale: demand,
          missing: perMetric(z.union([z.literal(0), z.literal(1)])),
        }),
      }),
    )
    .min(1),
});

function readVectors(spec: FeatureSpec): z.infer<ReturnType<typeof vectorsSchema>> {
  return vectorsSchema(spec).parse(JSON.parse(readFileSync(path.join(VECTORS_DIR, `features-${spec}.json`), 'utf8')));
}

function seriesOf({ start, values }: { start: string; values: Record<Metric, (number | null)[]> }): HourlySeries {
  const series = {} as Record<Metric, Float64Array>;
  for (const metric of METRICS) series[metric] = Float64Array.from(values[metric], (v) => v ?? Number.NaN);
  return { start: parseIsoInstant(start) as number, length: values.cpu.length, values: series };
}

describe.each(['v1', 'v2', 'v3'] as const)('feature parity with the Python trainer (features-%s.json)', (spec) => {
  const vectors = readVectors(spec);
  const names = featureNamesOf(spec);
  const count = featureCountOf(spec);

  it('names the features as this code does', () => {
    expect(vectors.featureNames).toEqual(names);
  });

  it.each(vectors.cases.map((c) => [c.name, c] as const))('%s: every feature within 1e-5', (_name, { inputs, expected }) => {
    const features = buildFeatureRows({
      history: seriesOf(inputs.historyHourly),
      origin: parseIsoInstant(inputs.origin) as number,
      horizonHours: inputs.horizon,
      accountType: inputs.accountType,
      applications: inputs.applications,
      events: inputs.events,
      scalePriors: vectors.scalePriors as ScalePriors,
      featureSpec: spec,
    });

    expect(features.featureCount).toBe(count);
    expect(features.rows).toHaveLength(expected.rows.length * count);
    const mismatches: string[] = [];
    expected.rows.forEach((row, h) =>
      row.forEach((want, f) => {
        const got = features.rows[h * count + f] as number;
        if (!(Math.abs(got - want) <= TOLERANCE)) mismatches.push(`step ${h} ${names[f]}: got ${got}, want ${want}`);
      }),
    );
    expect(mismatches.slice(0, 20)).toEqual([]);
    for (const metric of METRICS) {
      expect(Math.abs(features.scale[metric] - expected.scale[metric])).toBeLessThanOrEqual(1e-9 * Math.max(1, expected.scale[metric]));
      expect(features.missing[metric]).toBe(expected.missing[metric] === 1);
    }
  });
});
