#!/usr/bin/env bash
# Create or update .venv from the hashed lock. Usage: bootstrap.sh main|dev
set -euo pipefail
which_lock=${1:-main}
PYTHON=${PYTHON:-python3}
cd "$(dirname "$0")/.."

"$PYTHON" - <<'PY' || { echo "outguard needs Python 3.11 or newer (found $("$PYTHON" --version 2>&1))." >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
echo "==> installing pinned dependencies (requirements/${which_lock}.txt)"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
  -r "requirements/${which_lock}.txt"

# The project itself is put on the path with a .pth file rather than an editable
# install: an editable install would pull an unpinned build backend from the registry.
site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$(pwd)/src" > "$site/outguard.pth"
cat > .venv/bin/outguard <<'SH'
#!/usr/bin/env bash
exec "$(dirname "$0")/python" -m outguard "$@"
SH
chmod +x .venv/bin/outguard

touch ".venv/.stamp-${which_lock}"
if [ "$which_lock" = dev ]; then touch .venv/.stamp-main; fi
if [ "$which_lock" = bench ]; then touch .venv/.stamp-main .venv/.stamp-dev; fi
