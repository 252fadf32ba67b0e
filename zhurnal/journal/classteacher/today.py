"""The class teacher's home: who is absent today, and which absences wait to be excused."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count

from zhurnal.journal.models import Attendance, AttendanceStatus
from zhurnal.people.models import Student
from zhurnal.schools.models import ClassGroup

# The home page names at most this many students; the excuses page holds them all.
LISTED = 10


@dataclass
class AbsentToday:
    student: Student
    entries: list[Attendance] = field(default_factory=list)


@dataclass
class WaitingExcuse:
    student: Student
    lessons: int
    days: int


@dataclass
class ClassToday:
    absent_today: list[AbsentToday]
    waiting: list[WaitingExcuse]
    waiting_students: int


def class_today(*, class_group: ClassGroup, today: dt.date) -> ClassToday:
    """Today's absences and lates in the lessons of the class, by student; and the
    students with absences not yet excused this year, most first. Three queries,
    whatever the size of the class."""
    absent: dict[int, AbsentToday] = {}
    for entry in (
        Attendance.objects.filter(
            lesson__assignment__class_group=class_group,
            lesson__date=today,
            lesson__is_cancelled=False,
            status__in=[AttendanceStatus.ABSENT, AttendanceStatus.LATE],
        )
        .select_related("student", "lesson__period", "lesson__assignment__subject")
        .order_by("student__surname", "student__given_name", "lesson__period__number")
    ):
        absent.setdefault(entry.student_id, AbsentToday(student=entry.student)).entries.append(
            entry
        )
    unexcused = (
        Attendance.objects.filter(
            lesson__assignment__class_group=class_group,
            lesson__date__lte=today,
            lesson__is_cancelled=False,
            status=AttendanceStatus.ABSENT,
            excused=False,
        )
        .values("student_id")
        .annotate(lessons=Count("pk"), days=Count("lesson__date", distinct=True))
        .order_by("-lessons", "student_id")
    )
    rows = list(unexcused)
    shown = rows[:LISTED]
    students = Student.objects.in_bulk([row["student_id"] for row in shown])
    return ClassToday(
        absent_today=list(absent.values()),
        waiting=[
            WaitingExcuse(
                student=students[row["student_id"]], lessons=row["lessons"], days=row["days"]
            )
            for row in shown
        ],
        waiting_students=len(rows),
    )
