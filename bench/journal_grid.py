"""Time the journal grid: one class of 35 students, 100 lessons, 3–5 marks a lesson.

    .venv/bin/python bench/journal_grid.py                   # SQLite, a temporary file
    DATABASE_URL=postgres://user@host:port/db \\
        .venv/bin/python bench/journal_grid.py --db postgres  # a throw-away test_<db>

For PostgreSQL, DATABASE_URL names a server and a user allowed to create databases; the
benchmark creates `test_<name>` beside it (Django's test-database machinery), migrates,
measures and drops it again. SQLite always uses a new file in a temporary directory.

Measures with Django's test client, so "server time" is the whole request inside the
process (middleware, view, queries, template), without the network:
GET of the grid (median of 30 after warm-up), saving one new mark through the cell
endpoint (median of 50), and changing a recorded mark with a reason (median of 50) —
once with a new database connection per request (the shipped CONN_MAX_AGE=0), once with
a persistent connection.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from machine import describe_machine

ROOT = Path(__file__).resolve().parent.parent
STUDENTS = 35
LESSONS = 100
GRID_RUNS = 30
SAVE_RUNS = 50


def _configure(db: str, var_dir: str) -> None:
    os.environ["ZHURNAL_VAR_DIR"] = var_dir
    os.environ["ZHURNAL_FAST_PASSWORD_HASHER"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # a throw-away key shared with the server processes this benchmark starts
    os.environ.setdefault("ZHURNAL_SECRET_KEY", secrets.token_urlsafe(50))
    if db == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    elif not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit(
            "--db postgres needs DATABASE_URL=postgres://user@host:port/name of a server where "
            "that user may create databases (the benchmark uses a throw-away test_<name>)."
        )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _build() -> dict[str, Any]:
    from django.db import connection

    from tests.cast import build_community
    from zhurnal.journal.models import Attendance, AttendanceStatus, Mark, MarkKind
    from zhurnal.people.models import Enrollment, Sex, Student
    from zhurnal.timetable.models import Lesson, Period

    community = build_community()
    surnames = [
        "Бондаренко", "Ткаченко", "Кравчук", "Олійник", "Шевчук", "Коваль", "Поліщук",
        "Бойко", "Ткачук", "Мельничук", "Лисенко", "Марченко", "Руденко", "Савченко",
        "Петренко", "Кузьменко", "Павленко", "Левченко", "Харченко", "Гончаренко",
        "Іваненко", "Єрмоленко", "Юрченко", "Остапенко", "Зінченко", "Дмитренко",
        "Клименко", "Панченко", "Гребенюк", "Тимошенко", "Прокопенко", "Соловйов", "Щербак",
    ]  # fmt: skip
    pupils = Student.objects.bulk_create(
        Student(
            municipality=community.municipality,
            surname=surname,
            given_name="Марія" if index % 2 else "Олександр",
            patronymic="Іванівна" if index % 2 else "Петрович",
            birth_date=dt.date(2015, 1 + index % 12, 1 + index % 28),
            sex=Sex.FEMALE if index % 2 else Sex.MALE,
        )
        for index, surname in enumerate(surnames[: STUDENTS - 2])
    )
    Enrollment.objects.bulk_create(
        Enrollment(student=pupil, class_group=community.class_5a, starts_on=dt.date(2026, 9, 1))
        for pupil in pupils
    )
    students = [community.student, community.other_student, *pupils]
    periods = list(Period.objects.filter(year=community.year).order_by("number"))
    term = community.term1
    days = [
        term.starts_on + dt.timedelta(days=offset)
        for offset in range((term.ends_on - term.starts_on).days + 1)
        if (term.starts_on + dt.timedelta(days=offset)).weekday() < 5
    ]
    # Five lessons a week spread over the term, two of them in one day now and then.
    slots = [(day, periods[(i % 2)]) for i, day in enumerate(days)]
    slots += [(day, periods[2]) for day in days[::3]]
    slots.sort(key=lambda slot: (slot[0], slot[1].number))
    lessons = Lesson.objects.bulk_create(
        Lesson(
            assignment=community.math_5a,
            date=day,
            period=period,
            topic=f"Тема уроку {index + 1}: дроби і відсотки",
            homework="§ 12, № 345",
        )
        for index, (day, period) in enumerate(slots[:LESSONS])
    )
    marks: list[Mark] = []
    absences: list[Attendance] = []
    kinds = [MarkKind.CURRENT] * 6 + [MarkKind.TEST, MarkKind.ORAL, MarkKind.NOTEBOOK]
    for index, lesson in enumerate(lessons):
        marked = {(index * 7 + k * 11) % STUDENTS for k in range(3 + index % 3)}
        absent = {(index * 5 + 3) % STUDENTS, (index * 13 + 1) % STUDENTS} - marked
        for position in marked:
            value = str(4 + (index + position) % 9)
            marks.append(
                Mark(
                    assignment=community.math_5a,
                    lesson=lesson,
                    student=students[position],
                    kind=kinds[(index + position) % len(kinds)],
                    value=value,
                    numeric_value=Decimal(value),
                    created_by=community.teacher,
                )
            )
        absences.extend(
            Attendance(
                lesson=lesson,
                student=students[position],
                status=AttendanceStatus.ABSENT,
                recorded_by=community.teacher,
            )
            for position in absent
        )
    for theme in (1, 2, 3):
        for position, pupil in enumerate(students):
            value = str(5 + (theme + position) % 7)
            marks.append(
                Mark(
                    assignment=community.math_5a,
                    term=term,
                    student=pupil,
                    kind=MarkKind.THEMATIC,
                    theme_number=theme,
                    value=value,
                    numeric_value=Decimal(value),
                    created_by=community.teacher,
                )
            )
    Mark.objects.bulk_create(marks)
    Attendance.objects.bulk_create(absences)
    with connection.cursor() as cursor:
        # A live database has planner statistics (autovacuum); a fresh one has none.
        cursor.execute("ANALYZE")
    taken = {(a.lesson_id, a.student_id) for a in absences} | {
        (m.lesson_id, m.student_id) for m in marks if m.lesson_id
    }
    empty = [
        (lesson, pupil)
        for lesson in lessons
        for pupil in students
        if (lesson.pk, pupil.pk) not in taken
    ]
    recorded = [m for m in marks if m.lesson_id][: 2 * SAVE_RUNS + 5]
    return {
        "community": community,
        "empty": empty,
        "recorded": recorded,
        "marks": len(marks),
        "absences": len(absences),
        "lessons": len(lessons),
    }


def _time(runs: int, call: Callable[[int], Any]) -> list[float]:
    samples = []
    for index in range(runs):
        started = time.perf_counter()
        call(index)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _report(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(
        f"{label:42} median {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   "
        f"min {ordered[0]:6.1f}   max {ordered[-1]:6.1f}   (n={len(ordered)})"
    )


def _measure(data: dict[str, Any]) -> None:
    from django.core import signals
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.urls import reverse

    def count_queries(call: Callable[[], Any]) -> int:
        count = 0

        def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            call()
        return count

    community = data["community"]
    client = Client()
    client.force_login(community.teacher)
    grid_url = reverse("journal:grid", args=[community.math_5a.pk])
    cell_url = reverse("journal:grid_cell", args=[community.math_5a.pk])
    query = {"term": community.term1.pk}
    empty = data["empty"]
    step = max(1, len(empty) // (2 * SAVE_RUNS + 10))
    targets = iter(empty[::step])
    recorded = iter(data["recorded"])

    def save_new(_index: int) -> None:
        lesson, pupil = next(targets)
        response = client.post(
            cell_url, {"student": pupil.pk, "lesson": lesson.pk, "value": str(1 + pupil.pk % 12)}
        )
        assert response.status_code == 200, response.content

    def change(_index: int) -> None:
        mark = next(recorded)
        response = client.post(
            cell_url,
            {
                "student": mark.student_id,
                "lesson": mark.lesson_id,
                "value": "12" if mark.value != "12" else "11",
                "reason": "описка",
            },
        )
        assert response.status_code == 200, response.content

    for _ in range(3):  # warm-up: templates compiled, translations loaded
        assert client.get(grid_url, query).status_code == 200
    size_kb = len(client.get(grid_url, query).content) / 1024
    grid_queries = count_queries(lambda: client.get(grid_url, query))
    save_new(0)
    save_queries = count_queries(lambda: save_new(0))
    print(
        f"class: {STUDENTS} students, {data['lessons']} lessons, {data['marks']} marks "
        f"(incl. {STUDENTS * 3} thematic), {data['absences']} absences"
    )
    print(f"grid page: {size_kb:.0f} KiB HTML, {grid_queries} queries (with session and user)")
    print(f"save one mark: {save_queries} queries (with session, user and audit)")

    for label in ("a new connection per request (CONN_MAX_AGE=0)", "a persistent connection"):
        if label.startswith("a persistent"):
            # What CONN_MAX_AGE > 0 or a pooler gives: no connect and set-up per request.
            signals.request_started.disconnect(close_old_connections)
            signals.request_finished.disconnect(close_old_connections)
        print(f"-- {label}")
        _report("GET grid", _time(GRID_RUNS, lambda _i: client.get(grid_url, query)))
        _report("POST cell: new mark", _time(SAVE_RUNS, save_new))
        _report("POST cell: change a mark with a reason", _time(SAVE_RUNS, change))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--pg-prepared",
        action="store_true",
        help="PostgreSQL: server-side binding with prepared statements (OPTIONS "
        "server_side_binding and prepare_threshold), to see what planning costs",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zhurnal-bench-grid-") as var_dir:
        _configure(args.db, var_dir)
        from django.core.management import call_command
        from django.db import connection

        old_name = None
        if args.db == "postgres" and args.pg_prepared:
            connection.settings_dict.setdefault("OPTIONS", {}).update(
                {"server_side_binding": True, "prepare_threshold": 2}
            )
            print("PostgreSQL with server-side binding and prepared statements")
        if args.db == "postgres":
            old_name = connection.settings_dict["NAME"]
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        else:
            call_command("migrate", verbosity=0)
        try:
            print(describe_machine())
            started = time.perf_counter()
            data = _build()
            print(f"built in {time.perf_counter() - started:.1f} s")
            _measure(data)
        finally:
            if old_name is not None:
                connection.creation.destroy_test_db(old_name, verbosity=0)
            connection.close()


if __name__ == "__main__":
    main()
