"""`zhurnal demo`: build a synthetic community and serve the app on it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections

from zhurnal.accounts.models import User
from zhurnal.archive.democa import DemoIdentity, demo_ca_directory, demo_ca_ensure
from zhurnal.archive.services import trusted_certificate_import
from zhurnal.core.timeutil import local_today
from zhurnal.demo.generator import (
    DEMO_PASSWORD,
    MUNICIPALITY_NAME,
    DemoLogin,
    build_demo,
)
from zhurnal.people.models import StaffMember
from zhurnal.schools.models import Municipality


class Command(BaseCommand):
    help = (
        "Build a demo community (municipality, schools, people, timetable, a term of "
        "journal entries) in a fresh database and serve Zhurnal on it with waitress."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--schools", type=int, default=3, help="number of schools (default 3; types cycle)"
        )
        parser.add_argument("--host", default="127.0.0.1", help="address to serve on")
        parser.add_argument("--port", type=int, default=8000, help="port to serve on")
        parser.add_argument("--no-serve", action="store_true", help="build only, do not serve")
        parser.add_argument(
            "--keep",
            action="store_true",
            help="keep the existing database; build only if it holds no demo yet",
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help="allow emptying a non-SQLite database (PostgreSQL) before building",
        )
        parser.add_argument(
            "--classes-per-grade", type=int, default=None, help="classes per grade (default 2–3)"
        )
        parser.add_argument(
            "--students",
            type=int,
            nargs=2,
            metavar=("MIN", "MAX"),
            default=(25, 32),
            help="students per class (default 25 32)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()

        def progress(message: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:6.1f} s] {message}")

        if options["keep"]:
            call_command("migrate", verbosity=0, interactive=False)
            existing = Municipality.objects.filter(name=MUNICIPALITY_NAME).exists()
        else:
            self._fresh_database(flush=options["flush"], progress=progress)
            existing = False
        if existing:
            progress("the database already holds the demo community: kept as it is")
            summary = None
        else:
            today = local_today("Europe/Kyiv")
            progress(f"building {options['schools']} school(s), seed {options['seed']}, {today}")
            summary = build_demo(
                seed=options["seed"],
                schools=options["schools"],
                today=today,
                classes_per_grade=options["classes_per_grade"],
                students_per_class=tuple(options["students"]),
                progress=progress,
            )
            counts = ", ".join(f"{label} {count:,}" for label, count in summary.counts.items())
            progress(f"built in {summary.seconds:.1f} s: {counts}")
        _demo_ca()
        if options["no_serve"]:
            if summary is not None:
                self._print_logins(summary.logins, url=None)
            return
        url = f"http://{options['host']}:{options['port']}/"
        self._print_logins(summary.logins if summary else _default_logins(), url=url)
        self._serve(options["host"], options["port"])

    def _fresh_database(self, *, flush: bool, progress: Any) -> None:
        db = settings.DATABASES["default"]
        if db["ENGINE"] == "django.db.backends.sqlite3":
            path = Path(str(db["NAME"]))
            connections.close_all()
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            progress(f"fresh SQLite database {path}")
            call_command("migrate", verbosity=0, interactive=False)
            return
        if not flush:
            raise CommandError(
                f"`zhurnal demo` starts from an empty database and this one is {connection.vendor}."
                " Pass --flush to empty it, or --keep to build into it as it is."
            )
        call_command("migrate", verbosity=0, interactive=False)
        call_command("flush", verbosity=0, interactive=False)
        # flush empties the data migrations' rows (grading scales) too: run them again.
        call_command("migrate", "journal", "zero", verbosity=0, interactive=False)
        call_command("migrate", verbosity=0, interactive=False)
        progress(f"emptied the {connection.vendor} database")

    def _print_logins(self, logins: list[DemoLogin], *, url: str | None) -> None:
        rows = [(login.role, login.username, login.who) for login in logins]
        role_width = max(len(r[0]) for r in rows)
        user_width = max(len(r[1]) for r in rows)
        lines = ["", "Zhurnal demo"]
        if url:
            lines.append(f"  URL:       {url}")
        lines.append(f"  password:  {DEMO_PASSWORD}  (the same for every demo login)")
        lines.append("")
        lines.append(f"  {'role'.ljust(role_width)}  {'username'.ljust(user_width)}  who")
        lines.append(f"  {'-' * role_width}  {'-' * user_width}  ---")
        for role, username, who in rows:
            lines.append(f"  {role.ljust(role_width)}  {username.ljust(user_width)}  {who}")
        lines.append(
            "  Other schools: director<N>, deputy<N>, admin<N>, medic<N>, teacher<N>, "
            "teacher<N>-<NN>."
        )
        lines.append(
            "  Second factor: not required in the demo community (a deployment requires it"
            " of directors, deputies, administrators and the department)."
        )
        lines.append("")
        lines.append(
            "  Demo signing: zhurnal archive sign --demo-key FILE.asice  (a package downloaded"
            " from the archive)"
        )
        if url:
            lines.append("")
            lines.append("  Ctrl+C to stop.")
        self.stdout.write("\n".join(lines) + "\n")

    def _serve(self, host: str, port: int) -> None:
        from waitress import serve

        from config.wsgi import application

        _start_task_worker()
        _schedule_control()
        try:
            serve(application, host=host, port=port, threads=8)
        except KeyboardInterrupt:
            self.stdout.write("stopped")


def _identity(username: str, title: str) -> DemoIdentity | None:
    user = User.objects.filter(username=username).first()
    if user is None:
        return None
    post = StaffMember.objects.filter(user=user).select_related("school").first()
    school = post.school.short_name or post.school.name if post else ""
    return DemoIdentity(user.full_name, school, title)


def _demo_ca() -> None:
    """The demo's throw-away certification authority beside its database (made once), its
    root trusted, so that a package signed with `zhurnal archive sign --demo-key` verifies."""
    director = _identity("director1", "Директор") or DemoIdentity(
        "Петренко Олена Василівна", "Демонстраційний ліцей", "Директор"
    )
    class_teacher = _identity("teacher1", "Класний керівник") or DemoIdentity(
        "Коваленко Ірина Миколаївна", director.organisation, "Класний керівник"
    )
    ca = demo_ca_ensure(demo_ca_directory(), director=director, class_teacher=class_teacher)
    trusted_certificate_import(actor=None, data=ca.root_pem)


def _schedule_control() -> None:
    """Queue the recurring control work, and last week's school reports at once so that
    a deputy director finds one on the first visit."""
    from zhurnal.control.models import Report, ReportKind
    from zhurnal.control.weekly import tasks as weekly_tasks
    from zhurnal.monitoring.management.commands.control_schedule import schedule_all

    schedule_all()
    if not Report.objects.filter(kind=ReportKind.WEEKLY_SCHOOL).exists():
        weekly_tasks.weekly_reports_run.enqueue(reschedule=False)


def _start_task_worker() -> None:
    """The demo runs its own background worker (notifications, reports) beside the server,
    so nothing else has to be started; a daemon thread ends with the server."""
    import threading

    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["*"],
        interval=1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="demo-worker",
        excluded_queue_names=[],
    )
    threading.Thread(target=worker.run, name="task-worker", daemon=True).start()


def _default_logins() -> list[DemoLogin]:
    """The logins a kept demo database has: the generator's usernames are fixed."""
    roles = [
        ("department specialist", "department"),
        ("school administrator", "admin1"),
        ("director", "director1"),
        ("deputy director", "deputy1"),
        ("teacher", "teacher1"),
        ("class teacher", "teacher1"),
        ("student", "student1"),
        ("guardian", "parent1"),
    ]
    return [DemoLogin(role, username, "") for role, username in roles]
