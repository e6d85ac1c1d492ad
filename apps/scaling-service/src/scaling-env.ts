import { z } from 'zod';
import type { ScalingPolicy } from '@clonecast/scaling/domain';

const ratio = z.coerce.number().gt(0).lt(10);

/** The control loop's policy, from the environment (defaults: ±20/30 % band, 2 readings, 15 min cooldown). */
export const scalingEnvSchema = z
  .object({
    SCALING_UP_THRESHOLD: ratio.default(0.2).describe('relative excess over the forecast median that scales up'),
    SCALING_DOWN_THRESHOLD: z.coerce.number().gt(0).lt(1).default(0.3).describe('relative shortfall that scales down'),
    SCALING_HYSTERESIS: z.coerce.number().int().min(1).default(2).describe('consecutive deviating observations needed'),
    SCALING_COOLDOWN_MINUTES: z.coerce.number().min(0).default(15),
    SCALING_MIN_SIZE: z.coerce.number().int().min(0).default(1),
    SCALING_MAX_SIZE: z.coerce.number().int().min(1).default(100),
    SCALING_TARGET_UTILISATION: z.coerce.number().gt(0).max(1).default(0.7),
  })
  .refine((e) => e.SCALING_MIN_SIZE <= e.SCALING_MAX_SIZE, { message: 'must be <= SCALING_MAX_SIZE', path: ['SCALING_MIN_SIZE'] })
  .transform(
    (e): ScalingPolicy => ({
      upThreshold: e.SCALING_UP_THRESHOLD,
      downThreshold: e.SCALING_DOWN_THRESHOLD,
      hysteresis: e.SCALING_HYSTERESIS,
      cooldownMinutes: e.SCALING_COOLDOWN_MINUTES,
      minSize: e.SCALING_MIN_SIZE,
      maxSize: e.SCALING_MAX_SIZE,
      targetUtilisation: e.SCALING_TARGET_UTILISATION,
    }),
  );
export const SCALING_POLICY = Symbol('SCALING_POLICY');
