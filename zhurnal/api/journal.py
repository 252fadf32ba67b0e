"""The class journal for programs: a teacher's lessons, and writes through the journal's
services, which decide every rule as for the pages (scale, closed year, a lesson not held,
«н», reasons, locks). The endpoints only find the lesson, the student or the mark the
request names — through `timetable.access` and `journal.access`, answering 404 for what is
not the user's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from zhurnal.accounts.models import User
from zhurnal.api.auth import api_user
from zhurnal.api.convert import attendance_out, ensure_sane_date, mark_out
from zhurnal.api.schemas import (
    AttendanceIn,
    AttendanceResultOut,
    ErrorOut,
    Id,
    LessonDetailOut,
    LessonOut,
    LessonRecordIn,
    LessonStudentOut,
    MarkIn,
    MarkOut,
    MarkPatchIn,
    PendingOut,
)
from zhurnal.core.timeutil import local_today
from zhurnal.journal.access import mark_for_user
from zhurnal.journal.models import Attendance, AttendanceStatus, Mark
from zhurnal.journal.services import (
    WriteResult,
    attendance_take,
    correction_pending_message,
    lesson_record,
    lesson_students,
    mark_delete,
    mark_set,
)
from zhurnal.timetable.access import can_write_lesson, lesson_for_user
from zhurnal.timetable.models import Lesson
from zhurnal.timetable.selectors import lessons_of_teacher_on

router = Router(tags=["journal"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _user(request: HttpRequest) -> User:
    return api_user(request)


def _pending(result: WriteResult) -> PendingOut:
    assert result.correction is not None
    return PendingOut(correction=result.correction.pk, message=correction_pending_message())


def _mark_written(result: WriteResult, lesson: Lesson, status: int) -> Status[MarkOut | PendingOut]:
    """The mark as written, or 202 with the correction waiting for approval."""
    if result.pending:
        return Status(202, _pending(result))
    assert result.mark is not None
    return Status(
        status, mark_out(result.mark, subject=lesson.assignment.subject.name, date=lesson.date)
    )


def _lesson_out(lesson: Lesson) -> dict[str, Any]:
    assignment = lesson.assignment
    substitute = lesson.substitute if lesson.substitute_id else None
    return {
        "id": lesson.pk,
        "date": lesson.date,
        "period": lesson.period.number,
        "starts_at": lesson.period.starts_at,
        "ends_at": lesson.period.ends_at,
        "subject": assignment.subject.name,
        "class_name": str(assignment.class_group),
        "subgroup": str(assignment.subgroup) if assignment.subgroup_id else "",
        "teacher": assignment.teacher.short_name,
        "substitute": substitute.short_name if substitute is not None else "",
        "is_cancelled": lesson.is_cancelled,
        "topic": lesson.topic,
        "homework": lesson.homework,
        "place": lesson.place,
        "place_changed_at": lesson.place_changed_at,
        "attendance_taken": lesson.attendance_taken_at is not None,
    }


def _detail(user: User, lesson: Lesson) -> LessonDetailOut:
    subject = lesson.assignment.subject.name
    marks: dict[int, list[MarkOut]] = {}
    for mark in Mark.objects.filter(lesson=lesson).order_by("created_at", "pk"):
        marks.setdefault(mark.student_id, []).append(
            mark_out(mark, subject=subject, date=lesson.date)
        )
    attendance = {entry.student_id: entry for entry in Attendance.objects.filter(lesson=lesson)}
    return LessonDetailOut(
        **_lesson_out(lesson),
        can_write=can_write_lesson(user, lesson),
        students=[
            LessonStudentOut(
                id=student.pk,
                full_name=student.full_name,
                attendance=attendance_out(attendance.get(student.pk)),
                marks=marks.get(student.pk, []),
            )
            for student in lesson_students(lesson)
        ],
    )


@router.get("/lessons", response={200: list[LessonOut], **ERRORS})
def lessons(request: HttpRequest, date: Query[dt.date | None] = None) -> list[LessonOut]:
    """My lessons of the day (default: today): my own, unless someone substitutes, and the
    ones I substitute."""
    user = _user(request)
    day = ensure_sane_date(date or local_today())
    found = lessons_of_teacher_on(teacher=user, day=day)
    for lesson in found:
        if lesson.substitute_id == user.pk:
            lesson.substitute = user  # spares a query per substituted lesson
    return [LessonOut(**_lesson_out(lesson)) for lesson in found]


@router.get("/lessons/{lesson_id}", response={200: LessonDetailOut, **ERRORS})
def lesson_detail(request: HttpRequest, lesson_id: Path[Id]) -> LessonDetailOut:
    """A lesson with its students, their marks and attendance."""
    user = _user(request)
    return _detail(user, lesson_for_user(user, lesson_id))


@router.put("/lessons/{lesson_id}/record", response={200: LessonOut, **ERRORS})
def record(request: HttpRequest, lesson_id: Path[Id], payload: LessonRecordIn) -> LessonOut:
    """Write the lesson's topic, homework and where it was held."""
    user = _user(request)
    lesson = lesson_for_user(user, lesson_id, write=True)
    lesson_record(
        actor=user,
        lesson=lesson,
        topic=payload.topic,
        homework=payload.homework,
        place=payload.place,
        place_changed_at=payload.place_changed_at,
    )
    return LessonOut(**_lesson_out(lesson))


