// Writes the AsyncAPI document generated from the contracts: `npm run asyncapi` (from the repository root).
//   node tools/run-ts.mjs libs/contracts/scripts/write-asyncapi.ts [output path]
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderAsyncApiDocument } from '../src/asyncapi';

// Relative to the working directory: this file runs bundled from a temporary directory, so __dirname is not its own.
const output = path.resolve(process.argv[2] ?? 'libs/contracts/asyncapi.json');
writeFileSync(output, renderAsyncApiDocument());
console.log(`wrote ${path.relative(process.cwd(), output)}`);
