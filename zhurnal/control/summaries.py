"""The summaries the department's monitoring reads: fill level per assignment and week,
attendance per school and day, term-mark counts per school, grade and subject.

They are rebuilt from the journal by the same computation as the school's live pages
(`metrics`), and kept current by `summaries_refresh`: the audit log says which lessons,
marks and enrollments changed since the last run, so only those schools and weeks are
recomputed. A page never scans marks to draw the community's figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from zhurnal.audit.models import AuditEvent
from zhurnal.control import metrics
from zhurnal.control.models import FillWeek, SchoolDay, SummaryState, TermMarkCount
from zhurnal.core.timeutil import school_tz, week_start
from zhurnal.journal.models import Attendance, AttendanceStatus, Excuse, Mark, MarkKind
from zhurnal.people.models import Enrollment
from zhurnal.schools.models import AcademicYear, School
from zhurnal.timetable.models import Lesson, TeachingAssignment

WEEK = dt.timedelta(days=7)
FINAL_KINDS = (MarkKind.TERM, MarkKind.ANNUAL)


def _local_today(school: School, now: dt.datetime) -> dt.date:
    return timezone.localtime(now, school_tz(school.municipality.time_zone)).date()


def _year_span(school: School, today: dt.date) -> tuple[dt.date, dt.date] | None:
    years = list(AcademicYear.objects.filter(school=school).order_by("-starts_on"))
    for year in years:
        if year.starts_on <= today <= year.ends_on:
            return year.starts_on, year.ends_on
    return (years[0].starts_on, years[0].ends_on) if years else None


def summaries_rebuild(
    *,
    schools: Iterable[School] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Recompute every summary of the schools (all when None) over whole weeks covering
    [start, end] (the current academic year when None)."""
    now = now or timezone.now()
    chosen = (
        list(schools)
        if schools is not None
        else list(School.objects.select_related("municipality").order_by("pk"))
    )
    for school in chosen:
        if start is None or end is None:
            span = _year_span(school, _local_today(school, now))
            if span is None:
                continue
            first, last = span
        else:
            first, last = start, end
        _rebuild_weeks(school, week_start(first), week_start(last), now)
        _rebuild_term_marks(school, first, last)


def _rebuild_weeks(school: School, first: dt.date, last: dt.date, now: dt.datetime) -> None:
    """Fill and attendance summaries of the weeks whose Mondays are first..last."""
    end = last + dt.timedelta(days=6)
    assignments, cells = metrics.fill_weeks(school=school, start=first, end=end, now=now)
    by_id = {a.pk: a for a in assignments}
    rows = []
    for (assignment_id, monday), counts in cells.items():
        assignment = by_id[assignment_id]
        rows.append(
            FillWeek(
                school=school,
                assignment_id=assignment_id,
                class_group_id=assignment.class_group_id,
                subject_id=assignment.subject_id,
                teacher_id=assignment.teacher_id,
                grade=assignment.class_group.grade,
                week_start=monday,
                lessons=counts.lessons,
                topics=counts.topics,
                attendance=counts.attendance,
                homework_expected=counts.homework_expected,
                homework=counts.homework,
                on_time=counts.on_time,
                lesson_marks=counts.lesson_marks,
                late_marks=counts.late_marks,
                students=counts.students,
                student_months=counts.student_months,
                finals_due=counts.finals_due,
                finals_present=counts.finals_present,
                last_entry_at=counts.last_entry_at,
            )
        )
    days = _school_days(school, first, end, now, assignments)
    with transaction.atomic():
        FillWeek.objects.filter(school=school, week_start__gte=first, week_start__lte=last).delete()
        FillWeek.objects.bulk_create(rows, batch_size=2000)
        SchoolDay.objects.filter(school=school, date__gte=first, date__lte=end).delete()
        SchoolDay.objects.bulk_create(days, batch_size=2000)


def _school_days(
    school: School,
    first: dt.date,
    end: dt.date,
    now: dt.datetime,
    assignments: list[TeachingAssignment],
) -> list[SchoolDay]:
    """Attendance per day: student-lessons whose register was taken, the absences among
    them (and those excused for illness), and distinct students absent or ill."""
    until = min(end, _local_today(school, now))
    if until < first or not assignments:
        return []
    students = metrics.EnrolledStudents(assignments)
    by_id = {a.pk: a for a in assignments}
    registers = (
        Lesson.objects.filter(
            assignment_id__in=by_id,
            date__gte=first,
            date__lte=until,
            is_cancelled=False,
            attendance_taken_at__isnull=False,
        )
        .values("assignment_id", "date")
        .annotate(n=Count("id"))
        .order_by()
    )
    days: dict[dt.date, SchoolDay] = {}
    for row in registers:
        day = days.setdefault(row["date"], SchoolDay(school=school, date=row["date"]))
        day.student_lessons += row["n"] * students.count(by_id[row["assignment_id"]], row["date"])
    illness = Q(excused=True, excuse_reason=Excuse.ILLNESS)
    absences = (
        Attendance.objects.filter(
            lesson__assignment_id__in=by_id,
            lesson__date__gte=first,
            lesson__date__lte=until,
            lesson__is_cancelled=False,
            status=AttendanceStatus.ABSENT,
        )
        .values("lesson__date")
        .annotate(
            n=Count("id"),
            ill=Count("id", filter=illness),
            pupils=Count("student_id", distinct=True),
            ill_pupils=Count("student_id", distinct=True, filter=illness),
        )
        .order_by()
    )
    for absent in absences:
        day = days.setdefault(
            absent["lesson__date"], SchoolDay(school=school, date=absent["lesson__date"])
        )
        day.absences = absent["n"]
        day.illness_absences = absent["ill"]
        day.students_absent = absent["pupils"]
        day.students_ill = absent["ill_pupils"]
    spans = list(
        Enrollment.objects.filter(class_group__year__school=school, starts_on__lte=until)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
        .values_list("student_id", "starts_on", "ends_on")
    )
    for day in days.values():
        day.students = len(
            {
                student
                for student, starts, ends in spans
                if starts <= day.date and (ends is None or ends >= day.date)
            }
        )
    return list(days.values())


