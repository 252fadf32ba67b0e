"""The typed shapes of the JSON API: what goes in and what comes out."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, Field


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database.
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


def _naive(value: dt.time) -> dt.time:
    # A lesson's times are the school's local clock: an offset would be ambiguous.
    if value.tzinfo is not None:
        raise ValueError("give the school's local time, without a time zone")
    return value


LocalTime = Annotated[dt.time, AfterValidator(_naive)]
Value = Annotated[str, Field(max_length=16), AfterValidator(_no_nul)]
Text500 = Annotated[str, Field(max_length=500), AfterValidator(_no_nul)]
Text5000 = Annotated[str, Field(max_length=5000), AfterValidator(_no_nul)]


Id = Annotated[int, Field(ge=1, le=2_147_483_647)]


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, Any] = {}


# --- who I am -----------------------------------------------------------------------------


class RoleOut(Schema):
    role: str
    label: str
    school_id: int | None = None
    municipality_id: int | None = None
    class_group_id: int | None = None
    scope: str = ""


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    language: str
    roles: list[RoleOut]


# --- diary --------------------------------------------------------------------------------


class StudentOut(Schema):
    id: int
    full_name: str
    class_name: str


class MarkOut(Schema):
    id: int
    student: int
    lesson: int | None
    date: dt.date | None
    subject: str
    kind: str
    kind_label: str
    value: str
    comment: str
    created_at: dt.datetime
    updated_at: dt.datetime


class AttendanceOut(Schema):
    status: str
    status_label: str
    excused: bool
    late_minutes: int | None


class RemarkOut(Schema):
    kind: str
    text: str


class DiaryLessonOut(Schema):
    id: int
    date: dt.date
    period: int
    starts_at: dt.time
    ends_at: dt.time
    subject: str
    teacher: str
    topic: str
    homework: str
    place: str
    marks: list[MarkOut]
    attendance: AttendanceOut | None
    remarks: list[RemarkOut]


class DiaryDayOut(Schema):
    date: dt.date
    lessons: list[DiaryLessonOut]


class WeekOut(Schema):
    student: StudentOut
    monday: dt.date
    days: list[DiaryDayOut]


# --- journal ------------------------------------------------------------------------------


class LessonOut(Schema):
    id: int
    date: dt.date
    period: int
    starts_at: dt.time
    ends_at: dt.time
    subject: str
    class_name: str
    subgroup: str
    teacher: str
    substitute: str
    is_cancelled: bool
    topic: str
    homework: str
    place: str
    place_changed_at: dt.time | None
    attendance_taken: bool


class LessonStudentOut(Schema):
    id: int
    full_name: str
    attendance: AttendanceOut | None
    marks: list[MarkOut]


class LessonDetailOut(LessonOut):
    can_write: bool
    students: list[LessonStudentOut]


class LessonRecordIn(Schema):
    topic: Text500 = ""
    homework: Text5000 = ""
    place: Literal["classroom", "online", "shelter"] = "classroom"
    place_changed_at: LocalTime | None = None


class AttendanceIn(Schema):
    """Students not listed are present; an empty mapping is «all present»."""

    statuses: dict[Id, Literal["absent", "late", "remote"]] = {}
    reason: Text500 = ""


class AttendanceResultOut(Schema):
    pending: bool
    absent: list[int]
    late: list[int]
    remote: list[int]


class MarkIn(Schema):
    student: Id
    value: Value = ""
    kind: Literal["current", "test", "notebook", "oral", "practical"] = "current"
    comment: Text500 = ""
    reason: Text500 = ""


class MarkPatchIn(Schema):
    value: Value | None = None
    kind: Literal["current", "test", "notebook", "oral", "practical"] | None = None
    comment: Text500 | None = None
    reason: Text500 = ""


class PendingOut(Schema):
    """A change in a locked term waits for the deputy director's approval."""

    pending: bool = True
    correction: int
    message: str
