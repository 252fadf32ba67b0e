"""Model objects to API schemas: shared by the diary and the journal endpoints."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhurnal.api.schemas import AttendanceOut, MarkOut, RemarkOut
from zhurnal.journal.models import Attendance, AttendanceStatus, Mark, MarkKind, StudentRemark

# Dates outside this range are refused with a message rather than overflowing date arithmetic.
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)


def ensure_sane_date(day: dt.date) -> dt.date:
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(
            _("Choose a date between %(start)s and %(end)s.")
            % {"start": EARLIEST.isoformat(), "end": LATEST.isoformat()}
        )
    return day


def mark_out(mark: Mark, *, subject: str, date: dt.date | None) -> MarkOut:
    return MarkOut(
        id=mark.pk,
        student=mark.student_id,
        lesson=mark.lesson_id,
        date=date,
        subject=subject,
        kind=mark.kind,
        kind_label=str(MarkKind(mark.kind).label),
        value=mark.value,
        comment=mark.comment,
        created_at=mark.created_at,
        updated_at=mark.updated_at,
    )


def attendance_out(entry: Attendance | None) -> AttendanceOut | None:
    if entry is None:
        return None
    return AttendanceOut(
        status=entry.status,
        status_label=str(AttendanceStatus(entry.status).label),
        excused=entry.excused,
        late_minutes=entry.late_minutes,
    )


def remark_out(remark: StudentRemark) -> RemarkOut:
    return RemarkOut(kind=remark.kind, text=remark.text)
