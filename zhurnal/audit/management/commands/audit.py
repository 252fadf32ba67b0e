from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhurnal.audit.integrity import (
    TABLE_NAMES,
    TABLES,
    audit_head_seal,
    heads_file,
    integrity_check,
)


class Command(BaseCommand):
    help = (
        "Audit log tools. `zhurnal audit verify` recomputes the hash chain, checks the "
        "signed chain heads and reconciles the live journal rows with their audited state; "
        "it exits non-zero on any finding."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])
        parser.add_argument(
            "--seal",
            action="store_true",
            help="After an intact chain, sign its head with the server's key and keep it.",
        )
        parser.add_argument("--school", type=int, help="Reconcile only this school's rows.")
        parser.add_argument(
            "--tables",
            help=f"Comma-separated tables to reconcile ({', '.join(TABLE_NAMES)}; default all).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tables = TABLES
        if options["tables"]:
            names = [name.strip() for name in options["tables"].split(",") if name.strip()]
            unknown = [name for name in names if name not in TABLE_NAMES]
            if unknown:
                raise CommandError(f"Unknown table(s): {', '.join(unknown)}")
            tables = tuple(TABLE_NAMES[name] for name in names)
        report = integrity_check(school=options["school"], tables=tables)
        chain = report.chain
        assert chain is not None
        if chain.broken_id is not None:
            self.stdout.write(
                f"Audit chain broken at event #{chain.broken_id}: {chain.problem} "
                f"({chain.checked} events before it are intact)"
            )
        else:
            self.stdout.write(f"Audit chain intact: {chain.checked} events")
        self.stdout.write(f"Signed heads checked: {report.heads_checked}")
        path = heads_file()
        if path.exists():
            self.stdout.write(f"Heads file compared: {path}")
        else:
            self.stdout.write(f"No heads file yet at {path} (the next signed head starts it)")
        for label, count in report.rows_checked.items():
            self.stdout.write(f"Reconciled {label}: {count} rows")
        for finding in report.findings:
            self.stdout.write(f"  {finding}")
        self.stdout.write(f"({report.seconds:.1f} s)")
        if options["seal"]:
            # The head is signed when the chain itself is sound; rows that disagree with
            # it are reported below but do not stop the chain from being vouched for.
            chain_sound = chain.broken_id is None and not any(
                finding.table.startswith("audit.") for finding in report.findings
            )
            if chain_sound:
                head = audit_head_seal()
                self.stdout.write(f"Signed head #{head.pk}: event #{head.event_id}")
            else:
                self.stdout.write("Head not signed: the chain is not intact")
        if not report.ok:
            broken = (
                f"audit chain broken at event #{chain.broken_id}, "
                if chain.broken_id is not None
                else ""
            )
            raise CommandError(f"Integrity check failed: {broken}{len(report.findings)} finding(s)")
        self.stdout.write(self.style.SUCCESS("Audit log and live data agree"))
