"""Read versions: one counter per class, raised by every service that changes what the
class's diary shows, in the same transaction and in one statement however many rows the
service changed. The diary's cache is keyed by the counters it reads from the database, so
a write can never leave a cached page stale (no invalidation message can be lost)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet

from zhurnal.schools.models import ClassGroup, ReadVersion

_TABLE = ReadVersion._meta.db_table


def _upsert(select_sql: str, params: Iterable[Any]) -> None:
    # INSERT … SELECT … ON CONFLICT works in PostgreSQL and SQLite (≥ 3.24; SQLite needs the
    # WHERE to tell the upsert's ON from a join's).
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_TABLE} (class_group_id, version) "  # noqa: S608 — no user input
            f"SELECT DISTINCT ids.class_group_id, 1 FROM ({select_sql}) AS ids WHERE true "
            f"ON CONFLICT (class_group_id) DO UPDATE SET version = {_TABLE}.version + 1",
            list(params),
        )


def read_versions_bump(*, class_group_ids: Iterable[int]) -> None:
    """Raise the read version of the classes (one statement); call inside the writing
    transaction, after the writes."""
    ids = sorted({int(pk) for pk in class_group_ids})
    if not ids:
        return
    _upsert(" UNION ALL ".join(["SELECT %s AS class_group_id"] * len(ids)), ids)


def read_versions_bump_where(classes: QuerySet[ClassGroup]) -> None:
    """Raise the read version of the classes a query selects (say, every class of a year, or
    a student's classes) in one statement, the query running inside it."""
    query = classes.order_by().values(class_group_id=F("pk")).query
    sql, params = query.sql_with_params()
    _upsert(sql, params)
