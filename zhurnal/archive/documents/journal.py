"""The class journal of one class and one academic year as an archival document: the
paper journal of MON orders 496/2008 (grades 5–11) and 412/2015 (grades 1–4) — title
page, contents, a left page (marks) and a right page (topics) per teaching assignment,
attendance, the achievement summary sheet, the students with their guardians, the health
sheet, remarks on journal keeping and corrections — as PDF/A-3b, and the same data as
`journal.json` (schema in docs/architecture.md, "The class journal package") and
`marks.csv` / `attendance.csv`.

Everything is read through the selectors the pages use (the grid, the class teacher's
attendance and summary sheet), so the archive shows what the journal showed. The bytes
depend only on the data: dates are fixed to the year's closing, nothing reads the clock.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from zhurnal.archive.documents.ruled import (
    LEFT,
    RIGHT,
    Column,
    Field,
    Head,
    Mono,
    PageFormat,
    Row,
    TextTable,
    line_width,
    longest_word,
    pack,
    ruled_pages,
    text_tables,
)
from zhurnal.control.models import JournalRemark
from zhurnal.core.exports import pdf_from_template
from zhurnal.core.formats import date_ua
from zhurnal.core.timeutil import school_tz
from zhurnal.journal.classteacher.selectors import (
    TERM,
    AttendancePeriod,
    AttendanceSummary,
    SummarySheet,
    class_attendance,
    class_terms,
    summary_sheet,
)
from zhurnal.journal.grid.selectors import (
    LATE_TEXT,
    LESSON,
    GridCell,
    GridColumn,
    JournalGrid,
    journal_grid,
)
from zhurnal.journal.models import Correction
from zhurnal.journal.scales import ABSENT
from zhurnal.people.models import StudentGuardian
from zhurnal.schools.models import ClassGroup, Term
from zhurnal.timetable.models import Lesson, TeachingAssignment

SCHEMA_VERSION = 1
PDF_VARIANT = "pdf/a-3b"
CSV_BOM = "\ufeff"

# The journal's pages: the left pages (marks), the summary sheet and the corrections
# across a landscape A4 (173 characters: 24 dates beside the names, as on paper), the
# rest down a portrait one. The room kept is for the heading (up to two lines) above a
# table and the note under it (the legend of the letters after the marks).
WIDE = PageFormat("A4 landscape", 297, 210, (10, 10, 14), Mono(7.5), kept_mm=22)
TALL = PageFormat("A4 portrait", 210, 297, (14, 12, 16), Mono(8), kept_mm=18)
MARK_WIDTH = 5  # a date, "01.09"; a mark column is never narrower
NAME_WIDTH = (12, 28)  # the names' column on the left pages, at least and at most


@dataclass(frozen=True)
class LessonLine:
    """One line of the right page: what was done in a lesson and who taught it."""

    lesson_id: int
    date: dt.date
    period: int
    topic: str
    homework: str
    teacher: str
    substitute: str


def cell_text(column: GridColumn, cell: GridCell) -> str:
    """A cell as printed: «н» or «зап.», then each mark with its kind's letter (`8п`),
    parted by `/`; an undated cell holds its mark or its comment."""
    if column.kind != LESSON:
        return cell.value or "".join(mark.comment for mark in cell.marks)
    pieces: list[str] = []
    if cell.absent:
        pieces.append(ABSENT)
    elif cell.late:
        pieces.append(LATE_TEXT)
    pieces += [mark.value + mark.kind_mark for mark in cell.marks]
    return "/".join(pieces)


@dataclass(frozen=True)
class LeftPage:
    """One printed left page: a slice of the term's columns for every student, and what
    the letters after the marks on it mean."""

    term: Term
    table: TextTable
    legend: str


def _header_width(header: str) -> int:
    """A mark column's width for its header: on one line if it is short («Тема 1»,
    «ІІ семестр», «Скоригована»), else wrapped at its spaces."""
    return max(MARK_WIDTH, longest_word(header), len(header) if len(header) <= 12 else 0)


def _left_pages(grid: JournalGrid) -> list[LeftPage]:
    """The term's dated columns, as many to a page as its width holds, then the undated
    ones (thematic, term, corrected, annual, state exam) together: after the last dates
    if they fit there, else on a page of their own. A column is as wide as its widest
    entry, so no mark wraps."""
    texts = [
        [cell_text(column, cell) for column, cell in zip(grid.columns, row.cells, strict=True)]
        for row in grid.rows
    ]
    widths = [
        max(_header_width(column.header), *(len(line[index]) for line in texts))
        for index, column in enumerate(grid.columns)
    ]
    number_width = len(str(len(grid.rows)))
    name_width = min(max([NAME_WIDTH[0], *(len(row.name) for row in grid.rows)]), NAME_WIDTH[1])
    names = [Column(number_width, RIGHT), Column(name_width, LEFT)]
    room = WIDE.chars - line_width(names)

    dated = [[index] for index, column in enumerate(grid.columns) if column.kind == LESSON]
    undated = [index for index, column in enumerate(grid.columns) if column.kind != LESSON]
    slices = pack([*dated, undated], widths, room)

    kinds = dict(grid.kind_legend)
    pages: list[LeftPage] = []
    for indexes in slices:
        columns = [*names, *(Column(widths[index]) for index in indexes)]
        head = [
            Head("№"),
            Head(_("Student")),
            *(Head(grid.columns[index].header) for index in indexes),
        ]
        rows = [
            Row(
                [str(row.number), row.name, *(line[index] for index in indexes)],
                frozenset(
                    place for place, index in enumerate(indexes, 2) if not row.cells[index].enrolled
                ),
            )
            for row, line in zip(grid.rows, texts, strict=True)
        ]
        used_kinds = {
            mark.kind_mark
            for row in grid.rows
            for index in indexes
            for mark in row.cells[index].marks
            if mark.kind_mark
        }
        legend = ", ".join(
            f"{abbr} — {label}" for abbr, label in kinds.items() if abbr in used_kinds
        )
        for table in text_tables(columns, [head], rows, font=WIDE.font, lines_per_page=WIDE.lines):
            pages.append(LeftPage(grid.term, table, legend))
    return pages


def _teacher_text(line: LessonLine) -> str:
    if line.substitute:
        return f"{line.teacher}; {_('Substitute')}: {line.substitute}"
    return line.teacher


@dataclass
class JournalSection:
    """The pages of one teaching assignment (subject, and subgroup if any)."""

    number: int
    assignment: TeachingAssignment
    title: str
    teacher: str
    grids: list[JournalGrid]
    lessons: list[LessonLine]

    @property
    def anchor(self) -> str:
        return f"section-{self.number}"

    @cached_property
    def left_pages(self) -> list[LeftPage]:
        """The left pages (marks), term after term."""
        return [page for grid in self.grids for page in _left_pages(grid)]

    @cached_property
    def right_pages(self) -> list[TextTable]:
        """The right pages: date, lesson number, topic, homework and teacher of every
        lesson held."""
        return ruled_pages(
            [
                Field(_("Date")),
                Field(_("Lesson")),
                Field(_("Topic of the lesson"), LEFT, weight=2),
                Field(_("Homework"), LEFT, weight=1.2),
                Field(_("Teacher"), LEFT, weight=1),
            ],
            [
                Row(
                    [
                        date_ua(line.date),
                        str(line.period),
                        line.topic,
                        line.homework,
                        _teacher_text(line),
                    ]
                )
                for line in self.lessons
            ]
            or [Row([_("No lessons.")])],
            TALL,
        )


@dataclass(frozen=True)
class GuardianLine:
    name: str
    relation: str
    phone: str


@dataclass(frozen=True)
class StudentLine:
    number: int
    student_id: int
    full_name: str
    birth_date: dt.date
    address: str
    health_group: str
    pe_group: str
    guardians: list[GuardianLine]


@dataclass(frozen=True)
class RemarkLine:
    written_on: dt.date
    subject: str
    teacher: str
    author: str
    text: str
    due_on: dt.date | None
    status: str
    note: str


@dataclass(frozen=True)
class CorrectionLine:
    made_on: dt.date
    subject: str
    student: str
    lesson_on: dt.date | None
    target: str
    before: str
    after: str
    reason: str
    status: str
    changed_by: str
    approved_by: str


@dataclass
class ClassJournal:
    class_group: ClassGroup
    school_name: str
    year_name: str
    class_teacher: str
    closed_at: dt.datetime | None
    terms: list[Term]
    sections: list[JournalSection]
    attendance: AttendanceSummary
    sheet: SummarySheet
    students: list[StudentLine]
    remarks: list[RemarkLine]
    corrections: list[CorrectionLine]

    @property
    def document_date(self) -> str:
        """The W3C date the PDF carries as created and modified: the closing instant, or
        the year's last day for a year not closed yet — never the clock."""
        if self.closed_at is not None:
            return self.closed_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"{self.class_group.year.ends_on.isoformat()}T00:00:00Z"

    @cached_property
    def attendance_pages(self) -> list[TextTable]:
        summary = self.attendance
        return ruled_pages(
            [
                Field("№", RIGHT),
                Field(_("Student"), LEFT),
                Field(_("Lessons missed")),
                Field(_("Excused")),
                Field(capfirst(_("late"))),
            ],
            [
                Row(
                    [
                        str(line.number),
                        line.name,
                        str(line.missed),
                        str(line.excused),
                        str(line.late),
                    ]
                )
                for line in summary.rows
            ]
            + [
                Row(
                    [
                        "",
                        summary.totals.name,
                        str(summary.totals.missed),
                        str(summary.totals.excused),
                        str(summary.totals.late),
                    ]
                )
            ],
            TALL,
        )

    @cached_property
    def summary_pages(self) -> list[TextTable]:
        return summary_pages(self.sheet, WIDE)

    @cached_property
    def student_pages(self) -> list[TextTable]:
        return ruled_pages(
            [
                Field("№", RIGHT),
                Field(_("Student"), LEFT, weight=1),
                Field(_("Date of birth")),
                Field(_("Address"), LEFT, weight=1),
                Field(_("Guardians"), LEFT, weight=1.5),
            ],
            [
                Row(
                    [
                        str(line.number),
                        line.full_name,
                        date_ua(line.birth_date),
                        line.address,
                        "\n".join(
                            f"{guardian.name} ({guardian.relation})"
                            + (f", {guardian.phone}" if guardian.phone else "")
                            for guardian in line.guardians
                        ),
                    ]
                )
                for line in self.students
            ],
            TALL,
        )

    @cached_property
    def health_pages(self) -> list[TextTable]:
        return ruled_pages(
            [
                Field("№", RIGHT),
                Field(_("Student"), LEFT, weight=1),
                Field(_("Health group"), weight=1),
                Field(_("PE group"), weight=1),
            ],
            [
                Row([str(line.number), line.full_name, line.health_group, line.pe_group])
                for line in self.students
            ],
            TALL,
        )

    @cached_property
    def remark_pages(self) -> list[TextTable]:
        return ruled_pages(
            [
                Field(_("Date")),
                Field(_("Subject"), LEFT, weight=1),
                Field(_("Teacher"), LEFT, weight=1),
                Field(_("Remark"), LEFT, weight=2.5),
                Field(capfirst(_("to be put right by"))),
                Field(_("Status"), LEFT, weight=1.5),
                Field(_("Written by"), LEFT, weight=1),
            ],
            [
                Row(
                    [
                        date_ua(line.written_on),
                        line.subject,
                        line.teacher,
                        line.text,
                        date_ua(line.due_on),
                        f"{line.status}: {line.note}" if line.note else line.status,
                        line.author,
                    ]
                )
                for line in self.remarks
            ]
            or [Row([_("No remarks.")])],
            TALL,
        )

    @cached_property
    def correction_pages(self) -> list[TextTable]:
        return ruled_pages(
            [
                Field(_("Date")),
                Field(_("Subject"), LEFT, weight=1),
                Field(_("Student"), LEFT, weight=1),
                Field(_("Lesson")),
                Field(_("Before"), weight=0.5),
                Field(_("After"), weight=0.5),
                Field(_("Reason"), LEFT, weight=2),
                Field(_("Status"), LEFT, weight=1),
                Field(_("Changed by"), LEFT, weight=1),
                Field(_("Approved by"), LEFT, weight=1),
            ],
            [
                Row(
                    [
                        date_ua(line.made_on),
                        line.subject,
                        line.student,
                        date_ua(line.lesson_on),
                        line.before,
                        line.after,
                        line.reason,
                        line.status,
                        line.changed_by,
                        line.approved_by,
                    ]
                )
                for line in self.corrections
            ]
            or [Row([_("No corrections.")])],
            WIDE,
        )


