#!/usr/bin/env bash
# The main job: the stack on a local Kafka, then one clone request built from a real trace
# (Bitbrains VM 417, see examples/README.md) through all five services, and its outcome.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/node-env.sh

bash scripts/stack.sh up
clonecast() { node --disable-warning=TimeoutNegativeWarning dist/apps/cli/main.js "$@"; }

echo
echo "== source account configuration (account.config.v1)"
clonecast config put --account bitbrains-vm-417 --file examples/config/bitbrains-vm-417.json
echo
echo "== clone request: bitbrains-vm-417 → new account, next 24 h"
clonecast clone request --profile examples/profiles/bitbrains-vm-417.json --timeframe-hours 24 --wait "$@"
echo
echo "The stack keeps running: try 'npx clonecast clone status <request>', 'npx clonecast events tail clone.completed.v1 --from-beginning'."
echo "Stop it with: npm run stack:down"
