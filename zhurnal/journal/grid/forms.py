"""Entering one cell of the journal grid: what the typed text means (a mark, «н», nothing)
and which service call it becomes. Shared by the keyboard endpoint and the no-JS
column form; the services do every check, this only chooses the call and asks for what
the services will require (a reason, the request of a corrected mark) before calling."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.core.formats import date_ua
from zhurnal.core.timeutil import local_today
from zhurnal.journal.grid.selectors import LESSON, STATE_EXAM_GRADES
from zhurnal.journal.models import Attendance, AttendanceStatus, Mark, MarkKind
from zhurnal.journal.scales import ABSENT, normalise_value, scale_for
from zhurnal.journal.services import (
    UNDATED_KINDS,
    WriteResult,
    attendance_set,
    mark_delete,
    mark_set,
)
from zhurnal.people.models import Student
from zhurnal.schools.models import Term
from zhurnal.schools.services import ensure_year_open
from zhurnal.timetable.models import Lesson, TeachingAssignment

# «н» on either keyboard layout.
ABSENT_INPUTS = frozenset({ABSENT, "n"})


@dataclass(frozen=True)
class CellTarget:
    """A column of the grid: a lesson, or an undated column of a term or of the year."""

    kind: str  # LESSON or an undated MarkKind
    lesson: Lesson | None = None
    term: Term | None = None
    theme_number: int | None = None

    @property
    def key(self) -> str:
        if self.lesson is not None:
            return f"lesson-{self.lesson.pk}"
        if self.kind == MarkKind.THEMATIC:
            return f"thematic-{self.theme_number}"
        return self.kind


@dataclass(frozen=True)
class CellOutcome:
    """The answer to one cell entry, as the JSON endpoint sends it."""

    ok: bool
    value: str = ""
    message: str = ""
    pending: bool = False
    need_reason: bool = False
    need_request: bool = False


def _int(raw: str | None) -> int:
    try:
        return int(raw or "")
    except ValueError:
        raise Http404(_("Not found")) from None


def target_from(
    assignment: TeachingAssignment,
    data: QueryDict,
    *,
    term: Term | None = None,
    terms: list[Term] | None = None,
) -> CellTarget:
    """The column a request names: `lesson=<id>`, or `kind=<thematic|term|corrected|annual|
    state_exam>` with `term=<id>` (and `theme=<n>` for thematic). Unknown → 404."""
    if data.get("lesson"):
        lesson = (
            Lesson.objects.filter(
                pk=_int(data.get("lesson")), assignment=assignment, is_cancelled=False
            )
            .select_related("period")
            .first()
        )
        if lesson is None:
            raise Http404(_("Not found"))
        lesson.assignment = assignment  # loaded with its year and school already
        return CellTarget(kind=LESSON, lesson=lesson)
    kind = data.get("kind", "")
    if kind not in UNDATED_KINDS:
        raise Http404(_("Not found"))
    grade = assignment.class_group.grade
    if kind == MarkKind.STATE_EXAM and grade not in STATE_EXAM_GRADES:
        raise Http404(_("Not found"))
    if kind in (MarkKind.ANNUAL, MarkKind.STATE_EXAM):
        return CellTarget(kind=kind)
    if term is None:
        term_id = _int(data.get("term"))
        if terms is not None:
            term = next((t for t in terms if t.pk == term_id), None)
        else:
            term = Term.objects.filter(
                pk=term_id, year_id=assignment.year_id, grade_from__lte=grade, grade_to__gte=grade
            ).first()
        if term is None:
            raise Http404(_("Not found"))
    theme = None
    if kind == MarkKind.THEMATIC:
        theme = _int(data.get("theme"))
        if not 1 <= theme <= 99:
            raise Http404(_("Not found"))
    return CellTarget(kind=kind, term=term, theme_number=theme)


def student_of(assignment: TeachingAssignment, raw: str | None) -> Student:
    """A student who has ever been enrolled in the assignment's class; others are 404, so
    that the endpoint never names a child of another class."""
    student = (
        Student.objects.filter(pk=_int(raw), enrollments__class_group_id=assignment.class_group_id)
        .distinct()
        .first()
    )
    if student is None:
        raise Http404(_("Not found"))
    return student


def parse_request_date(raw: str) -> dt.date | None:
    raw = raw.strip()
    if not raw:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(raw, pattern).replace(tzinfo=dt.UTC).date()  # a date only
        except ValueError:
            continue
    raise ValidationError(_("Enter the date of the request as dd.mm.yyyy."))


def _check_value(assignment: TeachingAssignment, text: str, *, undated: bool) -> str:
    """The stored form of the typed value (ValidationError if not on the scale); used only
    before asking for a reason, so that a wrong value is reported first."""
    scale = scale_for(
        school=assignment.year.school,
        grade=assignment.class_group.grade,
        subject_id=assignment.subject_id,
    )
    stored, _numeric = normalise_value(scale, text, undated=undated)
    return stored


def _need_reason(day: dt.date) -> CellOutcome:
    return CellOutcome(
        ok=False,
        need_reason=True,
        message=_("The lesson of %(date)s is over: a change to what was recorded needs a reason.")
        % {"date": date_ua(day)},
    )


def _written(result: WriteResult, *, value: str, before: str) -> CellOutcome:
    if result.pending:
        return CellOutcome(
            ok=True,
            value=before,
            pending=True,
            message=_("The term is locked: the change waits for the deputy director's approval."),
        )
    return CellOutcome(ok=True, value=value)


def cell_save(
    *,
    actor: User,
    assignment: TeachingAssignment,
    student: Student,
    target: CellTarget,
    value: str,
    reason: str = "",
    requested_on: str = "",
    requested_by: str = "",
) -> CellOutcome:
    """Enter what was typed into one cell through the journal services. ValidationError
    becomes a refused outcome with the services' message; PermissionDenied propagates."""
    text = " ".join(value.split())
    try:
        ensure_year_open(assignment.year)
        if target.lesson is not None:
            return _lesson_cell(actor, assignment, student, target.lesson, text, reason.strip())
        return _undated_cell(
            actor,
            assignment,
            student,
            target,
            text,
            reason.strip(),
            parse_request_date(requested_on),
            requested_by.strip(),
        )
    except ValidationError as error:
        return CellOutcome(ok=False, value=text, message=" ".join(error.messages))


