#!/usr/bin/env bash
# Regenerate requirements/*.txt from pyproject.toml: pinned, hashed, no index URL or
# local path inside, and nothing published in the last seven days (supply-chain cool-off).
set -euo pipefail
cd "$(dirname "$0")/.."
cutoff=$(date -u -d '7 days ago' +%Y-%m-%dT00:00:00Z)
uv=.venv/bin/uv
common=(--python-version 3.11 --generate-hashes --no-emit-index-url --no-emit-find-links --no-header --exclude-newer "$cutoff")
"$uv" pip compile pyproject.toml "${common[@]}" -o requirements/main.txt
"$uv" pip compile pyproject.toml --extra dev "${common[@]}" -o requirements/dev.txt
"$uv" pip compile pyproject.toml --extra dev --extra bench "${common[@]}" -o requirements/bench.txt
# uv resolves for this machine and drops markers: put back the ones pyproject.toml sets, so
# a machine the package has no wheel for skips it (the code falls back without it).
for f in requirements/main.txt requirements/dev.txt requirements/bench.txt; do
  sed -i "s/^hyperscan==\([0-9.]*\) \\\\$/hyperscan==\1 ; platform_machine == 'x86_64' \\\\/" "$f"
done
echo "locked with packages published before $cutoff"
