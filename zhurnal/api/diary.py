"""The diary for programs: a student's own and a guardian's children's."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.renderers import JSONRenderer

from zhurnal.api.auth import api_user
from zhurnal.api.convert import attendance_out, ensure_sane_date, mark_out, remark_out
from zhurnal.api.schemas import (
    DiaryDayOut,
    DiaryLessonOut,
    ErrorOut,
    Id,
    MarkOut,
    StudentOut,
    WeekOut,
)
from zhurnal.core.timeutil import local_today, week_start
from zhurnal.diary.cache import (
    cached,
    diary_read_versions,
    mark_revalidated,
    not_modified,
    page_etag,
    week_key,
)
from zhurnal.diary.selectors import current_class_name, diary_week
from zhurnal.journal.models import Mark
from zhurnal.people.access import StudentScope, children_for_user, student_for_user
from zhurnal.people.models import Student
from zhurnal.timetable.models import Lesson

router = Router(tags=["diary"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
MAX_MARKS_SPAN = dt.timedelta(days=366)


def _student_out(student: Student, today: dt.date) -> StudentOut:
    return StudentOut(
        id=student.pk,
        full_name=student.full_name,
        class_name=current_class_name(student=student, day=today),
    )


def _teacher_name(lesson: Lesson) -> str:
    return (lesson.substitute or lesson.assignment.teacher).short_name


@router.get("/students", response={200: list[StudentOut], **ERRORS})
def students(request: HttpRequest) -> list[StudentOut]:
    """The students whose diary I may read: myself, or my children."""
    user = api_user(request)
    own = list(Student.objects.filter(user=user))
    today = local_today()
    return [_student_out(student, today) for student in [*own, *children_for_user(user)]]


@router.get("/students/{student_id}/week", response={200: WeekOut, **ERRORS})
def week(
    request: HttpRequest, student_id: Path[Id], date: Query[dt.date | None] = None
) -> HttpResponse:
    """The diary week (Monday to Saturday) containing `date` (default: today): lessons with
    topic, homework, the student's marks, attendance and remarks. Answered with an ETag;
    `If-None-Match` with it gets 304 while nothing in the week changed (docs/api.md)."""
    user = api_user(request)
    student = student_for_user(user, student_id, scope=StudentScope.FAMILY)
    today = local_today()
    monday = week_start(ensure_sane_date(date or today))
    # The versions first, the data after (see zhurnal/diary/cache.py).
    versions = diary_read_versions(student=student)
    key = week_key(
        view="api",
        student=student,
        monday=monday,
        versions=versions,
        today=today,
        language=get_language(),
    )
    etag = page_etag(key, request=request, user=user)
    unchanged = not_modified(request, etag)
    if unchanged is not None:
        return unchanged

    def build() -> str:
        # The API's own renderer (NinjaAPI's default), as the endpoint answered before.
        body = _week_out(student, monday, today).model_dump()
        return str(JSONRenderer().render(request, body, response_status=200))

    response = HttpResponse(cached(key, build), content_type="application/json; charset=utf-8")
    return mark_revalidated(response, etag)


def _week_out(student: Student, monday: dt.date, today: dt.date) -> WeekOut:
    days = diary_week(student=student, monday=monday)
    return WeekOut(
        student=_student_out(student, today),
        monday=monday,
        days=[
            DiaryDayOut(
                date=day.date,
                lessons=[
                    DiaryLessonOut(
                        id=item.lesson.pk,
                        date=item.lesson.date,
                        period=item.lesson.period.number,
                        starts_at=item.lesson.period.starts_at,
                        ends_at=item.lesson.period.ends_at,
                        subject=item.lesson.assignment.subject.name,
                        teacher=(
                            item.lesson.substitute or item.lesson.assignment.teacher
                        ).short_name,
                        topic=item.lesson.topic,
                        homework=item.lesson.homework,
                        place=item.lesson.place,
                        marks=[
                            mark_out(
                                mark,
                                subject=item.lesson.assignment.subject.name,
                                date=item.lesson.date,
                            )
                            for mark in item.marks
                        ],
                        attendance=attendance_out(item.attendance),
                        remarks=[remark_out(remark) for remark in item.remarks],
                    )
                    for item in day.lessons
                ],
            )
            for day in days
        ],
    )


@router.get("/students/{student_id}/marks", response={200: list[MarkOut], **ERRORS})
def marks(
    request: HttpRequest,
    student_id: Path[Id],
    start: Query[dt.date | None] = None,
    end: Query[dt.date | None] = None,
) -> list[MarkOut]:
    """The student's marks from `start` to `end` (default: the last 30 days): lesson marks
    by the lesson's date, term and other undated marks by the day they were given."""
    user = api_user(request)
    student = student_for_user(user, student_id, scope=StudentScope.FAMILY)
    end = ensure_sane_date(end or local_today())
    start = ensure_sane_date(start or end - dt.timedelta(days=30))
    if start > end or end - start > MAX_MARKS_SPAN:
        raise ValidationError(_("Choose a period of at most a year, its start before its end."))
    found = (
        Mark.objects.filter(student=student)
        .filter(
            Q(lesson__date__range=(start, end))
            | Q(lesson__isnull=True, created_at__date__range=(start, end))
        )
        .select_related("lesson", "assignment__subject")
        .order_by("lesson__date", "created_at", "pk")
    )
    return [
        mark_out(
            mark,
            subject=mark.assignment.subject.name,
            date=mark.lesson.date if mark.lesson else None,
        )
        for mark in found
    ]
