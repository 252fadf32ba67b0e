"""Builders shared by this app's tests."""

from __future__ import annotations

import datetime as dt

from tests.cast import Community
from zhurnal.core.timeutil import local_today
from zhurnal.timetable.models import Lesson, Period

PAST = dt.date(2026, 11, 16)  # a Monday of the I semester, before today


def lesson_on(
    community: Community, day: dt.date | None = None, number: int = 1, **fields: object
) -> Lesson:
    return Lesson.objects.create(
        assignment=fields.pop("assignment", community.math_5a),
        date=day or local_today(),
        period=Period.objects.get(year=community.year, number=number),
        **fields,
    )


def url(lesson: Lesson, tail: str = "") -> str:
    return f"/lesson/{lesson.pk}/{tail}"
