"""Backups that are known to restore: a backup of the demo restores into an empty database
(SQLite or PostgreSQL, whichever the suite runs on) with the same rows in every table, the
same files and a verifying audit chain; a damaged archive, a database that is not empty and
a missing audit key are refused before anything is touched."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from zhurnal.audit.backup import (
    MANIFEST,
    BackupError,
    _counts,
    _pg_tables,
    _sqlite_tables,
    backup_check,
    backup_create,
)
from zhurnal.audit.integrity import audit_head_seal
from zhurnal.audit.models import AuditEvent
from zhurnal.demo.generator import build_demo

KEY = "a test key that is not the secret key"
ROOT = Path(__file__).resolve().parents[3]
FILES = {
    "homework/2026/11/ДЗ № 12.pdf": b"%PDF-1.4 homework\n",
    "excuses/2026/довідка.jpg": b"\xff\xd8\xff\xe0 a scanned note",
    "reports/fill.xlsx": b"PK\x03\x04 a spreadsheet",
}


@pytest.fixture(autouse=True)
def audit_key() -> Iterator[None]:
    with override_settings(ZHURNAL_AUDIT_KEY=KEY):
        yield


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    for name, content in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return root


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def live_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _counts(cursor, _pg_tables(cursor))
        return _counts(cursor, _sqlite_tables(connection.connection))


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """A DATABASE_URL for a new, empty database on the suite's engine, and a function
    that counts the rows of its tables."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"

        def sqlite_counts() -> dict[str, int]:
            db = sqlite3.connect(path)
            try:
                return _counts(db.cursor(), _sqlite_tables(db))
            finally:
                db.close()

        yield f"sqlite:///{path}", sqlite_counts
        return
    import psycopg

    db = settings.DATABASES["default"]
    name = f"zhurnal_restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    password = f":{quote(str(db['PASSWORD']))}" if db.get("PASSWORD") else ""
    url = f"postgres://{quote(str(db['USER']))}{password}@{db['HOST']}:{db['PORT']}/{name}"

    def pg_counts() -> dict[str, int]:
        with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as restored:
            cursor = restored.cursor()
            return _counts(cursor, _pg_tables(cursor))

    try:
        yield url, pg_counts
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def zhurnal(*args: str, database_url: str, var_dir: Path) -> subprocess.CompletedProcess[str]:
    """The `zhurnal` command in a process of its own, on another database and var dir."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "ZHURNAL_", "PYTEST_", "DJANGO_SETTINGS"))
    }
    environment.update(
        DATABASE_URL=database_url,
        ZHURNAL_VAR_DIR=str(var_dir),
        ZHURNAL_AUDIT_KEY=KEY,
        ZHURNAL_SECRET_KEY="a throw-away key for this test",
    )
    return subprocess.run(  # noqa: S603 — our own command
        [sys.executable, "-m", "zhurnal", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@pytest.mark.django_db(transaction=True)
def test_a_backup_of_the_demo_restores_into_an_empty_database(
    media: Path, tmp_path: Path, empty_database: tuple[str, Any]
) -> None:
    build_demo(
        seed=11,
        schools=2,
        today=dt.date(2026, 11, 12),
        classes_per_grade=1,
        students_per_class=(4, 5),
    )
    audit_head_seal()
    before = live_counts()
    events = AuditEvent.objects.count()
    result = backup_create(output=tmp_path / "backups" / "demo.tar.gz")
    assert result.manifest["rows"] == before
    assert before["journal_mark"] > 0 and before["audit_auditevent"] == events
    assert result.manifest["audit_key_included"] is False
    assert oct(result.path.stat().st_mode & 0o777) == "0o600"
    assert backup_check(result.path).ok
    assert backup_check(result.path).signed == "valid"

    url, restored_counts = empty_database
    var_dir = tmp_path / "restored-var"
    done = zhurnal("restore", str(result.path), database_url=url, var_dir=var_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"audit chain: {events} events" in done.stdout
    assert "Restore complete and verified" in done.stdout
    assert restored_counts() == before  # every table, row for row
    for name in FILES:
        assert sha256(var_dir / "media" / name) == sha256(media / name)
    assert (var_dir / "audit-heads.jsonl").is_file()  # a new server gets the heads file too

    # The restored server's own check agrees; a second restore is refused.
    verify = zhurnal("audit", "verify", "--tables", "mark", database_url=url, var_dir=var_dir)
    assert "Audit log and live data agree" in verify.stdout, verify.stdout + verify.stderr
    again = zhurnal("restore", str(result.path), database_url=url, var_dir=var_dir)
    assert again.returncode != 0
    assert "The database is not empty" in again.stderr


def rewritten(archive: Path, target: Path, change: dict[str, bytes]) -> Path:
    """A copy of the archive with some members' content replaced."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            handle = source.extractfile(member)
            assert handle is not None
            data = change.get(member.name, handle.read())
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return target


