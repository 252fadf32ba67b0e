"""Backups that are known to restore: the database (SQLite or PostgreSQL) and the uploaded
files in one tar archive with a manifest of hashes, and the restore that checks it all.

The archive holds `manifest.json` (when, engine, the migrations applied, the rows of every
table, the SHA-256 of every other member), `database/zhurnal.sqlite3` (SQLite's online
backup: a consistent copy while others write) or `database/zhurnal.pgdump` (pg_dump's custom
format, taken in one snapshot with the row counts), `media/…` and a copy of the audit heads
file. The audit key is left out unless asked for: whoever holds both the database and the
key can rewrite history undetected, so the key is kept apart (docs/operations.md). The
manifest is signed with the audit key, so an archive edited and re-hashed is refused.

A restore goes into an empty database only, checks the archive before touching anything,
then compares the restored rows with the manifest and verifies the audit chain. It lives in
the audit app because it ends with the audit check; it imports no domain app.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from zhurnal.audit.integrity import heads_file, integrity_check
from zhurnal.audit.keys import audit_key_present, key_id, key_path

FORMAT = "zhurnal-backup"
VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/zhurnal.sqlite3"
PG_MEMBER = "database/zhurnal.pgdump"
HEADS_MEMBER = "audit/audit-heads.jsonl"
KEY_MEMBER = "audit/audit-head.key"
_CHUNK = 1024 * 1024
_TABLE = re.compile(r"^[A-Za-z0-9_]+$")

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why, in plain words."""


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    size: int
    seconds: float


@dataclass
class CheckResult:
    manifest: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    signed: str = "unsigned"  # "valid", "unsigned", "no key here", "another key"

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    rows: dict[str, int]
    files: int
    chain_events: int
    audit_findings: list[str]
    pending_migrations: list[str]
    seconds: float


# --- database access without the ORM (the restore target may be any database) -------------


def _engine(alias: str = DEFAULT_DB_ALIAS) -> str:
    vendor = connections[alias].vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _quoted(table: str) -> str:
    if not _TABLE.match(table):
        raise BackupError(f"Unexpected table name {table!r}.")
    return f'"{table}"'


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    return [str(name) for (name,) in rows]


def _pg_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [str(name) for (name,) in cursor.fetchall()]


def _counts(cursor: Any, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {_quoted(table)}")  # noqa: S608 — checked name
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _migrations(cursor: Any, tables: list[str]) -> list[str]:
    if "django_migrations" not in tables:
        return []
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _pg_binary(name: str) -> str:
    """pg_dump/pg_restore: ZHURNAL_PG_BIN_DIR, else the newest server's binaries under
    /usr/lib/postgresql (a dump needs a pg_dump at least as new as the server), else PATH."""
    configured = str(getattr(settings, "ZHURNAL_PG_BIN_DIR", "") or "")
    candidates = [Path(configured) / name] if configured else []
    versions = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
        reverse=True,
    )
    candidates.extend(versions)
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found: install PostgreSQL's client programs.")
    return found


def _pg_arguments(alias: str = DEFAULT_DB_ALIAS) -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES[alias]
    arguments = []
    if db.get("HOST"):
        arguments += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        arguments += ["--port", str(db["PORT"])]
    if db.get("USER"):
        arguments += ["--username", str(db["USER"])]
    arguments += ["--dbname", str(db["NAME"]), "--no-password"]
    environment = {**os.environ}
    if db.get("PASSWORD"):
        environment["PGPASSWORD"] = str(db["PASSWORD"])
    return arguments, environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603 — our own arguments
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


# --- writing the archive ------------------------------------------------------------------


class _Hashing(io.RawIOBase):
    """A file read once: into the archive and through SHA-256 at the same time."""

    def __init__(self, handle: IO[bytes]):
        self.handle = handle
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.handle.read(len(buffer))
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)


def _add_file(archive: tarfile.TarFile, source: Path, name: str, files: dict[str, Any]) -> None:
    size = source.stat().st_size
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(source.stat().st_mtime)
    info.mode = 0o600
    with source.open("rb") as handle:
        hashing = _Hashing(handle)
        archive.addfile(info, io.BufferedReader(hashing, _CHUNK))
    files[name] = {"sha256": hashing.digest.hexdigest(), "size": size}


