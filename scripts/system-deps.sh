#!/usr/bin/env bash
# The test suite needs a PostgreSQL server (initdb, pg_ctl) and Debian's chromium.
# Install them with apt when they are missing and we are allowed to (root).
set -euo pipefail
need=()
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
if [ ! -x /usr/bin/chromium ]; then
  need+=(chromium)
fi
# fonts so that screenshots show text
if ! fc-list 2>/dev/null | grep -qi dejavu; then
  need+=(fonts-dejavu-core)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${need[*]}. Install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "==> installing ${need[*]} with apt"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