def _rebuild_term_marks(school: School, first: dt.date, last: dt.date) -> None:
    """Counts of term and annual marks per term, grade, subject and value for the
    school's years that overlap [first, last]."""
    years = list(
        AcademicYear.objects.filter(school=school, starts_on__lte=last, ends_on__gte=first)
    )
    if not years:
        return
    counts = (
        Mark.objects.filter(assignment__year__in=years, kind__in=FINAL_KINDS)
        .exclude(value="")
        .values(
            "assignment__year_id",
            "term_id",
            "kind",
            "assignment__class_group__grade",
            "assignment__subject__name",
            "value",
        )
        .annotate(n=Count("student_id", distinct=True))
        .order_by()
    )
    rows = [
        TermMarkCount(
            school=school,
            year_id=row["assignment__year_id"],
            term_id=row["term_id"],
            kind=row["kind"],
            grade=row["assignment__class_group__grade"],
            subject_name=row["assignment__subject__name"],
            value=row["value"],
            count=row["n"],
        )
        for row in counts
    ]
    with transaction.atomic():
        TermMarkCount.objects.filter(school=school, year__in=years).delete()
        TermMarkCount.objects.bulk_create(rows, batch_size=2000)


# --- incremental refresh -------------------------------------------------------------------

LESSON_TYPES = {"timetable.lesson"}
ENTRY_TYPES = {"journal.mark", "journal.attendance", "journal.homeworkfile"}


def _ids(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def summaries_refresh(*, now: dt.datetime | None = None, batch: int = 50_000) -> int:
    """Recompute the summaries touched since the last run: the weeks of every lesson whose
    topic, register, homework, marks or absences changed, the term-mark counts of schools
    whose term marks changed, and the current week of every school with any change.
    Returns the number of audit events read."""
    now = now or timezone.now()
    with transaction.atomic():
        state, _created = SummaryState.objects.select_for_update().get_or_create(pk=1)
        start_id = state.last_event_id
    events = list(
        AuditEvent.objects.filter(pk__gt=start_id)
        .order_by("pk")
        .values("pk", "school_id", "object_type", "object_id", "before", "after")[:batch]
    )
    if not events:
        SummaryState.objects.filter(pk=1).update(refreshed_at=now)
        return 0
    lesson_ids: set[int] = set()
    final_assignments: set[int] = set()
    schools: set[int] = set()
    for event in events:
        if event["school_id"]:
            schools.add(event["school_id"])
        if event["object_type"] in LESSON_TYPES:
            if (pk := _ids(event["object_id"])) is not None:
                lesson_ids.add(pk)
        elif event["object_type"] in ENTRY_TYPES:
            for state_ in (event["before"], event["after"]):
                if not isinstance(state_, dict):
                    continue
                if (pk := _ids(state_.get("lesson_id"))) is not None:
                    lesson_ids.add(pk)
                elif state_.get("kind") in (*FINAL_KINDS, MarkKind.THEMATIC) and (
                    (pk := _ids(state_.get("assignment_id"))) is not None
                ):
                    final_assignments.add(pk)
    weeks: dict[int, set[dt.date]] = defaultdict(set)
    for school_id, day in Lesson.objects.filter(pk__in=lesson_ids).values_list(
        "assignment__year__school_id", "date"
    ):
        weeks[school_id].add(week_start(day))
    finals_schools = set(
        TeachingAssignment.objects.filter(pk__in=final_assignments).values_list(
            "year__school_id", flat=True
        )
    )
    touched = schools | set(weeks) | finals_schools
    for school in School.objects.filter(pk__in=touched).select_related("municipality"):
        if school.pk in finals_schools:
            # thematic and term marks count in the weeks their columns opened or their
            # term ended: recompute the school's whole year (rare: end of a topic or term)
            summaries_rebuild(schools=[school], now=now)
            continue
        school_weeks = weeks[school.pk] | {week_start(_local_today(school, now))}
        for first, last in _spans(sorted(school_weeks)):
            _rebuild_weeks(school, first, last, now)
    last_id = events[-1]["pk"]
    SummaryState.objects.filter(pk=1).update(last_event_id=last_id, refreshed_at=now)
    return len(events)


def _spans(mondays: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive Mondays folded into (first, last) runs."""
    spans: list[tuple[dt.date, dt.date]] = []
    for monday in mondays:
        if spans and monday - spans[-1][1] == WEEK:
            spans[-1] = (spans[-1][0], monday)
        else:
            spans.append((monday, monday))
    return spans


def summaries_mark_current() -> None:
    """After a full rebuild: the audit events so far are all accounted for."""
    last = AuditEvent.objects.aggregate(last=Max("pk"))["last"] or 0
    SummaryState.objects.update_or_create(
        pk=1, defaults={"last_event_id": last, "refreshed_at": timezone.now()}
    )
