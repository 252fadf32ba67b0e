"""The fill level: how completely and how timely journals are kept, computed from the
journal data itself. The rules are written out in docs/fill-level.md; this module is
their only implementation — the school's pages, the weekly report and the department's
summaries all count through `_compute`.

Every computation runs a fixed number of aggregate queries, whatever the size of the
school or the range: lessons and marks are counted in the database, grouped by teaching
assignment and week, never fetched one by one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from zhurnal.core.timeutil import school_tz, week_start
from zhurnal.journal.models import (
    LESSON_MARK_KINDS,
    GradingScale,
    HomeworkFile,
    Mark,
    MarkKind,
    ScaleKind,
    ScaleRule,
)
from zhurnal.journal.scales import _default_code
from zhurnal.people.models import Enrollment, SubgroupMember
from zhurnal.schools.models import School, Term
from zhurnal.timetable.models import Lesson, TeachingAssignment

DAYS_PER_MONTH = 30.44
# Homework is not set in the first grade (NUS), nor in physical education.
HOMEWORK_FROM_GRADE = 2


# Current marks per student per subject per month that count as full (docs/fill-level.md).
MARK_DENSITY_TARGET = float(settings.ZHURNAL_MARK_DENSITY_TARGET)


def _ratio(part: float, whole: float) -> float | None:
    return None if whole <= 0 else min(1.0, part / whole)


@dataclass
class FillCounts:
    """Counters for a set of lessons that have taken place; rates are derived."""

    lessons: int = 0
    topics: int = 0
    attendance: int = 0
    homework_expected: int = 0
    homework: int = 0
    on_time: int = 0
    lesson_marks: int = 0
    late_marks: int = 0
    students: int = 0
    student_months: float = 0.0
    finals_due: int = 0
    finals_present: int = 0
    last_entry_at: dt.datetime | None = None

    def add(self, other: FillCounts) -> None:
        for item in fields(self):
            if item.name == "last_entry_at":
                continue
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))
        if other.last_entry_at and (
            self.last_entry_at is None or other.last_entry_at > self.last_entry_at
        ):
            self.last_entry_at = other.last_entry_at

    @classmethod
    def from_summary(cls, sums: Mapping[str, Any]) -> FillCounts:
        """Counters from a mapping with the same names (e.g. FillWeek sums); None → 0."""
        values: dict[str, Any] = {}
        for item in fields(cls):
            value = sums.get(item.name)
            if item.name == "last_entry_at":
                values[item.name] = value
            elif item.name == "student_months":
                values[item.name] = float(value or 0)
            else:
                values[item.name] = int(value or 0)
        return cls(**values)

    @property
    def topic_rate(self) -> float | None:
        return _ratio(self.topics, self.lessons)

    @property
    def attendance_rate(self) -> float | None:
        return _ratio(self.attendance, self.lessons)

    @property
    def homework_rate(self) -> float | None:
        return _ratio(self.homework, self.homework_expected)

    @property
    def timeliness(self) -> float | None:
        return _ratio(self.on_time, self.lessons)

    @property
    def density(self) -> float | None:
        """Current marks per student per month."""
        if self.student_months <= 0:
            return None
        return self.lesson_marks / self.student_months

    @property
    def density_rate(self) -> float | None:
        density = self.density
        return None if density is None else min(1.0, density / MARK_DENSITY_TARGET)

    @property
    def finals_rate(self) -> float | None:
        return _ratio(self.finals_present, self.finals_due)

    @property
    def rates(self) -> list[float]:
        candidates = (
            self.topic_rate,
            self.attendance_rate,
            self.homework_rate,
            self.timeliness,
            self.density_rate,
            self.finals_rate,
        )
        return [rate for rate in candidates if rate is not None]

    @property
    def level(self) -> float | None:
        """The fill level, 0–100: the mean of the rates that can be measured."""
        rates = self.rates
        if not rates:
            return None
        return round(100 * sum(rates) / len(rates), 1)

    @property
    def missing_topics(self) -> int:
        return self.lessons - self.topics

    @property
    def missing_attendance(self) -> int:
        return self.lessons - self.attendance

    @property
    def missing_homework(self) -> int:
        return self.homework_expected - self.homework


@dataclass
class AssignmentFill:
    assignment: TeachingAssignment
    counts: FillCounts


@dataclass
class GroupFill:
    key: int
    label: str
    counts: FillCounts
    assignments: list[AssignmentFill] = field(default_factory=list)


def _worst_first(groups: Iterable[GroupFill]) -> list[GroupFill]:
    def order(group: GroupFill) -> tuple[int, float, str]:
        level = group.counts.level
        return (level is None, level if level is not None else 0.0, group.label)

    return sorted(groups, key=order)


@dataclass
class SchoolFill:
    school: School
    start: dt.date
    end: dt.date
    rows: list[AssignmentFill]

    def total(self) -> FillCounts:
        total = FillCounts()
        for row in self.rows:
            total.add(row.counts)
        return total

    def _group(
        self, key: Callable[[TeachingAssignment], int], label: Callable[[TeachingAssignment], str]
    ) -> list[GroupFill]:
        groups: dict[int, GroupFill] = {}
        for row in self.rows:
            k = key(row.assignment)
            group = groups.get(k)
            if group is None:
                group = groups[k] = GroupFill(
                    key=k, label=label(row.assignment), counts=FillCounts()
                )
            group.counts.add(row.counts)
            group.assignments.append(row)
        return _worst_first(groups.values())

    def by_teacher(self) -> list[GroupFill]:
        return self._group(lambda a: a.teacher_id, lambda a: a.teacher.short_name)

    def by_class(self) -> list[GroupFill]:
        return self._group(lambda a: a.class_group_id, lambda a: a.class_group.name)

    def by_subject(self) -> list[GroupFill]:
        return self._group(lambda a: a.subject_id, lambda a: a.subject.name)


@dataclass
class LessonGap:
    lesson: Lesson
    no_topic: bool
    no_attendance: bool
    no_homework: bool
    late: bool


# --- the computation ---------------------------------------------------------------------


def _taken_place(now: dt.datetime, tz_name: str, lesson: str = "") -> Q:
    """Lessons of past days, and today's lessons whose bell has rung; `lesson` is the
    path to the lesson from the queried model ("lesson__" for marks)."""
    local = timezone.localtime(now, school_tz(tz_name))
    return Q(**{f"{lesson}date__lt": local.date()}) | Q(
        **{f"{lesson}date": local.date(), f"{lesson}period__ends_at__lte": local.time()}
    )


def _expects_homework(assignment: TeachingAssignment) -> bool:
    """Homework is expected from the second grade on, in the subjects the school expects
    it in (not in music, art, PE or labour training unless the school decides so)."""
    return (
        assignment.class_group.grade >= HOMEWORK_FROM_GRADE and assignment.subject.homework_expected
    )


def _marks_expected(school: School, assignments: list[TeachingAssignment]) -> dict[int, bool]:
    """Whether each assignment's scale gives marks (not comments only): the same rule
    resolution as journal.scales.scale_for, for many assignments in two queries."""
    rules = list(
        ScaleRule.objects.filter(school=school).values_list(
            "grade_from", "grade_to", "subject_id", "scale__code"
        )
    )
    kinds = dict(GradingScale.objects.values_list("code", "kind"))
    profile = school.municipality.profile
    result: dict[int, bool] = {}
    for assignment in assignments:
        grade = assignment.class_group.grade
        matching = [
            (subject_id, code)
            for low, high, subject_id, code in rules
            if low <= grade <= high and subject_id in (None, assignment.subject_id)
        ]
        matching.sort(key=lambda rule: rule[0] is None)
        code = matching[0][1] if matching else _default_code(profile, grade)
        result[assignment.pk] = kinds.get(code, ScaleKind.NUMERIC) != ScaleKind.COMMENTS
    return result


class EnrolledStudents:
    """Enrolled students per assignment on a given day: enrollment spans of the classes
    and subgroup memberships, fetched once."""

    def __init__(self, assignments: list[TeachingAssignment]) -> None:
        class_ids = {a.class_group_id for a in assignments}
        subgroup_ids = {a.subgroup_id for a in assignments if a.subgroup_id}
        self.spans: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
        for class_id, student_id, starts, ends in Enrollment.objects.filter(
            class_group_id__in=class_ids
        ).values_list("class_group_id", "student_id", "starts_on", "ends_on"):
            self.spans[class_id].append((student_id, starts, ends))
        self.members: dict[int, set[int]] = defaultdict(set)
        for subgroup_id, student_id in SubgroupMember.objects.filter(
            subgroup_id__in=subgroup_ids
        ).values_list("subgroup_id", "student_id"):
            self.members[subgroup_id].add(student_id)

    def count(self, assignment: TeachingAssignment, day: dt.date) -> int:
        enrolled = {
            student
            for student, starts, ends in self.spans.get(assignment.class_group_id, [])
            if starts <= day and (ends is None or ends >= day)
        }
        if assignment.subgroup_id:
            enrolled &= self.members.get(assignment.subgroup_id, set())
        return len(enrolled)


def _compute(
    *,
    school: School,
    start: dt.date,
    end: dt.date,
    now: dt.datetime | None = None,
    teacher_id: int | None = None,
    assignment_ids: Iterable[int] | None = None,
) -> tuple[list[TeachingAssignment], dict[tuple[int, dt.date], FillCounts]]:
    """The counters of every assignment of the school, per week, for lessons in
    [start, end] that had taken place by `now`. Seven queries."""
    now = now or timezone.now()
    tz_name = school.municipality.time_zone
    tz = school_tz(tz_name)
    today = timezone.localtime(now, tz).date()
    until = min(end, today)

    assignments_qs = TeachingAssignment.objects.filter(
        year__school=school, year__starts_on__lte=end, year__ends_on__gte=start
    ).select_related("teacher", "subject", "class_group", "subgroup", "year")
    if teacher_id is not None:
        assignments_qs = assignments_qs.filter(teacher_id=teacher_id)
    if assignment_ids is not None:
        assignments_qs = assignments_qs.filter(pk__in=list(assignment_ids))
    assignments = list(assignments_qs.order_by("class_group__grade", "class_group__letter", "pk"))
    by_id = {a.pk: a for a in assignments}
    cells: dict[tuple[int, dt.date], FillCounts] = defaultdict(FillCounts)
    if not assignments or until < start:
        return assignments, dict(cells)

    # 1. lessons, counted per assignment and day (days fold into weeks below)
    lessons = (
        Lesson.objects.filter(
            assignment_id__in=by_id, date__gte=start, date__lte=until, is_cancelled=False
        )
        .filter(_taken_place(now, tz_name))
        .annotate(
            has_file=Exists(HomeworkFile.objects.filter(lesson=OuterRef("pk"))),
            topic_day=TruncDate("topic_recorded_at", tzinfo=tz),
            register_day=TruncDate("attendance_taken_at", tzinfo=tz),
        )
        .values("assignment_id", "date")
        .annotate(
            n=Count("id"),
            topics=Count("id", filter=~Q(topic="")),
            registers=Count("id", filter=Q(attendance_taken_at__isnull=False)),
            homework=Count("id", filter=~Q(homework="") | Q(has_file=True)),
            on_time=Count(
                "id",
                filter=~Q(topic="") & Q(topic_day__lte=F("date")) & Q(register_day__lte=F("date")),
            ),
            last_topic=Max("topic_recorded_at"),
            last_register=Max("attendance_taken_at"),
        )
        .order_by()
    )
    lesson_weeks: set[tuple[int, dt.date]] = set()
    for row in lessons:
        assignment = by_id[row["assignment_id"]]
        key = (assignment.pk, week_start(row["date"]))
        lesson_weeks.add(key)
        cell = cells[key]
        cell.lessons += row["n"]
        cell.topics += row["topics"]
        cell.attendance += row["registers"]
        cell.on_time += row["on_time"]
        if _expects_homework(assignment):
            cell.homework_expected += row["n"]
            cell.homework += row["homework"]
        for moment in (row["last_topic"], row["last_register"]):
            if moment and (cell.last_entry_at is None or moment > cell.last_entry_at):
                cell.last_entry_at = moment

    # 2. current marks given at those lessons
    marks = (
        Mark.objects.filter(
            assignment_id__in=by_id,
            kind__in=LESSON_MARK_KINDS,
            lesson__date__gte=start,
            lesson__date__lte=until,
            lesson__is_cancelled=False,
        )
        .filter(_taken_place(now, tz_name, "lesson__"))
        .values("assignment_id", "lesson__date")
        .annotate(
            n=Count("id"), late=Count("id", filter=Q(entered_late=True)), last=Max("created_at")
        )
        .order_by()
    )
    for mark_row in marks:
        cell = cells[(mark_row["assignment_id"], week_start(mark_row["lesson__date"]))]
        cell.lesson_marks += mark_row["n"]
        cell.late_marks += mark_row["late"]
        if mark_row["last"] and (
            cell.last_entry_at is None or mark_row["last"] > cell.last_entry_at
        ):
            cell.last_entry_at = mark_row["last"]

    # 3. students and mark density: students × the months of each week that had lessons
    students = EnrolledStudents(assignments)
    marks_expected = _marks_expected(school, assignments)
    for assignment_id, monday in sorted(lesson_weeks):
        assignment = by_id[assignment_id]
        first, last = max(monday, start), min(monday + dt.timedelta(days=6), until)
        count = students.count(assignment, last)
        cell = cells[(assignment_id, monday)]
        cell.students = count
        if marks_expected[assignment_id]:
            cell.student_months = count * ((last - first).days + 1) / DAYS_PER_MONTH

    # 4. thematic columns opened in the range must be complete for every student
    thematic = (
        Mark.objects.filter(
            assignment_id__in=by_id, kind=MarkKind.THEMATIC, theme_number__isnull=False
        )
        .values("assignment_id", "theme_number")
        .annotate(n=Count("student_id", distinct=True), opened=Min("created_at"))
        .order_by()
    )
    for column in thematic:
        opened = timezone.localtime(column["opened"], tz).date()
        if not start <= opened <= until:
            continue
        assignment = by_id[column["assignment_id"]]
        due = students.count(assignment, opened)
        cell = cells[(assignment.pk, week_start(opened))]
        cell.finals_due += due
        cell.finals_present += min(column["n"], due)

    # 5. term marks are due for every student when a term ends in the range
    terms = list(
        Term.objects.filter(
            year__school=school, ends_on__gte=start, ends_on__lte=until
        ).values_list("pk", "year_id", "ends_on", "grade_from", "grade_to")
    )
    if terms:
        given = {
            (row["assignment_id"], row["term_id"]): row["n"]
            for row in Mark.objects.filter(
                assignment_id__in=by_id,
                kind=MarkKind.TERM,
                term_id__in=[term[0] for term in terms],
            )
            .values("assignment_id", "term_id")
            .annotate(n=Count("student_id", distinct=True))
            .order_by()
        }
        for term_id, year_id, ends_on, grade_from, grade_to in terms:
            for assignment in assignments:
                grade = assignment.class_group.grade
                if assignment.year_id != year_id or not grade_from <= grade <= grade_to:
                    continue
                if not marks_expected[assignment.pk]:
                    continue
                due = students.count(assignment, ends_on)
                if not due:
                    continue
                cell = cells[(assignment.pk, week_start(ends_on))]
                cell.finals_due += due
                cell.finals_present += min(given.get((assignment.pk, term_id), 0), due)
    return assignments, dict(cells)


def school_fill(
    *,
    school: School,
    start: dt.date,
    end: dt.date,
    now: dt.datetime | None = None,
    teacher_id: int | None = None,
) -> SchoolFill:
    """The fill level of every teaching assignment of the school over [start, end],
    computed live from the journal (seven queries, whatever the school's size)."""
    assignments, cells = _compute(
        school=school, start=start, end=end, now=now, teacher_id=teacher_id
    )
    per_assignment: dict[int, FillCounts] = {}
    for (assignment_id, _monday), counts in sorted(cells.items()):
        total = per_assignment.setdefault(assignment_id, FillCounts())
        students = max(total.students, counts.students)
        total.add(counts)
        total.students = students  # the class size, not a sum over weeks
    rows = [
        AssignmentFill(assignment=a, counts=per_assignment[a.pk])
        for a in assignments
        if a.pk in per_assignment
    ]
    return SchoolFill(school=school, start=start, end=end, rows=rows)


def fill_weeks(
    *, school: School, start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> tuple[list[TeachingAssignment], dict[tuple[int, dt.date], FillCounts]]:
    """The counters per (assignment, Monday), for the summaries."""
    return _compute(school=school, start=start, end=end, now=now)


def lesson_gaps(
    *,
    assignment: TeachingAssignment,
    start: dt.date,
    end: dt.date,
    now: dt.datetime | None = None,
) -> list[LessonGap]:
    """The lessons of the assignment in [start, end] that had taken place and miss a
    topic, the register or expected homework, or were filled after their day."""
    now = now or timezone.now()
    tz_name = assignment.year.school.municipality.time_zone
    tz = school_tz(tz_name)
    expects_homework = _expects_homework(assignment)
    lessons = (
        Lesson.objects.filter(
            assignment=assignment, date__gte=start, date__lte=end, is_cancelled=False
        )
        .filter(_taken_place(now, tz_name))
        .annotate(
            has_file=Exists(HomeworkFile.objects.filter(lesson=OuterRef("pk"))),
            topic_day=TruncDate("topic_recorded_at", tzinfo=tz),
            register_day=TruncDate("attendance_taken_at", tzinfo=tz),
        )
        .select_related("period")
        .order_by("date", "period__number")
    )
    gaps = []
    for lesson in lessons:
        no_topic = not lesson.topic
        no_attendance = lesson.attendance_taken_at is None
        no_homework = expects_homework and not lesson.homework and not lesson.has_file
        late = (
            not no_topic
            and not no_attendance
            and (lesson.topic_day > lesson.date or lesson.register_day > lesson.date)
        )
        if no_topic or no_attendance or no_homework or late:
            gaps.append(
                LessonGap(
                    lesson=lesson,
                    no_topic=no_topic,
                    no_attendance=no_attendance,
                    no_homework=no_homework,
                    late=late,
                )
            )
    return gaps