def _lesson_cell(
    actor: User,
    assignment: TeachingAssignment,
    student: Student,
    lesson: Lesson,
    text: str,
    reason: str,
) -> CellOutcome:
    marks = list(Mark.objects.filter(lesson=lesson, student=student).order_by("created_at", "pk"))
    if len(marks) > 1:
        raise ValidationError(_("This cell holds several marks: change them on the lesson page."))
    mark = marks[0] if marks else None
    if mark is not None:
        mark.lesson, mark.assignment, mark.student = lesson, assignment, student
    # A mark does not need the attendance entry here: the service refuses it next to «н».
    entry = None
    if not text or text.lower() in ABSENT_INPUTS:
        entry = Attendance.objects.filter(lesson=lesson, student=student).first()
    absent = entry is not None and entry.status == AttendanceStatus.ABSENT
    before = ABSENT if absent else (mark.value if mark else "")
    past = local_today(assignment.year.school.municipality.time_zone) > lesson.date

    if text.lower() in ABSENT_INPUTS:
        if absent:
            return CellOutcome(ok=True, value=ABSENT)
        if entry is not None and past and not reason:
            return _need_reason(lesson.date)
        result = attendance_set(
            actor=actor,
            lesson=lesson,
            student=student,
            status=AttendanceStatus.ABSENT,
            reason=reason,
        )
        return _written(result, value=ABSENT, before=before)
    if not text:
        if absent:
            if past and not reason:
                return _need_reason(lesson.date)
            result = attendance_set(
                actor=actor, lesson=lesson, student=student, status=None, reason=reason
            )
            return _written(result, value="", before=before)
        if mark is None or not mark.value:
            return CellOutcome(ok=True, value="")
        if past and not reason:
            return _need_reason(lesson.date)
        if mark.comment:  # the teacher's comment stays; only the mark goes
            result = mark_set(
                actor=actor,
                assignment=assignment,
                student=student,
                value="",
                comment=mark.comment,
                kind=mark.kind,
                lesson=lesson,
                mark=mark,
                reason=reason,
            )
        else:
            result = mark_delete(actor=actor, mark=mark, reason=reason)
        return _written(result, value="", before=before)
    if mark is not None and mark.value and past and not reason:
        if _check_value(assignment, text, undated=False) == mark.value:
            return CellOutcome(ok=True, value=mark.value)
        return _need_reason(lesson.date)
    result = mark_set(
        actor=actor,
        assignment=assignment,
        student=student,
        value=text,
        comment=mark.comment if mark else "",
        kind=mark.kind if mark else MarkKind.CURRENT,
        lesson=lesson,
        mark=mark,
        reason=reason,
    )
    return _written(result, value=result.mark.value if result.mark else "", before=before)


def _undated_cell(
    actor: User,
    assignment: TeachingAssignment,
    student: Student,
    target: CellTarget,
    text: str,
    reason: str,
    requested_on: dt.date | None,
    requested_by: str,
) -> CellOutcome:
    kind = target.kind
    existing = Mark.objects.filter(assignment=assignment, student=student, kind=kind)
    if kind == MarkKind.THEMATIC:
        existing = existing.filter(term=target.term, theme_number=target.theme_number)
    elif kind in (MarkKind.TERM, MarkKind.CORRECTED):
        existing = existing.filter(term=target.term)
    mark = existing.first()
    if mark is not None:
        mark.assignment, mark.student = assignment, student
    before = mark.value if mark else ""
    if kind == MarkKind.CORRECTED and mark is not None:
        requested_on = requested_on or mark.requested_on
        requested_by = requested_by or mark.requested_by

    if not text:
        if mark is None or not mark.value:
            return CellOutcome(ok=True, value="")
        if not reason:
            return CellOutcome(
                ok=False, need_reason=True, message=_("Deleting a recorded mark needs a reason.")
            )
        if mark.comment:
            result = mark_set(
                actor=actor,
                assignment=assignment,
                student=student,
                value="",
                comment=mark.comment,
                kind=kind,
                term=target.term,
                theme_number=target.theme_number,
                mark=mark,
                reason=reason,
                requested_on=requested_on,
                requested_by=requested_by,
            )
        else:
            result = mark_delete(actor=actor, mark=mark, reason=reason)
        return _written(result, value="", before=before)
    if kind == MarkKind.CORRECTED and (requested_on is None or not requested_by):
        _check_value(assignment, text, undated=True)
        return CellOutcome(
            ok=False,
            need_request=True,
            message=_(
                "A corrected term mark records the date of the request and who asked for it."
            ),
        )
    result = mark_set(
        actor=actor,
        assignment=assignment,
        student=student,
        value=text,
        comment=mark.comment if mark else "",
        kind=kind,
        term=target.term,
        theme_number=target.theme_number,
        mark=mark,
        reason=reason,
        requested_on=requested_on,
        requested_by=requested_by,
    )
    return _written(result, value=result.mark.value if result.mark else "", before=before)
