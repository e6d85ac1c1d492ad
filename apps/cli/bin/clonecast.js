#!/usr/bin/env node
// Runs the built CLI with the project's Node (.nvmrc) when the machine's Node is older.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '../../..');
const main = path.join(root, 'dist/apps/cli/main.js');
if (!fs.existsSync(main)) {
  console.error('clonecast is not built yet: run `npm run setup` in ' + root);
  process.exit(1);
}
const wanted = Number(fs.readFileSync(path.join(root, '.nvmrc'), 'utf8').split('.')[0]);
const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
const projectNode = path.join(root, `.tools/node/node_modules/node-linux-${arch}/bin/node`);
const current = Number(process.versions.node.split('.')[0]);
if (current < wanted && fs.existsSync(projectNode)) {
  const r = spawnSync(projectNode, ['--disable-warning=TimeoutNegativeWarning', main, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
process.removeAllListeners('warning');
require(main);
