"""Builders shared by this app's tests."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from conftest import Community
from zhurnal.journal import services as journal
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment

KYIV = ZoneInfo("Europe/Kyiv")


MONDAY = dt.date(2026, 10, 5)


def at(day: dt.date, hour: int = 15) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=KYIV)


def lesson(community: Community, assignment: TeachingAssignment, day: dt.date, number: int = 1):
    period = Period.objects.get(year=community.year, number=number)
    return Lesson.objects.create(assignment=assignment, date=day, period=period)


def keep(community, clock, item: Lesson, *, topic="Дроби", homework="§5", register=True) -> None:
    actor = item.assignment.teacher
    journal.lesson_record(actor=actor, lesson=item, topic=topic, homework=homework)
    if register:
        journal.attendance_take(actor=actor, lesson=item, statuses={})
