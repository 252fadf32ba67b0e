"""Time the substitutions page of the largest demo school (the lyceum, 29 classes).

    .venv/bin/python bench/substitutions.py                  # builds a 1-school demo first
    .venv/bin/python bench/substitutions.py --var-dir DIR    # reuses a demo built in DIR

Builds `zhurnal demo --schools 1 --no-serve` into a temporary SQLite file (as
bench/demo_build.py does; about 20 s), then, as the school's deputy director, with
Django's test client (the whole request inside the process, no network: middleware,
view, queries, template), times the page of today (or the last day with lessons before it):

- with no teacher away;
- with the three teachers who have the most lessons that day recorded as away (each of
  their lessons with its short list of suggested substitutes);
- assigning a suggested substitute in place (the htmx request) and taking it back.

Median and worst wall time of 20 runs after a warm-up, the median CPU time of the
process (which a busy machine does not inflate), and the number of queries.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from machine import describe_machine

ROOT = Path(__file__).resolve().parent.parent
RUNS = 20
AWAY = 3


def _timed(fn: Callable[[], object], runs: int = RUNS) -> tuple[float, float, float]:
    """Median and worst wall time, and median CPU time of this process, in ms. On a busy
    machine the wall time counts other processes' turns; the CPU time does not."""
    fn()  # warm-up
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(times), max(times), statistics.median(cpu)


def _build(var_dir: str) -> None:
    env = {**os.environ, "ZHURNAL_VAR_DIR": var_dir, "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "zhurnal", "demo", "--schools", "1", "--no-serve"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def measure(var_dir: str) -> None:
    os.environ["ZHURNAL_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ["ZHURNAL_FAST_PASSWORD_HASHER"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ZHURNAL_SECRET_KEY", secrets.token_urlsafe(50))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from zhurnal.accounts.models import User
    from zhurnal.core.timeutil import local_today
    from zhurnal.people.models import Role
    from zhurnal.schools.models import School
    from zhurnal.timetable.models import Lesson, TeacherAbsence
    from zhurnal.timetable.services import teacher_absence_record
    from zhurnal.timetable.substitutions.selectors import substitution_day

    print(describe_machine())
    school = (
        School.objects.annotate(classes=Count("years__classes", distinct=True))
        .order_by("-classes")
        .first()
    )
    assert school is not None
    lessons = Lesson.objects.filter(assignment__year__school=school, is_cancelled=False)
    # Today, or the last day with lessons before it: the day a deputy opens the page for.
    today = local_today(school.municipality.time_zone)
    day = lessons.filter(date__lte=today).order_by("-date").values_list("date", flat=True)[0]
    deputy = User.objects.filter(roles__school=school, roles__role=Role.DEPUTY).first()
    assert deputy is not None
    teachers = Counter(lessons.filter(date=day).values_list("assignment__teacher_id", flat=True))
    away = [teacher for teacher, _ in teachers.most_common(AWAY)]
    classes = school.years.order_by("-starts_on").first().classes.count()  # type: ignore[union-attr]
    print(
        f"school: {school.name}, {classes} classes, {teachers.total()} lessons on {day} "
        f"given by {len(teachers)} teachers"
    )

    client = Client()
    client.force_login(deputy)
    url = reverse("timetable:substitutions", args=[school.pk])
    query = f"?date={day.isoformat()}"
    TeacherAbsence.objects.filter(school=school).delete()  # the demo's own, for "no one away"

    def record_away() -> None:
        for teacher in User.objects.filter(pk__in=away):
            teacher_absence_record(
                actor=deputy, school=school, teacher=teacher, starts_on=day, ends_on=day,
                reason="лікарняний",
            )  # fmt: skip

    def count_queries(fn: Callable[[], object]) -> int:
        executed: list[str] = []

        def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            fn()
        return len(executed)

    def page(path: str) -> Callable[[], object]:
        def get() -> object:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response

        return get

    for label, path in (("no one away", url + query), (f"{AWAY} teachers away", url + query)):
        if label != "no one away":
            record_away()
        queries = count_queries(page(path))
        size = len(client.get(path).content)
        median, worst, cpu = _timed(page(path))
        print(
            f"page, {label:<16} median {median:6.1f} ms  worst {worst:6.1f} ms  "
            f"CPU {cpu:6.1f} ms  {queries} queries  {size / 1000:.0f} kB"
        )

    target = lessons.filter(date=day, assignment__teacher_id=away[0]).first()
    assert target is not None
    plan = substitution_day(school=school, day=day, away=away)
    suggestions = next(item.suggestions for item in plan.away_lessons if item.lesson == target)
    assert suggestions, "no suggested substitute for the lesson"
    set_url = reverse("timetable:substitute_set", args=[school.pk, target.pk])
    clear_url = reverse("timetable:substitute_clear", args=[school.pk, target.pk])
    form = {"substitute": str(suggestions[0].teacher.pk), "reason": "лікарняний"}
    htmx = {"HTTP_HX_REQUEST": "true"}

    def assign_and_clear() -> None:
        assert client.post(set_url, form, **htmx).status_code == 200  # type: ignore[arg-type]
        assert client.post(clear_url, form, **htmx).status_code == 200  # type: ignore[arg-type]

    median, worst, cpu = _timed(assign_and_clear)
    print(
        f"assign + take back (2 in-place requests) median {median:6.1f} ms  "
        f"worst {worst:6.1f} ms  CPU {cpu:6.1f} ms"
    )
    print(f"load average: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--var-dir", help="a ZHURNAL_VAR_DIR holding a demo built already")
    args = parser.parse_args()
    if args.var_dir:
        measure(args.var_dir)
        return
    with tempfile.TemporaryDirectory(prefix="zhurnal-bench-") as var_dir:
        started = time.monotonic()
        _build(var_dir)
        print(f"demo of 1 school built in {time.monotonic() - started:.0f} s")
        measure(var_dir)


if __name__ == "__main__":
    main()
