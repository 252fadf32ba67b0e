"""Reads for substitutions: a school's lessons of one day with who is free to take them,
and the register of missed and substituted lessons (журнал обліку пропущених і
замінених уроків)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from zhurnal.accounts.models import User
from zhurnal.people.models import Role
from zhurnal.people.selectors import school_staff
from zhurnal.schools.models import AcademicYear, School
from zhurnal.timetable.models import Lesson, TeacherAbsence, TeachingAssignment

LESSON_RELATED = (
    "period",
    "assignment__year",
    "assignment__subject",
    "assignment__class_group",
    "assignment__subgroup",
    "assignment__teacher",
    "substitute",
)


_PERSON = ("username", "last_name", "first_name", "patronymic")
# What the day's page shows of its 200 lessons, and no more: loading every column of
# eight models per lesson was most of the page's time.
DAY_FIELDS = (
    "date",
    "is_cancelled",
    "cancel_reason",
    "substitution_reason",
    *(f"period__{name}" for name in ("number", "starts_at", "ends_at")),
    "assignment__year__name",
    "assignment__year__closed_at",
    "assignment__subject__name",
    "assignment__class_group__grade",
    "assignment__class_group__letter",
    "assignment__subgroup__name",
    *(f"assignment__teacher__{name}" for name in _PERSON),
    *(f"substitute__{name}" for name in _PERSON),
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


# How many substitutes the page suggests for a lesson: enough to choose from, few enough
# that a day of 200 lessons is not 200 lists of all teachers.
SUGGESTIONS = 4


@dataclass(frozen=True)
class Suggestion:
    """A teacher free at a lesson's time, with why they are a good choice."""

    teacher: User
    same_subject: bool
    teaches_class: bool
    # Lessons they give that day (own and substitutions): 0 means maybe not at school.
    lessons_today: int


@dataclass
class DayLesson:
    lesson: Lesson
    # For a held lesson of a teacher away (empty for the others): the teachers free at
    # its time, who may substitute it; how many are not, being busy; the best of the free.
    free_teachers: list[User] = field(default_factory=list)
    busy_count: int = 0
    suggestions: list[Suggestion] = field(default_factory=list)


@dataclass
class DayGroup:
    title: str
    lessons: list[DayLesson]


@dataclass
class AwayTeacher:
    """A teacher away on the day and their lessons: recorded as away (`absence`), named
    away on the page (`named`, not recorded), or else away because a lesson of theirs is
    substituted or not held."""

    teacher: User
    lessons: list[DayLesson]
    named: bool
    absence: TeacherAbsence | None = None


@dataclass
class SubstitutionDay:
    day: dt.date
    year: AcademicYear | None
    lessons: list[DayLesson]
    teachers: list[User]
    away: list[AwayTeacher] = field(default_factory=list)

    @property
    def read_only(self) -> bool:
        return self.year is not None and self.year.is_closed

    @property
    def named_away_ids(self) -> list[int]:
        """The teachers named away on the page but not recorded as away."""
        return [away.teacher.pk for away in self.away if away.named and away.absence is None]

    @property
    def away_lessons(self) -> list[DayLesson]:
        return [item for away in self.away for item in away.lessons]

    def present_teachers(self) -> list[User]:
        """The school's teachers not away that day: whom the deputy may record as away."""
        away = {away.teacher.pk for away in self.away}
        return [t for t in self.teachers if t.pk not in away]

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


