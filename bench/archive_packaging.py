"""Time the archival packaging of a lyceum's closed year: 29 classes, their class journals and
summary sheets, and the school's register of missed and substituted lessons.

    .venv/bin/python bench/archive_packaging.py                 # inline, one process
    .venv/bin/python bench/archive_packaging.py --workers 2     # two `zhurnal db_worker`s
    .venv/bin/python bench/archive_packaging.py --term-only     # the demo's one term as built
    .venv/bin/python bench/archive_packaging.py --classes 3     # the first three classes only

Builds the demo's lyceum (`zhurnal.demo.generator`, seed 1: 29 classes, ~840 students) into
a new SQLite file in a temporary directory, as on the last day of the II semester. The demo
fills one semester; unless --term-only, the benchmark copies it into the I semester (shifted
by whole weeks) and gives every student a term mark per semester and an annual mark, so
each journal holds a whole year, then seals the rows as the demo does. Then it closes the
year and packages it: inline, timing every document, or queued for N worker processes while
it polls the job's progress as the page does. Prints the machine, the time per document (and,
inline, per reconciliation of a class with the audit log) and the total.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from machine import describe_machine

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2027, 5, 31)  # the demo's II semester ends on 30 May 2027


def _configure(var_dir: str) -> None:
    os.environ["ZHURNAL_VAR_DIR"] = var_dir
    os.environ["ZHURNAL_FAST_PASSWORD_HASHER"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ZHURNAL_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _whole_year(school_id: int) -> dict[str, int]:
    """Copy the II semester's lessons, marks and attendance into the I semester and add the
    term and annual marks; seal the rows as the demo does."""
    from django.db import transaction

    from zhurnal.audit.integrity import audit_rows_seal
    from zhurnal.journal.models import Attendance, Mark, MarkKind
    from zhurnal.people.models import Enrollment
    from zhurnal.schools.models import Term
    from zhurnal.timetable.models import Lesson, TeachingAssignment

    first, second = Term.objects.filter(year__school_id=school_id).order_by("starts_on")[:2]
    shift = dt.timedelta(weeks=(second.starts_on - first.starts_on).days // 7)
    with transaction.atomic():
        source = list(
            Lesson.objects.filter(
                assignment__year__school_id=school_id, date__gte=second.starts_on
            ).order_by("pk")
        )
        copies: list[Lesson] = []
        for lesson in source:
            if lesson.date - shift > first.ends_on:
                continue
            copy = Lesson(
                **{
                    f.attname: getattr(lesson, f.attname)
                    for f in Lesson._meta.concrete_fields
                    if f.attname != "id"
                }
            )
            copy.date = lesson.date - shift
            for name in ("topic_recorded_at", "homework_recorded_at", "attendance_taken_at"):
                if getattr(copy, name) is not None:
                    setattr(copy, name, getattr(copy, name) - shift)
            copy.source_id = lesson.pk  # type: ignore[attr-defined]
            copies.append(copy)
        Lesson.objects.bulk_create(copies, batch_size=2000)
        new_id = {copy.source_id: copy.pk for copy in copies}  # type: ignore[attr-defined]

        def copied(model: Any, rows: Any) -> list[Any]:
            out = []
            for row in rows:
                if row.lesson_id not in new_id:
                    continue
                values = {
                    f.attname: getattr(row, f.attname)
                    for f in model._meta.concrete_fields
                    if f.attname != "id"
                }
                values["lesson_id"] = new_id[row.lesson_id]
                out.append(model(**values))
            return out

        marks = copied(Mark, Mark.objects.filter(lesson__in=source))
        Mark.objects.bulk_create(marks, batch_size=2000)
        absences = copied(Attendance, Attendance.objects.filter(lesson__in=source))
        Attendance.objects.bulk_create(absences, batch_size=2000)

        students: dict[int, list[int]] = defaultdict(list)
        for class_id, student_id in Enrollment.objects.filter(
            class_group__year__school_id=school_id
        ).values_list("class_group_id", "student_id"):
            students[class_id].append(student_id)
        final = []
        for assignment in TeachingAssignment.objects.filter(
            year__school_id=school_id, subgroup__isnull=True
        ):
            for student_id in students[assignment.class_group_id]:
                value = str(4 + (student_id + assignment.pk) % 9)
                for kind, term in (
                    (MarkKind.TERM, first),
                    (MarkKind.TERM, second),
                    (MarkKind.ANNUAL, None),
                ):
                    final.append(
                        Mark(
                            assignment=assignment,
                            term=term,
                            student_id=student_id,
                            kind=kind,
                            value=value,
                            numeric_value=Decimal(value),
                            created_by_id=assignment.teacher_id,
                        )
                    )
        Mark.objects.bulk_create(final, batch_size=2000)
        audit_rows_seal(actor=None, school_id=school_id, reason="bench: the whole year")
    return {
        "lessons": len(copies),
        "marks": len(marks) + len(final),
        "attendance": len(absences),
    }


def _close(classes: int | None) -> tuple[Any, Any]:
    """Close the lyceum's year the way the director's closing does, and start packaging."""
    from django.db import transaction
    from django.utils import timezone

    from zhurnal.archive.models import YearClosing
    from zhurnal.archive.packaging.services import packaging_start
    from zhurnal.people.models import Role, RoleAssignment
    from zhurnal.schools.models import AcademicYear, ClassGroup

    year = AcademicYear.objects.select_related("school").get(school__name__contains="ліцей")
    director = RoleAssignment.objects.get(role=Role.DIRECTOR, school=year.school).user
    now = timezone.now()
    with transaction.atomic():
        AcademicYear.objects.filter(pk=year.pk).update(closed_at=now)
        ClassGroup.objects.filter(year=year).update(closed_at=now)
        closing = YearClosing.objects.create(
            school=year.school, year=year, closed_by=director, closed_at=now
        )
        groups = list(ClassGroup.objects.filter(year=year).order_by("grade", "letter"))
        job = packaging_start(
            actor=director,
            year=AcademicYear.objects.get(pk=year.pk),
            closing=closing,
            class_groups=groups[:classes] if classes else groups,
            school_documents=True,
        )
    return year, job


def _inline(job_id: int) -> None:
    from django.utils import translation

    from zhurnal.archive.packaging import builders, services
    from zhurnal.archive.packaging.services import packaging_run
    from zhurnal.audit.integrity import integrity_check

    times: dict[str, list[float]] = defaultdict(list)
    build = builders.DocumentBuilder.build

    def timed_check(**kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return integrity_check(**kwargs)
        finally:
            elapsed = time.perf_counter() - started
            kind = "reconciliation" if kwargs.get("class_group") else "audit chain"
            times[kind].append(elapsed)
            where = kwargs.get("class_group") or "school"
            print(f"  {where!s:>12}  {kind:24} {elapsed:6.1f} s", flush=True)

    def timed(self: Any, scope: Any) -> Any:
        started = time.perf_counter()
        try:
            return build(self, scope)
        finally:
            elapsed = time.perf_counter() - started
            times[self.kind].append(elapsed)
            where = scope.class_group or scope.year.school.short_name
            print(f"  {where!s:>12}  {self.kind:24} {elapsed:6.1f} s", flush=True)

    builders.DocumentBuilder.build = timed  # type: ignore[method-assign]
    services.integrity_check = timed_check  # type: ignore[attr-defined]
    started = time.perf_counter()
    with translation.override("uk"):
        job = packaging_run(job_id)
    total = time.perf_counter() - started
    for kind, samples in times.items():
        print(
            f"{kind:24} n={len(samples):3}  median {statistics.median(samples):5.1f} s  "
            f"max {max(samples):5.1f} s  sum {sum(samples):6.1f} s"
        )
    print(f"job {job.state}: {job.steps_done}/{job.steps_total} steps, errors {job.errors}")
    print(f"total (inline, one process): {total:.1f} s")


def _workers(job_id: int, count: int, var_dir: str) -> None:
    from zhurnal.archive.models import JobState, PackagingJob

    env = {**os.environ, "ZHURNAL_VAR_DIR": var_dir, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "zhurnal", "db_worker", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    try:
        last = -1
        while True:
            job = PackagingJob.objects.get(pk=job_id)
            if job.steps_done != last:
                print(f"  {time.perf_counter() - started:6.1f} s  {job.percent:3}%  {job.current}")
                last = job.steps_done
            if job.state in (JobState.DONE, JobState.FAILED):
                break
            time.sleep(0.5)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait()
    total = time.perf_counter() - started
    print(f"job {job.state}: {job.steps_done}/{job.steps_total} steps, errors {job.errors}")
    print(f"total ({count} workers, from queueing to done): {total:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=0, help="0: inline in this process")
    parser.add_argument("--classes", type=int, default=0, help="package only the first N")
    parser.add_argument("--term-only", action="store_true", help="the demo's one semester")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zhurnal-bench-archive-") as var_dir:
        _configure(var_dir)
        from django.core.management import call_command
        from django.db import connection

        from zhurnal.demo.generator import build_demo

        call_command("migrate", verbosity=0)
        print(describe_machine())
        started = time.perf_counter()
        build_demo(schools=1, today=TODAY)
        from zhurnal.schools.models import School

        school = School.objects.get()
        print(f"demo lyceum built in {time.perf_counter() - started:.1f} s")
        if not args.term_only:
            started = time.perf_counter()
            added = _whole_year(school.pk)
            print(f"the I semester copied in {time.perf_counter() - started:.1f} s: {added}")
        from zhurnal.journal.models import Mark
        from zhurnal.schools.models import ClassGroup
        from zhurnal.timetable.models import Lesson

        print(
            f"{ClassGroup.objects.count()} classes, {Lesson.objects.count()} lessons, "
            f"{Mark.objects.count()} marks"
        )
        _year, job = _close(args.classes or None)
        if args.workers:
            connection.close()
            _workers(job.pk, args.workers, var_dir)
        else:
            _inline(job.pk)


if __name__ == "__main__":
    main()