def summary_pages(sheet: SummarySheet, page: PageFormat) -> list[TextTable]:
    """The summary sheet across pages of `page`: the numbers and names on every page, then
    as many subjects (each with its columns: terms, annual, state exam) as the width holds;
    a subject's name wraps over its columns."""
    texts = [[cell.text for cell in row.cells] for row in sheet.rows]
    widths = [
        max(MARK_WIDTH, longest_word(column.header), *(len(line[index]) for line in texts))
        for index, column in enumerate(sheet.columns)
    ]
    number_width = len(str(len(sheet.rows)))
    name_width = max([len(_("Student")), *(len(row.name) for row in sheet.rows)])
    names = [Column(number_width, RIGHT), Column(name_width, LEFT)]
    room = page.chars - line_width(names)
    groups: list[list[int]] = []
    for subject in sheet.subjects:
        start = sum(len(group) for group in groups)
        groups.append(list(range(start, start + subject.columns)))
    slices = pack(groups, widths, room)
    pages: list[TextTable] = []
    for indexes in slices:
        columns = [*names, *(Column(widths[index]) for index in indexes)]
        here = set(indexes)
        head = [
            [
                Head("№"),
                Head(_("Student")),
                *(
                    Head(subject.subject.name, len(shown))
                    for subject, group in zip(sheet.subjects, groups, strict=True)
                    if (shown := [index for index in group if index in here])
                ),
            ],
            [Head(None), Head(None), *(Head(sheet.columns[index].header) for index in indexes)],
        ]
        rows = [
            Row([str(row.number), row.name, *(line[index] for index in indexes)])
            for row, line in zip(sheet.rows, texts, strict=True)
        ]
        pages += text_tables(columns, head, rows, font=page.font, lines_per_page=page.lines)
    return pages


