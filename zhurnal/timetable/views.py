from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from zhurnal.core.http import AuthedRequest
from zhurnal.core.timeutil import local_today
from zhurnal.people.models import Role
from zhurnal.schools.models import AcademicYear
from zhurnal.timetable.models import Lesson, TeachingAssignment
from zhurnal.timetable.selectors import (
    SCHOOL_WEEKDAYS,
    assignments_of_teacher,
    lessons_of_teacher_on,
    school_days,
)


@dataclass(frozen=True)
class DayLesson:
    """A lesson of the teacher's day and what is still missing in it."""

    lesson: Lesson
    attendance_missing: bool
    topic_missing: bool
    homework_missing: bool
    no_marks: bool

    @property
    def complete(self) -> bool:
        return not (self.attendance_missing or self.topic_missing or self.homework_missing)


def _day_lesson(lesson: Lesson) -> DayLesson:
    # annotated by lessons_of_teacher_on
    file_count: int = getattr(lesson, "file_count", 0)
    mark_count: int = getattr(lesson, "mark_count", 0)
    return DayLesson(
        lesson=lesson,
        attendance_missing=lesson.attendance_taken_at is None,
        topic_missing=not lesson.topic,
        homework_missing=not lesson.homework and not file_count,
        no_marks=not mark_count,
    )


# How far to look for the neighbouring school day (a holiday is shorter than this).
STEP_SEARCH_DAYS = 31


def _day_from(raw: str | None, default: dt.date) -> dt.date:
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return default


def _years(assignments: list[TeachingAssignment]) -> list[AcademicYear]:
    years: dict[int, AcademicYear] = {}
    for assignment in assignments:
        years.setdefault(assignment.year_id, assignment.year)
    return list(years.values())


def _neighbour_school_day(years: list[AcademicYear], day: dt.date, step: int) -> dt.date:
    """The school day before (step -1) or after (step 1) `day` in the teacher's school
    years (weekdays without holidays); outside them simply the neighbouring weekday."""
    start, end = (
        (day - dt.timedelta(days=STEP_SEARCH_DAYS), day - dt.timedelta(days=1))
        if step < 0
        else (day + dt.timedelta(days=1), day + dt.timedelta(days=STEP_SEARCH_DAYS))
    )
    candidates = [
        found
        for year in years
        for found in school_days(
            year=year, start=start, end=end, holidays=list(year.holidays.all())
        )
    ]
    if candidates:
        return max(candidates) if step < 0 else min(candidates)
    other = day + dt.timedelta(days=step)
    while other.isoweekday() not in SCHOOL_WEEKDAYS:
        other += dt.timedelta(days=step)
    return other


@login_required
def teacher_home(request: AuthedRequest) -> HttpResponse:
    """The teacher's day (today or ?date=YYYY-MM-DD): the lessons with what is still
    missing in each, and their classes."""
    assignments = assignments_of_teacher(teacher=request.user)
    if not assignments and not request.user.roles.filter(role=Role.TEACHER).exists():
        # Not a teacher: the page is not theirs, not an empty day (issue 11).
        raise Http404(_("Not found"))
    tz_name = assignments[0].year.school.municipality.time_zone if assignments else None
    today = local_today(tz_name)
    day = _day_from(request.GET.get("date"), today)
    lessons = lessons_of_teacher_on(teacher=request.user, day=day)
    years = _years(assignments)
    url = reverse("timetable:teacher_home")

    def day_url(other: dt.date) -> str:
        return f"{url}?{urlencode({'date': other.isoformat()})}"

    return render(
        request,
        "timetable/teacher_home.html",
        {
            "today": today,
            "day": day,
            "is_today": day == today,
            "lessons": lessons,
            "rows": [_day_lesson(lesson) for lesson in lessons],
            "assignments": assignments,
            "previous_url": day_url(_neighbour_school_day(years, day, -1)),
            "next_url": day_url(_neighbour_school_day(years, day, 1)),
            "today_url": url,
        },
    )
