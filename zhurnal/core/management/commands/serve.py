"""`zhurnal serve`: the production server (gunicorn; docs/operations.md, "Serving")."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from zhurnal.core.env import env_int, env_str
from zhurnal.core.serving import DEFAULT_BIND, ServeOptions, default_workers, gunicorn_argv
from zhurnal.core.staticfiles import static_collect


def unapplied_migrations() -> list[str]:
    """The migrations the database still lacks, as "app.name"."""
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    connection.close()
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


class Command(BaseCommand):
    help = (
        "Serve Zhurnal in production with gunicorn: refuses to start while migrations are "
        "unapplied, collects the static files when they changed, then replaces itself with "
        "the gunicorn master (SIGHUP reloads the workers gracefully, SIGTERM stops)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=env_str("ZHURNAL_BIND", DEFAULT_BIND),
            help=f"address:port or unix:PATH (ZHURNAL_BIND; default {DEFAULT_BIND})",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=env_int("ZHURNAL_WORKERS", 0),
            help=f"worker processes (ZHURNAL_WORKERS; default 2 × cores + 1 = {default_workers()})",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=env_int("ZHURNAL_THREADS", 1),
            help="threads per worker; more than 1 uses gthread workers (ZHURNAL_THREADS; 1)",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=env_int("ZHURNAL_WORKER_TIMEOUT", 30),
            help="seconds a request may take before its worker is killed and replaced (30)",
        )
        parser.add_argument(
            "--graceful-timeout",
            type=int,
            default=30,
            help="seconds running requests get to finish on restart or stop (30)",
        )
        parser.add_argument(
            "--max-requests",
            type=int,
            default=2000,
            help="a worker is replaced after this many requests, plus a random jitter (2000)",
        )
        parser.add_argument(
            "--max-requests-jitter", type=int, default=200, help="the jitter's bound (200)"
        )
        parser.add_argument(
            "--access-log",
            default=env_str("ZHURNAL_ACCESS_LOG", "-"),
            help='access log file ("-": standard output; "none": no access log)',
        )
        parser.add_argument(
            "--migrate",
            action="store_true",
            help="apply unapplied migrations first instead of refusing to start",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and collect, print the command, stop"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        missing = unapplied_migrations()
        if missing and options["migrate"]:
            call_command("migrate", interactive=False, verbosity=1)
        elif missing:
            shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
            raise CommandError(
                f"The database lacks {len(missing)} migration(s) ({shown}). Run "
                "`zhurnal migrate` first (after a backup: `zhurnal backup`), or start with "
                "`zhurnal serve --migrate`."
            )
        if settings.ZHURNAL_STATIC_MANIFEST:
            static_collect(self.stdout.write)
        argv = gunicorn_argv(
            ServeOptions(
                bind=options["bind"],
                workers=options["workers"],
                threads=options["threads"],
                timeout=options["timeout"],
                graceful_timeout=options["graceful_timeout"],
                max_requests=options["max_requests"],
                max_requests_jitter=options["max_requests_jitter"],
                access_log="" if options["access_log"] == "none" else options["access_log"],
            )
        )
        self.stdout.write(" ".join(argv))
        if options["dry_run"]:
            return
        self.stdout.flush()
        sys.stderr.flush()
        connections.close_all()
        # The gunicorn master takes this process's place, so a supervisor's signals reach it.
        os.execv(argv[0], argv)  # noqa: S606 — our own interpreter and arguments