def _state_text(state: Any) -> str:
    """A mark or attendance entry as a correction recorded it."""
    if not isinstance(state, dict):
        return "—"
    return str(state.get("value") or state.get("status") or state.get("comment") or "—")


def class_closed_at(class_group: ClassGroup) -> dt.datetime | None:
    """When the class's year was closed: the class's own closing, else the school's."""
    return class_group.closed_at or class_group.year.closed_at


def class_journal(class_group: ClassGroup) -> ClassJournal:
    """Everything the class journal of `class_group` holds for its year.

    A fixed number of queries whatever the size of the class: the grid's few per teaching
    assignment and term, and a handful for the rest."""
    year = class_group.year
    tz = school_tz(year.school.municipality.time_zone)
    terms = class_terms(class_group)
    assignments = list(
        TeachingAssignment.objects.filter(class_group=class_group)
        .select_related(
            "subject", "subgroup", "teacher", "class_group", "year__school__municipality"
        )
        .order_by("subject__name", "subgroup__name", "pk")
    )
    lines: dict[int, list[LessonLine]] = {assignment.pk: [] for assignment in assignments}
    held = (
        Lesson.objects.filter(assignment__class_group=class_group, is_cancelled=False)
        .select_related("assignment__teacher", "substitute", "period")
        .order_by("date", "period__number", "pk")
    )
    for lesson in held:
        lines[lesson.assignment_id].append(
            LessonLine(
                lesson_id=lesson.pk,
                date=lesson.date,
                period=lesson.period.number,
                topic=lesson.topic,
                homework=lesson.homework,
                teacher=lesson.assignment.teacher.short_name,
                substitute=lesson.substitute.short_name if lesson.substitute else "",
            )
        )
    sections = [
        JournalSection(
            number=number,
            assignment=assignment,
            title=(
                f"{assignment.subject.name} ({assignment.subgroup.name})"
                if assignment.subgroup
                else assignment.subject.name
            ),
            teacher=assignment.teacher.full_name,
            grids=[journal_grid(assignment, term, terms=terms) for term in terms],
            lessons=lines[assignment.pk],
        )
        for number, assignment in enumerate(assignments, 1)
    ]
    whole_year = AttendancePeriod(
        kind=TERM,
        start=year.starts_on,
        end=year.ends_on,
        label=f"{date_ua(year.starts_on)}–{date_ua(year.ends_on)}",
        previous_on=None,
        next_on=None,
    )
    sheet = summary_sheet(class_group=class_group, terms=terms, term=None)
    guardians: dict[int, list[GuardianLine]] = {}
    for link in (
        StudentGuardian.objects.filter(student_id__in=[row.student.pk for row in sheet.rows])
        .select_related("guardian")
        .order_by("guardian__surname", "guardian__given_name", "pk")
    ):
        guardians.setdefault(link.student_id, []).append(
            GuardianLine(
                name=link.guardian.full_name,
                relation=link.get_relation_display(),
                phone=link.guardian.phone,
            )
        )
    students = [
        StudentLine(
            number=row.number,
            student_id=row.student.pk,
            full_name=row.student.full_name,
            birth_date=row.student.birth_date,
            address=row.student.address,
            health_group=row.student.get_health_group_display(),
            pe_group=row.student.get_pe_group_display(),
            guardians=guardians.get(row.student.pk, []),
        )
        for row in sheet.rows
    ]
    remarks = [
        RemarkLine(
            written_on=remark.created_at.astimezone(tz).date(),
            subject=remark.assignment.subject.name,
            teacher=remark.teacher.short_name,
            author=remark.author.short_name,
            text=remark.text,
            due_on=remark.due_on,
            status=remark.get_status_display(),
            note=remark.resolution_note,
        )
        for remark in JournalRemark.objects.filter(assignment__class_group=class_group)
        .select_related("assignment__subject", "teacher", "author")
        .order_by("created_at", "pk")
    ]
    corrections = [
        CorrectionLine(
            made_on=correction.created_at.astimezone(tz).date(),
            subject=correction.assignment.subject.name,
            student=correction.student.short_name,
            lesson_on=correction.lesson.date if correction.lesson else None,
            target=correction.target,
            before=_state_text(correction.before),
            after=_state_text(correction.after),
            reason=correction.reason,
            status=correction.get_status_display(),
            changed_by=correction.requested_by.short_name,
            approved_by=correction.decided_by.short_name if correction.decided_by else "",
        )
        for correction in Correction.objects.filter(assignment__class_group=class_group)
        .select_related("assignment__subject", "student", "lesson", "requested_by", "decided_by")
        .order_by("created_at", "pk")
    ]
    teacher = class_group.class_teacher
    return ClassJournal(
        class_group=class_group,
        school_name=year.school.name,
        year_name=year.name,
        class_teacher=teacher.full_name if teacher else "",
        closed_at=class_closed_at(class_group),
        terms=terms,
        sections=sections,
        attendance=class_attendance(class_group=class_group, period=whole_year),
        sheet=sheet,
        students=students,
        remarks=remarks,
        corrections=corrections,
    )


