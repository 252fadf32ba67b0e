"""The department's monitoring of journal keeping in the community's schools: a
dashboard, a page per school and the kept quarterly reports. For the community's
department specialists only (everyone else: 404); aggregates only, read from the
summaries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from zhurnal.control.access import report_for_user
from zhurnal.control.metrics import FillCounts
from zhurnal.control.models import ReportStatus
from zhurnal.core.exports import PDF, XLSX, download
from zhurnal.core.forms import error_text
from zhurnal.core.http import AuthedRequest
from zhurnal.core.timeutil import local_today, school_today
from zhurnal.monitoring.charts import Series, bar_chart, line_chart
from zhurnal.monitoring.forms import MarkFilterForm, QuarterForm
from zhurnal.monitoring.quarterly import quarterly_reports_request
from zhurnal.monitoring.selectors import (
    ATTENDANCE_DAYS,
    MIN_GROUP,
    OUTBREAK_BASELINE_DAYS,
    OUTBREAK_FACTOR,
    OUTBREAK_MIN_ILL,
    SORTS,
    SPARK_WEEKS,
    Day,
    Distribution,
    community_schools,
    day_label,
    department_dashboard,
    department_school,
    fill_figures,
    mark_distribution,
    mark_filters,
    mark_periods,
    quarterly_reports,
)
from zhurnal.people.access import municipality_for_user, school_for_user
from zhurnal.people.models import Role
from zhurnal.schools.models import School

# Each label completes "Sort:" on its own ("by fill level · by name · …"), so every
# language can put each one in the case its preposition asks for.
SORT_LABELS = {
    "rank": pgettext_lazy("sort order", "by fill level"),
    "name": pgettext_lazy("sort order", "by name"),
    "classes": pgettext_lazy("sort order", "by classes with entries"),
    "teachers": pgettext_lazy("sort order", "by teachers with entries"),
    "timeliness": pgettext_lazy("sort order", "by timeliness"),
    "attendance": pgettext_lazy("sort order", "by attendance"),
    "last_entry": pgettext_lazy("sort order", "by last entry"),
}


def _marks(
    request: AuthedRequest, schools: list[School], *, breakdowns: tuple[str, ...]
) -> dict[str, Any]:
    school_ids = [school.pk for school in schools]
    periods = mark_periods(school_ids)
    chosen = {period.key: period for period in periods}.get(request.GET.get("period", ""))
    period = chosen or (periods[0] if periods else None)
    grades, subjects = mark_filters(school_ids, period)
    data = request.GET.copy()
    if period is not None:
        data["period"] = period.key
    if data.get("by") not in breakdowns:
        data["by"] = breakdowns[0]
    form = MarkFilterForm(
        data, periods=periods, grades=grades, subjects=subjects, breakdowns=breakdowns
    )
    distribution: Distribution | None = None
    chart = None
    if period is not None and form.is_valid():
        distribution = mark_distribution(
            schools=schools,
            period=period,
            by=form.cleaned_data["by"] or breakdowns[0],
            grade=form.cleaned_data["grade"],
            subject=form.cleaned_data["subject"] or None,
        )
        if distribution.total.total:
            chart = bar_chart(
                title=_("Term marks, %(period)s") % {"period": period.label},
                desc=_("Number of marks of each value in the groups shown; the table follows."),
                labels=distribution.values,
                values=distribution.cells(distribution.total),
            )
    return {"marks_form": form, "distribution": distribution, "marks_chart": chart}


def _day_charts(days: list[Day], scope: str) -> dict[str, Any]:
    labels = [day_label(day.date) for day in days]
    outbreaks = [index for index, day in enumerate(days) if day.outbreak]
    return {
        "attendance_chart": line_chart(
            title=_("Attendance by day, %(scope)s") % {"scope": scope},
            desc=_("Share of student-lessons attended each school day; the table follows."),
            labels=labels,
            series=[Series(_("Attended, %"), [day.figures.rate for day in days])],
            y_suffix="%",
            highlight=outbreaks,
        ),
        "illness_chart": bar_chart(
            title=_("Students ill per 1000, %(scope)s") % {"scope": scope},
            desc=_(
                "Students ill per 1000 students each school day; possible outbreaks are in red."
            ),
            labels=labels,
            values=[day.figures.ill_per_1000 for day in days],
            highlight=outbreaks,
        ),
    }


def _trend_rows(mondays: list[dt.date], trend: list[FillCounts]) -> list[dict[str, Any]]:
    return [
        {"week": monday, **fill_figures(counts)}
        for monday, counts in zip(mondays, trend, strict=True)
    ]


def _rules() -> dict[str, Any]:
    return {
        "min_group": MIN_GROUP,
        "outbreak_percent": round((OUTBREAK_FACTOR - 1) * 100),
        "outbreak_days": OUTBREAK_BASELINE_DAYS,
        "outbreak_min_ill": OUTBREAK_MIN_ILL,
        "attendance_days": ATTENDANCE_DAYS,
        "spark_weeks": SPARK_WEEKS,
    }


@login_required
def monitoring(request: AuthedRequest) -> HttpResponse:
    """Every school's journal keeping and attendance, worst first, with the community's
    trend, attendance by day and term-mark distributions."""
    municipality = municipality_for_user(request.user)
    schools = community_schools(municipality)
    sort = request.GET.get("sort", "rank")
    if sort not in SORTS:
        sort = "rank"
    dashboard = department_dashboard(
        schools=schools, today=local_today(municipality.time_zone), sort=sort
    )
    trend_chart = line_chart(
        title=_("Fill level by week, %(scope)s") % {"scope": municipality.name},
        desc=_(
            "Fill level of the community's journals in per cent for each week; the table follows."
        ),
        labels=dashboard.trend_labels,
        series=[Series(_("Fill level"), [counts.level for counts in dashboard.community_trend])],
        y_suffix="%",
    )
    context = {
        "municipality": municipality,
        "dashboard": dashboard,
        "sort": sort,
        "sort_choices": [(key, SORT_LABELS[key]) for key in SORTS],
        "trend_chart": trend_chart,
        "trend": _trend_rows(dashboard.weeks.trend(), dashboard.community_trend),
        **_day_charts(dashboard.days, municipality.name),
        **_marks(request, schools, breakdowns=("school", "grade", "subject", "grade_subject")),
        **_rules(),
    }
    return render(request, "monitoring/dashboard.html", context)


@login_required
def monitoring_school(request: AuthedRequest, school_id: int) -> HttpResponse:
    """One school: its weekly trend, fill level by teacher and by class, attendance by
    day and term-mark distributions by grade and subject."""
    school = school_for_user(
        request.user,
        school_id,
        roles=(Role.DEPARTMENT,),
        within=municipality_for_user(request.user),
    )
    page = department_school(school=school, today=school_today(school))
    trend_chart = line_chart(
        title=_("Fill level by week, %(scope)s") % {"scope": school.short_name},
        desc=_("Fill level of the school's journals in per cent for each week; the table follows."),
        labels=page.trend_labels,
        series=[Series(_("Fill level"), [counts.level for counts in page.trend])],
        y_suffix="%",
    )
    context = {
        "school": school,
        "page": page,
        "trend_chart": trend_chart,
        "trend": _trend_rows(page.weeks.trend(), page.trend),
        **_day_charts(page.days, school.short_name),
        **_marks(request, [school], breakdowns=("grade_subject", "grade", "subject")),
        **_rules(),
    }
    return render(request, "monitoring/school.html", context)


@login_required
def reports(request: AuthedRequest) -> HttpResponse:
    """The kept quarterly reports of the community and its schools, with the button that
    produces a quarter's reports in the background."""
    municipality = municipality_for_user(request.user)
    kept = quarterly_reports(municipality)
    busy = any(report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING) for report in kept)
    form = QuarterForm(today=local_today(municipality.time_zone))
    return render(
        request,
        "monitoring/reports.html",
        {"municipality": municipality, "reports": kept, "busy": busy, "form": form},
    )


