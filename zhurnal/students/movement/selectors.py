"""Reads for student movement: the school's year, its classes and movements, the
promotion plan, and a student's history across the community's schools.

Each function runs a fixed number of queries, whatever the size of the school. The
history reads marks and attendance: like the set-up screens, this orchestration module
imports a later app (journal); the models never do.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Q

from zhurnal.journal.models import Attendance, AttendanceStatus, Mark, MarkKind
from zhurnal.people.models import Enrollment, LeaveReason, Student
from zhurnal.people.selectors import alphabetical_key, in_class_order, student_order_key
from zhurnal.schools.models import AcademicYear, ClassGroup, School

# Reasons that move a student within the school, or on at the end of the year.
_NOT_DEPARTURES = (
    LeaveReason.CLASS_TRANSFER,
    LeaveReason.PROMOTED,
    LeaveReason.REPEATS,
    LeaveReason.GRADUATED,
)


def movement_year(school: School, today: dt.date) -> AcademicYear | None:
    """The year movements are recorded in: the one containing `today`; in the summer the
    one that ended last (its promotion is still to be done); before the first year begins,
    the first one. One query."""
    years = list(
        AcademicYear.objects.filter(school=school)
        .select_related("school__municipality")
        .order_by("starts_on")
    )
    started = [year for year in years if year.starts_on <= today]
    if started:
        return started[-1]
    return years[0] if years else None


def next_year_of(year: AcademicYear) -> AcademicYear | None:
    """The school's year that follows `year` (created by the administrator), if any."""
    return (
        AcademicYear.objects.filter(school_id=year.school_id, starts_on__gt=year.ends_on)
        .order_by("starts_on")
        .first()
    )


def classes_of_year(year: AcademicYear) -> list[ClassGroup]:
    return list(ClassGroup.objects.filter(year=year).order_by("grade", "letter"))


def community_schools(school: School) -> list[School]:
    """The other schools of the school's community, to transfer a student to."""
    return list(
        School.objects.filter(municipality_id=school.municipality_id)
        .exclude(pk=school.pk)
        .order_by("short_name")
    )


# --- the movement page ------------------------------------------------------------------


@dataclass
class ClassListRow:
    """A student who was in the class at some time in the year, with where they are now."""

    enrollment: Enrollment
    student: Student
    current: bool
    left_on: dt.date | None = None  # the first day no longer in the class
    reason: str = ""
    moved_to: str = ""


@dataclass
class MovementRow:
    """One movement of the year: an arrival, a departure or a transfer within the school."""

    on: dt.date
    student: Student
    class_name: str
    other: str  # where from (arrivals), where to (departures, transfers)
    order: str
    reason: str = ""
    note: str = ""


@dataclass
class MovementOverview:
    classes: list[ClassGroup]
    class_group: ClassGroup | None
    class_rows: list[ClassListRow]
    found: list[ClassListRow]
    arrivals: list[MovementRow]
    departures: list[MovementRow]
    transfers: list[MovementRow]


def _place(enrollment: Enrollment, school_id: int) -> str:
    class_group = enrollment.class_group
    if class_group.year.school_id == school_id:
        return str(class_group)
    return f"{class_group.year.school}, {class_group}"


