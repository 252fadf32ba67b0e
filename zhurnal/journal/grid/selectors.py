"""Reads for the journal grid of one teaching assignment and term: the page as a teacher
keeps it on paper — students down, lessons across, then the undated columns.

A fixed number of queries whatever the size of the class and the number of lessons.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhurnal.core.formats import date_ua
from zhurnal.core.timeutil import local_today
from zhurnal.journal.models import (
    Attendance,
    AttendanceStatus,
    Correction,
    CorrectionStatus,
    Mark,
    MarkKind,
    TermLock,
)
from zhurnal.journal.proposals import Proposal, annual_mark_proposal, term_mark_proposal
from zhurnal.journal.scales import ABSENT
from zhurnal.people.models import Enrollment, Student
from zhurnal.people.selectors import in_class_order
from zhurnal.schools.models import Term, TermMarkMethod
from zhurnal.timetable.models import Lesson, TeachingAssignment

# Grades that sit the state final attestation (ДПА) in the Ukrainian profile.
STATE_EXAM_GRADES = frozenset({4, 9, 11})
LESSON = "lesson"
LATE_TEXT = "зап."


def _kind_marks() -> dict[str, str]:
    """Superscripts for lesson marks that are not plain current marks."""
    return {
        MarkKind.TEST: pgettext("mark kind abbreviation", "t"),
        MarkKind.NOTEBOOK: pgettext("mark kind abbreviation", "nb"),
        MarkKind.ORAL: pgettext("mark kind abbreviation", "o"),
        MarkKind.PRACTICAL: pgettext("mark kind abbreviation", "p"),
    }


@dataclass(frozen=True)
class GridColumn:
    """One column: a lesson (dated) or an undated column of the term or year."""

    key: str  # "lesson-<id>", "thematic-<n>", "term", "corrected", "annual", "state_exam"
    kind: str  # LESSON or the MarkKind of an undated column
    header: str
    title: str
    lesson_id: int | None = None
    date: dt.date | None = None
    theme_number: int | None = None
    theme_name: str = ""

    @property
    def is_lesson(self) -> bool:
        return self.lesson_id is not None


@dataclass(slots=True)
class GridMark:
    value: str
    kind: str
    kind_label: str
    kind_mark: str  # superscript for kinds other than current, else ""
    comment: str


@dataclass(frozen=True, slots=True)
class GridCell:
    """What one student has in one column, and whether the grid may edit it. Frozen: the
    empty cells of a grid are one shared instance."""

    value: str = ""  # what the cell's input holds: the single mark, «н», or nothing
    marks: tuple[GridMark, ...] = ()
    absent: bool = False
    excused: bool = False
    late_minutes: int | None = None
    late: bool = False
    enrolled: bool = True
    editable: bool = False
    pending: bool = False
    hint: str = ""
    hint_title: str = ""
    hint_note: str = ""
    mark_id: int | None = None
    requested_on: dt.date | None = None
    requested_by: str = ""

    @property
    def several(self) -> bool:
        return len(self.marks) > 1

    @property
    def blank(self) -> bool:
        """Nothing entered and nothing to show: an empty cell of an enrolled student."""
        return (
            self.enrolled
            and not self.value
            and not self.marks
            and not self.late
            and not self.hint
            and not self.pending
            and not self.requested_by
        )


@dataclass
class GridRow:
    number: int
    student: Student
    name: str
    cells: list[GridCell]
    # What the teacher sees beside a term or thematic cell while typing it: the mean of the
    # term's numeric lesson marks, and the term mark the school's method proposes.
    average: str = ""
    proposal: str = ""


@dataclass
class JournalGrid:
    assignment: TeachingAssignment
    term: Term
    terms: list[Term]
    columns: list[GridColumn]
    rows: list[GridRow]
    is_last_term: bool
    closed: bool
    locked: bool
    pending_count: int
    today: dt.date
    kind_legend: list[tuple[str, str]] = field(default_factory=list)
    # The column the page opens at: today's lesson, else the last one held before today,
    # else (a term still ahead) the first.
    focus_lesson_id: int | None = None

    @property
    def lesson_count(self) -> int:
        return sum(1 for column in self.columns if column.is_lesson)


def terms_for(assignment: TeachingAssignment) -> list[Term]:
    """The terms of the assignment's year that apply to its class's grade, in order, each
    knowing (`locked_here`) whether a deputy director locked it for this class and subject."""
    grade = assignment.class_group.grade
    locks = TermLock.objects.filter(
        term=OuterRef("pk"), class_group_id=assignment.class_group_id
    ).filter(Q(subject__isnull=True) | Q(subject_id=assignment.subject_id))
    return list(
        Term.objects.filter(year_id=assignment.year_id, grade_from__lte=grade, grade_to__gte=grade)
        .annotate(locked_here=Exists(locks))
        .order_by("starts_on", "number")
    )


def default_term(terms: list[Term], today: dt.date) -> Term | None:
    """The term containing today; between terms the one that ended last (its term marks
    are being set), after the year its last term, before the year its first."""
    started = [term for term in terms if term.starts_on <= today]
    if started:
        return started[-1]
    return terms[0] if terms else None


def _enrollment_spans(
    assignment: TeachingAssignment, term: Term
) -> dict[int, tuple[Student, list[tuple[dt.date, dt.date | None]]]]:
    enrollments = (
        Enrollment.objects.filter(
            class_group_id=assignment.class_group_id, starts_on__lte=term.ends_on
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=term.starts_on))
        .select_related("student")
    )
    if assignment.subgroup_id:
        enrollments = enrollments.filter(student__subgroups__subgroup_id=assignment.subgroup_id)
    spans: dict[int, tuple[Student, list[tuple[dt.date, dt.date | None]]]] = {}
    for enrollment in enrollments:
        _student, dates = spans.setdefault(enrollment.student_id, (enrollment.student, []))
        dates.append((enrollment.starts_on, enrollment.ends_on))
    return spans


def _covers(dates: list[tuple[dt.date, dt.date | None]], day: dt.date) -> bool:
    return any(start <= day and (end is None or end >= day) for start, end in dates)


def _lesson_cell(
    marks: tuple[GridMark, ...],
    entry: tuple[str, bool, int | None] | None,
    enrolled: bool,
    writable: bool,
    pending: bool,
) -> GridCell:
    absent = late = excused = False
    late_minutes = None
    if entry is not None:
        status, excused_flag, late_minutes = entry
        absent = status == AttendanceStatus.ABSENT
        excused = bool(excused_flag) and absent
        late = status == AttendanceStatus.LATE
    value = ABSENT if absent else (marks[0].value if len(marks) == 1 else "")
    return GridCell(
        value=value,
        marks=marks,
        absent=absent,
        excused=excused,
        late=late,
        late_minutes=late_minutes,
        enrolled=enrolled,
        editable=writable and enrolled and len(marks) <= 1,
        pending=pending,
    )


def _undated_cell(mark: Mark | None, writable: bool, pending: bool) -> GridCell:
    if mark is None:
        return GridCell(editable=writable, pending=pending)
    comment: tuple[GridMark, ...] = ()
    if mark.comment:
        comment = (
            GridMark(
                value=mark.value, kind=mark.kind, kind_label="", kind_mark="", comment=mark.comment
            ),
        )
    return GridCell(
        value=mark.value,
        marks=comment,
        editable=writable,
        pending=pending,
        mark_id=mark.pk,
        requested_on=mark.requested_on,
        requested_by=mark.requested_by,
    )


def _hint_text(proposal: Proposal) -> str:
    mean = proposal.mean if proposal.mean is not None else Decimal(proposal.value)
    return "≈ " + floatformat(mean, -1)


def running_average(values: list[Decimal]) -> str:
    """The plain mean of a student's numeric lesson marks, as the grid shows it (one
    decimal), or "" when there are none."""
    if not values:
        return ""
    return str(floatformat(sum(values, Decimal(0)) / len(values), -1))


def focus_lesson(lessons: list[tuple[int, dt.date]], today: dt.date) -> int | None:
    """The lesson column the grid opens at: the first of today's lessons, else the last one
    held before today, else the first of the term."""
    held = [pk for pk, day in lessons if day < today]
    todays = [pk for pk, day in lessons if day == today]
    if todays:
        return todays[0]
    if held:
        return held[-1]
    return lessons[0][0] if lessons else None


def journal_grid(
    assignment: TeachingAssignment,
    term: Term,
    *,
    terms: list[Term] | None = None,
    can_write: bool = False,
    theme_names: Mapping[int, str] | None = None,
) -> JournalGrid:
    """The journal page of an assignment for a term: numbered students (those enrolled at
    any time in the term, in the subgroup if any), the term's lessons by date, thematic,
    term and corrected columns, and on the year's last term the annual and state-exam
    columns, with the proposal hints; `theme_names` (by topic number) name the thematic
    columns when known. `assignment` comes from
    `timetable.access.assignment_for_user` (year, school, class and subject loaded). Five
    queries whatever the class size, and one more for the terms when they are not given."""
    if terms is None:
        terms = terms_for(assignment)
    year = assignment.year
    school = year.school
    tz_name = school.municipality.time_zone
    today = local_today(tz_name)
    closed = year.closed_at is not None or assignment.class_group.closed_at is not None
    writable = can_write and not closed
    is_last_term = bool(terms) and term.pk == max(terms, key=lambda t: (t.ends_on, t.number)).pk
    term_names = {t.pk: t.name for t in terms}
    kind_labels = {kind: str(label) for kind, label in MarkKind.choices}
    kind_marks = _kind_marks()

    spans = _enrollment_spans(assignment, term)
    lessons = list(
        Lesson.objects.filter(
            assignment=assignment,
            date__gte=term.starts_on,
            date__lte=term.ends_on,
            is_cancelled=False,
        )
        .order_by("date", "period__number")
        .values_list("id", "date", "period__number", "topic")
    )
    lesson_ids = [row[0] for row in lessons]
    # Lesson marks as plain rows: a term of a big class holds thousands of them, and model
    # instances would cost more than the rest of the page. By lesson id rather than a join
    # on the lesson's date: one index, whatever the planner thinks of the dates.
    mark_rows = (
        Mark.objects.filter(assignment=assignment)
        .filter(Q(lesson_id__in=lesson_ids) | Q(lesson__isnull=True))
        .order_by("created_at", "pk")
        .values_list(
            "id",
            "lesson_id",
            "term_id",
            "student_id",
            "kind",
            "value",
            "numeric_value",
            "comment",
            "theme_number",
            "requested_on",
            "requested_by",
        )
    )
    attendance = Attendance.objects.filter(lesson_id__in=lesson_ids).values_list(
        "lesson_id", "student_id", "status", "excused", "late_minutes"
    )
    pending = list(
        Correction.objects.filter(assignment=assignment, status=CorrectionStatus.PENDING).values(
            "student_id", "lesson_id", "term_id", "after", "mark__kind", "mark__theme_number"
        )
    )
    locked = getattr(term, "locked_here", None)
    if locked is None:  # a term that did not come from terms_for()
        locked = (
            TermLock.objects.filter(term=term, class_group_id=assignment.class_group_id)
            .filter(Q(subject__isnull=True) | Q(subject_id=assignment.subject_id))
            .exists()
        )

    # --- index what was fetched -----------------------------------------------------------
    method = school.term_mark_method
    weighted = method != TermMarkMethod.THEMATIC_MEAN
    lesson_marks: dict[tuple[int, int], tuple[GridMark, ...]] = {}
    proposal_marks: dict[int, list[Mark]] = defaultdict(list)
    lesson_numbers: dict[int, list[Decimal]] = defaultdict(list)
    undated: dict[tuple[int, str], Mark] = {}
    year_term_marks: dict[int, list[Mark]] = defaultdict(list)
    max_theme = 0
    for (
        mark_id,
        mark_lesson,
        mark_term,
        student_id,
        kind,
        value,
        numeric,
        comment,
        theme_number,
        requested_on,
        requested_by,
    ) in mark_rows:
        if mark_lesson is not None:
            cell_key = (student_id, mark_lesson)
            lesson_marks[cell_key] = (
                *lesson_marks.get(cell_key, ()),
                GridMark(
                    value=value,
                    kind=kind,
                    kind_label=kind_labels.get(kind, kind),
                    kind_mark=kind_marks.get(kind, ""),
                    comment=comment,
                ),
            )
            if numeric is not None:
                lesson_numbers[student_id].append(numeric)
                if weighted:
                    proposal_marks[student_id].append(Mark(kind=kind, numeric_value=numeric))
            continue
        if kind == MarkKind.THEMATIC and mark_term != term.pk:
            continue
        if kind in (MarkKind.TERM, MarkKind.CORRECTED) and mark_term != term.pk:
            year_term_marks[student_id].append(
                Mark(kind=kind, term_id=mark_term, value=value, numeric_value=numeric)
            )
            continue
        mark = Mark(
            id=mark_id,
            term_id=mark_term,
            student_id=student_id,
            kind=kind,
            value=value,
            numeric_value=numeric,
            comment=comment,
            theme_number=theme_number,
            requested_on=requested_on,
            requested_by=requested_by,
        )
        if kind == MarkKind.THEMATIC:
            max_theme = max(max_theme, theme_number or 0)
            proposal_marks[student_id].append(mark)
            undated[(student_id, f"thematic-{theme_number}")] = mark
        else:
            if kind in (MarkKind.TERM, MarkKind.CORRECTED):
                year_term_marks[student_id].append(mark)
            undated[(student_id, kind)] = mark
    absences: dict[tuple[int, int], tuple[str, bool, int | None]] = {
        (lesson_id, student_id): (status, excused, late)
        for lesson_id, student_id, status, excused, late in attendance
    }
    pending_keys: dict[int, set[str]] = defaultdict(set)
    for correction in pending:
        after = correction["after"] or {}
        if correction["lesson_id"]:
            key = f"lesson-{correction['lesson_id']}"
        else:
            kind = after.get("kind") or correction["mark__kind"] or ""
            theme = after.get("theme_number") or correction["mark__theme_number"]
            per_term = kind in (MarkKind.THEMATIC, MarkKind.TERM, MarkKind.CORRECTED)
            if per_term and correction["term_id"] != term.pk:
                continue
            key = f"thematic-{theme}" if kind == MarkKind.THEMATIC else kind
        pending_keys[correction["student_id"]].add(key)

    # --- columns --------------------------------------------------------------------------
    columns: list[GridColumn] = []
    no_topic = _("no topic recorded")
    for pk, lesson_date, period_number, topic in lessons:
        columns.append(
            GridColumn(
                key=f"lesson-{pk}",
                kind=LESSON,
                header=lesson_date.strftime("%d.%m"),
                title=f"{date_ua(lesson_date)}, {period_number}: {topic or no_topic}",
                lesson_id=pk,
                date=lesson_date,
            )
        )
    names = theme_names or {}
    for number in range(1, max_theme + 2):
        theme_name = names.get(number, "").strip()
        title = _("Thematic mark, topic %(number)s") % {"number": number}
        columns.append(
            GridColumn(
                key=f"thematic-{number}",
                kind=MarkKind.THEMATIC,
                header=pgettext("journal column", "Topic %(number)s") % {"number": number},
                title=f"{title}: {theme_name}" if theme_name else title,
                theme_number=number,
                theme_name=theme_name,
            )
        )
    columns.append(
        GridColumn(key="term", kind=MarkKind.TERM, header=term.name, title=_("Term mark"))
    )
    columns.append(
        GridColumn(
            key="corrected",
            kind=MarkKind.CORRECTED,
            header=pgettext("journal column", "Corrected"),
            title=_("Corrected term mark (beside the original, on request)"),
        )
    )
    if is_last_term:
        columns.append(
            GridColumn(
                key="annual",
                kind=MarkKind.ANNUAL,
                header=pgettext("journal column", "Annual"),
                title=_("Annual mark"),
            )
        )
        if assignment.class_group.grade in STATE_EXAM_GRADES:
            columns.append(
                GridColumn(
                    key="state_exam",
                    kind=MarkKind.STATE_EXAM,
                    header=pgettext("journal column", "State exam"),
                    title=_("State final attestation"),
                )
            )

    # --- rows -----------------------------------------------------------------------------
    corrected_label = _("corrected")
    original_label = _("original")
    students = in_class_order(spans.values(), student=lambda item: item[0])
    # Most cells are empty: a row starts as shared empty cells, then only the cells that
    # hold something are built.
    lesson_columns = [column for column in columns if column.lesson_id is not None]
    undated_columns = columns[len(lesson_columns) :]
    position = {column.lesson_id: index for index, column in enumerate(lesson_columns)}
    touched: dict[int, set[int]] = defaultdict(set)
    for student_id, lesson_id in lesson_marks:
        touched[student_id].add(lesson_id)
    for lesson_id, student_id in absences:
        touched[student_id].add(lesson_id)
    for student_id, keys in pending_keys.items():
        touched[student_id].update(
            int(key.removeprefix("lesson-")) for key in keys if key.startswith("lesson-")
        )
    no_pending: set[str] = set()
    rows: list[GridRow] = []
    empty_in = GridCell(editable=writable)
    empty_out = GridCell(enrolled=False)
    for number, (student, dates) in enumerate(students, 1):
        sid = student.pk
        student_pending = pending_keys.get(sid, no_pending)
        if _covers(dates, term.starts_on) and _covers(dates, term.ends_on):
            cells = [empty_in] * len(lesson_columns)
        else:
            cells = [
                empty_in if column.date and _covers(dates, column.date) else empty_out
                for column in lesson_columns
            ]
        for lesson_id in touched.get(sid, ()):
            index = position.get(lesson_id)
            if index is None:  # a cancelled lesson
                continue
            cells[index] = _lesson_cell(
                lesson_marks.get((sid, lesson_id), ()),
                absences.get((lesson_id, sid)),
                cells[index] is not empty_out,
                writable,
                f"lesson-{lesson_id}" in student_pending,
            )
        term_proposal = term_mark_proposal(marks=proposal_marks.get(sid, []), method=method)
        for column in undated_columns:
            cell = _undated_cell(
                undated.get((sid, column.key)), writable, column.key in student_pending
            )
            if column.kind == MarkKind.TERM:
                proposal = term_proposal
                if proposal.value:
                    cell = replace(cell, hint=_hint_text(proposal), hint_title=proposal.rule)
            elif column.kind == MarkKind.ANNUAL:
                proposal = annual_mark_proposal(term_marks=year_term_marks.get(sid, []))
                if proposal.value:
                    used = [
                        f"{term_names.get(m.term_id or 0, '?')}: {m.value} "
                        f"({corrected_label if m.kind == MarkKind.CORRECTED else original_label})"
                        for m in proposal.used
                    ]
                    cell = replace(
                        cell,
                        hint=_hint_text(proposal),
                        hint_title=f"{proposal.rule}. {'; '.join(used)}",
                        hint_note=(
                            pgettext("annual hint", "corr.")
                            if any(m.kind == MarkKind.CORRECTED for m in proposal.used)
                            else ""
                        ),
                    )
            cells.append(cell)
        rows.append(
            GridRow(
                number=number,
                student=student,
                name=f"{student.surname} {student.given_name}",
                cells=cells,
                average=running_average(lesson_numbers.get(sid, [])),
                proposal=term_proposal.value,
            )
        )
    return JournalGrid(
        assignment=assignment,
        term=term,
        terms=terms,
        columns=columns,
        rows=rows,
        is_last_term=is_last_term,
        closed=closed,
        locked=locked,
        pending_count=len(pending),
        today=today,
        kind_legend=[(abbr, kind_labels[kind]) for kind, abbr in kind_marks.items()],
        focus_lesson_id=focus_lesson([(row[0], row[1]) for row in lessons], today),
    )


@dataclass(frozen=True)
class TermHints:
    average: str  # the mean of the term's numeric lesson marks, or ""
    proposal: str  # the proposed term mark, or ""
    hint: str  # the term cell's hint ("≈ 8.3"), or ""


def student_term_hints(assignment: TeachingAssignment, term: Term, student_id: int) -> TermHints:
    """One student's running average of the term's lesson marks and the proposed term mark,
    as `journal_grid` computes them for the row: what the grid shows again after a cell of
    the row is saved. One query."""
    rows = (
        Mark.objects.filter(assignment=assignment, student_id=student_id)
        .filter(
            Q(
                lesson__date__gte=term.starts_on,
                lesson__date__lte=term.ends_on,
                lesson__is_cancelled=False,
            )
            | Q(lesson__isnull=True, kind=MarkKind.THEMATIC, term_id=term.pk)
        )
        .values_list("lesson_id", "kind", "numeric_value")
    )
    weighted = assignment.year.school.term_mark_method != TermMarkMethod.THEMATIC_MEAN
    lesson_numbers: list[Decimal] = []
    marks: list[Mark] = []
    for lesson_id, kind, numeric in rows:
        if numeric is None:
            continue
        if lesson_id is not None:
            lesson_numbers.append(numeric)
            if not weighted:
                continue
        marks.append(Mark(kind=kind, numeric_value=numeric))
    proposal = term_mark_proposal(marks=marks, method=assignment.year.school.term_mark_method)
    return TermHints(
        average=running_average(lesson_numbers),
        proposal=proposal.value,
        hint=_hint_text(proposal) if proposal.value else "",
    )
