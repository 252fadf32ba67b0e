from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhurnal.audit.backup import BackupError, backup_check, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a `zhurnal backup` archive into an EMPTY database (and an empty media "
        "directory): the archive's hashes are checked before anything is touched, then the "
        "restored rows are compared with the manifest and the audit chain is verified. "
        "--check only checks the archive."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the .tar.gz written by `zhurnal backup`")
        parser.add_argument(
            "--check", action="store_true", help="check the archive only; restore nothing"
        )
        parser.add_argument(
            "--allow-other-audit-key",
            action="store_true",
            help=(
                "restore although this server lacks the audit key the chain was keyed with "
                "(the keyed hashes will not verify)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        archive = Path(options["archive"])
        if not archive.is_file():
            raise CommandError(f"{archive}: no such file")

        def progress(message: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:6.1f} s] {message}")

        try:
            if options["check"]:
                check = backup_check(archive)
            else:
                result = backup_restore(
                    archive_path=archive,
                    allow_other_audit_key=options["allow_other_audit_key"],
                    progress=progress,
                )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if options["check"]:
            manifest = check.manifest
            self.stdout.write(
                f"{manifest['engine']} backup of {manifest['created_at']}: "
                f"{len(manifest['files'])} file(s), {sum(manifest['rows'].values()):,} rows; "
                f"manifest signature: {check.signed}"
            )
            for problem in check.problems:
                self.stdout.write(f"  {problem}")
            if not check.ok:
                raise CommandError(f"The archive is damaged: {len(check.problems)} problem(s)")
            self.stdout.write(self.style.SUCCESS("The archive is intact"))
            return
        self.stdout.write(
            f"Restored {sum(result.rows.values()):,} rows in {len(result.rows)} tables (as in "
            f"the backup) and {result.files} uploaded file(s); audit chain: "
            f"{result.chain_events} events"
        )
        if result.pending_migrations:
            self.stdout.write(
                f"The backup predates {len(result.pending_migrations)} migration(s) of this "
                "version: run `zhurnal migrate` next."
            )
        for problem in result.audit_findings:
            self.stdout.write(f"  {problem}")
        if result.audit_findings:
            raise CommandError(
                "The data is restored, but the audit check failed: "
                f"{len(result.audit_findings)} finding(s) (see above)"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Restore complete and verified ({result.seconds:.1f} s)")
        )
