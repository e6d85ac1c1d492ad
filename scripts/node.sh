#!/usr/bin/env bash
# Runs a command with the project's Node first on PATH (see scripts/lib/node-env.sh).
set -euo pipefail
source "$(dirname "$0")/lib/node-env.sh"
exec "$@"