def _media_files() -> Iterator[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, "media/" + path.relative_to(root).as_posix()


def _manifest_signature(key: bytes, manifest: dict[str, Any]) -> str:
    unsigned = {k: v for k, v in manifest.items() if k != "signature"}
    payload = json.dumps(unsigned, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hmac.new(key, b"zhurnal-backup-manifest:" + payload, hashlib.sha256).hexdigest()


def _dump_sqlite(target: Path) -> tuple[dict[str, int], list[str]]:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        # SQLite's backup waits for the source's write lock, which this very transaction holds.
        raise BackupError("A SQLite backup cannot be taken inside a transaction.")
    connection.ensure_connection()
    source = connection.connection
    copy = sqlite3.connect(target)
    try:
        # One step: the source is read under one lock, a consistent copy while others write.
        source.backup(copy)
        tables = _sqlite_tables(copy)
        cursor = copy.cursor()
        return _counts(cursor, tables), _migrations(cursor, tables)
    finally:
        copy.close()


def _dump_postgresql(target: Path) -> tuple[dict[str, int], list[str]]:
    # A connection of its own, in a repeatable-read snapshot shared with pg_dump: the row
    # counts and the dump see the same database even while others write.
    connection = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        connection.set_autocommit(False)
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = str(cursor.fetchone()[0])
            arguments, environment = _pg_arguments()
            _run(
                [
                    _pg_binary("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    *arguments,
                ],
                environment,
            )
            tables = _pg_tables(cursor)
            counts, migrations = _counts(cursor, tables), _migrations(cursor, tables)
        connection.rollback()
        return counts, migrations
    finally:
        connection.close()


def backup_create(
    *, output: Path, include_audit_key: bool = False, progress: Progress | None = None
) -> BackupResult:
    """Write a backup of the database, the uploaded files and the audit heads file (and the
    audit key when asked) to `output` (a .tar.gz, written whole then moved into place,
    readable by its owner only)."""
    say = progress or (lambda _message: None)
    started = time.monotonic()
    engine = _engine()
    output.parent.mkdir(parents=True, exist_ok=True)
    key = audit_key_present()
    if include_audit_key and key is None:
        raise BackupError("There is no audit key to include.")
    files: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix=".zhurnal-backup-", dir=output.parent) as work:
        dump = Path(work) / ("database.sqlite3" if engine == "sqlite" else "database.pgdump")
        say(f"dumping the {engine} database")
        if engine == "sqlite":
            rows, migrations = _dump_sqlite(dump)
        else:
            rows, migrations = _dump_postgresql(dump)
        partial = output.with_name(output.name + ".partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with (
            os.fdopen(descriptor, "wb") as raw,
            tarfile.open(
                fileobj=raw, mode="w:gz", compresslevel=6, format=tarfile.PAX_FORMAT
            ) as archive,
        ):
            _add_file(archive, dump, SQLITE_MEMBER if engine == "sqlite" else PG_MEMBER, files)
            say("adding the uploaded files")
            for path, name in _media_files():
                _add_file(archive, path, name, files)
            heads = heads_file()
            if heads.is_file():
                _add_file(archive, heads, HEADS_MEMBER, files)
            if include_audit_key:
                if settings.ZHURNAL_AUDIT_KEY:
                    raise BackupError(
                        "The audit key comes from ZHURNAL_AUDIT_KEY: keep it with your "
                        "other secrets, it is not a file to put in the backup."
                    )
                _add_file(archive, key_path(), KEY_MEMBER, files)
            manifest: dict[str, Any] = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": timezone.now().astimezone(dt.UTC).isoformat(),
                "engine": engine,
                "migrations": migrations,
                "rows": rows,
                "files": files,
                "audit_key_id": key_id(key) if key is not None else None,
                "audit_key_included": include_audit_key,
            }
            if key is not None:
                manifest["signature"] = _manifest_signature(key, manifest)
            data = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(time.time())
            info.mode = 0o600
            archive.addfile(info, io.BytesIO(data))
        partial.replace(output)
    return BackupResult(output, manifest, output.stat().st_size, time.monotonic() - started)


# --- reading and checking an archive --------------------------------------------------------


def _extract(archive_path: Path, into: Path) -> dict[str, Any]:
    """Unpack into `into` (the "data" filter: no absolute paths, links or devices) and
    return the manifest; a damaged archive is a BackupError, never a traceback."""
    try:
        with tarfile.open(archive_path, mode="r:*") as archive:
            archive.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{archive_path} is not a readable backup archive: {exc}") from exc
    try:
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{archive_path} has no readable {MANIFEST}: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive_path} is not a Zhurnal backup.")
    if manifest.get("version") != VERSION:
        raise BackupError(f"Backup format version {manifest.get('version')} is not supported.")
    return manifest


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_unpacked(root: Path, manifest: dict[str, Any]) -> CheckResult:
    result = CheckResult(manifest)
    listed: dict[str, Any] = manifest.get("files") or {}
    present = {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}
    present.discard(MANIFEST)
    for name in sorted(set(listed) - present):
        result.problems.append(f"{name}: listed in the manifest but missing from the archive")
    for name in sorted(present - set(listed)):
        result.problems.append(f"{name}: in the archive but not in the manifest")
    for name in sorted(set(listed) & present):
        if _file_hash(root / PurePosixPath(name)) != listed[name].get("sha256"):
            result.problems.append(f"{name}: its SHA-256 differs from the manifest's")
    database = SQLITE_MEMBER if manifest.get("engine") == "sqlite" else PG_MEMBER
    if database not in listed:
        result.problems.append(f"{database}: the database is missing")
    key = audit_key_present()
    if key is None and manifest.get("audit_key_included"):
        key_file = root / KEY_MEMBER
        if key_file.is_file():
            key = key_file.read_text(encoding="ascii").strip().encode("ascii")
    signature = manifest.get("signature")
    if signature is None:
        result.signed = "unsigned"
    elif key is None:
        result.signed = "no key here"
    elif manifest.get("audit_key_id") != key_id(key):
        result.signed = "another key"
    elif hmac.compare_digest(_manifest_signature(key, manifest), str(signature)):
        result.signed = "valid"
    else:
        result.problems.append("the manifest was changed after it was signed")
    return result