def movement_overview(
    *, school: School, year: AcademicYear, class_id: int | None, query: str, today: dt.date
) -> MovementOverview:
    """The movement page: the year's classes, one class's list (who is there, who left and
    when), students found by surname, and the year's arrivals, departures and transfers
    within the school. Five queries."""
    classes = classes_of_year(year)
    chosen = next((c for c in classes if c.pk == class_id), None)
    in_year = Enrollment.objects.filter(
        class_group__year=year, starts_on__lte=year.ends_on
    ).select_related("student", "class_group")

    # Enrollments that moved: begun after the first day, or ended before the last one.
    moved = list(in_year.filter(Q(starts_on__gt=year.starts_on) | Q(ends_on__lt=year.ends_on)))
    # The student's enrollments next to those: where they came from and went to.
    starting: dict[tuple[int, dt.date], Enrollment] = {}
    ending: dict[tuple[int, dt.date], Enrollment] = {}
    if moved:
        for other in Enrollment.objects.filter(
            student_id__in={e.student_id for e in moved}
        ).select_related("class_group__year__school"):
            starting[(other.student_id, other.starts_on)] = other
            if other.ends_on is not None:
                ending[(other.student_id, other.ends_on)] = other

    def before(e: Enrollment) -> Enrollment | None:
        return ending.get((e.student_id, e.starts_on - dt.timedelta(days=1)))

    def after(e: Enrollment) -> Enrollment | None:
        if e.ends_on is None:
            return None
        return starting.get((e.student_id, e.ends_on + dt.timedelta(days=1)))

    labels = dict(LeaveReason.choices)
    arrivals: list[MovementRow] = []
    departures: list[MovementRow] = []
    transfers: list[MovementRow] = []
    for e in moved:
        previous = before(e) if e.starts_on > year.starts_on else None
        if e.starts_on > year.starts_on and (
            previous is None or previous.class_group.year.school_id != school.pk
        ):
            arrivals.append(
                MovementRow(
                    on=e.starts_on,
                    student=e.student,
                    class_name=str(e.class_group),
                    other=_place(previous, school.pk) if previous else "",
                    order=e.order_in,
                )
            )
        if e.ends_on is None or e.ends_on >= year.ends_on:
            continue
        following = after(e)
        row = MovementRow(
            on=e.ends_on + dt.timedelta(days=1),
            student=e.student,
            class_name=str(e.class_group),
            other=_place(following, school.pk) if following else "",
            order=e.order_out,
            reason=str(labels.get(e.leave_reason, "")),
            note=e.leave_note,
        )
        if following is not None and following.class_group.year.school_id == school.pk:
            transfers.append(row)
        elif e.leave_reason not in _NOT_DEPARTURES or following is None:
            departures.append(row)
    for rows in (arrivals, departures, transfers):
        rows.sort(key=lambda r: student_order_key(r.student))
        rows.sort(key=lambda r: r.on, reverse=True)  # newest first, a day in class-list order

    def list_row(e: Enrollment) -> ClassListRow:
        current = e.ends_on is None or e.ends_on >= today
        following = after(e)
        return ClassListRow(
            enrollment=e,
            student=e.student,
            current=current and e.starts_on <= today,
            left_on=e.ends_on + dt.timedelta(days=1) if e.ends_on and not current else None,
            reason=str(labels.get(e.leave_reason, "")) if not current else "",
            moved_to=_place(following, school.pk) if following and not current else "",
        )

    class_rows: list[ClassListRow] = []
    found: list[ClassListRow] = []
    if chosen is not None:
        class_rows = [list_row(e) for e in in_year.filter(class_group=chosen)]
        class_rows.sort(
            key=lambda r: (not r.current, student_order_key(r.student), r.enrollment.starts_on)
        )
    query = query.strip()
    if query:
        found = [
            list_row(e)
            for e in in_year.filter(
                Q(student__surname__icontains=query) | Q(student__given_name__icontains=query)
            )[:50]
        ]
        found.sort(key=lambda r: (not r.current, student_order_key(r.student)))
    return MovementOverview(
        classes=classes,
        class_group=chosen,
        class_rows=class_rows,
        found=found,
        arrivals=arrivals,
        departures=departures,
        transfers=transfers,
    )


def target_classes(school: School, today: dt.date) -> tuple[AcademicYear | None, list[ClassGroup]]:
    """The classes of a school's movement year, to transfer a student into."""
    year = movement_year(school, today)
    return year, classes_of_year(year) if year else []


# --- the year-end promotion -------------------------------------------------------------


@dataclass
class PromotionRow:
    enrollment: Enrollment
    source: ClassGroup
    graduates: bool
    kept_back: bool
    target_key: tuple[int, str]
    done_in: ClassGroup | None = None  # already enrolled in the next year (an earlier run)
    done_graduated: bool = False

    @property
    def student(self) -> Student:
        return self.enrollment.student

    @property
    def student_id(self) -> int:
        return self.enrollment.student_id

    @property
    def done(self) -> bool:
        return self.done_in is not None or self.done_graduated

    @property
    def target_name(self) -> str:
        return f"{self.target_key[0]}-{self.target_key[1]}"


