"""School-day time helpers: every school-day decision uses the school's time zone."""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def school_tz(tz_name: str | None = None) -> ZoneInfo:
    return ZoneInfo(tz_name or settings.TIME_ZONE)


def local_today(tz_name: str | None = None) -> dt.date:
    return timezone.now().astimezone(school_tz(tz_name)).date()


class _Community(Protocol):
    @property
    def time_zone(self) -> str: ...


class _InCommunity(Protocol):
    # A school; core names no domain model.
    @property
    def municipality(self) -> _Community: ...


def school_today(school: _InCommunity) -> dt.date:
    """Today at the school: the date in its community's time zone."""
    return local_today(school.municipality.time_zone)


def end_of_day(day: dt.date, tz_name: str | None = None) -> dt.datetime:
    """The first instant after `day` in the school's time zone."""
    next_day = day + dt.timedelta(days=1)
    return dt.datetime.combine(next_day, dt.time.min, tzinfo=school_tz(tz_name))


def daterange(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def week_start(day: dt.date) -> dt.date:
    """The Monday of the day's week."""
    return day - dt.timedelta(days=day.weekday())


def week_range(day: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday and the Sunday of the day's week."""
    monday = week_start(day)
    return monday, monday + dt.timedelta(days=6)


def previous_week(day: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday and the Sunday of the week before the day's week."""
    return week_range(day - dt.timedelta(days=7))
