import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactIntegrityError } from './errors';

export interface ArtifactStoreOptions {
  /** Root of the content-addressed store. */
  readonly dir: string;
}

/** `<dir>/<sha256[0..2]>/<sha256>.tf.json`: the two-character fan-out keeps directories small. */
export function artifactPath(dir: string, sha256: string): string {
  return join(dir, sha256.slice(0, 2), `${sha256}.tf.json`);
}

/** Content-addressed store for Terraform JSON artifacts on the local file system. */
export class ArtifactStore {
  /** Writes the artifact atomically and returns its path; storing the same content again is a no-op. */
  async write(json: string, sha256: string, { dir }: ArtifactStoreOptions): Promise<string> {
    const actual = createHash('sha256').update(json).digest('hex');
    if (actual !== sha256) throw new ArtifactIntegrityError(sha256, actual);

    const path = artifactPath(dir, sha256);
    // Same address means same content, and rename makes a file appear whole or not at all.
    if (await exists(path)) return path;

    await mkdir(join(dir, sha256.slice(0, 2)), { recursive: true });
    const temp = `${path}.${randomUUID()}.tmp`;
    try {
      const file = await open(temp, 'wx');
      try {
        await file.writeFile(json, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return path;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    // No instanceof Error: fs errors come from another realm under jest's sandbox.
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT') return false;
    throw error;
  }
}
