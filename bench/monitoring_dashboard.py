"""Time the department's monitoring on a community of 45 schools with a term of journals.

    DATABASE_URL=postgres://zhurnal@127.0.0.1:55433/bench45 \\
        .venv/bin/python bench/monitoring_dashboard.py [--build 45]

DATABASE_URL names a PostgreSQL database holding the demo community (build it with
`--build N`, which runs `zhurnal demo --schools N --no-serve --flush` into it first —
about three minutes for 45 schools). Measures, with Django's test client as the
department specialist (the whole request inside the process, no network):

- the dashboard and one school's monitoring page: median and worst of 20 after warm-up,
  with the number of queries;
- rebuilding every school's summaries for the year (what `zhurnal demo` and
  `zhurnal control_schedule --rebuild` do);
- the incremental refresh after a teacher's day of changes in one school (topics,
  registers and marks of 30 lessons through the journal's services).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

from machine import describe_machine

ROOT = Path(__file__).resolve().parent.parent
RUNS = 20
DEMO = [sys.executable, "-m", "zhurnal", "demo", "--no-serve", "--flush"]


def _timed(fn, runs: int = RUNS) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    fn()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=int, metavar="N", help="build a demo of N schools first")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL=postgres://user@host:port/db (a database for the demo).")
    os.environ.setdefault("ZHURNAL_FAST_PASSWORD_HASHER", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # a throw-away key shared with the server processes this benchmark starts
    os.environ.setdefault("ZHURNAL_SECRET_KEY", secrets.token_urlsafe(50))
    if args.build:
        subprocess.run(  # noqa: S603 - our own command with fixed arguments
            [*DEMO, "--schools", str(args.build)],
            check=True,
            cwd=ROOT,
        )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from zhurnal.accounts.models import User
    from zhurnal.control import summaries
    from zhurnal.control.models import FillWeek
    from zhurnal.journal import services as journal
    from zhurnal.schools.models import School
    from zhurnal.timetable.models import Lesson

    print(describe_machine())
    schools = School.objects.count()
    print(f"community: {schools} schools, {FillWeek.objects.count():,} FillWeek rows")
    client = Client()
    client.force_login(User.objects.get(username="department"))

    def page(path: str) -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    school = School.objects.order_by("pk").first()
    assert school is not None
    for label, path in (
        ("dashboard", "/department/monitoring/"),
        ("one school", f"/department/monitoring/school/{school.pk}/"),
    ):
        executed: list[str] = []

        def count(execute, sql, params, many, context, executed=executed):  # type: ignore[no-untyped-def]
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            page(path)
        median, worst = _timed(lambda path=path: page(path))
        queries = len(executed)
        print(f"{label:<12} median {median:7.1f} ms  worst {worst:7.1f} ms  {queries} queries")

    if os.environ.get("BENCH_SKIP_REBUILD"):
        return
    started = time.perf_counter()
    summaries.summaries_rebuild()
    summaries.summaries_mark_current()
    print(f"rebuild of all summaries: {time.perf_counter() - started:.1f} s")

    # a teacher's day: 30 of the school's past lessons get their topic and register again
    today = timezone.localdate()
    lessons = list(
        Lesson.objects.filter(
            assignment__year__school=school, date__lt=today, is_cancelled=False
        ).select_related("assignment__teacher", "assignment__year__school__municipality")[:30]
    )
    for lesson in lessons:
        journal.lesson_record(
            actor=lesson.assignment.teacher,
            lesson=lesson,
            topic=(lesson.topic or "Тема") + " (уточнено)",
            homework=lesson.homework,
        )
    started = time.perf_counter()
    read = summaries.summaries_refresh()
    seconds = time.perf_counter() - started
    print(f"incremental refresh after {len(lessons)} lesson edits ({read} events): {seconds:.2f} s")


if __name__ == "__main__":
    main()
