from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhurnal.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit log tools. `zhurnal audit verify` recomputes the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify()
        if report.broken_id is not None:
            raise CommandError(
                f"Audit chain broken at event #{report.broken_id}: {report.problem} "
                f"({report.checked} events before it are intact)"
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events"))
