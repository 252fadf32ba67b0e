"""Reads of the remarks on journal keeping: the school's register, the remarks about some
journals, a teacher's own, and how a remark is written into a spreadsheet. Fetching one
remark by id is in control.access."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.control.models import JournalRemark, JournalRemarkStatus
from zhurnal.core.formats import date_ua
from zhurnal.core.timeutil import end_of_day
from zhurnal.schools.models import School
from zhurnal.timetable.models import TeachingAssignment

REMARK_RELATED = (
    "assignment__class_group",
    "assignment__subject",
    "assignment__subgroup",
    "lesson__period",
    "author",
    "teacher",
)


def _open_first(queryset: QuerySet[JournalRemark]) -> QuerySet[JournalRemark]:
    return queryset.annotate(
        open_first=Case(
            When(status=JournalRemarkStatus.OPEN, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("open_first", "-created_at", "-id")


def remarks_of_school(school: School) -> QuerySet[JournalRemark]:
    return JournalRemark.objects.filter(school=school).select_related(*REMARK_RELATED)


def remarks_register(
    *,
    school: School,
    tz_name: str,
    status: str = "",
    teacher: User | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[JournalRemark]:
    """The school's remarks, newest first, filtered by status, teacher and the day they
    were written (in the school's time zone)."""
    queryset = remarks_of_school(school)
    if status:
        queryset = queryset.filter(status=status)
    if teacher is not None:
        queryset = queryset.filter(teacher=teacher)
    if start is not None:
        queryset = queryset.filter(
            created_at__gte=end_of_day(start - dt.timedelta(days=1), tz_name)
        )
    if end is not None:
        queryset = queryset.filter(created_at__lt=end_of_day(end, tz_name))
    return queryset.order_by("-created_at", "-id")


def remarks_about(
    *,
    school: School,
    teacher: User | None = None,
    assignment: TeachingAssignment | None = None,
) -> list[JournalRemark]:
    """The remarks about the school's journals of one teacher, or about one journal, open
    ones first."""
    queryset = remarks_of_school(school)
    if teacher is not None:
        queryset = queryset.filter(assignment__teacher=teacher)
    if assignment is not None:
        queryset = queryset.filter(assignment=assignment)
    return list(_open_first(queryset))


def remarks_of_teacher(teacher: User) -> list[JournalRemark]:
    """Every remark written to the teacher, open ones first."""
    return list(
        _open_first(
            JournalRemark.objects.filter(teacher=teacher).select_related(*REMARK_RELATED, "school")
        )
    )


def open_remarks_of_teacher(teacher: User) -> list[JournalRemark]:
    """The remarks the teacher has still to put right, oldest first."""
    return list(
        JournalRemark.objects.filter(teacher=teacher, status=JournalRemarkStatus.OPEN)
        .select_related(*REMARK_RELATED)
        .order_by("created_at", "id")
    )


# --- remarks in a spreadsheet -------------------------------------------------------------


def remark_columns() -> list[tuple[str, int]]:
    """The columns (title, width) every spreadsheet of remarks has, in this order; see
    `remark_cells`."""
    return [
        (_("Teacher"), 24),
        (_("Class and subject"), 28),
        (_("Lesson"), 14),
        (_("Remark"), 50),
        (_("Put right by"), 12),
        (_("Status"), 16),
    ]


def remark_lesson(remark: JournalRemark) -> str:
    """The lesson a remark is about, «09.11.2026, 3», or "" for the whole journal."""
    if remark.lesson is None:
        return ""
    return f"{date_ua(remark.lesson.date)}, {remark.lesson.period.number}"


def remark_cells(remark: JournalRemark) -> list[object]:
    """A remark under `remark_columns`."""
    return [
        remark.teacher.short_name,
        str(remark.assignment),
        remark_lesson(remark),
        remark.text,
        remark.due_on,
        remark.get_status_display(),
    ]
