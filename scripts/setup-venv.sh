#!/usr/bin/env bash
# Creates .venv and installs Zhurnal into it (with test tools when given "dev").
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "Zhurnal needs Python 3.11 or newer as '$PYTHON'." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      "$PYTHON" -m venv .venv
    else
      echo "Cannot create a virtual environment: install python3-venv." >&2
      exit 1
    fi
  fi
fi
extra=""
[ "${1:-}" = "dev" ] && extra="[dev]"
stamp=".venv/.installed$extra"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install -q --upgrade pip >/dev/null
  .venv/bin/pip install -q -e ".$extra"
  touch "$stamp"
fi
