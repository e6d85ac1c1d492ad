const HOUR_MS = 3_600_000;

/**
 * What a plan covers: `timeframeHours` whole UTC hours from the hour that contains activation, the grid the
 * forecast uses. A mid-hour activation is therefore covered from the start of its hour.
 */
export function planningWindow(activationAt: string, timeframeHours: number): { from: number; to: number } {
  const from = Math.floor(Date.parse(activationAt) / HOUR_MS) * HOUR_MS;
  return { from, to: from + timeframeHours * HOUR_MS };
}
