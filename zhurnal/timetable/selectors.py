"""Reads on timetables and lessons."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from zhurnal.accounts.models import User
from zhurnal.schools.models import AcademicYear, Holiday
from zhurnal.timetable.models import Lesson, TeachingAssignment

SCHOOL_WEEKDAYS = frozenset({1, 2, 3, 4, 5})


def school_days(
    *,
    year: AcademicYear,
    start: dt.date,
    end: dt.date,
    weekdays: frozenset[int] = SCHOOL_WEEKDAYS,
    holidays: list[Holiday] | None = None,
) -> list[dt.date]:
    """The dates in [start, end] that have lessons: school weekdays (ISO numbers) within the
    academic year, minus the year's holidays. Pass `holidays` to avoid the query."""
    if holidays is None:
        holidays = list(year.holidays.all())
    start = max(start, year.starts_on)
    end = min(end, year.ends_on)
    days: list[dt.date] = []
    day = start
    while day <= end:
        if day.isoweekday() in weekdays and not any(
            h.starts_on <= day <= h.ends_on for h in holidays
        ):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def lessons_of_teacher_on(*, teacher: User, day: dt.date) -> list[Lesson]:
    """The teacher's lessons of the day: own assignments (unless someone else substitutes)
    and lessons they substitute; lessons not held included. Each carries `mark_count` and
    `file_count` (homework files), so that what is still missing costs no more queries."""
    return list(
        Lesson.objects.filter(date=day)
        .filter(Q(assignment__teacher=teacher, substitute__isnull=True) | Q(substitute=teacher))
        .select_related(
            "period",
            "assignment__subject",
            "assignment__class_group",
            "assignment__subgroup",
            "assignment__teacher",
        )
        # distinct: the two joins multiply each other's rows
        .annotate(
            mark_count=Count("marks", distinct=True),
            file_count=Count("homework_files", distinct=True),
        )
        .order_by("period__number", "pk")
    )


def assignments_of_teacher(*, teacher: User) -> list[TeachingAssignment]:
    """The teacher's assignments in open academic years, with each year's holidays (for
    stepping through school days)."""
    return list(
        TeachingAssignment.objects.filter(teacher=teacher, year__closed_at__isnull=True)
        .select_related("subject", "class_group", "subgroup", "year__school__municipality")
        .prefetch_related("year__holidays")
        .order_by("year__school__short_name", "class_group__grade", "class_group__letter")
    )
