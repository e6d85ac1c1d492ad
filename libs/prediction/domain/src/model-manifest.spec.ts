import { InvalidModelManifestError } from './errors';
import { FEATURE_NAMES, FEATURE_NAMES_V2, FEATURE_NAMES_V3 } from './features';
import { parseModelManifest } from './model-manifest';

const valid = {
  version: '1.0.0',
  onnx: 'model.onnx',
  sha256: 'a'.repeat(64),
  inputs: { features: ['N', 63] },
  outputs: { quantiles: ['N', 4, 8] },
  featureSpec: 'v1',
  featureNames: FEATURE_NAMES,
  quantiles: [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99],
  metrics: ['cpu', 'memory', 'storage', 'network'],
  maxHorizon: 168,
  scalePriors: { default: { cpu: 4, memory: 16, storage: 50, network: 100 } },
  coldStartWidening: { '0.05': 1.5, '0.95': 1.5 },
  eventUplift: 'applied-by-caller',
  trainingData: { sha256: 'b'.repeat(64), entities: 10, hours: 1000 },
  evaluation: {},
  createdAt: '2025-11-28T00:00:00Z',
};

describe('parseModelManifest', () => {
  it('accepts a manifest of feature spec v1', () => {
    expect(parseModelManifest(valid)).toMatchObject({ version: '1.0.0', maxHorizon: 168, eventUplift: 'applied-by-caller' });
  });

  it('accepts a manifest of feature spec v2 with its 99 names', () => {
    const v2 = { ...valid, featureSpec: 'v2', featureNames: FEATURE_NAMES_V2, inputs: { features: ['N', 99] } };
    expect(parseModelManifest(v2)).toMatchObject({ featureSpec: 'v2', featureNames: FEATURE_NAMES_V2 });
  });

  it('accepts a manifest of feature spec v3 with its 207 names', () => {
    const v3 = { ...valid, featureSpec: 'v3', featureNames: FEATURE_NAMES_V3, inputs: { features: ['N', 207] } };
    expect(parseModelManifest(v3)).toMatchObject({ featureSpec: 'v3', featureNames: FEATURE_NAMES_V3 });
    expect(() => parseModelManifest({ ...v3, featureNames: FEATURE_NAMES_V2 })).toThrow(/feature spec v3 has 207 features, got 99/);
  });

  it('refuses names of the other feature spec', () => {
    expect(() => parseModelManifest({ ...valid, featureSpec: 'v2' })).toThrow(/feature spec v2 has 99 features, got 63/);
    expect(() => parseModelManifest({ ...valid, featureNames: FEATURE_NAMES_V2 })).toThrow(/feature spec v1 has 63 features, got 99/);
  });

  it('names the feature that is out of place', () => {
    const swapped = [...FEATURE_NAMES];
    [swapped[0], swapped[1]] = [swapped[1] as string, swapped[0] as string];
    expect(() => parseModelManifest({ ...valid, featureNames: swapped })).toThrow(/featureNames\.0: expected "lag1_cpu"/);
  });

  it('reads cold-start factors per quantile as the same factors for every metric', () => {
    expect(parseModelManifest(valid).coldStartWidening).toEqual({
      cpu: valid.coldStartWidening,
      memory: valid.coldStartWidening,
      storage: valid.coldStartWidening,
      network: valid.coldStartWidening,
    });
  });

  it('accepts cold-start factors per metric and quantile and refuses a missing metric or a negative factor', () => {
    const perMetric = { cpu: { '0.95': 2 }, memory: { '0.95': 3 }, storage: { '0.95': 40 }, network: { '0.95': 9 } };
    expect(parseModelManifest({ ...valid, coldStartWidening: perMetric }).coldStartWidening).toEqual(perMetric);
    const { network: _, ...threeMetrics } = perMetric;
    expect(() => parseModelManifest({ ...valid, coldStartWidening: threeMetrics })).toThrow(/coldStartWidening/);
    expect(() => parseModelManifest({ ...valid, coldStartWidening: { ...perMetric, cpu: { '0.95': -1 } } })).toThrow(/coldStartWidening/);
  });

  it('refuses unordered quantiles, another feature spec and priors without a default', () => {
    expect(() => parseModelManifest({ ...valid, quantiles: [0.5, 0.1] })).toThrow(/strictly increasing/);
    expect(() => parseModelManifest({ ...valid, featureSpec: 'v9' })).toThrow(InvalidModelManifestError);
    expect(() => parseModelManifest({ ...valid, scalePriors: { web: valid.scalePriors.default } })).toThrow(/"default" prior/);
  });
});
