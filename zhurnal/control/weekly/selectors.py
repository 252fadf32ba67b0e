"""Reads of the weekly reports: the school's kept reports (one by id is in control.access)."""

from __future__ import annotations

from django.db.models import QuerySet

from zhurnal.control.models import Report, ReportKind
from zhurnal.schools.models import School


def weekly_reports_of_school(school: School) -> QuerySet[Report]:
    return Report.objects.filter(kind=ReportKind.WEEKLY_SCHOOL, school=school).select_related(
        "requested_by"
    )


def recent_weekly_reports(school: School, count: int = 60) -> list[Report]:
    """The school's latest weekly reports, the newest week first."""
    return list(weekly_reports_of_school(school).order_by("-period_start", "-id")[:count])