# --- the machine-readable files -----------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One filled cell of a left page: a mark, or an absence in a lesson column."""

    section: JournalSection
    term: Term
    column: GridColumn
    student_id: int
    student: str
    cell: GridCell


def _entries(journal: ClassJournal) -> Iterator[Entry]:
    for section in journal.sections:
        for grid in section.grids:
            for row in grid.rows:
                for column, cell in zip(grid.columns, row.cells, strict=True):
                    if cell.marks or cell.value or cell.absent or cell.late:
                        yield Entry(section, grid.term, column, row.student.pk, row.name, cell)


def _mark_values(entry: Entry) -> list[tuple[str, str]]:
    """(kind, value) of each mark in the cell; an undated cell holds one."""
    if entry.column.kind == LESSON:
        return [(mark.kind, mark.value) for mark in entry.cell.marks]
    text = entry.cell.value or "".join(mark.comment for mark in entry.cell.marks)
    return [(entry.column.kind, text)] if text else []


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def journal_data(journal: ClassJournal) -> dict[str, Any]:
    """The journal as the versioned JSON document (`schema_version` SCHEMA_VERSION)."""
    marks: dict[int, list[dict[str, Any]]] = {section.number: [] for section in journal.sections}
    absences: dict[int, list[dict[str, Any]]] = {key: [] for key in marks}
    for entry in _entries(journal):
        place = {
            "student_id": entry.student_id,
            "term": entry.term.number,
            "date": _iso(entry.column.date),
            "lesson_id": entry.column.lesson_id,
        }
        for kind, value in _mark_values(entry):
            marks[entry.section.number].append(
                {**place, "column": entry.column.header, "kind": kind, "value": value}
            )
        if entry.column.kind == LESSON and (entry.cell.absent or entry.cell.late):
            absences[entry.section.number].append(
                {
                    **place,
                    "status": "absent" if entry.cell.absent else "late",
                    "excused": entry.cell.excused,
                }
            )
    year = journal.class_group.year
    return {
        "schema_version": SCHEMA_VERSION,
        "document": "class_journal",
        "school": journal.school_name,
        "class": str(journal.class_group),
        "grade": journal.class_group.grade,
        "year": {
            "name": year.name,
            "starts_on": _iso(year.starts_on),
            "ends_on": _iso(year.ends_on),
            "closed_at": journal.closed_at.isoformat() if journal.closed_at else None,
        },
        "class_teacher": journal.class_teacher,
        "terms": [
            {
                "number": term.number,
                "name": term.name,
                "starts_on": _iso(term.starts_on),
                "ends_on": _iso(term.ends_on),
            }
            for term in journal.terms
        ],
        "students": [
            {
                "number": line.number,
                "id": line.student_id,
                "full_name": line.full_name,
                "birth_date": _iso(line.birth_date),
                "health_group": line.health_group,
                "pe_group": line.pe_group,
                "guardians": [
                    {"name": item.name, "relation": item.relation, "phone": item.phone}
                    for item in line.guardians
                ],
            }
            for line in journal.students
        ],
        "subjects": [
            {
                "assignment_id": section.assignment.pk,
                "title": section.title,
                "teacher": section.teacher,
                "lessons": [
                    {
                        "id": line.lesson_id,
                        "date": _iso(line.date),
                        "period": line.period,
                        "topic": line.topic,
                        "homework": line.homework,
                        "teacher": line.teacher,
                        "substitute": line.substitute,
                    }
                    for line in section.lessons
                ],
                "marks": marks[section.number],
                "attendance": absences[section.number],
            }
            for section in journal.sections
        ],
        "summary_sheet": [
            {
                "student_id": row.student.pk,
                "marks": [
                    {
                        "subject_id": column.subject_id,
                        "column": column.key,
                        "value": cell.value,
                        "corrected": cell.corrected,
                    }
                    for column, cell in zip(journal.sheet.columns, row.cells, strict=True)
                    if cell.value or cell.corrected
                ],
            }
            for row in journal.sheet.rows
        ],
        "remarks": [
            {
                "written_on": _iso(line.written_on),
                "subject": line.subject,
                "teacher": line.teacher,
                "author": line.author,
                "text": line.text,
                "due_on": _iso(line.due_on),
                "status": line.status,
                "note": line.note,
            }
            for line in journal.remarks
        ],
        "corrections": [
            {
                "made_on": _iso(line.made_on),
                "subject": line.subject,
                "student": line.student,
                "lesson_on": _iso(line.lesson_on),
                "target": line.target,
                "before": line.before,
                "after": line.after,
                "reason": line.reason,
                "status": line.status,
                "changed_by": line.changed_by,
                "approved_by": line.approved_by,
            }
            for line in journal.corrections
        ],
    }


