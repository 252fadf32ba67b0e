"""`zhurnal notifications_digest`: queue the daily digest run (for the next morning, or
now with --now). The run schedules the next one itself, so this is needed once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhurnal.core.tasks import enqueue_once
from zhurnal.notifications import services, tasks


class Command(BaseCommand):
    help = "Queue the daily notification digests for the worker (next morning, or now)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="send the digests at once")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            tasks.send_daily_digests.enqueue()
            self.stdout.write("Digests queued to be sent now.\n")
            return
        when = services.next_digest_time()
        if not enqueue_once(tasks.send_daily_digests, run_after=when):
            self.stdout.write("A digest run is already queued.\n")
            return
        self.stdout.write(f"Digests queued for {when.isoformat()}.\n")