@require_POST
@login_required
def reports_request(request: AuthedRequest) -> HttpResponse:
    municipality = municipality_for_user(request.user)
    form = QuarterForm(request.POST, today=local_today(municipality.time_zone))
    if not form.is_valid():
        messages.error(request, _("Choose one of the quarters offered."))
        return redirect("monitoring:department_reports")
    start, end = form.period()
    try:
        quarterly_reports_request(
            actor=request.user, municipality=municipality, start=start, end=end
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request, _("The reports are being produced; this page shows how far they are.")
        )
    return redirect("monitoring:department_reports")


def _download(request: AuthedRequest, report_id: int, *, pdf: bool) -> HttpResponse:
    report = report_for_user(
        request.user,
        report_id,
        roles=(Role.DEPARTMENT,),
        within=municipality_for_user(request.user),
    )
    stored = report.pdf if pdf else report.xlsx
    if report.status != ReportStatus.READY or not stored:
        raise Http404(_("Not found"))
    with stored.open("rb") as handle:
        content = handle.read()
    name = (stored.name or "").rsplit("/", 1)[-1]
    return download(content, filename=name, content_type=PDF if pdf else XLSX)


@login_required
def report_xlsx(request: AuthedRequest, report_id: int) -> HttpResponse:
    return _download(request, report_id, pdf=False)


@login_required
def report_pdf(request: AuthedRequest, report_id: int) -> HttpResponse:
    return _download(request, report_id, pdf=True)
