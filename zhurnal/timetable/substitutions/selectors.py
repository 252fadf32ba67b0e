"""Reads for substitutions: a school's lessons of one day with who is free to take them,
and the register of missed and substituted lessons (журнал обліку пропущених і
замінених уроків)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from zhurnal.accounts.models import User
from zhurnal.people.models import Role
from zhurnal.people.selectors import school_staff
from zhurnal.schools.models import AcademicYear, School
from zhurnal.timetable.models import Lesson

LESSON_RELATED = (
    "period",
    "assignment__year",
    "assignment__subject",
    "assignment__class_group",
    "assignment__subgroup",
    "assignment__teacher",
    "substitute",
)


def school_teachers(*, school: School, active_only: bool = True) -> QuerySet[User]:
    """The school's teachers (the teacher role there), by surname. With active_only, only
    those who still work at the school: the ones who may be asked to substitute."""
    return school_staff(school, role=Role.TEACHER, active_only=active_only)


def lessons_of_school(school: School) -> QuerySet[Lesson]:
    return Lesson.objects.filter(assignment__year__school=school).select_related(*LESSON_RELATED)


def lesson_teacher_id(lesson: Lesson) -> int:
    """Who actually gives the lesson: the substitute if there is one."""
    return lesson.substitute_id or lesson.assignment.teacher_id


@dataclass
class DayLesson:
    lesson: Lesson
    # Teachers free at this lesson's time, who may substitute it.
    free_teachers: list[User] = field(default_factory=list)
    busy_count: int = 0


@dataclass
class DayGroup:
    title: str
    lessons: list[DayLesson]


@dataclass
class SubstitutionDay:
    day: dt.date
    year: AcademicYear | None
    lessons: list[DayLesson]
    teachers: list[User]

    @property
    def read_only(self) -> bool:
        return self.year is not None and self.year.is_closed

    def by_period(self) -> list[DayGroup]:
        groups: dict[int, DayGroup] = {}
        for item in self.lessons:
            period = item.lesson.period
            title = f"{period.number}. {period.starts_at:%H:%M}–{period.ends_at:%H:%M}"
            groups.setdefault(period.number, DayGroup(title=title, lessons=[])).lessons.append(item)
        return [groups[number] for number in sorted(groups)]

    def by_teacher(self) -> list[DayGroup]:
        """Grouped by the lesson's own teacher: an absent teacher's day in one place."""
        groups: dict[int, DayGroup] = {}
        for item in self.lessons:
            teacher = item.lesson.assignment.teacher
            groups.setdefault(
                teacher.pk, DayGroup(title=teacher.full_name, lessons=[])
            ).lessons.append(item)
        return sorted(groups.values(), key=lambda group: group.title)


def substitution_day(*, school: School, day: dt.date) -> SubstitutionDay:
    """The school's lessons of one day, each with the teachers free to substitute it:
    not its own teacher and not teaching anything else at that lesson number. A lesson
    not held frees its teacher. Two queries, however many lessons and teachers."""
    lessons = list(
        lessons_of_school(school)
        .filter(date=day)
        .order_by(
            "period__number",
            "assignment__class_group__grade",
            "assignment__class_group__letter",
            "assignment__subject__name",
        )
    )
    teachers = list(school_teachers(school=school))
    busy: dict[int, set[int]] = {}  # period id → ids of the teachers giving a lesson then
    for lesson in lessons:
        if not lesson.is_cancelled:
            busy.setdefault(lesson.period_id, set()).add(lesson_teacher_id(lesson))
    items: list[DayLesson] = []
    for lesson in lessons:
        taken = busy.get(lesson.period_id, set())
        own = lesson_teacher_id(lesson) if not lesson.is_cancelled else None
        free = [
            teacher
            for teacher in teachers
            if teacher.pk != lesson.assignment.teacher_id
            and (teacher.pk not in taken or teacher.pk == own)
        ]
        busy_count = len([t for t in teachers if t.pk in taken and t.pk != own])
        items.append(DayLesson(lesson=lesson, free_teachers=free, busy_count=busy_count))
    year = lessons[0].assignment.year if lessons else _year_on(school, day)
    return SubstitutionDay(day=day, year=year, lessons=items, teachers=teachers)


def _year_on(school: School, day: dt.date) -> AcademicYear | None:
    return AcademicYear.objects.filter(school=school, starts_on__lte=day, ends_on__gte=day).first()


# --- the register ---------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterRow:
    lesson: Lesson

    @property
    def not_held(self) -> bool:
        return self.lesson.is_cancelled

    @property
    def reason(self) -> str:
        if self.lesson.is_cancelled:
            return self.lesson.cancel_reason
        return self.lesson.substitution_reason


@dataclass
class RegisterTotal:
    teacher: User
    missed: int = 0
    substituted_given: int = 0


@dataclass
class Register:
    school: School
    start: dt.date
    end: dt.date
    teacher: User | None
    rows: list[RegisterRow]
    totals: list[RegisterTotal]


def register_of(
    *, school: School, start: dt.date, end: dt.date, teacher: User | None = None
) -> Register:
    """Lessons of [start, end] that their own teacher did not give: substituted or not
    held, with the reason; and per teacher, lessons missed and substitutions given.
    With `teacher`, only the lessons they missed or substituted. One query."""
    lessons = (
        lessons_of_school(school)
        .filter(date__range=(start, end))
        .filter(Q(substitute__isnull=False) | Q(is_cancelled=True))
    )
    if teacher is not None:
        lessons = lessons.filter(Q(assignment__teacher=teacher) | Q(substitute=teacher))
    rows = [
        RegisterRow(lesson=lesson)
        for lesson in lessons.order_by(
            "date",
            "period__number",
            "assignment__class_group__grade",
            "assignment__class_group__letter",
            "assignment__subject__name",
        )
    ]
    return Register(
        school=school,
        start=start,
        end=end,
        teacher=teacher,
        rows=rows,
        totals=_totals(row.lesson for row in rows),
    )


def _totals(lessons: Iterable[Lesson]) -> list[RegisterTotal]:
    totals: dict[int, RegisterTotal] = {}
    for lesson in lessons:
        absent = lesson.assignment.teacher
        totals.setdefault(absent.pk, RegisterTotal(teacher=absent)).missed += 1
        substitute = lesson.substitute
        if substitute is not None:
            given = totals.setdefault(substitute.pk, RegisterTotal(teacher=substitute))
            given.substituted_given += 1
    return sorted(totals.values(), key=lambda total: total.teacher.full_name)
