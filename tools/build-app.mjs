// Builds one app into dist/<app root>: esbuild bundles the app's own and library code (resolving
// tsconfig paths) and keeps node_modules external, so OpenTelemetry can still hook into required
// packages. TypeScript is transformed by SWC because esbuild cannot emit decorator metadata, which
// Nest's constructor injection needs.
//   node tools/build-app.mjs <app root> <entry> [<entry> ...]
import { build } from 'esbuild';
import { transformFile } from '@swc/core';
import path from 'node:path';

const [appRoot, ...entries] = process.argv.slice(2);
if (!appRoot || entries.length === 0) {
  console.error('usage: node tools/build-app.mjs <app root> <entry.ts> [...]');
  process.exit(2);
}

const swcDecorators = {
  name: 'swc-decorators',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const out = await transformFile(args.path, {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2023',
          keepClassNames: true,
        },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      });
      return { contents: out.code, loader: 'js' };
    });
  },
};

await build({
  entryPoints: entries.map((e) => path.join(appRoot, e)),
  outdir: path.join('dist', appRoot),
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  packages: 'external',
  sourcemap: true,
  tsconfig: 'tsconfig.base.json',
  logLevel: 'warning',
  plugins: [swcDecorators],
});
