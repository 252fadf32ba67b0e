"""Reading a grid cell request: which student, which column, the date of a corrected mark's
request. Parsing only: what the typed text means and whether it may be written is decided
by `journal.services.journal_cell_set`. Anything the request names that is not in this
journal is 404, so that the endpoint never tells what exists elsewhere."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from zhurnal.journal.grid.selectors import STATE_EXAM_GRADES
from zhurnal.journal.models import MarkKind
from zhurnal.journal.services import UNDATED_KINDS, JournalColumn
from zhurnal.people.models import Student
from zhurnal.schools.models import Term
from zhurnal.timetable.models import Lesson, TeachingAssignment


def _int(raw: str | None) -> int:
    try:
        return int(raw or "")
    except ValueError:
        raise Http404(_("Not found")) from None


def column_from(
    assignment: TeachingAssignment, data: Mapping[str, str], *, terms: list[Term] | None = None
) -> JournalColumn:
    """The column a request names: `lesson=<id>`, or `kind=<thematic|term|corrected|annual|
    state_exam>` with `term=<id>` (one of `terms` when given, else looked up) and
    `theme=<n>` for thematic."""
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
        return JournalColumn(lesson=lesson)
    kind = data.get("kind", "")
    if kind not in UNDATED_KINDS:
        raise Http404(_("Not found"))
    grade = assignment.class_group.grade
    if kind == MarkKind.STATE_EXAM and grade not in STATE_EXAM_GRADES:
        raise Http404(_("Not found"))
    if kind in (MarkKind.ANNUAL, MarkKind.STATE_EXAM):
        return JournalColumn(kind=kind)
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
    return JournalColumn(kind=kind, term=term, theme_number=theme)


def grid_term(assignment: TeachingAssignment, raw: str | None) -> Term | None:
    """The grid's term a cell request names, for the row's hints: one of the assignment's
    year, else None (the hints are left out, the save is not refused for it)."""
    if not raw or not raw.isdigit():
        return None
    return Term.objects.filter(pk=int(raw), year_id=assignment.year_id).first()


def student_of(assignment: TeachingAssignment, raw: str | None) -> Student:
    """A student who has ever been enrolled in the assignment's class; whether they study
    in it on the column's date is the service's question."""
    student = (
        Student.objects.filter(pk=_int(raw), enrollments__class_group_id=assignment.class_group_id)
        .distinct()
        .first()
    )
    if student is None:
        raise Http404(_("Not found"))
    return student


def request_date(raw: str) -> dt.date | None:
    """The date of a corrected mark's request as typed: yyyy-mm-dd or dd.mm.yyyy."""
    raw = raw.strip()
    if not raw:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(raw, pattern).replace(tzinfo=dt.UTC).date()  # a date only
        except ValueError:
            continue
    raise ValidationError(_("Enter the date of the request as dd.mm.yyyy."))
