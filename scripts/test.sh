#!/usr/bin/env bash
# The whole test suite: lint, types, then every test on SQLite and on a real
# PostgreSQL server started here, with Debian's chromium for browser journeys.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v msgfmt >/dev/null || need_apt+=(gettext)
command -v pdftotext >/dev/null || need_apt+=(poppler-utils)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing ${need_apt[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

bash scripts/system-libs.sh
bash scripts/setup-venv.sh dev
PY=.venv/bin/python
export ZHURNAL_FAST_PASSWORD_HASHER=1
# a throw-away key for this run (the settings refuse to start without one outside pytest)
export ZHURNAL_SECRET_KEY="${ZHURNAL_SECRET_KEY:-$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')}"
export ZHURNAL_VAR_DIR="${ZHURNAL_VAR_DIR:-$(mktemp -d)}"
export DJANGO_ALLOW_ASYNC_UNSAFE=true  # Playwright's sync API runs an event loop in the test thread

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy zhurnal config
echo "== layers"
.venv/bin/lint-imports
echo "== translations"
$PY -m zhurnal.core.i18ncheck
echo "== migrations"
$PY manage.py makemigrations --check --dry-run >/dev/null

workers="-n 2"
echo "== tests on SQLite"
unset DATABASE_URL
.venv/bin/pytest $workers -q -p no:cacheprovider "$@"

echo "== tests on PostgreSQL"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGDATA=$(mktemp -d /tmp/zhurnal-pg.XXXXXX)
PGPORT=${ZHURNAL_TEST_PGPORT:-55432}
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$PGDATA"
  as_pg=(runuser -u postgres --)
fi
cleanup() { "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PGDATA"; }
trap cleanup EXIT
"${as_pg[@]}" "$PGBIN/initdb" -D "$PGDATA" -U zhurnal --auth=trust -E UTF8 >/dev/null
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w \
  -o "-k /tmp -p $PGPORT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
"$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U zhurnal -d postgres -Atc "select version()"
export DATABASE_URL="postgres://zhurnal@127.0.0.1:$PGPORT/zhurnal"
.venv/bin/pytest $workers -q -p no:cacheprovider "$@"
echo "== all tests passed on SQLite and PostgreSQL"
