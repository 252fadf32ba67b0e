"""Reads for the family's and the student's home page: what a parent asks first.

For each child: marks and remarks new since the last visit of the diary, today's
absences, and the homework for the next school day. A fixed number of queries per
child, whatever the number of marks, lessons or classmates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from zhurnal.accounts.models import User
from zhurnal.diary.models import DiaryVisit
from zhurnal.diary.selectors import current_class_name, student_lessons
from zhurnal.journal.models import Attendance, AttendanceStatus, Mark, StudentRemark
from zhurnal.people.models import Student
from zhurnal.timetable.models import Lesson

# Without a visit yet, "new" means entered during the last week.
FIRST_VISIT_WINDOW = dt.timedelta(days=7)
# How far ahead the next school day is looked for (holidays included).
NEXT_DAY_HORIZON = 21
# How far back the homework for a lesson of the next school day is looked for.
HOMEWORK_LOOKBACK = 35
# At most this many new marks and remarks are listed; the diary holds the rest.
LISTED = 20


@dataclass
class HomeworkItem:
    lesson: Lesson
    set_at: Lesson | None


@dataclass
class ChildToday:
    student: Student
    class_name: str
    since: dt.datetime
    first_visit: bool
    new_marks: list[Mark] = field(default_factory=list)
    new_remarks: list[StudentRemark] = field(default_factory=list)
    absences_today: list[Attendance] = field(default_factory=list)
    next_day: dt.date | None = None
    homework: list[HomeworkItem] = field(default_factory=list)


def _homework_for(lessons: list[Lesson]) -> list[HomeworkItem]:
    """For each lesson, the homework set at the latest earlier lesson of its assignment."""
    if not lessons:
        return []
    day = lessons[0].date
    latest: dict[int, Lesson] = {}
    for earlier in (
        Lesson.objects.filter(
            assignment_id__in={lesson.assignment_id for lesson in lessons},
            date__lt=day,
            date__gte=day - dt.timedelta(days=HOMEWORK_LOOKBACK),
            is_cancelled=False,
        )
        .exclude(homework="")
        .order_by("-date", "-period__number")
        .only("pk", "assignment_id", "date", "homework")
    ):
        latest.setdefault(earlier.assignment_id, earlier)
    return [
        HomeworkItem(lesson=lesson, set_at=latest.get(lesson.assignment_id)) for lesson in lessons
    ]


def child_today(*, user: User, student: Student, today: dt.date, now: dt.datetime) -> ChildToday:
    """What is new for `student` since `user` last opened the diary, today's absences
    and the homework for the next school day. Ten queries."""
    visit = DiaryVisit.objects.filter(user=user, student=student).first()
    since = visit.last_seen_at if visit else now - FIRST_VISIT_WINDOW
    item = ChildToday(
        student=student,
        class_name=current_class_name(student=student, day=today),
        since=since,
        first_visit=visit is None,
    )
    item.new_marks = list(
        Mark.objects.filter(student=student, created_at__gt=since)
        .select_related("assignment__subject", "lesson")
        .order_by("-created_at", "-pk")[:LISTED]
    )
    item.new_remarks = list(
        StudentRemark.objects.filter(student=student, created_at__gt=since)
        .select_related("lesson__assignment__subject")
        .order_by("-created_at", "-pk")[:LISTED]
    )
    item.absences_today = list(
        Attendance.objects.filter(
            student=student,
            lesson__date=today,
            status__in=[AttendanceStatus.ABSENT, AttendanceStatus.LATE],
        )
        .select_related("lesson__period", "lesson__assignment__subject")
        .order_by("lesson__period__number")
    )
    ahead = student_lessons(
        student=student,
        start=today + dt.timedelta(days=1),
        end=today + dt.timedelta(days=NEXT_DAY_HORIZON),
    )
    if ahead:
        item.next_day = ahead[0].date
        item.homework = _homework_for([lesson for lesson in ahead if lesson.date == item.next_day])
    return item


def family_today(
    *, user: User, students: list[Student], today: dt.date, now: dt.datetime
) -> list[ChildToday]:
    """`child_today` for each of the user's children, in the order given."""
    return [child_today(user=user, student=student, today=today, now=now) for student in students]
