// Runs a TypeScript script: esbuild bundles the entry (resolving tsconfig paths, packages left external)
// into a temporary file, which runs in a child Node with the remaining arguments.
//   node tools/run-ts.mjs <entry.ts> [args...]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node tools/run-ts.mjs <entry.ts> [args...]');
  process.exit(2);
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'run-ts-'));
let status = 1;
try {
  const outfile = path.join(dir, `${path.basename(entry, '.ts')}.cjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    packages: 'external',
    sourcemap: 'inline',
    tsconfig: 'tsconfig.base.json',
    logLevel: 'warning',
  });
  // The bundle lives outside the repository, so external packages resolve through NODE_PATH.
  const nodePath = [path.resolve('node_modules'), process.env.NODE_PATH].filter(Boolean).join(path.delimiter);
  const child = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...args], {
    stdio: 'inherit',
    env: { ...process.env, NODE_PATH: nodePath },
  });
  if (child.error) throw child.error;
  status = child.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(status);
