"""Reads on timetables and lessons."""

from __future__ import annotations

import datetime as dt

from zhurnal.schools.models import AcademicYear, Holiday

SCHOOL_WEEKDAYS = frozenset({1, 2, 3, 4, 5})


def school_days(
    *,
    year: AcademicYear,
    start: dt.date,
    end: dt.date,
    weekdays: frozenset[int] = SCHOOL_WEEKDAYS,
    holidays: list[Holiday] | None = None,
) -> list[dt.date]:
    """The dates in [start, end] that have lessons: school weekdays (ISO numbers) within the
    academic year, minus the year's holidays. Pass `holidays` to avoid the query."""
    if holidays is None:
        holidays = list(year.holidays.all())
    start = max(start, year.starts_on)
    end = min(end, year.ends_on)
    days: list[dt.date] = []
    day = start
    while day <= end:
        if day.isoweekday() in weekdays and not any(
            h.starts_on <= day <= h.ends_on for h in holidays
        ):
            days.append(day)
        day += dt.timedelta(days=1)
    return days
