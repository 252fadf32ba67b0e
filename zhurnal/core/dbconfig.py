"""The database connection settings, derived from the environment by one pure function so
that every combination is tested without reloading the settings (docs/operations.md,
"Serving")."""

from __future__ import annotations

from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

SQLITE_ENGINE = "django.db.backends.sqlite3"
POSTGRESQL_ENGINE = "django.db.backends.postgresql"


def pool_sizes(value: str) -> tuple[int, int] | None:
    """`ZHURNAL_DB_POOL`: empty or "0"/"off" for no pool, "MAX" or "MIN,MAX" for a pool."""
    value = value.strip().lower()
    if value in {"", "0", "off", "no", "false"}:
        return None
    parts = [part.strip() for part in value.split(",")]
    try:
        sizes = [int(part) for part in parts]
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"ZHURNAL_DB_POOL must be MAX or MIN,MAX (whole numbers), got {value!r}"
        ) from exc
    if len(sizes) == 1:
        low, high = 1, sizes[0]
    elif len(sizes) == 2:
        low, high = sizes
    else:
        raise ImproperlyConfigured(f"ZHURNAL_DB_POOL must be MAX or MIN,MAX, got {value!r}")
    if low < 1 or high < low:
        raise ImproperlyConfigured(
            f"ZHURNAL_DB_POOL needs 1 ≤ MIN ≤ MAX, got min {low} and max {high}"
        )
    return low, high


def database_settings(
    *, url: str, conn_max_age: int, pool: str = "", pgbouncer: bool = False
) -> dict[str, Any]:
    """The `DATABASES["default"]` entry for a DATABASE_URL.

    SQLite keeps a connection per request (opening a file costs nothing) with WAL and
    IMMEDIATE transactions. PostgreSQL keeps each worker's connection open for
    `conn_max_age` seconds, checked before reuse (CONN_HEALTH_CHECKS), or — with `pool` —
    borrows from psycopg's pool inside each worker process (Django forbids both at once).
    `pgbouncer` makes the settings safe behind PgBouncer in transaction mode: no server-side
    cursors (they live in a session PgBouncer may hand to another client) and no pool of our
    own (PgBouncer is the pool)."""
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
    engine = config["ENGINE"]
    if engine == SQLITE_ENGINE:
        config["OPTIONS"] = {
            # WAL lets diary readers go on while a teacher writes; IMMEDIATE takes the write
            # lock at BEGIN so that two writers never read the same audit-chain tail.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
        return config
    if engine != POSTGRESQL_ENGINE:
        return config
    if conn_max_age < 0:
        raise ImproperlyConfigured("ZHURNAL_DB_CONN_MAX_AGE must be 0 or more seconds")
    sizes = pool_sizes(pool)
    if sizes is not None and pgbouncer:
        raise ImproperlyConfigured(
            "ZHURNAL_DB_POOL and ZHURNAL_DB_PGBOUNCER exclude each other: PgBouncer is the pool"
        )
    options: dict[str, Any] = dict(config.get("OPTIONS") or {})
    if sizes is not None:
        low, high = sizes
        # A request waits at most `timeout` seconds for a free connection, then fails (503
        # from the error page) rather than hanging; a connection is replaced after an hour.
        options["pool"] = {"min_size": low, "max_size": high, "timeout": 10, "max_lifetime": 3600}
        config["CONN_MAX_AGE"] = 0
    else:
        config["CONN_MAX_AGE"] = conn_max_age
    # A connection kept across requests is checked before reuse, so a restarted PostgreSQL
    # costs one failed check, not a failed request.
    config["CONN_HEALTH_CHECKS"] = True
    if pgbouncer:
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
    if options:
        config["OPTIONS"] = options
    return config
