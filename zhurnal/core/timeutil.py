"""School-day time helpers: every school-day decision uses the school's time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def school_tz(tz_name: str | None = None) -> ZoneInfo:
    return ZoneInfo(tz_name or settings.TIME_ZONE)


def local_today(tz_name: str | None = None) -> dt.date:
    return timezone.now().astimezone(school_tz(tz_name)).date()


def end_of_day(day: dt.date, tz_name: str | None = None) -> dt.datetime:
    """The first instant after `day` in the school's time zone."""
    next_day = day + dt.timedelta(days=1)
    return dt.datetime.combine(next_day, dt.time.min, tzinfo=school_tz(tz_name))


def daterange(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