@router.put(
    "/lessons/{lesson_id}/attendance",
    response={200: AttendanceResultOut, 202: AttendanceResultOut, **ERRORS},
)
def attendance(
    request: HttpRequest, lesson_id: Path[Id], payload: AttendanceIn
) -> Status[AttendanceResultOut]:
    """Take the register: the students listed are absent, late or remote, all others are
    present. 202 when a change waits for approval in a locked term."""
    user = _user(request)
    lesson = lesson_for_user(user, lesson_id, write=True)
    results = attendance_take(
        actor=user,
        lesson=lesson,
        statuses=dict(payload.statuses),
        reason=payload.reason,
    )
    standing = dict(Attendance.objects.filter(lesson=lesson).values_list("student_id", "status"))
    out = AttendanceResultOut(
        pending=any(result.pending for result in results),
        absent=sorted(pk for pk, status in standing.items() if status == AttendanceStatus.ABSENT),
        late=sorted(pk for pk, status in standing.items() if status == AttendanceStatus.LATE),
        remote=sorted(pk for pk, status in standing.items() if status == AttendanceStatus.REMOTE),
    )
    return Status(202 if out.pending else 200, out)


@router.post("/lessons/{lesson_id}/marks", response={201: MarkOut, 202: PendingOut, **ERRORS})
def mark_add(
    request: HttpRequest, lesson_id: Path[Id], payload: MarkIn
) -> Status[MarkOut | PendingOut]:
    """Give a student a mark (or a comment) in the lesson."""
    user = _user(request)
    lesson = lesson_for_user(user, lesson_id, write=True)
    student = next((s for s in lesson_students(lesson) if s.pk == payload.student), None)
    if student is None:
        # no name in the message: the id may be any student's
        raise ValidationError(_("This student does not study in the lesson's class or group."))
    result = mark_set(
        actor=user,
        assignment=lesson.assignment,
        student=student,
        value=payload.value,
        comment=payload.comment,
        kind=payload.kind,
        lesson=lesson,
        reason=payload.reason,
    )
    return _mark_written(result, lesson, 201)


@router.patch("/marks/{mark_id}", response={200: MarkOut, 202: PendingOut, **ERRORS})
def mark_change(
    request: HttpRequest, mark_id: Path[Id], payload: MarkPatchIn
) -> Status[MarkOut | PendingOut]:
    """Change a mark: the fields given replace the old ones. After the lesson's day a
    reason is required."""
    user = _user(request)
    mark = mark_for_user(user, mark_id, write=True)
    lesson = mark.lesson
    assert lesson is not None
    result = mark_set(
        actor=user,
        assignment=lesson.assignment,
        student=mark.student,
        value=mark.value if payload.value is None else payload.value,
        comment=mark.comment if payload.comment is None else payload.comment,
        kind=mark.kind if payload.kind is None else payload.kind,
        lesson=lesson,
        mark=mark,
        reason=payload.reason,
    )
    return _mark_written(result, lesson, 200)


@router.delete("/marks/{mark_id}", response={202: PendingOut, 204: None, **ERRORS})
def mark_remove(
    request: HttpRequest, mark_id: Path[Id], reason: Query[str] = ""
) -> Status[PendingOut | None]:
    """Remove a mark; the register of corrections keeps what it was. After the lesson's day
    a reason is required."""
    user = _user(request)
    if len(reason) > 500 or "\x00" in reason:
        raise ValidationError(_("The reason is too long (500 characters at most)."))
    mark = mark_for_user(user, mark_id, write=True)
    result = mark_delete(actor=user, mark=mark, reason=reason)
    if result.pending:
        return Status(202, _pending(result))
    return Status(204, None)
