"""The one save of the lesson sheet: topic and homework, the register, a new mark and a
new remark per student — all or nothing, in a fixed number of queries whatever the size
of the class (bulk writes, one chained insert into the audit log).

The rules are the journal's (zhurnal.journal.services); this module applies them to a
whole lesson at once. A term locked for the class and subject sends every change through
the one-row services instead, which put it in the register of corrections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.audit.services import AuditEntry, audit_record_many, snapshot
from zhurnal.core.timeutil import local_today
from zhurnal.journal import services as journal
from zhurnal.journal.models import (
    Attendance,
    AttendanceStatus,
    Correction,
    Mark,
    RemarkKind,
    StudentRemark,
)
from zhurnal.journal.scales import normalise_value
from zhurnal.notifications.services import journal_event_recorded
from zhurnal.people.models import Student
from zhurnal.schools.versions import read_versions_bump
from zhurnal.timetable.models import Lesson, LessonPlace


@dataclass(frozen=True)
class SheetRow:
    """What was typed on one student's row; empty strings for what was left empty."""

    status: str | None = None  # None: present
    late_minutes: int | None = None
    value: str = ""
    kind: str = "current"
    comment: str = ""
    remark_kind: str = RemarkKind.REMARK
    remark_text: str = ""

    @property
    def has_mark(self) -> bool:
        return bool(self.value.strip() or self.comment.strip())


@dataclass
class SheetResult:
    pending: bool = False
    marks: list[Mark] = field(default_factory=list)
    changed: int = 0


def _key(name: str, student: Student) -> str:
    return f"{name}_{student.pk}"


def lesson_sheet_save(
    *,
    actor: User,
    lesson: Lesson,
    topic: str,
    homework: str,
    place: str = LessonPlace.CLASSROOM,
    place_changed_at: dt.time | None = None,
    rows: Mapping[int, SheetRow],
    reason: str = "",
) -> SheetResult:
    """Save the whole lesson sheet: the lesson record, every student's attendance (students
    missing from `rows` keep what they have), one new mark and one new remark per student
    where typed; the register counts as taken. All or nothing: a ValidationError whose
    error_dict names the sheet's fields (`status_<id>`, `value_<id>`, `comment_<id>`,
    `remark_text_<id>`, `reason`, `topic`, `homework`) — every refusal at once."""
    assignment = lesson.assignment
    journal.ensure_journal_writable(actor=actor, assignment=assignment, lesson=lesson)
    students = {s.pk: s for s in journal.lesson_students(lesson)}
    if set(rows) - set(students):
        raise ValidationError(_("Some of the students do not study in this class or group."))
    if len(reason.strip()) > journal.REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("The reason is too long.")})

    with transaction.atomic():
        if (
            lesson.topic != " ".join(topic.split())
            or lesson.homework != homework.strip()
            or (lesson.place != place or lesson.place_changed_at != place_changed_at)
        ):
            try:
                journal.lesson_record(
                    actor=actor,
                    lesson=lesson,
                    topic=topic,
                    homework=homework,
                    place=place,
                    place_changed_at=place_changed_at,
                )
            except ValidationError as exc:
                raise ValidationError({"__all__": exc.error_list}) from exc
        if journal._lock_for(assignment, lesson, None) is not None:
            return _save_row_by_row(actor, lesson, students, rows, reason)
        return _save_in_bulk(actor, lesson, students, rows, reason)


