import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { METRICS, type Metric } from '@clonecast/contracts';
import { buildFeatureRows, FEATURE_COUNT, FEATURE_NAMES, parseIsoInstant, type HourlySeries, type ScalePriors } from '../src';

// Written by the Python trainer from the same FEATURES.md; a missing file is a failure, never a skip.
const VECTORS_FILE = path.resolve(__dirname, '../../../../models/demand-forecaster/test-vectors/features-v1.json');
const TOLERANCE = 1e-5;

const perMetric = <T extends z.ZodType>(value: T) => z.object({ cpu: value, memory: value, storage: value, network: value });
const demand = perMetric(z.number());

const vectorsSchema = z.object({
  featureSpec: z.literal('v1'),
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
          rows: z.array(z.array(z.number()).length(FEATURE_COUNT)),
          scale: demand,
          missing: perMetric(z.union([z.literal(0), z.literal(1)])),
        }),
      }),
    )
    .min(1),
});

function readVectors(): z.infer<typeof vectorsSchema> {
  return vectorsSchema.parse(JSON.parse(readFileSync(VECTORS_FILE, 'utf8')));
}

function seriesOf({ start, values }: { start: string; values: Record<Metric, (number | null)[]> }): HourlySeries {
  const series = {} as Record<Metric, Float64Array>;
  for (const metric of METRICS) series[metric] = Float64Array.from(values[metric], (v) => v ?? Number.NaN);
  return { start: parseIsoInstant(start) as number, length: values.cpu.length, values: series };
}

describe(`feature parity with the Python trainer (${path.basename(VECTORS_FILE)})`, () => {
  const vectors = readVectors();

  it('names the features as this code does', () => {
    expect(vectors.featureNames).toEqual(FEATURE_NAMES);
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
    });

    expect(features.rows).toHaveLength(expected.rows.length * FEATURE_COUNT);
    const mismatches: string[] = [];
    expected.rows.forEach((row, h) =>
      row.forEach((want, f) => {
        const got = features.rows[h * FEATURE_COUNT + f] as number;
        if (!(Math.abs(got - want) <= TOLERANCE)) mismatches.push(`step ${h} ${FEATURE_NAMES[f]}: got ${got}, want ${want}`);
      }),
    );
    expect(mismatches.slice(0, 20)).toEqual([]);
    for (const metric of METRICS) {
      expect(Math.abs(features.scale[metric] - expected.scale[metric])).toBeLessThanOrEqual(1e-9 * Math.max(1, expected.scale[metric]));
      expect(features.missing[metric]).toBe(expected.missing[metric] === 1);
    }
  });
});
