import { z } from 'zod';
import { METRICS, type Metric } from '@clonecast/contracts';
import { InvalidModelManifestError } from './errors';
import { FEATURE_SPECS, featureCountOf, featureNamesOf, type ScalePriors } from './features';
import { MAX_HORIZON_HOURS } from './hour-of-week-forecaster';

const positiveDemand = z.object({
  cpu: z.number().positive(),
  memory: z.number().positive(),
  storage: z.number().positive(),
  network: z.number().positive(),
});

const quantileKey = z.string().regex(/^0\.\d+$/, 'quantile key like "0.95"');

const wideningByQuantile = z.record(quantileKey, z.number().nonnegative().describe('multiplies quantile q on a cold start'));

/**
 * Cold-start factors per metric and quantile (v4 on); models v1-v3 give one factor per quantile for every
 * metric, read here as the same factors for each metric.
 */
const coldStartWidening = z
  .union([z.object({ cpu: wideningByQuantile, memory: wideningByQuantile, storage: wideningByQuantile, network: wideningByQuantile }), wideningByQuantile])
  .transform((w): Record<Metric, Record<string, number>> =>
    'cpu' in w && typeof w.cpu === 'object'
      ? (w as Record<Metric, Record<string, number>>)
      : (Object.fromEntries(METRICS.map((metric) => [metric, w])) as Record<Metric, Record<string, number>>),
  );

/** `models/demand-forecaster/<version>/manifest.json`, as FEATURES.md (v1), FEATURES-v2.md (v2) and FEATURES-v3.md (v3) define it. */
export const modelManifestSchema = z
  .object({
    version: z.string().min(1),
    onnx: z.string().min(1).describe('model file name, relative to the manifest'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'lower-case hex sha256'),
    inputs: z.unknown(),
    outputs: z.unknown(),
    featureSpec: z.enum(FEATURE_SPECS),
    featureNames: z.array(z.string()),
    quantiles: z.array(z.number().gt(0).lt(1)).min(1),
    metrics: z.array(z.enum(METRICS)).length(METRICS.length),
    maxHorizon: z.number().int().min(1).max(MAX_HORIZON_HOURS),
    scalePriors: z.record(z.string(), positiveDemand).refine((p) => 'default' in p, 'needs a "default" prior'),
    coldStartWidening,
    eventUplift: z.enum(['applied-by-caller', 'learned']),
    trainingData: z.record(z.string(), z.unknown()),
    evaluation: z.record(z.string(), z.unknown()),
    createdAt: z.string().min(1),
  })
  .superRefine((m, ctx) => {
    if (m.quantiles.some((q, i) => i > 0 && q <= (m.quantiles[i - 1] as number))) {
      ctx.addIssue({ code: 'custom', path: ['quantiles'], message: 'must be strictly increasing' });
    }
    const names = featureNamesOf(m.featureSpec);
    if (m.featureNames.length !== featureCountOf(m.featureSpec)) {
      ctx.addIssue({
        code: 'custom',
        path: ['featureNames'],
        message: `feature spec ${m.featureSpec} has ${featureCountOf(m.featureSpec)} features, got ${m.featureNames.length}`,
      });
    }
    const misplaced = m.featureNames.findIndex((name, i) => name !== names[i]);
    if (misplaced >= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['featureNames', misplaced],
        message: `expected "${names[misplaced]}" (feature spec ${m.featureSpec}), got "${m.featureNames[misplaced]}"`,
      });
    }
    if (m.metrics.some((metric, i) => metric !== METRICS[i])) {
      ctx.addIssue({ code: 'custom', path: ['metrics'], message: `must be [${METRICS.join(', ')}] in that order` });
    }
  });

export type ModelManifest = Omit<z.infer<typeof modelManifestSchema>, 'scalePriors'> & { scalePriors: ScalePriors };

/** Validates a parsed manifest.json against the schema and the feature contract this code implements. */
export function parseModelManifest(raw: unknown): ModelManifest {
  const result = modelManifestSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(manifest)'}: ${issue.message}`);
    throw new InvalidModelManifestError(`invalid model manifest: ${problems.join('; ')}`);
  }
  // The refinement above guarantees the "default" prior ScalePriors requires.
  return result.data as ModelManifest;
}