def _save_in_bulk(
    actor: User,
    lesson: Lesson,
    students: dict[int, Student],
    rows: Mapping[int, SheetRow],
    reason: str,
) -> SheetResult:
    assignment = lesson.assignment
    school_id = assignment.year.school_id
    current = {a.student_id: a for a in Attendance.objects.filter(lesson=lesson)}
    marked = set(
        Mark.objects.filter(lesson=lesson).exclude(value="").values_list("student_id", flat=True)
    )
    scale = journal.journal_scale(assignment)
    kinds = {value for value, _label in journal.lesson_mark_kinds()}
    needs_reason = journal.change_needs_reason(lesson) and not reason.strip()
    errors: dict[str, list[str]] = {}
    create: list[Attendance] = []
    update: list[tuple[Attendance, dict[str, Any]]] = []
    remove: list[Attendance] = []
    marks: list[tuple[Mark, Decimal | None]] = []
    remarks: list[StudentRemark] = []
    wants_started = False

    for pk, row in rows.items():
        student = students[pk]
        entry = current.get(pk)
        status = row.status or None
        if status is not None and status not in AttendanceStatus.values:
            errors[_key("status", student)] = [_("Unknown attendance status.")]
            continue
        minutes = row.late_minutes if status == AttendanceStatus.LATE else None
        changed = (entry.status, entry.late_minutes) != (status, minutes) if entry else bool(status)
        absent = status == AttendanceStatus.ABSENT
        if changed:
            if entry is not None and needs_reason:
                errors[_key("status", student)] = [journal.change_reason_rule(lesson)]
            elif absent and pk in marked:
                errors[_key("status", student)] = [
                    _("%(student)s has a mark in this lesson: a mark and «н» never share a cell.")
                    % {"student": student.full_name}
                ]
            elif entry is None:
                assert status is not None  # changed from present
                create.append(
                    Attendance(
                        lesson=lesson,
                        student=student,
                        status=status,
                        late_minutes=minutes,
                        recorded_by=actor,
                    )
                )
            elif status is None:
                remove.append(entry)
            else:
                assert entry is not None
                update.append((entry, snapshot(entry)))
                entry.status, entry.late_minutes = status, minutes
            wants_started = wants_started or absent
        if row.has_mark:
            wants_started = True
            stored, numeric = "", None
            try:
                stored, numeric = normalise_value(scale, row.value, undated=False)
            except ValidationError as exc:
                errors[_key("value", student)] = list(exc.messages)
            comment = row.comment.strip()
            if row.kind not in kinds:
                errors[_key("kind", student)] = [_("Unknown kind of mark.")]
            elif len(comment) > 500:
                errors[_key("comment", student)] = [
                    _("The comment is too long (500 characters at most).")
                ]
            elif not stored and not comment and _key("value", student) not in errors:
                if scale.has_marks:
                    errors[_key("value", student)] = [_("Enter a mark or a comment.")]
                else:
                    errors[_key("comment", student)] = [_("Write a comment.")]
            elif stored and absent:
                errors[_key("value", student)] = [
                    _(
                        "%(student)s is marked absent («н») in this lesson: "
                        "a mark and «н» never share a cell."
                    )
                    % {"student": student.full_name}
                ]
            elif _key("value", student) not in errors:
                marks.append(
                    (
                        Mark(
                            assignment=assignment,
                            student=student,
                            lesson=lesson,
                            kind=row.kind,
                            value=stored,
                            comment=comment,
                            numeric_value=numeric,
                            created_by=actor,
                            entered_late=local_today(journal._tz(assignment)) > lesson.date,
                        ),
                        numeric,
                    )
                )
        text = " ".join(row.remark_text.split())
        if text:
            if row.remark_kind not in RemarkKind.values:
                errors[_key("remark_kind", student)] = [_("Unknown kind of remark.")]
            elif len(text) > 500:
                errors[_key("remark_text", student)] = [
                    _("The remark is too long (500 characters at most).")
                ]
            else:
                remarks.append(
                    StudentRemark(
                        lesson=lesson,
                        student=student,
                        text=text,
                        kind=row.remark_kind,
                        author=actor,
                    )
                )
    if wants_started:
        try:
            journal.ensure_lesson_started(lesson)
        except ValidationError as exc:
            errors.setdefault("__all__", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    entries: list[AuditEntry] = []
    corrections: list[Correction] = []
    Attendance.objects.bulk_create(create)
    for entry in create:
        entries.append(AuditEntry("attendance.create", entry, after=snapshot(entry)))
    for entry, before in update:
        entry.updated_at = now
        corrections.append(_correction(actor, lesson, entry.student, before, entry.status, reason))
        entries.append(AuditEntry("attendance.update", entry, before=before, after=snapshot(entry)))
    Attendance.objects.bulk_update(
        [entry for entry, _before in update], ["status", "late_minutes", "updated_at"]
    )
    if remove:
        for entry in remove:
            corrections.append(
                _correction(actor, lesson, entry.student, snapshot(entry), None, reason)
            )
            entries.append(
                AuditEntry(
                    "attendance.delete",
                    object_type="journal.attendance",
                    object_id=entry.pk,
                    before=snapshot(entry),
                )
            )
        Attendance.objects.filter(pk__in=[entry.pk for entry in remove]).delete()
    Correction.objects.bulk_create(corrections)
    Mark.objects.bulk_create([mark for mark, _numeric in marks])
    entries += [AuditEntry("mark.create", mark, after=snapshot(mark)) for mark, _n in marks]
    StudentRemark.objects.bulk_create(remarks)
    entries += [AuditEntry("remark.create", remark, after=snapshot(remark)) for remark in remarks]
    if lesson.attendance_taken_at is None:
        lesson.attendance_taken_at = now
        lesson.save(update_fields=["attendance_taken_at", "updated_at"])
        entries.append(
            AuditEntry(
                "lesson.attendance_taken",
                lesson,
                after={"attendance_taken_at": now.isoformat()},
            )
        )
    audit_record_many(actor=actor, entries=entries, reason=reason, school_id=school_id)
    if entries:
        # One statement for the whole sheet, however many students changed.
        read_versions_bump(class_group_ids=[assignment.class_group_id])

    for entry in create:
        if entry.status == AttendanceStatus.ABSENT:
            journal_event_recorded(
                kind="absence",
                assignment=assignment,
                student=entry.student,
                lesson=lesson,
                event_date=lesson.date,
            )
    for mark, _numeric in marks:
        if mark.value:
            journal_event_recorded(
                kind="mark",
                assignment=assignment,
                student=mark.student,
                event_date=lesson.date,
                detail=mark.value,
            )
    for remark in remarks:
        journal_event_recorded(
            kind="remark", assignment=assignment, student=remark.student, event_date=lesson.date
        )
    return SheetResult(
        marks=[mark for mark, _numeric in marks],
        changed=len(create) + len(update) + len(remove) + len(marks) + len(remarks),
    )


def _correction(
    actor: User,
    lesson: Lesson,
    student: Student,
    before: dict[str, Any],
    status: str | None,
    reason: str,
) -> Correction:
    """A change of a recorded attendance entry, kept in the register of corrections as
    attendance_set keeps it."""
    return Correction(
        assignment=lesson.assignment,
        lesson=lesson,
        student=student,
        target="attendance",
        before={"status": before.get("status")},
        after={"status": status},
        reason=reason.strip(),
        requested_by=actor,
    )


def _save_row_by_row(
    actor: User,
    lesson: Lesson,
    students: dict[int, Student],
    rows: Mapping[int, SheetRow],
    reason: str,
) -> SheetResult:
    """A locked term: each change through its one-row service, which files it in the
    register of corrections for approval. Refusals are collected and roll everything back."""
    current = {a.student_id: a for a in Attendance.objects.filter(lesson=lesson)}
    errors: dict[str, list[str]] = {}
    result = SheetResult()
    for pk, row in rows.items():
        student = students[pk]
        entry = current.get(pk)
        status = row.status or None
        minutes = row.late_minutes if status == AttendanceStatus.LATE else None
        if (entry.status, entry.late_minutes) != (status, minutes) if entry else bool(status):
            _one_row(
                result,
                errors,
                _key("status", student),
                journal.attendance_set,
                actor=actor,
                lesson=lesson,
                student=student,
                status=status,
                late_minutes=minutes,
                reason=reason,
            )
        if row.has_mark:
            _one_row(
                result,
                errors,
                _key("value", student),
                journal.mark_set,
                actor=actor,
                assignment=lesson.assignment,
                student=student,
                value=row.value,
                comment=row.comment,
                kind=row.kind,
                lesson=lesson,
                reason=reason,
            )
        if row.remark_text.strip():
            _one_row(
                result,
                errors,
                _key("remark_text", student),
                journal.remark_add,
                actor=actor,
                lesson=lesson,
                student=student,
                text=row.remark_text,
                kind=row.remark_kind,
            )
    if errors:
        raise ValidationError(errors)
    if lesson.attendance_taken_at is None:
        journal.attendance_take(
            actor=actor,
            lesson=lesson,
            statuses=dict(
                Attendance.objects.filter(lesson=lesson).values_list("student_id", "status")
            ),
            reason=reason,
        )
    return result


def _one_row(
    result: SheetResult,
    errors: dict[str, list[str]],
    name: str,
    write: Callable[..., Any],
    **kwargs: Any,
) -> None:
    try:
        written = write(**kwargs)
    except ValidationError as exc:
        errors.setdefault(name, []).extend(exc.messages)
    else:
        result.changed += 1
        if isinstance(written, journal.WriteResult) and written.pending:
            result.pending = True