def _csv(header: list[str], rows: Iterator[list[str]]) -> bytes:
    """UTF-8 with a byte-order mark (so spreadsheet programs read Cyrillic), comma
    separated, CRLF line ends (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return (CSV_BOM + buffer.getvalue()).encode()


def marks_csv(journal: ClassJournal) -> bytes:
    def rows() -> Iterator[list[str]]:
        for entry in _entries(journal):
            for kind, value in _mark_values(entry):
                yield [
                    entry.section.title,
                    entry.term.name,
                    str(entry.student_id),
                    entry.student,
                    date_ua(entry.column.date),
                    entry.column.header,
                    kind,
                    value,
                ]

    header = ["subject", "term", "student_id", "student", "date", "column", "kind", "value"]
    return _csv(header, rows())


def attendance_csv(journal: ClassJournal) -> bytes:
    def rows() -> Iterator[list[str]]:
        for entry in _entries(journal):
            if entry.column.kind == LESSON and (entry.cell.absent or entry.cell.late):
                yield [
                    entry.section.title,
                    str(entry.student_id),
                    entry.student,
                    date_ua(entry.column.date),
                    "absent" if entry.cell.absent else "late",
                    "yes" if entry.cell.excused else "no",
                ]

    header = ["subject", "student_id", "student", "date", "status", "excused"]
    return _csv(header, rows())


def journal_pdf(journal: ClassJournal) -> bytes:
    """The journal as PDF/A-3b, in the active language (Ukrainian for a Ukrainian school)."""
    return pdf_from_template(
        "archive/journal_pdf.html",
        {"journal": journal, "wide": WIDE, "tall": TALL},
        pdf_variant=PDF_VARIANT,
    )


def class_journal_files(class_group: ClassGroup) -> dict[str, bytes]:
    """The files of the class journal package, name → bytes, for
    `zhurnal.archive.containers` to pack; the same data gives the same bytes."""
    journal = class_journal(class_group)
    data = json.dumps(journal_data(journal), ensure_ascii=False, indent=1, sort_keys=True)
    return {
        "journal.pdf": journal_pdf(journal),
        "journal.json": (data + "\n").encode(),
        "marks.csv": marks_csv(journal),
        "attendance.csv": attendance_csv(journal),
    }
