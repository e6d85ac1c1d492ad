import { z } from 'zod';

export const provisioningEnvSchema = z.object({
  ARTIFACTS_DIR: z.string().min(1).default('artifacts').describe('where Terraform JSON artifacts are written'),
});
export type ProvisioningEnv = z.infer<typeof provisioningEnvSchema>;
export const PROVISIONING_ENV = Symbol('PROVISIONING_ENV');
