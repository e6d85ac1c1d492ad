import type { Command } from 'commander';
import { ARCHITECTURES, type Architecture, CLOUDS, type Cloud, type PlacementConstraints } from '@clonecast/contracts';
import { UsageError } from './cli-error';
import { parseList, parseNumberOption } from './io';

/** The placement options `clonecast plan` and `clonecast clone request` share, as commander parses them. */
export interface PlacementOptions {
  clouds: string[];
  regions?: string[];
  families?: string[];
  architectures?: string[];
  maxSpotShare: number;
  minInstances: number;
  budget?: number;
  commitments: boolean;
}

export function addPlacementOptions(command: Command): Command {
  return command
    .option('--clouds <list>', 'allowed clouds, comma-separated', parseList, ['aws', 'azure', 'gcp'])
    .option('--regions <list>', 'allowed regions of any cloud, comma-separated (default: all)', parseList)
    .option('--families <list>', 'allowed instance families, comma-separated, e.g. n2,m7i,Dsv5 (default: all)', parseList)
    .option('--architectures <list>', `allowed CPU architectures, comma-separated: ${ARCHITECTURES.join(', ')} (default: both)`, parseList)
    .option('--max-spot-share <s>', 'largest share of the required capacity on spot, 0..1', parseNumberOption('--max-spot-share', 0, 1), 0.5)
    .option('--min-instances <n>', 'fewest instances at any step, for availability', parseNumberOption('--min-instances', 1, 100_000, true), 1)
    .option('--budget <usd>', 'cap on the expected cost of the timeframe, USD', parseNumberOption('--budget', 0.01, 1_000_000_000))
    .option('--no-commitments', 'do not buy reserved/committed capacity');
}

/** PlacementConstraints from the options; unknown clouds or architectures are UsageErrors naming the option. */
export function placementConstraints(options: PlacementOptions): PlacementConstraints {
  const clouds = options.clouds.map((c) => {
    if (!(CLOUDS as readonly string[]).includes(c)) throw new UsageError(`--clouds: unknown cloud "${c}" (use ${CLOUDS.join(', ')})`);
    return c as Cloud;
  });
  if (clouds.length === 0) throw new UsageError('--clouds: at least one cloud must be allowed');
  const architectures = options.architectures?.map((a) => {
    if (!(ARCHITECTURES as readonly string[]).includes(a))
      throw new UsageError(`--architectures: unknown architecture "${a}" (use ${ARCHITECTURES.join(', ')})`);
    return a as Architecture;
  });
  return {
    clouds,
    ...(options.regions && options.regions.length > 0 ? { regions: options.regions } : {}),
    ...(options.families && options.families.length > 0 ? { families: options.families } : {}),
    ...(architectures && architectures.length > 0 ? { architectures } : {}),
    maxSpotShare: options.maxSpotShare,
    allowCommitments: options.commitments,
    minInstances: options.minInstances,
    ...(options.budget !== undefined ? { budget: options.budget } : {}),
  };
}
