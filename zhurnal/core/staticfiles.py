"""Static files with far-future caching (docs/operations.md, "Serving").

`zhurnal serve` collects the static files into ZHURNAL_VAR_DIR/static under names that
carry a hash of their content, with gzip and brotli copies beside them; WhiteNoise answers
those names with `Cache-Control: max-age=315360000, public, immutable`, so a browser asks
for a style sheet once per change, not once per page."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from whitenoise.storage import CompressedManifestStaticFilesStorage

FINGERPRINT_FILE = ".zhurnal-sources"


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]  # untyped base
    """Hashed, pre-compressed names once collected; before any `collectstatic` (the test
    suite, a developer's checkout, a file added since) a page still renders with the plain
    name, which WhiteNoise serves from the source folders (WHITENOISE_USE_FINDERS) with
    short caching, instead of failing on a missing manifest entry."""

    def stored_name(self, name: str) -> str:
        try:
            return str(super().stored_name(name))
        except ValueError:
            return name


def sources_fingerprint() -> str:
    """A digest of every static source file's name, size and modification time."""
    digest = hashlib.sha256()
    entries: list[str] = []
    for finder in get_finders():
        for path, storage in finder.list(ignore_patterns=[]):
            stat = Path(storage.path(path)).stat()
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode())
    return digest.hexdigest()


def static_collect(report: Callable[[str], object] | None = None) -> bool:
    """Collect the static files into STATIC_ROOT unless nothing changed since the last
    collect; True when it collected. Old hashed files stay, so a page rendered before a
    restart still finds its style sheets."""
    root = Path(settings.STATIC_ROOT)
    marker = root / FINGERPRINT_FILE
    fingerprint = sources_fingerprint()
    if marker.exists() and marker.read_text() == fingerprint:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    marker.write_text(fingerprint)
    if report is not None:
        report(f"static files collected into {root}")
    return True
