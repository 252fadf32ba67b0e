"""Reads of the fill pages: the days a quick choice of period covers, and the fill-level
figures as the pages and the weekly reports show them (the counting itself is
control.metrics)."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from zhurnal.control.fill.forms import Period
from zhurnal.control.metrics import FillCounts
from zhurnal.core.timeutil import previous_week, week_range
from zhurnal.schools.models import School, Term


def current_term(school: School, today: dt.date) -> Term | None:
    """The term of the school containing `today`, the one covering most grades first;
    between terms, the last one that has ended."""
    terms = Term.objects.filter(year__school=school, starts_on__lte=today).order_by(
        "-starts_on", "grade_from", "-grade_to"
    )
    return terms.first()


def period_range(
    *,
    school: School,
    period: str,
    start: dt.date | None,
    end: dt.date | None,
    today: dt.date,
) -> tuple[dt.date, dt.date]:
    """The first and last day of a quick choice, or the custom dates as given."""
    if period == Period.THIS_WEEK:
        return week_range(today)
    if period == Period.THIS_MONTH:
        last = calendar.monthrange(today.year, today.month)[1]
        return today.replace(day=1), today.replace(day=last)
    if period == Period.THIS_TERM:
        term = current_term(school, today)
        if term is not None:
            return term.starts_on, term.ends_on
        return previous_week(today)
    if period == Period.CUSTOM and start is not None and end is not None:
        return start, end
    return previous_week(today)


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def figures(counts: FillCounts) -> dict[str, Any]:
    """The fill-level figures of some lessons, JSON-ready: percentages 0..100 (None when
    there is nothing to measure) and the counts behind them."""
    level = counts.level
    return {
        "level": None if level is None else round(level, 1),
        "topics": _percent(counts.topic_rate),
        "attendance": _percent(counts.attendance_rate),
        "homework": _percent(counts.homework_rate),
        "timeliness": _percent(counts.timeliness),
        "density_rate": _percent(counts.density_rate),
        "density": None if counts.density is None else round(counts.density, 2),
        "finals": _percent(counts.finals_rate),
        "lessons": counts.lessons,
        "missing_topics": counts.missing_topics,
        "missing_attendance": counts.missing_attendance,
        "missing_homework": counts.missing_homework,
        "late_marks": counts.late_marks,
        "finals_due": counts.finals_due,
        "finals_present": counts.finals_present,
    }
