#!/usr/bin/env bash
# Start the Zhurnal demo: SQLite, a generated community, a real server on 127.0.0.1.
# Extra arguments go to `zhurnal demo` (see `--help`), e.g. --port 8080 --seed 7.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-libs.sh
bash scripts/setup-venv.sh
exec .venv/bin/zhurnal demo "$@"
