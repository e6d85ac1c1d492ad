import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { loadBundledCatalog } from './bundled';
import { CatalogStoreError, InvalidCatalogError } from './errors';
import { type PriceCatalog, priceCatalogSchema } from './schema';

export const DEFAULT_CATALOG_DIR = '.clonecast/catalog';
export const CATALOG_FILE = 'catalog.json';

/** `CLONECAST_CATALOG_DIR`, else `.clonecast/catalog` under the working directory. */
export function catalogDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env['CLONECAST_CATALOG_DIR']?.trim();
  return path.resolve(configured ? configured : DEFAULT_CATALOG_DIR);
}

export function catalogFile(dir: string): string {
  return path.join(dir, CATALOG_FILE);
}

/** The last good refreshed catalog in `dir`, or undefined when no refresh has succeeded there yet. */
export function readLastGoodCatalog(dir: string): PriceCatalog | undefined {
  const file = catalogFile(dir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CatalogStoreError(file, (error as Error).message);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CatalogStoreError(file, `not valid JSON: ${(error as Error).message}`);
  }
  const parsed = priceCatalogSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidCatalogError(z.prettifyError(parsed.error));
  return parsed.data;
}

/** Writes via a temporary file and rename in the same directory, so readers see the old or the new catalog, never half of one. */
export function writeCatalogAtomically(dir: string, catalog: PriceCatalog): string {
  const parsed = priceCatalogSchema.safeParse(catalog);
  if (!parsed.success) throw new InvalidCatalogError(z.prettifyError(parsed.error));
  mkdirSync(dir, { recursive: true });
  const file = catalogFile(dir);
  const temporary = path.join(dir, `.${CATALOG_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(temporary, 'w', 0o644);
    try {
      writeSync(fd, `${JSON.stringify(parsed.data)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new CatalogStoreError(file, (error as Error).message);
  }
  return file;
}

export type CatalogOrigin = 'refreshed' | 'bundled';

export interface LoadedCatalog {
  catalog: PriceCatalog;
  origin: CatalogOrigin;
  /** File the catalog was read from; the bundled snapshot has none. */
  file: string | null;
  /** Why a refreshed catalog in the directory was not used (unreadable or invalid); null when none was rejected. */
  rejected: string | null;
}

/** The last good refreshed catalog when there is a valid one in `dir`, else the bundled snapshot. */
export function loadCatalog(dir: string = catalogDir()): LoadedCatalog {
  try {
    const refreshed = readLastGoodCatalog(dir);
    if (refreshed) return { catalog: refreshed, origin: 'refreshed', file: catalogFile(dir), rejected: null };
    return { catalog: loadBundledCatalog(), origin: 'bundled', file: null, rejected: null };
  } catch (error) {
    // A damaged catalog file must not stop planning: the bundled snapshot is always valid.
    return { catalog: loadBundledCatalog(), origin: 'bundled', file: null, rejected: `${catalogFile(dir)}: ${(error as Error).message}` };
  }
}
