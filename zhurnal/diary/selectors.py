"""The student's and guardian's read side of the journal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from zhurnal.journal.models import Attendance, Mark
from zhurnal.people.models import Enrollment, Student, SubgroupMember
from zhurnal.timetable.models import Lesson


@dataclass
class DiaryLesson:
    lesson: Lesson
    marks: list[Mark] = field(default_factory=list)
    attendance: Attendance | None = None


@dataclass
class DiaryDay:
    date: dt.date
    lessons: list[DiaryLesson]


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def diary_week(*, student: Student, monday: dt.date) -> list[DiaryDay]:
    """Monday to Saturday of the week: the student's lessons (only while enrolled, only
    their own subgroups), with their own marks and attendance. Four queries."""
    sunday = monday + dt.timedelta(days=6)
    spans = list(
        Enrollment.objects.filter(student=student, starts_on__lte=sunday)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=monday))
        .values_list("class_group_id", "starts_on", "ends_on")
    )
    subgroup_ids = set(
        SubgroupMember.objects.filter(student=student).values_list("subgroup_id", flat=True)
    )
    lessons = list(
        Lesson.objects.filter(
            date__range=(monday, sunday),
            assignment__class_group_id__in={class_id for class_id, _, _ in spans},
            is_cancelled=False,
        )
        .select_related("period", "assignment__subject", "assignment__teacher", "substitute")
        .order_by("date", "period__number")
    )

    def visible(lesson: Lesson) -> bool:
        if lesson.assignment.subgroup_id and lesson.assignment.subgroup_id not in subgroup_ids:
            return False
        return any(
            class_id == lesson.assignment.class_group_id
            and starts <= lesson.date
            and (ends is None or lesson.date <= ends)
            for class_id, starts, ends in spans
        )

    entries = {lesson.pk: DiaryLesson(lesson=lesson) for lesson in lessons if visible(lesson)}
    for mark in Mark.objects.filter(student=student, lesson_id__in=list(entries)):
        entries[mark.lesson_id].marks.append(mark)  # type: ignore[index]
    for entry in Attendance.objects.filter(student=student, lesson_id__in=list(entries)):
        entries[entry.lesson_id].attendance = entry
    days: dict[dt.date, list[DiaryLesson]] = {}
    for item in entries.values():
        days.setdefault(item.lesson.date, []).append(item)
    return [
        DiaryDay(
            date=monday + dt.timedelta(days=offset),
            lessons=days.get(monday + dt.timedelta(days=offset), []),
        )
        for offset in range(6)
        if offset < 5 or days.get(monday + dt.timedelta(days=offset))
    ]


def current_class_name(*, student: Student, day: dt.date) -> str:
    enrollment = (
        Enrollment.objects.filter(student=student, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .select_related("class_group__year__school")
        .first()
    )
    if enrollment is None:
        return ""
    return f"{enrollment.class_group} · {enrollment.class_group.year.school}"
