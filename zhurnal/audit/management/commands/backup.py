from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zhurnal.audit.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite or PostgreSQL), the uploaded files and the audit heads "
        "file into one .tar.gz with a manifest of hashes. `zhurnal restore ARCHIVE --check` "
        "checks it; `zhurnal restore ARCHIVE` restores it into an empty database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            help="archive file or directory (default: ZHURNAL_VAR_DIR/backups/)",
        )
        parser.add_argument(
            "--include-audit-key",
            action="store_true",
            help=(
                "put the audit key file in the archive too (by default it is left out: keep "
                "it apart from the backups)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        name = f"zhurnal-backup-{timezone.now():%Y%m%d-%H%M%S}.tar.gz"
        if options["output"]:
            output = Path(options["output"])
            output = output / name if output.is_dir() else output
        else:
            output = Path(settings.VAR_DIR) / "backups" / name

        def progress(message: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:6.1f} s] {message}")

        try:
            result = backup_create(
                output=output, include_audit_key=options["include_audit_key"], progress=progress
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        rows = sum(manifest["rows"].values())
        media = sum(1 for name in manifest["files"] if name.startswith("media/"))
        self.stdout.write(
            f"{manifest['engine']}: {len(manifest['rows'])} tables, {rows:,} rows; "
            f"{media} uploaded file(s); audit key "
            f"{'included' if manifest['audit_key_included'] else 'not included (keep it apart)'}"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written: {result.path} "
                f"({result.size / 1e6:.1f} MB, {result.seconds:.1f} s)"
            )
        )