@dataclass
class PromotionClass:
    source: ClassGroup
    target_name: str  # "" for the top grade: the class graduates
    target_exists: bool
    rows: list[PromotionRow] = field(default_factory=list)

    @property
    def graduates(self) -> bool:
        return not self.target_name


@dataclass
class PromotionPlan:
    year: AcademicYear
    next_year: AcademicYear
    classes: list[PromotionClass]
    existing_targets: dict[tuple[int, str], ClassGroup]
    missing_targets: dict[tuple[int, str], int | None]  # key → class teacher's user id

    def rows(self) -> Iterator[PromotionRow]:
        for item in self.classes:
            yield from item.rows

    def moving_rows(self) -> Iterator[PromotionRow]:
        return (row for row in self.rows() if not row.done)

    def kept_rows(self) -> Iterator[PromotionRow]:
        return (row for row in self.moving_rows() if row.kept_back)

    @property
    def already_done(self) -> int:
        return sum(1 for row in self.rows() if row.done)

    @property
    def to_do(self) -> int:
        return sum(1 for _row in self.moving_rows()) + len(self.missing_targets)


def promotion_plan(
    *, year: AcademicYear, next_year: AcademicYear, kept_back: Iterable[int] = ()
) -> PromotionPlan:
    """Who moves where at the end of `year`: per class, its students enrolled on the
    year's last day, the class of `next_year` each goes to (grade + 1, same letter; the
    same grade for those kept back), the top grade graduating, and what an earlier run
    already did. Four queries."""
    school = year.school
    kept = set(kept_back)
    classes = list(
        ClassGroup.objects.filter(year=year)
        .select_related("class_teacher")
        .order_by("grade", "letter")
    )
    active = list(
        Enrollment.objects.filter(class_group__year=year, starts_on__lte=year.ends_on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=year.ends_on))
        .select_related("student")
    )
    existing = {
        (c.grade, c.letter): c
        for c in ClassGroup.objects.filter(year=next_year).select_related("class_teacher")
    }
    done_in = {
        e.student_id: e.class_group
        for e in Enrollment.objects.filter(
            class_group__year=next_year, student_id__in=[e.student_id for e in active]
        ).select_related("class_group")
    }
    by_class: dict[int, list[Enrollment]] = defaultdict(list)
    for enrollment in active:
        by_class[enrollment.class_group_id].append(enrollment)

    missing: dict[tuple[int, str], int | None] = {}
    plan_classes: list[PromotionClass] = []
    for source in classes:
        top = source.grade >= school.grade_max
        key = (source.grade + 1, source.letter)
        if not top and key not in existing:
            missing[key] = source.class_teacher_id
        item = PromotionClass(
            source=source,
            target_name="" if top else f"{key[0]}-{key[1]}",
            target_exists=key in existing,
        )
        for enrollment in in_class_order(by_class[source.pk], student=lambda e: e.student):
            enrollment.class_group = source
            repeats = enrollment.student_id in kept and enrollment.student_id not in done_in
            graduates = top and not repeats
            target = (source.grade, source.letter) if repeats else key
            row = PromotionRow(
                enrollment=enrollment,
                source=source,
                graduates=graduates,
                kept_back=repeats,
                target_key=target,
                done_in=done_in.get(enrollment.student_id),
                done_graduated=graduates
                and enrollment.ends_on == year.ends_on
                and enrollment.leave_reason == LeaveReason.GRADUATED,
            )
            item.rows.append(row)
        plan_classes.append(item)
    # A class of the next year for students repeating a grade, when no class moves into it.
    for row in (r for item in plan_classes for r in item.rows):
        if row.kept_back and row.target_key not in existing:
            missing.setdefault(row.target_key, None)
    return PromotionPlan(
        year=year,
        next_year=next_year,
        classes=plan_classes,
        existing_targets=existing,
        missing_targets=missing,
    )


# --- a student's history ----------------------------------------------------------------


@dataclass
class HistorySubject:
    subject: str
    term_marks: list[str]
    corrected: str = ""
    annual: str = ""
    state_exam: str = ""
    absences: int = 0
    excused: int = 0


@dataclass
class HistorySpan:
    starts_on: dt.date
    ends_on: dt.date | None
    order_in: str
    order_out: str
    reason: str
    note: str


