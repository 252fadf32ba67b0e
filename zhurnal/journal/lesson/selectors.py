"""Reads for the lesson page: everything recorded for one lesson, in a fixed number of
queries whatever the size of the class."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from zhurnal.core.timeutil import local_today
from zhurnal.journal.models import (
    Attendance,
    AttendanceStatus,
    Correction,
    CorrectionStatus,
    HomeworkFile,
    Mark,
    MarkKind,
    StudentRemark,
)
from zhurnal.journal.scales import Scale, scale_for
from zhurnal.journal.services import lesson_students
from zhurnal.people.models import Student
from zhurnal.people.selectors import in_class_order
from zhurnal.timetable.models import Lesson


@dataclass(frozen=True)
class PendingChange:
    """A change of this lesson waiting for the deputy director's approval, in words."""

    correction: Correction
    student_name: str
    target: str
    what: str
    before: str
    after: str
    reason: str


def _attendance_words(state: dict[str, Any] | None) -> str:
    if not state or not state.get("status"):
        return str(_("present"))
    status = state["status"]
    words = str(AttendanceStatus(status).label) if status in AttendanceStatus.values else status
    if status == AttendanceStatus.LATE and state.get("late_minutes"):
        words = f"{words}, {state['late_minutes']}"
    return words


def _mark_words(state: dict[str, Any] | None) -> str:
    if not state:
        return ""
    if state.get("delete"):
        return str(_("removed"))
    kind = state.get("kind", "")
    label = str(MarkKind(kind).label) if kind in MarkKind.values else kind
    parts = [state.get("value") or "", f"({label})" if label else "", state.get("comment") or ""]
    return " ".join(part for part in parts if part)


def _pending_change(correction: Correction) -> PendingChange:
    if correction.target == "attendance":
        what, words = str(_("attendance")), _attendance_words
    else:
        what, words = str(_("mark")), _mark_words
    return PendingChange(
        correction=correction,
        student_name=correction.student.full_name,
        target=correction.target,
        what=what,
        before=words(correction.before),
        after=words(correction.after),
        reason=correction.reason,
    )


@dataclass
class StudentRow:
    number: int
    student: Student
    attendance: Attendance | None = None
    marks: list[Mark] = field(default_factory=list)
    pending: list[PendingChange] = field(default_factory=list)
    remarks: list[StudentRemark] = field(default_factory=list)

    @property
    def is_absent(self) -> bool:
        return self.attendance is not None and self.attendance.status == AttendanceStatus.ABSENT


@dataclass
class LessonPage:
    lesson: Lesson
    tz_name: str
    today: dt.date
    scale: Scale
    rows: list[StudentRow]
    files: list[HomeworkFile]
    pending: list[PendingChange]

    @property
    def students(self) -> list[Student]:
        return [row.student for row in self.rows]

    @property
    def year_closed(self) -> bool:
        assignment = self.lesson.assignment
        return assignment.year.closed_at is not None or assignment.class_group.closed_at is not None

    @property
    def absent_count(self) -> int:
        return sum(1 for row in self.rows if row.is_absent)


def lesson_page(*, lesson: Lesson) -> LessonPage:
    """The lesson's students in class-list order with their attendance entry, marks, remarks
    and changes waiting for approval; its homework files and its scale. `lesson` comes from
    timetable.access.lesson_for_user (assignment, class, subject, year, school and
    municipality already joined)."""
    assignment = lesson.assignment
    school = assignment.year.school
    tz_name = school.municipality.time_zone
    rows = [
        StudentRow(number=number, student=student)
        for number, student in enumerate(in_class_order(lesson_students(lesson)), 1)
    ]
    by_student = {row.student.pk: row for row in rows}
    for entry in Attendance.objects.filter(lesson=lesson):
        if row := by_student.get(entry.student_id):
            row.attendance = entry
    marks: defaultdict[int, list[Mark]] = defaultdict(list)
    for mark in Mark.objects.filter(lesson=lesson).order_by("created_at", "pk"):
        marks[mark.student_id].append(mark)
    pending = [
        _pending_change(correction)
        for correction in Correction.objects.filter(lesson=lesson, status=CorrectionStatus.PENDING)
        .select_related("student")
        .order_by("created_at", "pk")
    ]
    remarks: defaultdict[int, list[StudentRemark]] = defaultdict(list)
    for remark in StudentRemark.objects.filter(lesson=lesson).order_by("created_at", "pk"):
        remarks[remark.student_id].append(remark)
    for row in rows:
        row.marks = marks.get(row.student.pk, [])
        row.remarks = remarks.get(row.student.pk, [])
        row.pending = [c for c in pending if c.correction.student_id == row.student.pk]
    files = list(HomeworkFile.objects.filter(lesson=lesson).order_by("created_at", "pk"))
    scale = scale_for(
        school=school, grade=assignment.class_group.grade, subject_id=assignment.subject_id
    )
    return LessonPage(
        lesson=lesson,
        tz_name=tz_name,
        today=local_today(tz_name),
        scale=scale,
        rows=rows,
        files=files,
        pending=pending,
    )
