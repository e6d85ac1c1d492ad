import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactStore, artifactPath } from './artifact-store';
import { ArtifactIntegrityError } from './errors';

const json = '{"resource":{}}\n';
const sha256 = createHash('sha256').update(json).digest('hex');

describe('ArtifactStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clonecast-artifacts-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the content under <dir>/<sha[0..2]>/<sha>.tf.json', async () => {
    const path = await new ArtifactStore().write(json, sha256, { dir });
    expect(path).toBe(join(dir, sha256.slice(0, 2), `${sha256}.tf.json`));
    expect(path).toBe(artifactPath(dir, sha256));
    expect(await readFile(path, 'utf8')).toBe(json);
  });

  it('is idempotent: the same content again returns the same path, leaves one file and does not rewrite it', async () => {
    const store = new ArtifactStore();
    const first = await store.write(json, sha256, { dir });
    const writtenAt = (await stat(first)).mtimeMs;
    const [second, third] = await Promise.all([store.write(json, sha256, { dir }), store.write(json, sha256, { dir })]);

    expect([second, third]).toEqual([first, first]);
    expect(await readdir(join(dir, sha256.slice(0, 2)))).toEqual([`${sha256}.tf.json`]);
    expect((await stat(first)).mtimeMs).toBe(writtenAt);
  });

  it('leaves no temporary files when concurrent writers race for a new address', async () => {
    const store = new ArtifactStore();
    const paths = await Promise.all(Array.from({ length: 5 }, () => store.write(json, sha256, { dir })));
    expect(new Set(paths).size).toBe(1);
    expect(await readdir(join(dir, sha256.slice(0, 2)))).toEqual([`${sha256}.tf.json`]);
  });

  it('refuses content that does not hash to the given address', async () => {
    const wrong = 'f'.repeat(64);
    await expect(new ArtifactStore().write(json, wrong, { dir })).rejects.toThrow(ArtifactIntegrityError);
    await expect(new ArtifactStore().write(json, wrong, { dir })).rejects.toMatchObject({ code: 'ARTIFACT_INTEGRITY' });
    expect(await readdir(dir)).toEqual([]);
  });
});
