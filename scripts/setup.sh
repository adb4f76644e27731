#!/usr/bin/env bash
# One setup for users, developers and CI: system packages, Python venv, npm assets.
# Idempotent: a second run only checks. Usage: scripts/setup.sh [--test]
#   --test  also installs the test extras (pytest, hypothesis, playwright, ruff).
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

# 1. Debian packages: Chromium (browser tests, PNG export), a CJK font (Chinese map text),
#    GDAL's command-line tools (ogrinfo reads our OGC API), PostgreSQL (the store's tests start
#    a private server of their own: tests/store/conftest.py), Node/npm for web assets.
apt_pkgs=(fonts-noto-cjk)
[ $want_test = 1 ] && apt_pkgs+=(chromium chromium-driver gdal-bin postgresql)
command -v npm >/dev/null 2>&1 || apt_pkgs+=(nodejs npm)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. Python virtual environment with the project installed (editable).
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
extras=""
[ $want_test = 1 ] && extras="[test]"
stamp=".venv/.cityrank-installed$extras"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".$extras"
  touch "$stamp"
fi

# 3. Front-end assets from the npm registry (never committed, never from a CDN), copied into
#    the package (cityrank/web/static/vendor) so the app and any wheel built from here carry them.
if [ ! -d node_modules ] || [ package.json -nt node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules
fi
if [ ! -d cityrank/web/static/vendor ] || [ node_modules -nt cityrank/web/static/vendor ] \
   || [ cityrank/service/vendor.py -nt cityrank/web/static/vendor ]; then
  .venv/bin/python scripts/build_assets.py
fi
echo "setup: ready"
