#!/usr/bin/env bash
# Idempotent: creates models/demand-forecaster/.venv (python3 -m venv) and pip-installs the pinned project with its
# test deps; a fast no-op when the stamp keyed on the pyproject.toml hash is present.
# Usage: bash models/setup.sh [eval]   (eval adds the large evaluation-only peers: statsforecast & co.)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
proj="$here/demand-forecaster"
venv="$proj/.venv"
hash="$(sha256sum "$proj/pyproject.toml" | cut -c1-16)"
if [ "${1:-}" = "eval" ]; then extras="test,eval"; else extras="test"; fi
[ -f "$venv/.installed-$hash-test,eval" ] && exit 0
[ -f "$venv/.installed-$hash-$extras" ] && exit 0
command -v python3 >/dev/null || { echo "models/setup.sh: python3 is required" >&2; exit 1; }
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$proj[$extras]"
rm -f "$venv"/.installed-*
touch "$venv/.installed-$hash-$extras"
echo "models/setup.sh: installed demand-forecaster [$extras] into $venv"
