"""`zhurnal control_schedule`: queue the recurring work of journal control for the worker —
the summaries refresh (every ten minutes), the weekly reports (Mondays), the quarterly
monitoring reports and the hourly signing of the audit chain's head. Each run queues its
successor, so this is needed once per database; running it again queues nothing twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhurnal.control import summaries, summary_tasks


def schedule_all() -> list[str]:
    """Queue every recurring control task that is not queued yet; names of those queued."""
    from zhurnal.audit import tasks as audit_tasks
    from zhurnal.control.weekly import tasks as weekly_tasks
    from zhurnal.monitoring import tasks as quarterly_tasks

    queued = []
    for name, module in (
        ("summaries refresh", summary_tasks),
        ("weekly reports", weekly_tasks),
        ("quarterly reports", quarterly_tasks),
        ("audit head signing", audit_tasks),
    ):
        if module.schedule_next():
            queued.append(name)
    return queued


class Command(BaseCommand):
    help = "Queue the summaries refresh, weekly and quarterly reports for the worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="recompute every school's summaries for the current year first",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            summaries.summaries_rebuild()
            summaries.summaries_mark_current()
            self.stdout.write("Summaries rebuilt.\n")
        queued = schedule_all()
        if queued:
            self.stdout.write("Queued: " + ", ".join(queued) + ".\n")
        else:
            self.stdout.write("Everything is already queued.\n")
