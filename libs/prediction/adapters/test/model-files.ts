import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** The released model the tests run against (written by the Python trainer). */
export const MODEL_DIR = path.join(REPO_ROOT, 'models/demand-forecaster/v1');
/** Inputs and outputs of the model as the trainer computed them with onnxruntime in Python. */
export const MODEL_VECTORS_FILE = path.join(REPO_ROOT, 'models/demand-forecaster/test-vectors/model-vectors-v1.json');
