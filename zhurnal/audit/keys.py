"""The server's own audit key: it keys every new event's hash and signs the chain's heads.

It lives outside the database (the setting ZHURNAL_AUDIT_KEY, or a private file under the
var directory made on first use), so that someone who can rewrite the database but not read
the key cannot recompute the chain after an edit. Never the Django secret key.
"""

from __future__ import annotations

import functools
import hashlib
import os
import secrets
from pathlib import Path

from django.conf import settings

KEY_FILE = "audit-head.key"


def key_path() -> Path:
    return Path(settings.VAR_DIR) / KEY_FILE


def _configured() -> bytes:
    return str(getattr(settings, "ZHURNAL_AUDIT_KEY", "") or "").encode("utf-8")


@functools.lru_cache(maxsize=8)
def _read(path: str, _mtime_ns: int) -> bytes:
    return Path(path).read_text(encoding="ascii").strip().encode("ascii")


def _read_file(path: Path) -> bytes:
    # Cached per file version: every audit event needs the key, a stat is cheaper than a read.
    return _read(str(path), path.stat().st_mtime_ns)


def audit_key() -> bytes:
    """The key: the setting, or the key file, created (mode 0600) on first use."""
    configured = _configured()
    if configured:
        return configured
    path = key_path()
    if not path.exists():
        # Written whole to a private file, then linked into place: two processes starting
        # at once agree on the first key and never read a half-written one.
        draft = path.with_name(f"{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return _read_file(path)


def audit_key_present() -> bytes | None:
    """The key if this server has one, without making one (restoring a backup must not
    invent a new key that the restored chain would then fail against)."""
    configured = _configured()
    if configured:
        return configured
    path = key_path()
    return _read_file(path) if path.exists() else None


def key_id(key: bytes) -> str:
    """A public fingerprint of the key: names it in heads and backups, reveals nothing."""
    return hashlib.sha256(b"zhurnal audit head key " + key).hexdigest()[:16]
