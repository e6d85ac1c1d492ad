import { z } from 'zod';
import snapshot from '../data/catalog.snapshot.json';
import { InvalidCatalogError } from './errors';
import { type PriceCatalog, priceCatalogSchema } from './schema';

let bundled: PriceCatalog | undefined;

/**
 * The catalog snapshot shipped with the code (see data/PROVENANCE.md). Validated on first use only;
 * the result is frozen because every caller shares the same instance.
 */
export function loadBundledCatalog(): PriceCatalog {
  if (!bundled) {
    const parsed = priceCatalogSchema.safeParse(snapshot);
    if (!parsed.success) throw new InvalidCatalogError(z.prettifyError(parsed.error));
    bundled = deepFreeze(parsed.data);
  }
  return bundled;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
