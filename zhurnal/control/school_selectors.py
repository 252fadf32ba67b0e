"""Reads of the school's control of journal keeping: periods, fill-level figures as the
pages and reports show them, and remarks. The `*_of_school` / `*_for_teacher` functions
are the access chokepoints of remarks: missing and not-yours are the same 404."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.control.metrics import FillCounts, week_start
from zhurnal.control.models import JournalRemark, JournalRemarkStatus
from zhurnal.control.school_forms import Period
from zhurnal.core.timeutil import end_of_day
from zhurnal.schools.models import School, Term
from zhurnal.timetable.models import Lesson, TeachingAssignment

REMARK_RELATED = (
    "assignment__class_group",
    "assignment__subject",
    "assignment__subgroup",
    "lesson__period",
    "author",
    "teacher",
)


# --- periods ------------------------------------------------------------------------------


def previous_week(today: dt.date) -> tuple[dt.date, dt.date]:
    monday = week_start(today) - dt.timedelta(days=7)
    return monday, monday + dt.timedelta(days=6)


def current_term(school: School, today: dt.date) -> Term | None:
    """The term of the school containing `today`, the one covering most grades first;
    between terms, the last one that has ended."""
    terms = Term.objects.filter(year__school=school, starts_on__lte=today).order_by(
        "-starts_on", "grade_from", "-grade_to"
    )
    return terms.first()


def period_range(
    *,
    school: School,
    period: str,
    start: dt.date | None,
    end: dt.date | None,
    today: dt.date,
) -> tuple[dt.date, dt.date]:
    """The first and last day of a quick choice, or the custom dates as given."""
    if period == Period.THIS_WEEK:
        monday = week_start(today)
        return monday, monday + dt.timedelta(days=6)
    if period == Period.THIS_MONTH:
        last = calendar.monthrange(today.year, today.month)[1]
        return today.replace(day=1), today.replace(day=last)
    if period == Period.THIS_TERM:
        term = current_term(school, today)
        if term is not None:
            return term.starts_on, term.ends_on
        return previous_week(today)
    if period == Period.CUSTOM and start is not None and end is not None:
        return start, end
    return previous_week(today)


# --- figures ------------------------------------------------------------------------------


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def figures(counts: FillCounts) -> dict[str, Any]:
    """The fill-level figures of some lessons, JSON-ready: percentages 0..100 (None when
    there is nothing to measure) and the counts behind them."""
    level = counts.level
    return {
        "level": None if level is None else round(level, 1),
        "topics": _percent(counts.topic_rate),
        "attendance": _percent(counts.attendance_rate),
        "homework": _percent(counts.homework_rate),
        "timeliness": _percent(counts.timeliness),
        "density_rate": _percent(counts.density_rate),
        "density": None if counts.density is None else round(counts.density, 2),
        "finals": _percent(counts.finals_rate),
        "lessons": counts.lessons,
        "missing_topics": counts.missing_topics,
        "missing_attendance": counts.missing_attendance,
        "missing_homework": counts.missing_homework,
        "late_marks": counts.late_marks,
        "finals_due": counts.finals_due,
        "finals_present": counts.finals_present,
    }


def assignment_label(assignment: TeachingAssignment) -> str:
    """«5-А · Математика (група 1)»"""
    group = (
        f" ({assignment.subgroup.name})" if assignment.subgroup_id and assignment.subgroup else ""
    )
    return f"{assignment.class_group} · {assignment.subject.name}{group}"


# --- the school's teachers and assignments ------------------------------------------------


def school_teacher(school: School, teacher_id: int) -> User:
    """A teacher with a teaching assignment at the school, else 404."""
    teacher = (
        User.objects.filter(pk=teacher_id, teaching_assignments__year__school=school)
        .distinct()
        .first()
    )
    if teacher is None:
        raise Http404(_("Not found"))
    return teacher


def assignment_of_school(school: School, assignment_id: int) -> TeachingAssignment:
    """A teaching assignment of the school (for its controllers), else 404."""
    assignment = (
        TeachingAssignment.objects.filter(pk=assignment_id, year__school=school)
        .select_related(
            "teacher", "subject", "class_group", "subgroup", "year__school__municipality"
        )
        .first()
    )
    if assignment is None:
        raise Http404(_("Not found"))
    return assignment


def lesson_of_assignment(assignment: TeachingAssignment, lesson_id: int) -> Lesson:
    lesson = Lesson.objects.filter(pk=lesson_id, assignment=assignment).first()
    if lesson is None:
        raise Http404(_("Not found"))
    return lesson


# --- remarks ------------------------------------------------------------------------------


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


def remark_of_school(school: School, remark_id: int) -> JournalRemark:
    remark = (
        remarks_of_school(school)
        .select_related("assignment__year__school__municipality")
        .filter(pk=remark_id)
        .first()
    )
    if remark is None:
        raise Http404(_("Not found"))
    return remark


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


def remarks_of_assignments(assignment_ids: list[int]) -> list[JournalRemark]:
    return list(
        _open_first(
            JournalRemark.objects.filter(assignment_id__in=assignment_ids).select_related(
                *REMARK_RELATED
            )
        )
    )


def remarks_of_teacher(teacher: User) -> list[JournalRemark]:
    """Every remark written to the teacher, open ones first."""
    return list(
        _open_first(
            JournalRemark.objects.filter(teacher=teacher).select_related(*REMARK_RELATED, "school")
        )
    )


def open_remarks_of_teacher(teacher: User) -> list[JournalRemark]:
    return list(
        JournalRemark.objects.filter(teacher=teacher, status=JournalRemarkStatus.OPEN)
        .select_related(*REMARK_RELATED)
        .order_by("created_at", "id")
    )


def remark_for_teacher(user: User, remark_id: int) -> JournalRemark:
    """A remark for the teacher it was written to, else 404."""
    if not user.is_authenticated:
        raise Http404(_("Not found"))
    remark = (
        JournalRemark.objects.filter(pk=remark_id, teacher=user)
        .select_related(*REMARK_RELATED, "assignment__year__school__municipality")
        .first()
    )
    if remark is None:
        raise Http404(_("Not found"))
    return remark
