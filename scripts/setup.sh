#!/usr/bin/env bash
# Idempotent setup for a fresh machine: Node (per .nvmrc), npm dependencies, Kafka broker jars,
# and a build of every app. Safe to run again; each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/node-env.sh

want="$(cat .nvmrc)"
if [ "$(node_major)" -lt "$_want_major" ]; then
  arch="$(uname -m | sed -e 's/x86_64/x64/' -e 's/aarch64/arm64/')"
  echo "setup: machine Node is $(node --version 2>/dev/null || echo absent); installing Node $want (node-linux-$arch) into .tools/node"
  mkdir -p .tools/node
  npm install --prefix .tools/node --no-save --no-audit --no-fund --loglevel=error "node-linux-$arch@$want" >/dev/null
  source scripts/lib/node-env.sh
fi
echo "setup: node $(node --version)"

stamp=node_modules/.clonecast-install-stamp
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

bash scripts/kafka-local.sh fetch

if [ -f models/setup.sh ]; then bash models/setup.sh; fi

echo "setup: building apps"
node_modules/.bin/nx run-many -t build --output-style=stream-without-prefixes >/dev/null
echo "setup: done"
