"""Writes on the journal: marks, attendance, lesson records, corrections and term locks.

Every rule of a journal write lives here, once, and the grid, the lesson page, the API
and the importers call these services: the year must be open, the lesson held, the actor
must own the lesson (teacher or substitute), the lesson must have begun (no mark or «н»
for next week), the student must belong to the lesson, the value must be on the scale, a
mark and «н» never share a cell. A change of an existing
mark or attendance entry is a correction: it is kept in the register with the old value,
and after the lesson's day it needs a reason; in a locked term it waits for the deputy
director's approval instead of being applied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.audit.services import audit_record, delete_audited, snapshot
from zhurnal.core.filetypes import (
    content_matches,
    is_executable,
    scanned_document_check,
    upload_head,
)
from zhurnal.core.formats import date_ua
from zhurnal.core.timeutil import local_today, school_tz
from zhurnal.journal.access import is_journal_controller
from zhurnal.journal.models import (
    LESSON_MARK_KINDS,
    AbsenceExcuse,
    Attendance,
    AttendanceStatus,
    Correction,
    CorrectionStatus,
    Excuse,
    GradingScale,
    HomeworkFile,
    Mark,
    MarkKind,
    RemarkKind,
    ScaleRule,
    StudentRemark,
    TermLock,
)
from zhurnal.journal.scales import ABSENT, Scale, normalise_value, scale_for
from zhurnal.notifications.services import journal_event_recorded
from zhurnal.people.models import Enrollment, Student, SubgroupMember
from zhurnal.people.selectors import in_class_order
from zhurnal.schools.models import AcademicYear, ClassGroup, School, Subject, Term, TermMarkMethod
from zhurnal.schools.services import ensure_class_open, ensure_year_open
from zhurnal.schools.versions import read_versions_bump
from zhurnal.timetable.models import Lesson, LessonPlace, TeachingAssignment

UNDATED_KINDS = (
    MarkKind.THEMATIC,
    MarkKind.TERM,
    MarkKind.CORRECTED,
    MarkKind.ANNUAL,
    MarkKind.STATE_EXAM,
)
# The codes of refusals a page answers by asking for more: the reason for a change, the
# request of a corrected term mark.
REASON_REQUIRED = "reason_required"
REQUEST_REQUIRED = "request_required"
# The code of the refusal of a mark or an attendance entry for a lesson not begun yet.
LESSON_NOT_STARTED = "lesson_not_started"
# «н» typed into a cell, on either keyboard layout.
ABSENT_INPUTS = frozenset({ABSENT, "n"})
HOMEWORK_EXTENSIONS = frozenset(
    {
        ".pdf",
        ".doc",
        ".docx",
        ".odt",
        ".rtf",
        ".txt",
        ".ppt",
        ".pptx",
        ".odp",
        ".xls",
        ".xlsx",
        ".ods",
        ".jpg",
        ".jpeg",
        ".png",
        ".gif",
        ".webp",
        ".mp3",
        ".zip",
    }
)


@dataclass(frozen=True)
class WriteResult:
    """What a journal write did: applied, or waiting for approval in a locked term."""

    mark: Mark | None = None
    attendance: Attendance | None = None
    correction: Correction | None = None

    @property
    def pending(self) -> bool:
        return self.correction is not None and self.correction.status == CorrectionStatus.PENDING


def correction_pending_message() -> str:
    """What the pages and the API say when a write waits for approval in a locked term."""
    return _(
        "The term is locked: the change is waiting for the deputy director's approval "
        "and is not applied yet."
    )


# --- checks shared by every write ---------------------------------------------------------


def _ensure_class_open(class_group: ClassGroup, year: AcademicYear) -> None:
    """`ensure_class_open` for a class of a year already loaded: no query for the year."""
    if class_group.year_id == year.pk:
        class_group.year = year
    ensure_class_open(class_group)


def ensure_journal_writable(
    *, actor: User, assignment: TeachingAssignment, lesson: Lesson | None = None
) -> None:
    """The check before every journal write: the academic year and the class's own year
    are open (the one closed-year rule, `ensure_class_open`), the lesson was held, and the
    actor keeps this journal — its teacher, or the lesson's substitute. Every write below
    starts with it; a page may call it first to refuse a whole form (a closed year, a
    lesson not held) before looking at what was typed. ValidationError or
    PermissionDenied."""
    _ensure_class_open(assignment.class_group, assignment.year)
    if lesson is not None and lesson.is_cancelled:
        raise ValidationError(
            _("This lesson was marked as not held: nothing can be recorded in it.")
        )
    if assignment.teacher_id == actor.pk:
        return
    if lesson is not None and lesson.substitute_id == actor.pk:
        return
    raise PermissionDenied(_("Only the teacher of this class and subject can write here."))


def lesson_starts_at(lesson: Lesson) -> dt.datetime:
    """When the lesson begins: its date and its bell's start, in the school's time zone."""
    return dt.datetime.combine(
        lesson.date, lesson.period.starts_at, tzinfo=school_tz(_tz(lesson.assignment))
    )


def ensure_lesson_started(lesson: Lesson, *, now: dt.datetime | None = None) -> None:
    """No mark and no attendance entry for a lesson that has not begun yet (its date and
    its bell's start in the school's time zone): a mark typed for next week is refused,
    not stored. Every mark and attendance write calls it; a page may call it first to
    refuse a whole form. ValidationError with code LESSON_NOT_STARTED."""
    starts = lesson_starts_at(lesson)
    if (now or timezone.now()) < starts:
        raise ValidationError(
            _(
                "The lesson of %(date)s begins at %(time)s and has not started yet: "
                "marks and attendance can be entered once it has begun."
            )
            % {"date": date_ua(lesson.date), "time": f"{lesson.period.starts_at:%H:%M}"},
            code=LESSON_NOT_STARTED,
        )


def change_needs_reason(lesson: Lesson) -> bool:
    """After the lesson's day (by the school's calendar) a change to what was recorded in
    it needs a reason. The one place of this rule: pages ask it whether to offer the
    reason field, the services refuse by it."""
    return local_today(_tz(lesson.assignment)) > lesson.date


def change_reason_rule(lesson: Lesson) -> str:
    """The rule of `change_needs_reason` in words: the refusal's message, and the help
    text of the reason fields."""
    return _("The lesson of %(date)s is over: a change to what was recorded needs a reason.") % {
        "date": date_ua(lesson.date)
    }


def _ensure_reason(lesson: Lesson, reason: str) -> None:
    if change_needs_reason(lesson) and not reason.strip():
        raise ValidationError(change_reason_rule(lesson), code=REASON_REQUIRED)


def _ensure_removal_reason(mark: Mark, reason: str) -> None:
    """Removing a lesson mark follows the lesson-day rule; removing an undated mark (a
    thematic, term or annual mark) always needs a reason."""
    if mark.lesson is not None:
        _ensure_reason(mark.lesson, reason)
    elif not reason.strip():
        raise ValidationError(_("Deleting a recorded mark needs a reason."), code=REASON_REQUIRED)


# The longest reason for a change (kept in the register of corrections and the audit) and
# the longest "requested by" of a corrected term mark; the pages and the API allow the same.
REASON_MAX_LENGTH = 500
REQUESTED_BY_MAX_LENGTH = 200


def _ensure_reason_length(reason: str) -> None:
    if len(reason.strip()) > REASON_MAX_LENGTH:
        raise ValidationError(
            _("The reason is too long: %(limit)s characters at most, %(length)s given.")
            % {"limit": REASON_MAX_LENGTH, "length": len(reason.strip())},
            code="reason_too_long",
        )


def _ensure_requested_by_length(requested_by: str) -> None:
    if len(requested_by.strip()) > REQUESTED_BY_MAX_LENGTH:
        raise ValidationError(
            _("“Requested by” is too long: %(limit)s characters at most, %(length)s given.")
            % {"limit": REQUESTED_BY_MAX_LENGTH, "length": len(requested_by.strip())},
            code="requested_by_too_long",
        )


def _ensure_not_absent(lesson: Lesson, student: Student) -> None:
    absent = Attendance.objects.filter(
        lesson=lesson, student=student, status=AttendanceStatus.ABSENT
    ).exists()
    if absent:
        raise ValidationError(
            _(
                "%(student)s is marked absent («н») in this lesson: "
                "a mark and «н» never share a cell."
            )
            % {"student": student.full_name}
        )


def _ensure_no_mark(lesson: Lesson, student: Student) -> None:
    if Mark.objects.filter(lesson=lesson, student=student).exclude(value="").exists():
        raise ValidationError(
            _("%(student)s has a mark in this lesson: a mark and «н» never share a cell.")
            % {"student": student.full_name}
        )


def _lock_for(
    assignment: TeachingAssignment, lesson: Lesson | None, term: Term | None
) -> TermLock | None:
    """The lock, if any, on a write in this class and subject: of the term containing the
    lesson's day, or of the undated mark's term. One query, the term joined."""
    locks = TermLock.objects.filter(class_group_id=assignment.class_group_id).filter(
        Q(subject__isnull=True) | Q(subject_id=assignment.subject_id)
    )
    if lesson is not None:
        grade = assignment.class_group.grade
        locks = locks.filter(
            term__year_id=assignment.year_id,
            term__starts_on__lte=lesson.date,
            term__ends_on__gte=lesson.date,
            term__grade_from__lte=grade,
            term__grade_to__gte=grade,
        )
    elif term is not None:
        locks = locks.filter(term=term)
    else:
        return None
    return locks.select_related("term").first()


def _ensure_student_belongs(
    student: Student, assignment: TeachingAssignment, start: dt.date, end: dt.date
) -> None:
    enrolled = (
        Enrollment.objects.filter(
            student=student, class_group_id=assignment.class_group_id, starts_on__lte=end
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
        .exists()
    )
    in_group = (
        assignment.subgroup_id is None
        or SubgroupMember.objects.filter(
            subgroup_id=assignment.subgroup_id, student=student
        ).exists()
    )
    if not (enrolled and in_group):
        raise ValidationError(
            _("%(student)s does not study in this class or group on these dates.")
            % {"student": student.full_name}
        )


def _tz(assignment: TeachingAssignment) -> str:
    return assignment.year.school.municipality.time_zone


def journal_scale(assignment: TeachingAssignment) -> Scale:
    """The scale the marks of this journal are given on (by the school's rules)."""
    return scale_for(
        school=assignment.year.school,
        grade=assignment.class_group.grade,
        subject_id=assignment.subject_id,
    )


def _undated_mark(
    assignment: TeachingAssignment,
    student: Student,
    kind: str,
    term: Term | None,
    theme_number: int | None,
) -> Mark | None:
    """The one mark of an undated column: a topic's thematic mark, the term mark, the
    corrected term mark of a term; the annual and the state-exam mark of the year."""
    marks = Mark.objects.filter(assignment=assignment, student=student, kind=kind)
    if kind == MarkKind.THEMATIC:
        marks = marks.filter(term=term, theme_number=theme_number)
    elif kind in (MarkKind.TERM, MarkKind.CORRECTED):
        marks = marks.filter(term=term)
    return marks.first()


def _mark_state(mark: Mark | None) -> dict[str, Any] | None:
    if mark is None:
        return None
    return {"value": mark.value, "comment": mark.comment, "kind": mark.kind}


def _apply_unless_locked(
    apply: Callable[[], WriteResult],
    *,
    actor: User,
    assignment: TeachingAssignment,
    lesson: Lesson | None,
    term: Term | None,
    student: Student,
    target: str,
    kept: WriteResult,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    reason: str,
) -> WriteResult:
    """Apply a change in one transaction — unless the term of the lesson (or of the undated
    mark) is locked for the class and subject: then the change is not applied but waits in
    the register of corrections for the director's or a deputy director's decision, and
    what stands (`kept`) stays."""
    lock = _lock_for(assignment, lesson, term)
    with transaction.atomic():
        if lock is None:
            return apply()
        correction = Correction.objects.create(
            assignment=assignment,
            lesson=lesson,
            term=lock.term,
            student=student,
            target=target,
            mark=kept.mark,
            before=before,
            after=after,
            reason=reason.strip(),
            status=CorrectionStatus.PENDING,
            requested_by=actor,
        )
        audit_record(
            actor=actor,
            action=f"{target}.correction_request",
            obj=correction,
            after=snapshot(correction),
            reason=reason,
            school_id=assignment.year.school_id,
        )
    return replace(kept, correction=correction)


# --- marks --------------------------------------------------------------------------------


def mark_set(
    *,
    actor: User,
    assignment: TeachingAssignment,
    student: Student,
    value: str,
    comment: str = "",
    kind: str = MarkKind.CURRENT,
    lesson: Lesson | None = None,
    term: Term | None = None,
    theme_number: int | None = None,
    mark: Mark | None = None,
    reason: str = "",
    requested_on: dt.date | None = None,
    requested_by: str = "",
) -> WriteResult:
    """Enter or change one mark. Lesson kinds need the lesson; thematic, term and
    corrected marks need the term; annual and state-exam marks need neither. Changing
    an undated mark that exists updates it (one term mark per student, …). A value off
    the scale is refused under the key "value"; a corrected mark without its request
    with code REQUEST_REQUIRED, a change after the lesson's day without a reason with
    code REASON_REQUIRED."""
    ensure_journal_writable(actor=actor, assignment=assignment, lesson=lesson)
    _ensure_reason_length(reason)
    _ensure_requested_by_length(requested_by)
    if kind not in MarkKind.values:
        raise ValidationError(_("Unknown kind of mark."))
    undated = kind in UNDATED_KINDS
    if undated:
        if lesson is not None:
            raise ValidationError(_("This column has no lesson date."))
        if kind in (MarkKind.THEMATIC, MarkKind.TERM, MarkKind.CORRECTED) and term is None:
            raise ValidationError(_("Choose the term for this mark."))
        if kind == MarkKind.THEMATIC and not theme_number:
            raise ValidationError(_("Choose the topic number for a thematic mark."))
        if kind in (MarkKind.ANNUAL, MarkKind.STATE_EXAM):
            term = None
    else:
        if lesson is None or lesson.assignment_id != assignment.pk:
            raise ValidationError(_("A current mark belongs to a lesson of this journal."))
        term = None
        ensure_lesson_started(lesson)
    if term is not None and term.year_id != assignment.year_id:
        raise ValidationError(_("The term belongs to another academic year."))

    if lesson is not None:
        _ensure_student_belongs(student, assignment, lesson.date, lesson.date)
    elif term is not None:
        _ensure_student_belongs(student, assignment, term.starts_on, term.ends_on)
    else:
        _ensure_student_belongs(
            student, assignment, assignment.year.starts_on, assignment.year.ends_on
        )

    scale = journal_scale(assignment)
    try:
        stored, numeric = normalise_value(scale, value, undated=undated)
    except ValidationError as exc:
        raise ValidationError({"value": exc.error_list}) from exc
    if kind == MarkKind.CORRECTED and (requested_on is None or not requested_by.strip()):
        raise ValidationError(
            _("A corrected term mark records the date of the request and who asked for it."),
            code=REQUEST_REQUIRED,
        )
    comment = comment.strip()
    if not stored and not comment:
        if scale.has_marks:
            raise ValidationError({"value": _("Enter a mark or a comment.")})
        raise ValidationError({"comment": _("Write a comment.")})
    if len(comment) > 500:
        raise ValidationError(_("The comment is too long (500 characters at most)."))
    if lesson is not None and stored:
        _ensure_not_absent(lesson, student)

    if mark is None and undated:
        mark = _undated_mark(assignment, student, kind, term, theme_number)
    if mark is not None and (mark.assignment_id != assignment.pk or mark.student_id != student.pk):
        raise ValidationError(_("This mark belongs to another journal."))
    desired = {
        "value": stored,
        "comment": comment,
        "kind": kind,
        "lesson": lesson.pk if lesson else None,
        "term": term.pk if term else None,
        "theme_number": theme_number,
        "requested_on": requested_on.isoformat() if requested_on else None,
        "requested_by": requested_by.strip(),
    }
    if mark is not None:
        if mark.value == stored and mark.comment == comment and mark.kind == kind:
            return WriteResult(mark=mark)
        if lesson is not None:
            _ensure_reason(lesson, reason)

    return _apply_unless_locked(
        lambda: _apply_mark(
            actor=actor,
            assignment=assignment,
            student=student,
            mark=mark,
            desired=desired,
            numeric=numeric,
            lesson=lesson,
            term=term,
            reason=reason,
        ),
        actor=actor,
        assignment=assignment,
        lesson=lesson,
        term=term,
        student=student,
        target="mark",
        kept=WriteResult(mark=mark),
        before=_mark_state(mark),
        after=desired,
        reason=reason,
    )


def _apply_mark(
    *,
    actor: User,
    assignment: TeachingAssignment,
    student: Student,
    mark: Mark | None,
    desired: dict[str, Any],
    numeric: Decimal | None,
    lesson: Lesson | None,
    term: Term | None,
    reason: str,
    approved_by: User | None = None,
    correction: Correction | None = None,
) -> WriteResult:
    before = snapshot(mark) if mark is not None else None
    old_state = _mark_state(mark)
    if mark is None:
        late_day = lesson.date if lesson is not None else None
        mark = Mark(
            assignment=assignment,
            student=student,
            lesson=lesson,
            term=term,
            created_by=actor,
            entered_late=bool(late_day and local_today(_tz(assignment)) > late_day),
        )
    mark.kind = desired["kind"]
    mark.value = desired["value"]
    mark.comment = desired["comment"]
    mark.numeric_value = numeric
    mark.theme_number = desired.get("theme_number")
    requested_on = desired.get("requested_on")
    mark.requested_on = dt.date.fromisoformat(requested_on) if requested_on else None
    mark.requested_by = desired.get("requested_by") or ""
    mark.save()
    if before is not None and correction is None:
        correction = Correction.objects.create(
            assignment=assignment,
            lesson=lesson,
            term=term,
            student=student,
            target="mark",
            mark=mark,
            before=old_state,
            after=_mark_state(mark),
            reason=reason.strip(),
            requested_by=actor,
            decided_by=approved_by,
            decided_at=timezone.now() if approved_by else None,
        )
    audit_record(
        actor=approved_by or actor,
        action="mark.update" if before is not None else "mark.create",
        obj=mark,
        before=before,
        after=snapshot(mark),
        reason=reason,
        school_id=assignment.year.school_id,
    )
    if before is None and mark.value:
        journal_event_recorded(
            kind="mark",
            assignment=assignment,
            student=student,
            event_date=lesson.date if lesson is not None else local_today(_tz(assignment)),
            detail=mark.value,
        )
    read_versions_bump(class_group_ids=[assignment.class_group_id])
    return WriteResult(mark=mark, correction=correction)


def mark_delete(*, actor: User, mark: Mark, reason: str = "") -> WriteResult:
    """Remove a mark; the register of corrections keeps what it was. A lesson mark after
    the lesson's day, and an undated mark always, need a reason (code REASON_REQUIRED)."""
    assignment = mark.assignment
    ensure_journal_writable(actor=actor, assignment=assignment, lesson=mark.lesson)
    _ensure_reason_length(reason)
    _ensure_removal_reason(mark, reason)
    return _apply_unless_locked(
        lambda: _apply_mark_delete(actor=actor, mark=mark, reason=reason),
        actor=actor,
        assignment=assignment,
        lesson=mark.lesson,
        term=mark.term,
        student=mark.student,
        target="mark",
        kept=WriteResult(mark=mark),
        before=_mark_state(mark),
        after={"delete": True},
        reason=reason,
    )


def _apply_mark_delete(
    *,
    actor: User,
    mark: Mark,
    reason: str,
    approved_by: User | None = None,
    correction: Correction | None = None,
) -> WriteResult:
    before = snapshot(mark)
    if correction is None:
        correction = Correction.objects.create(
            assignment=mark.assignment,
            lesson=mark.lesson,
            term=mark.term,
            student=mark.student,
            target="mark",
            mark=None,
            before=_mark_state(mark),
            after=None,
            reason=reason.strip(),
            requested_by=actor,
            decided_by=approved_by,
            decided_at=timezone.now() if approved_by else None,
        )
    else:
        correction.mark = None
        correction.save(update_fields=["mark"])
    mark_id = mark.pk
    school_id = mark.assignment.year.school_id
    mark.delete()
    audit_record(
        actor=approved_by or actor,
        action="mark.delete",
        object_type="journal.mark",
        object_id=str(mark_id),
        before=before,
        reason=reason,
        school_id=school_id,
    )
    read_versions_bump(class_group_ids=[mark.assignment.class_group_id])
    return WriteResult(correction=correction)


# --- attendance ---------------------------------------------------------------------------


def attendance_set(
    *,
    actor: User,
    lesson: Lesson,
    student: Student,
    status: str | None,
    reason: str = "",
    late_minutes: int | None = None,
) -> WriteResult:
    """Record one student's attendance in a lesson: absent («н»), late, present remotely,
    or None for present. Marks the register as taken. Changing an entry after the
    lesson's day needs a reason (code REASON_REQUIRED)."""
    assignment = lesson.assignment
    ensure_journal_writable(actor=actor, assignment=assignment, lesson=lesson)
    _ensure_reason_length(reason)
    if status is not None and status not in AttendanceStatus.values:
        raise ValidationError(_("Unknown attendance status."))
    _ensure_student_belongs(student, assignment, lesson.date, lesson.date)
    if status == AttendanceStatus.ABSENT:
        _ensure_no_mark(lesson, student)
    entry = Attendance.objects.filter(lesson=lesson, student=student).first()
    if status is not None or entry is None:
        # Removing an entry stays possible: it can only correct what should not be there.
        ensure_lesson_started(lesson)
    current = entry.status if entry else None
    if current == status and (entry is None or entry.late_minutes == late_minutes):
        if lesson.attendance_taken_at is None:
            with transaction.atomic():
                _register_taken(actor, lesson)
        return WriteResult(attendance=entry)
    if entry is not None:
        _ensure_reason(lesson, reason)
    return _apply_unless_locked(
        lambda: _apply_attendance(
            actor=actor,
            lesson=lesson,
            student=student,
            entry=entry,
            status=status,
            late_minutes=late_minutes,
            reason=reason,
        ),
        actor=actor,
        assignment=assignment,
        lesson=lesson,
        term=None,
        student=student,
        target="attendance",
        kept=WriteResult(attendance=entry),
        before={"status": current},
        after={"status": status, "late_minutes": late_minutes},
        reason=reason,
    )


def _apply_attendance(
    *,
    actor: User,
    lesson: Lesson,
    student: Student,
    entry: Attendance | None,
    status: str | None,
    late_minutes: int | None,
    reason: str,
    approved_by: User | None = None,
    correction: Correction | None = None,
) -> WriteResult:
    before = snapshot(entry) if entry is not None else None
    if entry is not None and correction is None:
        correction = Correction.objects.create(
            assignment=lesson.assignment,
            lesson=lesson,
            student=student,
            target="attendance",
            before={"status": entry.status},
            after={"status": status},
            reason=reason.strip(),
            requested_by=actor,
            decided_by=approved_by,
            decided_at=timezone.now() if approved_by else None,
        )
    school_id = lesson.assignment.year.school_id
    if status is None:
        if entry is not None:
            entry_id = entry.pk
            entry.delete()
            audit_record(
                actor=approved_by or actor,
                action="attendance.delete",
                object_type="journal.attendance",
                object_id=str(entry_id),
                before=before,
                reason=reason,
                school_id=school_id,
            )
        entry = None
    else:
        if entry is None:
            entry = Attendance(lesson=lesson, student=student, recorded_by=actor)
        entry.status = status
        entry.late_minutes = late_minutes if status == AttendanceStatus.LATE else None
        entry.save()
        audit_record(
            actor=approved_by or actor,
            action="attendance.update" if before is not None else "attendance.create",
            obj=entry,
            before=before,
            after=snapshot(entry),
            reason=reason,
            school_id=school_id,
        )
        if before is None and status == AttendanceStatus.ABSENT:
            journal_event_recorded(
                kind="absence",
                assignment=lesson.assignment,
                student=student,
                lesson=lesson,
                event_date=lesson.date,
            )
    _register_taken(actor, lesson)
    read_versions_bump(class_group_ids=[lesson.assignment.class_group_id])
    return WriteResult(attendance=entry, correction=correction)


def _register_taken(actor: User, lesson: Lesson) -> None:
    if lesson.attendance_taken_at is None:
        lesson.attendance_taken_at = timezone.now()
        lesson.save(update_fields=["attendance_taken_at", "updated_at"])
        audit_record(
            actor=actor,
            action="lesson.attendance_taken",
            obj=lesson,
            after={"attendance_taken_at": lesson.attendance_taken_at.isoformat()},
            school_id=lesson.assignment.year.school_id,
        )


def attendance_take(
    *,
    actor: User,
    lesson: Lesson,
    statuses: Mapping[int, str | None],
    reason: str = "",
) -> list[WriteResult]:
    """Take the whole register at once: `statuses` maps student id to a status (absent,
    late, remote); students not in it are present. An empty mapping is «all present»."""
    ensure_journal_writable(actor=actor, assignment=lesson.assignment, lesson=lesson)
    ensure_lesson_started(lesson)
    _ensure_reason_length(reason)
    students = {s.pk: s for s in lesson_students(lesson)}
    unknown = set(statuses) - set(students)
    if unknown:
        raise ValidationError(_("Some of the students do not study in this class or group."))
    results = []
    with transaction.atomic():
        current = dict(Attendance.objects.filter(lesson=lesson).values_list("student_id", "status"))
        for student_id, student in students.items():
            status = statuses.get(student_id) or None
            if current.get(student_id) != status:
                results.append(
                    attendance_set(
                        actor=actor, lesson=lesson, student=student, status=status, reason=reason
                    )
                )
        _register_taken(actor, lesson)
    return results


def lesson_students(lesson: Lesson) -> list[Student]:
    """The students of a lesson: enrolled in the class on its date, in its group if any, in
    the one class order."""
    students = Student.objects.filter(
        enrollments__class_group_id=lesson.assignment.class_group_id,
        enrollments__starts_on__lte=lesson.date,
    ).filter(Q(enrollments__ends_on__isnull=True) | Q(enrollments__ends_on__gte=lesson.date))
    if lesson.assignment.subgroup_id:
        students = students.filter(subgroups__subgroup_id=lesson.assignment.subgroup_id)
    return in_class_order(students.distinct().order_by())


# --- one cell of the journal --------------------------------------------------------------


@dataclass(frozen=True)
class JournalColumn:
    """A column of a teaching assignment's journal: a lesson, or an undated column — a
    topic's thematic marks, the term mark, the corrected term mark (these three of a
    term), the annual mark, the state exam."""

    lesson: Lesson | None = None
    kind: str = MarkKind.CURRENT  # the MarkKind of an undated column
    term: Term | None = None
    theme_number: int | None = None


@dataclass(frozen=True)
class CellWrite:
    """What a cell shows after `journal_cell_set`: its value, which is still the old one
    while the change waits for approval in a locked term."""

    value: str
    pending: bool = False


def journal_cell_set(
    *,
    actor: User,
    assignment: TeachingAssignment,
    student: Student,
    column: JournalColumn,
    text: str,
    reason: str = "",
    requested_on: dt.date | None = None,
    requested_by: str = "",
) -> CellWrite:
    """Make one cell of the journal hold `text` as typed into the grid: a mark on the
    scale, «н» (absent; lesson columns only), or nothing, which removes the mark or the
    absence. A mark keeps its kind and comment when its value changes or goes; a corrected
    term mark keeps its request unless a new one is given. A cell holding several marks is
    changed on the lesson page. Writes through mark_set, mark_delete and attendance_set,
    so every rule of theirs holds; a refusal is their ValidationError, with the code
    REASON_REQUIRED or REQUEST_REQUIRED when a reason or the request would let it pass."""
    ensure_journal_writable(actor=actor, assignment=assignment, lesson=column.lesson)
    _ensure_reason_length(reason)
    _ensure_requested_by_length(requested_by)
    text = " ".join(text.split())
    lesson = column.lesson
    if lesson is None:
        mark = _undated_mark(assignment, student, column.kind, column.term, column.theme_number)
        if mark is not None:
            mark.assignment, mark.student, mark.term = assignment, student, column.term
            requested_on = requested_on or mark.requested_on
            requested_by = requested_by or mark.requested_by
        return _mark_cell_set(
            actor=actor,
            assignment=assignment,
            student=student,
            mark=mark,
            text=text,
            reason=reason,
            before=mark.value if mark else "",
            kind=column.kind,
            term=column.term,
            theme_number=column.theme_number,
            requested_on=requested_on,
            requested_by=requested_by,
        )
    marks = list(Mark.objects.filter(lesson=lesson, student=student).order_by("created_at", "pk"))
    if len(marks) > 1:
        raise ValidationError(_("This cell holds several marks: change them on the lesson page."))
    mark = marks[0] if marks else None
    if mark is not None:
        mark.lesson, mark.assignment, mark.student = lesson, assignment, student
    absence_typed = text.lower() in ABSENT_INPUTS
    # Only «н» and an empty cell need the attendance entry: mark_set refuses a mark next
    # to «н» by itself.
    entry = (
        Attendance.objects.filter(lesson=lesson, student=student).first()
        if absence_typed or not text
        else None
    )
    absent = entry is not None and entry.status == AttendanceStatus.ABSENT
    before = ABSENT if absent else (mark.value if mark else "")
    if absence_typed and absent:
        return CellWrite(ABSENT)
    if absence_typed or (absent and not text):  # «н» comes, or goes
        status = AttendanceStatus.ABSENT if absence_typed else None
        result = attendance_set(
            actor=actor, lesson=lesson, student=student, status=status, reason=reason
        )
        return _cell_written(result, ABSENT if absence_typed else "", before)
    return _mark_cell_set(
        actor=actor,
        assignment=assignment,
        student=student,
        mark=mark,
        text=text,
        reason=reason,
        before=before,
        kind=mark.kind if mark else MarkKind.CURRENT,
        lesson=lesson,
    )


def _mark_cell_set(
    *,
    actor: User,
    assignment: TeachingAssignment,
    student: Student,
    mark: Mark | None,
    text: str,
    reason: str,
    before: str,
    kind: str,
    lesson: Lesson | None = None,
    term: Term | None = None,
    theme_number: int | None = None,
    requested_on: dt.date | None = None,
    requested_by: str = "",
) -> CellWrite:
    if not text:
        if mark is None or not mark.value:
            return CellWrite("")
        return _cell_written(_mark_clear(actor=actor, mark=mark, reason=reason), "", before)
    result = mark_set(
        actor=actor,
        assignment=assignment,
        student=student,
        value=text,
        comment=mark.comment if mark else "",
        kind=kind,
        lesson=lesson,
        term=term,
        theme_number=theme_number,
        mark=mark,
        reason=reason,
        requested_on=requested_on,
        requested_by=requested_by,
    )
    return _cell_written(result, result.mark.value if result.mark else "", before)


def _mark_clear(*, actor: User, mark: Mark, reason: str) -> WriteResult:
    """Take a mark's value out of its cell: a comment on it stays, as a comment-only mark."""
    if not mark.comment:
        return mark_delete(actor=actor, mark=mark, reason=reason)
    _ensure_removal_reason(mark, reason)
    return mark_set(
        actor=actor,
        assignment=mark.assignment,
        student=mark.student,
        value="",
        comment=mark.comment,
        kind=mark.kind,
        lesson=mark.lesson,
        term=mark.term,
        theme_number=mark.theme_number,
        mark=mark,
        reason=reason,
        requested_on=mark.requested_on,
        requested_by=mark.requested_by,
    )


def _cell_written(result: WriteResult, value: str, before: str) -> CellWrite:
    if result.pending:
        return CellWrite(before, pending=True)
    return CellWrite(value)


# --- lesson record ------------------------------------------------------------------------


def lesson_record(
    *,
    actor: User,
    lesson: Lesson,
    topic: str,
    homework: str,
    place: str = LessonPlace.CLASSROOM,
    place_changed_at: dt.time | None = None,
    room: str | None = None,
) -> Lesson:
    """Write the lesson's topic, homework and where it was held (an air-raid alert moves a
    lesson to the shelter or online, with the time it moved)."""
    ensure_journal_writable(actor=actor, assignment=lesson.assignment, lesson=lesson)
    topic = " ".join(topic.split())
    homework = homework.strip()
    if len(topic) > 500:
        raise ValidationError(_("The topic is too long (500 characters at most)."))
    if len(homework) > 5000:
        raise ValidationError(_("The homework is too long (5000 characters at most)."))
    if place not in LessonPlace.values:
        raise ValidationError(_("Unknown place of the lesson."))
    if place == LessonPlace.CLASSROOM:
        place_changed_at = None
    with transaction.atomic():
        before = snapshot(lesson)
        now = timezone.now()
        if topic != lesson.topic:
            lesson.topic_recorded_at = now if topic else None
        if homework != lesson.homework:
            lesson.homework_recorded_at = now if homework else None
        lesson.topic = topic
        lesson.homework = homework
        lesson.place = place
        lesson.place_changed_at = place_changed_at
        if room is not None:
            lesson.room = room.strip()[:40]
        lesson.save()
        audit_record(
            actor=actor,
            action="lesson.record",
            obj=lesson,
            before=before,
            after=snapshot(lesson),
            school_id=lesson.assignment.year.school_id,
        )
        if homework and homework != before["homework"]:
            journal_event_recorded(
                kind="homework", assignment=lesson.assignment, lesson=lesson, event_date=lesson.date
            )
        read_versions_bump(class_group_ids=[lesson.assignment.class_group_id])
    return lesson


def homework_file_add(*, actor: User, lesson: Lesson, upload: UploadedFile[Any]) -> HomeworkFile:
    """Attach a file to the homework: size limit, a list of allowed types, and content
    that is what its name says (a renamed program is refused)."""
    ensure_journal_writable(actor=actor, assignment=lesson.assignment, lesson=lesson)
    name = PurePath(upload.name or "file").name[:200]
    extension = PurePath(name).suffix.lower()
    if extension not in HOMEWORK_EXTENSIONS:
        raise ValidationError(
            _("Files of type «%(ext)s» cannot be attached. Allowed: %(allowed)s.")
            % {"ext": extension or "?", "allowed": ", ".join(sorted(HOMEWORK_EXTENSIONS))}
        )
    limit = settings.ZHURNAL_HOMEWORK_MAX_BYTES
    if (upload.size or 0) > limit:
        raise ValidationError(
            _("The file is too large: %(size)s MB at most.") % {"size": limit // (1024 * 1024)}
        )
    # Checked by content too: the file goes to every family of the class.
    head = upload_head(upload)
    if is_executable(head):
        raise ValidationError(
            _("«%(name)s» is a program, not a document: programs cannot be attached.")
            % {"name": name}
        )
    if not content_matches(extension, head):
        raise ValidationError(
            _(
                "The file «%(name)s» is not really a %(ext)s file: its content does not match "
                "its name. Save it again in that format and attach it."
            )
            % {"name": name, "ext": extension}
        )
    with transaction.atomic():
        attachment = HomeworkFile(
            lesson=lesson, original_name=name, size=upload.size or 0, uploaded_by=actor
        )
        attachment.file.save(name, upload, save=False)
        attachment.save()
        audit_record(
            actor=actor,
            action="homework_file.add",
            obj=attachment,
            after=snapshot(attachment),
            school_id=lesson.assignment.year.school_id,
        )
        read_versions_bump(class_group_ids=[lesson.assignment.class_group_id])
    return attachment


def homework_file_delete(*, actor: User, attachment: HomeworkFile) -> None:
    lesson = attachment.lesson
    ensure_journal_writable(actor=actor, assignment=lesson.assignment, lesson=lesson)
    with transaction.atomic():
        before = snapshot(attachment)
        attachment_id = attachment.pk
        stored = attachment.file.name or ""
        attachment.delete()
        audit_record(
            actor=actor,
            action="homework_file.delete",
            object_type="journal.homeworkfile",
            object_id=str(attachment_id),
            before=before,
            school_id=lesson.assignment.year.school_id,
        )
        read_versions_bump(class_group_ids=[lesson.assignment.class_group_id])
        transaction.on_commit(lambda: attachment.file.storage.delete(stored))


# --- locks and approvals -----------------------------------------------------------------


def _ensure_controller(actor: User, school_id: int) -> None:
    if not is_journal_controller(actor, school_id):
        raise PermissionDenied(_("Only the director or a deputy director can do this."))


def term_lock(
    *, actor: User, term: Term, class_group: ClassGroup, subject: Subject | None = None
) -> TermLock:
    """Lock a term's journal for a class (or one subject of it)."""
    ensure_year_open(term.year)
    _ensure_class_open(class_group, term.year)
    _ensure_controller(actor, term.year.school_id)
    if class_group.year_id != term.year_id or (
        subject is not None and subject.school_id != term.year.school_id
    ):
        raise ValidationError(_("The class, subject and term must belong to one school year."))
    if not term.grade_from <= class_group.grade <= term.grade_to:
        raise ValidationError(
            _("%(term)s does not cover grade %(grade)s.")
            % {"term": term.name, "grade": class_group.grade}
        )
    with transaction.atomic():
        lock, created = TermLock.objects.get_or_create(
            term=term, class_group=class_group, subject=subject, defaults={"locked_by": actor}
        )
        if created:
            audit_record(
                actor=actor,
                action="term.lock",
                obj=lock,
                after=snapshot(lock),
                school_id=term.year.school_id,
            )
    return lock


def term_unlock(*, actor: User, lock: TermLock) -> None:
    _ensure_class_open(lock.class_group, lock.term.year)
    _ensure_controller(actor, lock.term.year.school_id)
    with transaction.atomic():
        delete_audited(
            actor=actor, instance=lock, action="term.unlock", school_id=lock.term.year.school_id
        )


def correction_decide(
    *, actor: User, correction: Correction, approve: bool, note: str = ""
) -> Correction:
    """The deputy director approves (applies) or rejects a change waiting in a locked term."""
    assignment = correction.assignment
    _ensure_class_open(assignment.class_group, assignment.year)
    _ensure_controller(actor, assignment.year.school_id)
    if len(note.strip()) > 500:
        raise ValidationError(_("The note is too long (500 characters at most)."))
    if correction.status != CorrectionStatus.PENDING:
        raise ValidationError(_("This correction has already been decided."))
    with transaction.atomic():
        locked = Correction.objects.select_for_update().get(pk=correction.pk)
        if locked.status != CorrectionStatus.PENDING:
            raise ValidationError(_("This correction has already been decided."))
        correction = locked
        correction.decided_by = actor
        correction.decided_at = timezone.now()
        if approve:
            _apply_correction(actor=actor, correction=correction)
            correction.status = CorrectionStatus.APPLIED
        else:
            correction.status = CorrectionStatus.REJECTED
        correction.decision_note = note.strip()[:500]
        correction.save()
        audit_record(
            actor=actor,
            action="correction.approve" if approve else "correction.reject",
            obj=correction,
            after=snapshot(correction),
            school_id=assignment.year.school_id,
        )
    return correction


def _apply_correction(*, actor: User, correction: Correction) -> None:
    requester = correction.requested_by
    after = correction.after or {}
    if correction.target == "attendance":
        lesson = correction.lesson
        assert lesson is not None
        if after.get("status") == AttendanceStatus.ABSENT:
            _ensure_no_mark(lesson, correction.student)
        entry = Attendance.objects.filter(lesson=lesson, student=correction.student).first()
        _apply_attendance(
            actor=requester,
            lesson=lesson,
            student=correction.student,
            entry=entry,
            status=after.get("status"),
            late_minutes=after.get("late_minutes"),
            reason=correction.reason,
            approved_by=actor,
            correction=correction,
        )
        return
    mark = correction.mark
    if after.get("delete"):
        if mark is not None:
            _apply_mark_delete(
                actor=requester,
                mark=mark,
                reason=correction.reason,
                approved_by=actor,
                correction=correction,
            )
        return
    assignment = correction.assignment
    stored, numeric = normalise_value(
        journal_scale(assignment),
        after.get("value") or "",
        undated=after.get("kind") in UNDATED_KINDS,
    )
    lesson_id, term_id = after.get("lesson"), after.get("term")
    lesson = Lesson.objects.filter(pk=lesson_id).first() if lesson_id else None
    term = Term.objects.filter(pk=term_id).first() if term_id else None
    if lesson is not None and stored:
        _ensure_not_absent(lesson, correction.student)
    kind = after.get("kind")
    if mark is None and kind in UNDATED_KINDS:
        # Two waiting requests for one term (or annual) mark: the first approved created
        # it, the second changes it.
        mark = _undated_mark(assignment, correction.student, kind, term, after.get("theme_number"))
    result = _apply_mark(
        actor=requester,
        assignment=assignment,
        student=correction.student,
        mark=mark,
        desired={**after, "value": stored},
        numeric=numeric,
        lesson=lesson,
        term=term,
        reason=correction.reason,
        approved_by=actor,
        correction=correction,
    )
    correction.mark = result.mark


def lesson_mark_kinds() -> list[tuple[str, str]]:
    return [(kind.value, str(kind.label)) for kind in LESSON_MARK_KINDS]


# --- grading set-up (the school administrator) ---------------------------------------------


def scale_rule_create(
    *,
    actor: User,
    school: School,
    grade_from: int,
    grade_to: int,
    scale: GradingScale,
    subject: Subject | None = None,
) -> ScaleRule:
    """Choose a scale for a range of grades of a school, optionally for one subject, as
    the pedagogical council decided. One rule per grade range and subject."""
    _ensure_scale_rule(school, grade_from, grade_to, subject, exclude_id=None)
    with transaction.atomic():
        rule = ScaleRule(
            school=school, grade_from=grade_from, grade_to=grade_to, subject=subject, scale=scale
        )
        rule.full_clean()
        rule.save()
        audit_record(
            actor=actor,
            action="scale_rule.create",
            obj=rule,
            after=snapshot(rule),
            school_id=school.pk,
        )
    return rule


def scale_rule_update(
    *,
    actor: User,
    rule: ScaleRule,
    grade_from: int,
    grade_to: int,
    scale: GradingScale,
    subject: Subject | None = None,
) -> ScaleRule:
    _ensure_scale_rule(rule.school, grade_from, grade_to, subject, exclude_id=rule.pk)
    with transaction.atomic():
        before = snapshot(rule)
        rule.grade_from, rule.grade_to, rule.scale, rule.subject = (
            grade_from,
            grade_to,
            scale,
            subject,
        )
        rule.full_clean()
        rule.save()
        audit_record(
            actor=actor,
            action="scale_rule.update",
            obj=rule,
            before=before,
            after=snapshot(rule),
            school_id=rule.school_id,
        )
    return rule


def scale_rule_delete(*, actor: User, rule: ScaleRule) -> None:
    with transaction.atomic():
        delete_audited(
            actor=actor, instance=rule, action="scale_rule.delete", school_id=rule.school_id
        )


def _ensure_scale_rule(
    school: School, grade_from: int, grade_to: int, subject: Subject | None, exclude_id: int | None
) -> None:
    if not (school.grade_min <= grade_from <= grade_to <= school.grade_max):
        raise ValidationError(
            _(
                "Grades must lie within the school's grades %(low)s–%(high)s, "
                "the first not above the last."
            )
            % {"low": school.grade_min, "high": school.grade_max}
        )
    if subject is not None and subject.school_id != school.pk:
        raise ValidationError(_("The subject belongs to another school."))
    overlapping = ScaleRule.objects.filter(
        school=school, subject=subject, grade_from__lte=grade_to, grade_to__gte=grade_from
    )
    if exclude_id is not None:
        overlapping = overlapping.exclude(pk=exclude_id)
    if overlapping.exists():
        raise ValidationError(
            _("Another rule already chooses a scale for some of these grades and this subject.")
        )


def school_term_mark_method_set(*, actor: User, school: School, method: str) -> School:
    """How the system proposes term marks in this school."""
    if method not in TermMarkMethod.values:
        raise ValidationError(_("Unknown method."))
    with transaction.atomic():
        before = {"term_mark_method": school.term_mark_method}
        school.term_mark_method = method
        school.save(update_fields=["term_mark_method", "updated_at"])
        audit_record(
            actor=actor,
            action="school.term_mark_method",
            obj=school,
            before=before,
            after={"term_mark_method": method},
            school_id=school.pk,
        )
    return school


# --- remarks about a student ----------------------------------------------------------------


def remark_add(
    *, actor: User, lesson: Lesson, student: Student, text: str, kind: str
) -> StudentRemark:
    """Write a remark or praise about one student of the lesson; the student and guardians
    who asked for it are notified once the transaction commits."""
    assignment = lesson.assignment
    ensure_journal_writable(actor=actor, assignment=assignment, lesson=lesson)
    if kind not in RemarkKind.values:
        raise ValidationError(_("Unknown kind of remark."))
    text = " ".join(text.split())
    if not text:
        raise ValidationError(_("Write the text of the remark."))
    if len(text) > 500:
        raise ValidationError(_("The remark is too long (500 characters at most)."))
    _ensure_student_belongs(student, assignment, lesson.date, lesson.date)
    with transaction.atomic():
        remark = StudentRemark.objects.create(
            lesson=lesson, student=student, text=text, kind=kind, author=actor
        )
        audit_record(
            actor=actor,
            action="remark.create",
            obj=remark,
            after=snapshot(remark),
            school_id=assignment.year.school_id,
        )
        journal_event_recorded(
            kind="remark",
            assignment=assignment,
            student=student,
            event_date=lesson.date,
        )
        read_versions_bump(class_group_ids=[assignment.class_group_id])
    return remark


def remark_delete(*, actor: User, remark: StudentRemark, reason: str = "") -> None:
    """Remove a remark; after the lesson's day it needs a reason, kept in the audit log."""
    lesson = remark.lesson
    assignment = lesson.assignment
    ensure_journal_writable(actor=actor, assignment=assignment, lesson=lesson)
    _ensure_reason_length(reason)
    _ensure_reason(lesson, reason)
    with transaction.atomic():
        delete_audited(
            actor=actor,
            instance=remark,
            action="remark.delete",
            reason=reason,
            school_id=assignment.year.school_id,
        )
        read_versions_bump(class_group_ids=[assignment.class_group_id])


# --- the class teacher excuses absences -------------------------------------------------

EXCUSE_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


def absences_excuse(
    *,
    actor: User,
    class_group: ClassGroup,
    student: Student,
    starts_on: dt.date,
    ends_on: dt.date,
    reason: str,
    note: str = "",
    document: UploadedFile[Any] | None = None,
) -> AbsenceExcuse:
    """Excuse every absence («н») of a student of the class from `starts_on` to `ends_on`
    with a reason: the class teacher's (or the director's, a deputy's) decision, kept
    with its scanned document. Absences already excused get the new reason; absences
    recorded later in the range are not excused by it."""
    year = class_group.year
    ensure_class_open(class_group)
    school_id = year.school_id
    if class_group.class_teacher_id != actor.pk and not is_journal_controller(actor, school_id):
        raise PermissionDenied(
            _("Only the class teacher, the director or a deputy director can excuse absences.")
        )
    if reason not in Excuse.values:
        raise ValidationError(_("Choose the reason of the absences."))
    note = note.strip()
    if len(note) > 500:
        raise ValidationError(_("The note is too long (500 characters at most)."))
    if ends_on < starts_on:
        raise ValidationError(_("The last day of the range is before its first day."))
    if starts_on < year.starts_on or ends_on > year.ends_on:
        raise ValidationError(
            _("The range must lie within the academic year %(year)s (%(start)s–%(end)s).")
            % {"year": year.name, "start": date_ua(year.starts_on), "end": date_ua(year.ends_on)}
        )
    enrolled = (
        Enrollment.objects.filter(student=student, class_group=class_group, starts_on__lte=ends_on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        .exists()
    )
    if not enrolled:
        raise ValidationError(
            _("%(student)s does not study in this class on these dates.")
            % {"student": student.full_name}
        )
    document_name = (
        scanned_document_check(document, max_bytes=EXCUSE_DOCUMENT_MAX_BYTES)
        if document is not None
        else ""
    )
    excuse = AbsenceExcuse(
        student=student,
        class_group=class_group,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        note=note,
        document_name=document_name,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            if document is not None:
                excuse.document.save(document_name, document, save=False)
            _excuse_absences(actor=actor, excuse=excuse, school_id=year.school_id)
    except BaseException:
        # A refused write must not leave the scan behind on the disk.
        if excuse.document.name:
            excuse.document.storage.delete(excuse.document.name)
        raise
    return excuse


def _excuse_absences(*, actor: User, excuse: AbsenceExcuse, school_id: int) -> None:
    absences = list(
        Attendance.objects.select_for_update()
        .filter(
            student_id=excuse.student_id,
            status=AttendanceStatus.ABSENT,
            lesson__assignment__class_group_id=excuse.class_group_id,
            lesson__date__gte=excuse.starts_on,
            lesson__date__lte=excuse.ends_on,
        )
        .order_by("lesson__date", "lesson__period__number", "pk")
    )
    excuse.absences_excused = len(absences)
    excuse.save()
    audit_record(
        actor=actor,
        action="absence_excuse.create",
        obj=excuse,
        after={**snapshot(excuse), "attendance_ids": [entry.pk for entry in absences]},
        school_id=school_id,
    )
    for entry in absences:
        if entry.excused and entry.excuse_reason == excuse.reason:
            continue
        before = snapshot(entry)
        entry.excused = True
        entry.excuse_reason = excuse.reason
        entry.save(update_fields=["excused", "excuse_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="attendance.excuse",
            obj=entry,
            before=before,
            after=snapshot(entry),
            reason=_("excuse #%(number)s") % {"number": excuse.pk},
            school_id=school_id,
        )
    read_versions_bump(class_group_ids=[excuse.class_group_id])