@pytest.fixture
def archive(transactional_db: None, media: Path, tmp_path: Path) -> Path:
    # Committed data: a backup reads the database as other connections see it.
    return backup_create(output=tmp_path / "small.tar.gz").path


def test_a_changed_file_in_the_archive_is_named_and_refused(archive: Path, tmp_path: Path) -> None:
    damaged = rewritten(archive, tmp_path / "damaged.tar.gz", {"media/reports/fill.xlsx": b"x"})
    out = io.StringIO()
    with pytest.raises(CommandError, match="The archive is damaged: 1 problem"):
        call_command("restore", str(damaged), "--check", stdout=out)
    assert "media/reports/fill.xlsx: its SHA-256 differs from the manifest's" in out.getvalue()
    with pytest.raises(CommandError, match=r"fill\.xlsx: its SHA-256 differs"):
        call_command("restore", str(damaged), stdout=io.StringIO())


def test_a_manifest_rehashed_after_an_edit_is_refused(archive: Path, tmp_path: Path) -> None:
    with tarfile.open(archive) as source:
        handle = source.extractfile(MANIFEST)
        assert handle is not None
        manifest = json.loads(handle.read())
    manifest["files"]["media/reports/fill.xlsx"]["sha256"] = hashlib.sha256(b"x").hexdigest()
    damaged = rewritten(
        archive,
        tmp_path / "rehashed.tar.gz",
        {"media/reports/fill.xlsx": b"x", MANIFEST: json.dumps(manifest).encode()},
    )
    check = backup_check(damaged)
    assert check.problems == ["the manifest was changed after it was signed"]


def test_a_database_that_is_not_empty_is_refused(archive: Path) -> None:
    with pytest.raises(CommandError, match="The database is not empty"):
        call_command("restore", str(archive), stdout=io.StringIO())


def test_a_server_without_the_audit_key_is_refused(
    archive: Path, settings: Any, tmp_path: Path
) -> None:
    settings.ZHURNAL_AUDIT_KEY = ""
    settings.VAR_DIR = tmp_path / "new-server"
    settings.VAR_DIR.mkdir()
    with pytest.raises(CommandError, match="this server has none: put the key kept apart"):
        call_command("restore", str(archive), stdout=io.StringIO())


def test_the_key_is_left_out_unless_asked_for(
    transactional_db: None, media: Path, settings: Any, tmp_path: Path
) -> None:
    settings.ZHURNAL_AUDIT_KEY = ""
    settings.VAR_DIR = tmp_path
    audit_head_seal()
    left_out = backup_create(output=tmp_path / "a.tar.gz")
    included = backup_create(output=tmp_path / "b.tar.gz", include_audit_key=True)
    assert "audit/audit-head.key" not in left_out.manifest["files"]
    assert "audit/audit-head.key" in included.manifest["files"]
    assert included.manifest["audit_key_included"] is True


def test_not_an_archive_is_a_plain_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar")
    with pytest.raises(BackupError, match="is not a readable backup archive"):
        backup_check(junk)