def substitution_day(
    *, school: School, day: dt.date, away: Collection[int] = ()
) -> SubstitutionDay:
    """The school's lessons of one day and the teachers away: those recorded as away that
    day (TeacherAbsence), those named in `away` (ids; any but the school's teachers with a
    lesson that day are ignored) and those whose lesson that day is substituted or not held.

    Each held lesson of a teacher away comes with the teachers free to substitute it
    (not its own teacher, not away, not teaching anything else at that lesson number; a
    lesson not held frees its teacher) and a short list of them suggested: the one
    substituting now, then the same subject, then those who teach the class, then
    those at school that day, the least loaded first. Three queries, however many
    lessons and teachers (four with the absences)."""
    absences = {
        absence.teacher_id: absence
        for absence in TeacherAbsence.objects.filter(
            school=school, starts_on__lte=day, ends_on__gte=day
        )
    }
    lessons = list(
        lessons_of_school(school)
        .filter(date=day)
        .only(*DAY_FIELDS)
        .order_by(
            "period__number",
            "assignment__class_group__grade",
            "assignment__class_group__letter",
            "assignment__subject__name",
        )
    )
    teachers = list(school_teachers(school=school))
    year = lessons[0].assignment.year if lessons else _year_on(school, day)
    own_teachers = {lesson.assignment.teacher_id for lesson in lessons}
    named = {pk for pk in away if pk in own_teachers}
    away_ids = (
        named
        | (absences.keys() & own_teachers)
        | {
            lesson.assignment.teacher_id
            for lesson in lessons
            if lesson.is_cancelled or lesson.substitute_id is not None
        }
    )
    busy: dict[int, set[int]] = {}  # period id → ids of the teachers giving a lesson then
    load: dict[int, int] = {}  # teacher id → lessons they give that day
    for lesson in lessons:
        if not lesson.is_cancelled:
            giver = lesson_teacher_id(lesson)
            busy.setdefault(lesson.period_id, set()).add(giver)
            load[giver] = load.get(giver, 0) + 1
    subjects, classes = _what_teachers_teach(year) if away_ids else ({}, {})
    staff = [(teacher.pk, teacher) for teacher in teachers]
    staff_ids = {pk for pk, _ in staff}
    items: list[DayLesson] = []
    for lesson in lessons:
        item = DayLesson(lesson=lesson)
        items.append(item)
        absent = lesson.assignment.teacher_id
        if absent not in away_ids or lesson.is_cancelled:
            continue  # nobody looks for a substitute: no list to build
        taken = busy.get(lesson.period_id, set())
        own = lesson_teacher_id(lesson)
        item.free_teachers = [
            teacher
            for pk, teacher in staff
            if pk != absent and (pk == own or (pk not in taken and pk not in away_ids))
        ]
        item.busy_count = len((taken & staff_ids) - {own})
        item.suggestions = _suggest(lesson, item.free_teachers, subjects, classes, load)
    grouped: dict[int, AwayTeacher] = {}
    for item in items:
        teacher = item.lesson.assignment.teacher
        if teacher.pk in away_ids:
            grouped.setdefault(
                teacher.pk,
                AwayTeacher(
                    teacher=teacher,
                    lessons=[],
                    named=teacher.pk in named,
                    absence=absences.get(teacher.pk),
                ),
            ).lessons.append(item)
    return SubstitutionDay(
        day=day,
        year=year,
        lessons=items,
        teachers=teachers,
        away=sorted(grouped.values(), key=lambda away: away.teacher.full_name),
    )


def _what_teachers_teach(
    year: AcademicYear | None,
) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """Per teacher, the subjects and the classes they teach in the year."""
    subjects: dict[int, set[int]] = {}
    classes: dict[int, set[int]] = {}
    if year is None:
        return subjects, classes
    rows = TeachingAssignment.objects.filter(year=year).values_list(
        "teacher_id", "subject_id", "class_group_id"
    )
    for teacher_id, subject_id, class_group_id in rows:
        subjects.setdefault(teacher_id, set()).add(subject_id)
        classes.setdefault(teacher_id, set()).add(class_group_id)
    return subjects, classes


def _suggest(
    lesson: Lesson,
    free: list[User],
    subjects: dict[int, set[int]],
    classes: dict[int, set[int]],
    load: dict[int, int],
) -> list[Suggestion]:
    subject_id = lesson.assignment.subject_id
    class_id = lesson.assignment.class_group_id
    candidates = [
        Suggestion(
            teacher=teacher,
            same_subject=subject_id in subjects.get(teacher.pk, ()),
            teaches_class=class_id in classes.get(teacher.pk, ()),
            lessons_today=load.get(teacher.pk, 0),
        )
        for teacher in free
    ]
    # Free lists come by surname, and sorted() is stable: ties stay in that order.
    candidates = sorted(
        candidates,
        key=lambda s: (
            s.teacher.pk != lesson.substitute_id,
            not s.same_subject,
            not s.teaches_class,
            s.lessons_today == 0,
            s.lessons_today,
        ),
    )
    return candidates[:SUGGESTIONS]


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
