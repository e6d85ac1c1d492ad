import { z } from 'zod';
import { DEFAULT_MODEL_DIR } from '@clonecast/prediction/adapters';

export const predictionEnvSchema = z.object({
  MODEL_DIR: z
    .string()
    .min(1)
    .default(DEFAULT_MODEL_DIR)
    .describe('directory with manifest.json and the ONNX model it names, relative to the working directory'),
  MODEL_INTRA_OP_THREADS: z.coerce.number().int().min(1).max(64).default(1).describe('onnxruntime threads per operator'),
});
export type PredictionEnv = z.infer<typeof predictionEnvSchema>;
