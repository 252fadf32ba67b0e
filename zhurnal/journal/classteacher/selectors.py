"""Reads for the class teacher's pages of a class: attendance over a day, week, month or
term; the students with most unexcused absences; the achievement summary sheet; the
class's excuses. A fixed number of queries whatever the size of the class."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhurnal.core.dates import weekday_mid_sentence
from zhurnal.core.formats import date_ua
from zhurnal.core.timeutil import week_range
from zhurnal.journal.grid.selectors import LATE_TEXT, STATE_EXAM_GRADES
from zhurnal.journal.models import AbsenceExcuse, Attendance, AttendanceStatus, Mark, MarkKind
from zhurnal.journal.scales import ABSENT
from zhurnal.people.models import Enrollment, Student
from zhurnal.people.selectors import alphabetical_key, in_class_order
from zhurnal.schools.models import ClassGroup, Subject, Term
from zhurnal.timetable.models import Lesson, TeachingAssignment

DAY, WEEK, MONTH, TERM = "day", "week", "month", "term"
PERIOD_KINDS = (DAY, WEEK, MONTH, TERM)
TOP_UNEXCUSED = 10

Spans = list[tuple[dt.date, dt.date | None]]


def period_kind_labels() -> dict[str, str]:
    return {
        DAY: pgettext("attendance period", "Day"),
        WEEK: pgettext("attendance period", "Week"),
        MONTH: pgettext("attendance period", "Month"),
        TERM: pgettext("attendance period", "Term"),
    }


def class_terms(class_group: ClassGroup) -> list[Term]:
    """The terms of the class's year that apply to its grade, in order."""
    return list(
        Term.objects.filter(
            year_id=class_group.year_id,
            grade_from__lte=class_group.grade,
            grade_to__gte=class_group.grade,
        ).order_by("starts_on", "number")
    )


def _covers(spans: Spans, day: dt.date) -> bool:
    return any(start <= day and (end is None or end >= day) for start, end in spans)


