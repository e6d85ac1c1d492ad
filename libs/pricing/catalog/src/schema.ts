import { architectureSchema, cloudSchema } from '@clonecast/contracts';
import { z } from 'zod';

/** How a row's commitment prices are bought; with the term it names a contracts PricingModel ("committed-1y"). */
export const COMMITMENT_MODELS = ['reserved', 'committed', 'savings-plan'] as const;
export const commitmentModelSchema = z.enum(COMMITMENT_MODELS);
export type CommitmentModel = z.infer<typeof commitmentModelSchema>;

/** A known price is strictly positive: a price the source does not have is null, never 0. */
const hourlyPrice = z.number().finite().positive().describe('USD per instance-hour');

const snapshotDate = z.iso.date().describe('day the prices were fetched (YYYY-MM-DD, UTC)');

export const catalogRowSchema = z
  .object({
    cloud: cloudSchema,
    region: z.string().min(1),
    instanceType: z.string().min(1),
    family: z.string().min(1).describe('instance series, e.g. "m7i", "n2", "Ddsv5"'),
    architecture: architectureSchema,
    vcpu: z.number().positive(),
    memoryGiB: z.number().positive(),
    gpu: z.number().int().nonnegative().describe('GPU count per instance'),
    onDemandHourly: hourlyPrice,
    spotHourly: hourlyPrice.nullable().describe('spot price, null when the source has none'),
    spotInterruptionRate: z
      .number()
      .min(0)
      .max(1)
      .nullable()
      .default(null)
      .describe(
        'estimated share of spot instances reclaimed per month (e.g. the upper edge of the AWS Spot Advisor frequency band); null = unknown',
      ),
    commitmentModel: commitmentModelSchema.nullable().describe('what the commitment prices buy; null = none known'),
    commitment1yHourly: hourlyPrice.nullable().describe('effective $/h over a 1-year term (upfront spread over the term)'),
    commitment3yHourly: hourlyPrice.nullable().describe('effective $/h over a 3-year term (upfront spread over the term)'),
    source: z.string().min(1).describe('id of the catalog source the on-demand price comes from'),
    snapshotDate: snapshotDate.nullable().describe('when the on-demand price was fetched; null = unknown'),
  })
  .superRefine((row, ctx) => {
    if (row.spotHourly !== null && row.spotHourly >= row.onDemandHourly)
      ctx.addIssue({ code: 'custom', path: ['spotHourly'], message: 'spot price must be below the on-demand price' });
    if (row.spotInterruptionRate !== null && row.spotHourly === null)
      ctx.addIssue({ code: 'custom', path: ['spotInterruptionRate'], message: 'an interruption rate needs a spot price' });
    const hasCommitmentPrice = row.commitment1yHourly !== null || row.commitment3yHourly !== null;
    if (hasCommitmentPrice !== (row.commitmentModel !== null))
      ctx.addIssue({
        code: 'custom',
        path: ['commitmentModel'],
        message: 'commitmentModel is set exactly when a commitment price is known',
      });
  })
  .describe('One compute instance type in one region, with its hourly prices');
export type CatalogRow = z.infer<typeof catalogRowSchema>;

export const PRICE_KINDS = ['specs', 'on-demand', 'spot', 'commitments'] as const;

export const priceKindSchema = z.enum(PRICE_KINDS);
export type PriceKind = z.infer<typeof priceKindSchema>;

export const catalogSourceSchema = z
  .object({
    id: z.string().min(1),
    cloud: cloudSchema,
    provides: z.array(priceKindSchema).min(1),
    repository: z.string().min(1).describe('public GitHub owner/name'),
    path: z.string().min(1),
    commit: z.string().regex(/^[0-9a-f]{40}$/),
    inputSha256: z.string().regex(/^[0-9a-f]{64}$/).describe('sha256 of the file the snapshot was built from'),
    snapshotDate: snapshotDate.nullable().describe('when the upstream fetched the prices; null = unknown'),
    licence: z.string().min(1).describe('SPDX id of the upstream repository licence'),
  })
  .describe('A public data file the bundled snapshot was built from');
export type CatalogSource = z.infer<typeof catalogSourceSchema>;

export const apiSourceSchema = z
  .object({
    id: z.string().min(1),
    cloud: cloudSchema,
    provides: z.array(priceKindSchema).min(1),
    api: z.string().min(1).describe('provider API and operation, e.g. "AWS Price List GetProducts"'),
    endpoint: z.url().describe('endpoint the prices were read from'),
    fetchedAt: z.iso.datetime().describe('when the last successful refresh of this source finished'),
    snapshotDate: snapshotDate.describe('UTC day of fetchedAt: API prices are current when fetched'),
    licence: z.string().min(1).describe('terms of the provider price list (SPDX LicenseRef)'),
  })
  .describe('A provider pricing API a refresh read prices from');
export type ApiSource = z.infer<typeof apiSourceSchema>;

/** Every source a row may cite: the snapshot's files and the APIs refreshes read. */
export function allSources(catalog: PriceCatalog): (CatalogSource | ApiSource)[] {
  return [...catalog.sources, ...(catalog.apiSources ?? [])];
}

export const priceCatalogSchema = z
  .object({
    catalogVersion: z.string().regex(/^[0-9a-f]{12}$/).describe('first 12 hex digits of sha256(JSON of rows)'),
    currency: z.literal('USD'),
    sources: z.array(catalogSourceSchema).min(1),
    apiSources: z.array(apiSourceSchema).optional().describe('pricing APIs refreshes read; absent in the bundled snapshot'),
    rows: z.array(catalogRowSchema).min(1),
  })
  .superRefine((catalog, ctx) => {
    const sourceIds = new Set([...catalog.sources, ...(catalog.apiSources ?? [])].map((s) => s.id));
    if (sourceIds.size !== catalog.sources.length + (catalog.apiSources?.length ?? 0))
      ctx.addIssue({ code: 'custom', path: ['apiSources'], message: 'source ids must be unique' });
    const seen = new Set<string>();
    catalog.rows.forEach((row, i) => {
      if (!sourceIds.has(row.source))
        ctx.addIssue({ code: 'custom', path: ['rows', i, 'source'], message: `unknown source "${row.source}"` });
      const key = `${row.cloud}/${row.region}/${row.instanceType}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['rows', i], message: `duplicate row ${key}` });
      seen.add(key);
    });
  })
  .describe('Offline snapshot of compute prices for the three clouds');
export type PriceCatalog = z.infer<typeof priceCatalogSchema>;
