"""Builders shared by this app's tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext

from tests.cast import Community
from zhurnal.journal.models import (
    Mark,
)
from zhurnal.people.models import Student
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment

KYIV = ZoneInfo("Europe/Kyiv")


# Monday 16 November 2026, noon in Kyiv: the I semester, after the autumn holidays.
NOW = dt.datetime(2026, 11, 16, 12, 0, tzinfo=KYIV)


TODAY = NOW.date()


LAST_WEEK = dt.date(2026, 11, 9)


def uk(message: str, context: str = "") -> str:
    """What the Ukrainian interface shows for an English msgid."""
    with translation.override("uk"):
        return pgettext(context, message) if context else gettext(message)


def make_lesson(
    community: Community,
    day: dt.date,
    period: int = 1,
    assignment: TeachingAssignment | None = None,
    topic: str = "",
) -> Lesson:
    return Lesson.objects.create(
        assignment=assignment or community.math_5a,
        date=day,
        period=Period.objects.get(year=community.year, number=period),
        topic=topic,
    )


def grid_url(community: Community, assignment: TeachingAssignment | None = None) -> str:
    return reverse("journal:grid", args=[(assignment or community.math_5a).pk])


def cell_url(community: Community, assignment: TeachingAssignment | None = None) -> str:
    return reverse("journal:grid_cell", args=[(assignment or community.math_5a).pk])


def post_cell(client: Client, community: Community, **data: object) -> tuple[int, dict]:
    response = client.post(cell_url(community), {k: str(v) for k, v in data.items()})
    if response["Content-Type"].startswith("application/json"):
        return response.status_code, response.json()
    return response.status_code, {}


def add_mark(
    community: Community, lesson: Lesson, student: Student, value: str, kind: str = "current"
) -> Mark:
    return Mark.objects.create(
        assignment=community.math_5a,
        lesson=lesson,
        student=student,
        kind=kind,
        value=value,
        numeric_value=Decimal(value),
        created_by=community.teacher,
    )