@dataclass
class HistoryClass:
    """One class the student was in, with what they earned there."""

    class_group: ClassGroup
    school: School
    year: AcademicYear
    spans: list[HistorySpan]
    term_headers: list[str] = field(default_factory=list)
    subjects: list[HistorySubject] = field(default_factory=list)


@dataclass
class StudentHistory:
    student: Student
    classes: list[HistoryClass]


_UNDATED = (MarkKind.TERM, MarkKind.CORRECTED, MarkKind.ANNUAL, MarkKind.STATE_EXAM)


def _mark_text(value: str, comment: str) -> str:
    return value or comment


def student_history(student: Student) -> StudentHistory:
    """The student's enrollments in every school of the community, oldest first, and per
    class the term, corrected, annual and state-exam marks and the absences by subject.
    Three queries."""
    labels = dict(LeaveReason.choices)
    enrollments = list(
        Enrollment.objects.filter(student=student)
        .select_related("class_group__year__school")
        .order_by("starts_on", "pk")
    )
    blocks: dict[int, HistoryClass] = {}
    for e in enrollments:
        block = blocks.get(e.class_group_id)
        if block is None:
            block = blocks[e.class_group_id] = HistoryClass(
                class_group=e.class_group,
                school=e.class_group.year.school,
                year=e.class_group.year,
                spans=[],
            )
        block.spans.append(
            HistorySpan(
                starts_on=e.starts_on,
                ends_on=e.ends_on,
                order_in=e.order_in,
                order_out=e.order_out,
                reason=str(labels.get(e.leave_reason, "")),
                note=e.leave_note,
            )
        )

    # (class id, subject name) → collected values; term columns by class.
    rows: dict[tuple[int, str], HistorySubject] = {}
    terms: dict[int, dict[int, tuple[dt.date, str]]] = defaultdict(dict)
    term_values: dict[tuple[int, str], dict[int, list[str]]] = defaultdict(
        lambda: defaultdict(list)
    )

    def row_for(class_id: int, subject: str) -> HistorySubject:
        key = (class_id, subject)
        if key not in rows:
            rows[key] = HistorySubject(subject=subject, term_marks=[])
        return rows[key]

    marks = (
        Mark.objects.filter(student=student, kind__in=[k.value for k in _UNDATED])
        .order_by("created_at", "pk")
        .values_list(
            "assignment__class_group_id",
            "assignment__subject__name",
            "kind",
            "value",
            "comment",
            "term_id",
            "term__name",
            "term__starts_on",
        )
    )
    for class_id, subject, kind, value, comment, term_id, term_name, term_start in marks:
        if class_id not in blocks:
            continue
        row = row_for(class_id, subject)
        text = _mark_text(value, comment)
        if kind == MarkKind.TERM and term_id is not None:
            terms[class_id][term_id] = (term_start, term_name)
            term_values[(class_id, subject)][term_id].append(text)
        elif kind == MarkKind.CORRECTED:
            row.corrected = ", ".join(filter(None, [row.corrected, text]))
        elif kind == MarkKind.ANNUAL:
            row.annual = ", ".join(filter(None, [row.annual, text]))
        elif kind == MarkKind.STATE_EXAM:
            row.state_exam = ", ".join(filter(None, [row.state_exam, text]))

    absences = (
        Attendance.objects.filter(student=student, status=AttendanceStatus.ABSENT)
        .values_list("lesson__assignment__class_group_id", "lesson__assignment__subject__name")
        .annotate(total=Count("id"), excused=Count("id", filter=Q(excused=True)))
    )
    for class_id, subject, total, excused in absences:
        if class_id not in blocks:
            continue
        row = row_for(class_id, subject)
        row.absences += total
        row.excused += excused

    for (class_id, subject), row in rows.items():
        ordered = sorted(terms[class_id].items(), key=lambda item: item[1][0])
        values = term_values.get((class_id, subject), {})
        row.term_marks = [", ".join(values.get(term_id, [])) for term_id, _term in ordered]
        blocks[class_id].subjects.append(row)
    for class_id, block in blocks.items():
        block.term_headers = [
            name for _id, (_start, name) in sorted(terms[class_id].items(), key=lambda i: i[1][0])
        ]
        block.subjects.sort(key=lambda r: alphabetical_key(r.subject))
    return StudentHistory(student=student, classes=list(blocks.values()))