def backup_check(archive_path: Path) -> CheckResult:
    """Check an archive without restoring it: every member's hash against the manifest,
    nothing missing or added, and the manifest's signature when this server holds the key."""
    with tempfile.TemporaryDirectory(prefix=".zhurnal-check-") as work:
        manifest = _extract(archive_path, Path(work))
        return _check_unpacked(Path(work), manifest)


# --- restoring ------------------------------------------------------------------------------


def _sqlite_path() -> Path:
    name = str(settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError("Restore needs a SQLite database file, not an in-memory database.")
    return Path(name)


def _existing_tables() -> list[str]:
    return list(connections[DEFAULT_DB_ALIAS].introspection.table_names())


def _restored_counts(engine: str) -> dict[str, int]:
    if engine == "sqlite":
        db = sqlite3.connect(_sqlite_path())
        try:
            return _counts(db.cursor(), _sqlite_tables(db))
        finally:
            db.close()
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        return _counts(cursor, _pg_tables(cursor))


def _migration_state(applied: list[str]) -> tuple[list[str], list[str]]:
    """Migrations of this code the archive lacks, and the archive's this code does not know
    (of the apps installed here)."""
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    known_apps = {name.split(".", 1)[0] for name in known}
    unknown = [name for name in applied if name.split(".", 1)[0] in known_apps]
    return sorted(known - set(applied)), sorted(set(unknown) - known)


def backup_restore(
    *,
    archive_path: Path,
    allow_other_audit_key: bool = False,
    progress: Progress | None = None,
) -> RestoreResult:
    """Restore an archive into the configured database, which must be empty, and the
    uploaded files into an empty media directory. The archive is checked first (hashes,
    signature, engine, audit key, migrations); then the restored rows are compared with
    the manifest and the audit chain is verified."""
    say = progress or (lambda _message: None)
    started = time.monotonic()
    engine = _engine()
    with tempfile.TemporaryDirectory(prefix=".zhurnal-restore-", dir=settings.VAR_DIR) as work:
        root = Path(work)
        say("checking the archive")
        manifest = _extract(archive_path, root)
        check = _check_unpacked(root, manifest)
        if not check.ok:
            raise BackupError("The archive is damaged: " + "; ".join(check.problems))
        if manifest["engine"] != engine:
            raise BackupError(
                f"The archive holds a {manifest['engine']} database and this server uses "
                f"{engine}: restore into a {manifest['engine']} database."
            )
        pending, unknown = _migration_state(list(manifest.get("migrations") or []))
        if unknown:
            raise BackupError(
                "The backup was made by a newer Zhurnal (migrations unknown here: "
                f"{', '.join(unknown[:5])}): install that version first."
            )
        key = audit_key_present()
        archived_key = root / KEY_MEMBER
        wanted = manifest.get("audit_key_id")
        install_key = False
        if wanted is not None and (key is None or key_id(key) != wanted):
            if key is None and archived_key.is_file():
                install_key = True
            elif not allow_other_audit_key:
                where = "has none" if key is None else "holds another key"
                raise BackupError(
                    f"The audit chain was keyed with audit key {wanted}, and this server {where}"
                    f": put the key kept apart from the backups in {key_path()} (or "
                    "ZHURNAL_AUDIT_KEY) first. --allow-other-audit-key restores anyway; the "
                    "chain's keyed hashes will then not verify."
                )
        tables = _existing_tables()
        if tables:
            raise BackupError(
                f"The database is not empty ({len(tables)} tables). A backup is restored "
                "into an empty database only: create a new one and point DATABASE_URL at it."
            )
        media = Path(settings.MEDIA_ROOT)
        if media.is_dir() and any(path.is_file() for path in media.rglob("*")):
            raise BackupError(f"The media directory {media} is not empty.")
        say(f"restoring the {engine} database")
        connections.close_all()
        if engine == "sqlite":
            target = _sqlite_path()
            target.parent.mkdir(parents=True, exist_ok=True)
            source = sqlite3.connect(root / SQLITE_MEMBER)
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
        else:
            arguments, environment = _pg_arguments()
            _run(
                [
                    _pg_binary("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    *arguments,
                    str(root / PG_MEMBER),
                ],
                environment,
            )
        say("restoring the uploaded files")
        files = 0
        for name in sorted(manifest["files"]):
            if not name.startswith("media/"):
                continue
            destination = media / PurePosixPath(name).relative_to("media")
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / PurePosixPath(name), destination)
            files += 1
        heads = heads_file()
        if (root / HEADS_MEMBER).is_file() and not heads.exists():
            heads.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / HEADS_MEMBER, heads)
        if install_key:
            descriptor = os.open(key_path(), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(archived_key.read_bytes())
    say("comparing the restored rows with the manifest")
    rows = _restored_counts(engine)
    expected: dict[str, int] = manifest["rows"]
    differences = [
        f"{table}: {expected.get(table)} in the backup, {rows.get(table)} restored"
        for table in sorted(set(expected) | set(rows))
        if expected.get(table) != rows.get(table)
    ]
    if differences:
        raise BackupError("Restored rows differ from the backup: " + "; ".join(differences))
    for name in manifest["files"]:
        if name.startswith("media/"):
            restored = media / PurePosixPath(name).relative_to("media")
            if _file_hash(restored) != manifest["files"][name]["sha256"]:
                raise BackupError(f"{name}: the restored file differs from the backup")
    say("verifying the audit chain")
    report = integrity_check(tables=())
    assert report.chain is not None
    problems = [str(finding) for finding in report.findings]
    if report.chain.broken_id is not None:
        problems.insert(0, f"event #{report.chain.broken_id}: {report.chain.problem}")
    return RestoreResult(
        manifest=manifest,
        rows=rows,
        files=files,
        chain_events=report.chain.checked,
        audit_findings=problems,
        pending_migrations=pending,
        seconds=time.monotonic() - started,
    )
