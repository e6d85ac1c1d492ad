import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** The released model the tests run against (written by the Python trainer): v4, the default. */
export const MODEL_DIR = path.join(REPO_ROOT, 'models/demand-forecaster/v4');
/** The previous model (featureSpec v1), still loadable. */
export const MODEL_DIR_V1 = path.join(REPO_ROOT, 'models/demand-forecaster/v1');
/** The previous model (featureSpec v2), still loadable. */
export const MODEL_DIR_V2 = path.join(REPO_ROOT, 'models/demand-forecaster/v2');
/** The previous model (featureSpec v3, mixture head), still loadable. */
export const MODEL_DIR_V3 = path.join(REPO_ROOT, 'models/demand-forecaster/v3');
/** Inputs and outputs of each model as the trainer computed them with onnxruntime in Python. */
export const MODEL_VECTORS = [
  { dir: MODEL_DIR_V1, file: path.join(REPO_ROOT, 'models/demand-forecaster/test-vectors/model-vectors-v1.json') },
  { dir: MODEL_DIR_V2, file: path.join(REPO_ROOT, 'models/demand-forecaster/test-vectors/model-vectors-v2.json') },
  { dir: MODEL_DIR_V3, file: path.join(REPO_ROOT, 'models/demand-forecaster/test-vectors/model-vectors-v3.json') },
  { dir: MODEL_DIR, file: path.join(REPO_ROOT, 'models/demand-forecaster/test-vectors/model-vectors-v4.json') },
] as const;