def _class_students(
    class_group: ClassGroup, start: dt.date, end: dt.date
) -> list[tuple[Student, Spans]]:
    """Students enrolled in the class on at least one day of start..end, in the order of
    the class list, each with the spans of their enrollments: one query."""
    enrollments = (
        Enrollment.objects.filter(class_group=class_group, starts_on__lte=end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
        .select_related("student")
    )
    spans: dict[int, tuple[Student, Spans]] = {}
    for enrollment in enrollments:
        _student, dates = spans.setdefault(enrollment.student_id, (enrollment.student, []))
        dates.append((enrollment.starts_on, enrollment.ends_on))
    return in_class_order(spans.values(), student=lambda item: item[0])


# --- the period ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendancePeriod:
    """The days shown: one day, a week (Monday to Sunday), a month or a term, and where
    the previous and next ones start."""

    kind: str
    start: dt.date
    end: dt.date
    label: str
    previous_on: dt.date | None
    next_on: dt.date | None
    term: Term | None = None
    # The label inside a sentence ("…, четвер, 03.12.2026"); empty when it reads the same.
    in_sentence: str = ""


def attendance_period(*, kind: str, on: dt.date, terms: list[Term]) -> AttendancePeriod:
    """The period of `kind` containing `on`; between terms, the term that ended last."""
    if kind == DAY:
        return AttendancePeriod(
            kind=DAY,
            start=on,
            end=on,
            label=f"{dateformat.format(on, 'l')}, {date_ua(on)}",
            in_sentence=f"{weekday_mid_sentence(on)}, {date_ua(on)}",
            previous_on=on - dt.timedelta(days=1),
            next_on=on + dt.timedelta(days=1),
        )
    if kind == MONTH:
        start = on.replace(day=1)
        next_start = (start + dt.timedelta(days=32)).replace(day=1)
        return AttendancePeriod(
            kind=MONTH,
            start=start,
            end=next_start - dt.timedelta(days=1),
            label=dateformat.format(start, "F Y"),
            previous_on=(start - dt.timedelta(days=1)).replace(day=1),
            next_on=next_start,
        )
    if kind == TERM and terms:
        started = [term for term in terms if term.starts_on <= on]
        term = started[-1] if started else terms[0]
        index = terms.index(term)
        return AttendancePeriod(
            kind=TERM,
            start=term.starts_on,
            end=term.ends_on,
            label=f"{term.name} ({date_ua(term.starts_on)}–{date_ua(term.ends_on)})",
            previous_on=terms[index - 1].starts_on if index > 0 else None,
            next_on=terms[index + 1].starts_on if index + 1 < len(terms) else None,
            term=term,
        )
    monday, sunday = week_range(on)
    return AttendancePeriod(
        kind=WEEK,
        start=monday,
        end=sunday,
        label=f"{date_ua(monday)}–{date_ua(sunday)}",
        previous_on=monday - dt.timedelta(days=7),
        next_on=monday + dt.timedelta(days=7),
    )


# --- attendance ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DayCell:
    """One period of the day for one student: «н», «зап.» or nothing."""

    text: str = ""
    excused: bool = False
    title: str = ""


@dataclass
class AttendanceRow:
    number: int
    student: Student | None
    name: str
    missed: int = 0
    excused: int = 0
    late: int = 0
    cells: list[DayCell] = field(default_factory=list)

    @property
    def unexcused(self) -> int:
        return self.missed - self.excused


@dataclass
class AttendanceSummary:
    period: AttendancePeriod
    rows: list[AttendanceRow]
    totals: AttendanceRow
    day_periods: list[int]  # lesson numbers of the day, for the day's grid
    lesson_count: int

    @property
    def top_unexcused(self) -> list[AttendanceRow]:
        """Up to ten students with most unexcused absences (lessons) in the period."""
        ranked = sorted(
            (row for row in self.rows if row.unexcused > 0),
            key=lambda row: (-row.unexcused, row.number),
        )
        return ranked[:TOP_UNEXCUSED]


def class_attendance(*, class_group: ClassGroup, period: AttendancePeriod) -> AttendanceSummary:
    """Per student of the class: lessons missed in the period, of them excused and
    unexcused, and lates; only lessons held (not cancelled) of the class's teaching
    assignments (its subgroups too) on the days the student was enrolled.

    Three queries (two for a longer period), whatever the size of the class."""
    students = _class_students(class_group, period.start, period.end)
    lessons = Lesson.objects.filter(
        assignment__class_group=class_group,
        is_cancelled=False,
        date__gte=period.start,
        date__lte=period.end,
    )
    entries = Attendance.objects.filter(
        lesson__in=lessons,
        status__in=[AttendanceStatus.ABSENT, AttendanceStatus.LATE],
    ).values_list("student_id", "lesson__date", "lesson__period__number", "status", "excused")
    day_periods: list[int] = []
    lesson_count = 0
    if period.kind == DAY:
        numbers = list(lessons.values_list("period__number", flat=True))
        lesson_count = len(numbers)
        day_periods = sorted(set(numbers))
    by_student: dict[int, list[tuple[dt.date, int, str, bool]]] = defaultdict(list)
    for student_id, day, number, status, excused in entries:
        by_student[student_id].append((day, number, status, excused))

    excused_title = _("absent, excused")
    absent_title = _("absent")
    late_title = _("late")
    rows: list[AttendanceRow] = []
    totals = AttendanceRow(number=0, student=None, name=_("Whole class"))
    column = {number: index for index, number in enumerate(day_periods)}
    for number, (student, spans) in enumerate(students, 1):
        row = AttendanceRow(
            number=number,
            student=student,
            name=student.short_name,
            cells=[DayCell()] * len(day_periods),
        )
        for day, lesson_number, status, excused in by_student.get(student.pk, ()):
            if not _covers(spans, day):
                continue
            if status == AttendanceStatus.ABSENT:
                row.missed += 1
                row.excused += int(excused)
                cell = DayCell(ABSENT, excused, excused_title if excused else absent_title)
            else:
                row.late += 1
                cell = DayCell(LATE_TEXT, False, late_title)
            index = column.get(lesson_number)
            if index is not None and not row.cells[index].text:
                row.cells[index] = cell
        totals.missed += row.missed
        totals.excused += row.excused
        totals.late += row.late
        rows.append(row)
    return AttendanceSummary(
        period=period,
        rows=rows,
        totals=totals,
        day_periods=day_periods,
        lesson_count=lesson_count,
    )


# --- excuses ------------------------------------------------------------------------------


def class_excuses(class_group: ClassGroup) -> QuerySet[AbsenceExcuse]:
    """The class's excuses, newest first, with their student and author: one query."""
    return AbsenceExcuse.objects.filter(class_group=class_group).select_related(
        "student", "created_by"
    )


def excuse_students(class_group: ClassGroup) -> list[Student]:
    """Everyone ever enrolled in the class this year, in class-list order: one query."""
    students = {
        enrollment.student_id: enrollment.student
        for enrollment in Enrollment.objects.filter(class_group=class_group).select_related(
            "student"
        )
    }
    return in_class_order(students.values())


# --- the achievement summary sheet --------------------------------------------------------

SHEET_KINDS = (MarkKind.TERM, MarkKind.CORRECTED, MarkKind.ANNUAL, MarkKind.STATE_EXAM)


@dataclass(frozen=True)
class SheetColumn:
    subject_id: int
    key: str  # "term-<id>", "annual", "state_exam"
    header: str


@dataclass(frozen=True)
class SheetCell:
    value: str = ""
    corrected: str = ""  # the corrected term mark, shown beside the original

    @property
    def text(self) -> str:
        if self.corrected:
            return f"{self.value or '—'} → {self.corrected}"
        return self.value


@dataclass
class SheetRow:
    number: int
    student: Student
    name: str
    left_on: dt.date | None
    cells: list[SheetCell]


@dataclass
class SheetSubject:
    subject: Subject
    columns: int


@dataclass
class SummarySheet:
    """Зведена відомість: students down, subjects across; for a term its term marks,
    for the year every term mark, the annual mark and, in grades 4, 9, 11, the state exam."""

    class_group: ClassGroup
    term: Term | None
    terms: list[Term]
    subjects: list[SheetSubject]
    columns: list[SheetColumn]
    rows: list[SheetRow]

    @property
    def title(self) -> str:
        if self.term is not None:
            return _("Achievement summary sheet of class %(class)s, %(term)s") % {
                "class": self.class_group,
                "term": self.term.name,
            }
        return _("Achievement summary sheet of class %(class)s, year %(year)s") % {
            "class": self.class_group,
            "year": self.class_group.year.name,
        }

    @property
    def per_subject(self) -> bool:
        return any(subject.columns > 1 for subject in self.subjects)


def summary_sheet(*, class_group: ClassGroup, terms: list[Term], term: Term | None) -> SummarySheet:
    """The summary sheet of a term (`term`) or of the whole year (`term=None`). Subgroup
    assignments of one subject merge into one column per student.

    Three queries besides the terms, whatever the size of the class."""
    assignments = list(
        TeachingAssignment.objects.filter(class_group=class_group)
        .select_related("subject")
        .order_by("subject__name", "pk")
    )
    subjects: dict[int, Subject] = {}
    for assignment in assignments:
        subjects.setdefault(assignment.subject_id, assignment.subject)
    ordered = sorted(subjects.values(), key=lambda subject: alphabetical_key(subject.name))
    year = class_group.year
    start, end = (term.starts_on, term.ends_on) if term else (year.starts_on, year.ends_on)

    column_kinds: list[tuple[str, str]] = []
    if term is not None:
        column_kinds.append((f"term-{term.pk}", term.name))
    else:
        column_kinds += [(f"term-{item.pk}", item.name) for item in terms]
        column_kinds.append(("annual", pgettext("journal column", "Annual")))
        if class_group.grade in STATE_EXAM_GRADES:
            column_kinds.append(("state_exam", pgettext("journal column", "State exam")))
    columns = [
        SheetColumn(subject_id=subject.pk, key=key, header=header)
        for subject in ordered
        for key, header in column_kinds
    ]

    marks = Mark.objects.filter(assignment__class_group=class_group, kind__in=SHEET_KINDS)
    if term is not None:
        marks = marks.filter(term=term)
    values: dict[tuple[int, int, str], str] = {}
    corrected: dict[tuple[int, int, str], str] = {}
    for student_id, subject_id, kind, term_id, value, comment in marks.values_list(
        "student_id", "assignment__subject_id", "kind", "term_id", "value", "comment"
    ):
        text = value or comment[:20]
        if kind in (MarkKind.TERM, MarkKind.CORRECTED):
            key = (student_id, subject_id, f"term-{term_id}")
            (corrected if kind == MarkKind.CORRECTED else values)[key] = text
        else:
            values[(student_id, subject_id, kind)] = text

    rows: list[SheetRow] = []
    for number, (student, spans) in enumerate(_class_students(class_group, start, end), 1):
        ends = [until for _start, until in spans]
        left_on = None if None in ends else max(day for day in ends if day is not None)
        rows.append(
            SheetRow(
                number=number,
                student=student,
                name=student.short_name,
                left_on=left_on if left_on is not None and left_on < end else None,
                cells=[
                    SheetCell(
                        value=values.get((student.pk, column.subject_id, column.key), ""),
                        corrected=corrected.get((student.pk, column.subject_id, column.key), ""),
                    )
                    for column in columns
                ],
            )
        )
    return SummarySheet(
        class_group=class_group,
        term=term,
        terms=terms,
        subjects=[SheetSubject(subject=subject, columns=len(column_kinds)) for subject in ordered],
        columns=columns,
        rows=rows,
    )
