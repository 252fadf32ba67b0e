"""The school's weekly reports on journal keeping: the kept reports, producing one now,
one report's page and its files. For the school's director and deputy directors
(everyone else: 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhurnal.control.access import report_for_user
from zhurnal.control.models import ReportStatus
from zhurnal.control.weekly.forms import ProduceForm
from zhurnal.control.weekly.reports import report_context
from zhurnal.control.weekly.selectors import recent_weekly_reports
from zhurnal.control.weekly.services import weekly_report_request
from zhurnal.core.exports import PDF, XLSX, download
from zhurnal.core.formats import date_ua
from zhurnal.core.http import AuthedRequest
from zhurnal.core.timeutil import previous_week, school_today, week_range
from zhurnal.people.access import JOURNAL_CONTROLLERS, school_for_user
from zhurnal.schools.models import School


@login_required
def weekly(request: AuthedRequest, school_id: int) -> HttpResponse:
    """The school's kept weekly reports and producing one now."""
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    last_week = previous_week(school_today(school))[0]
    return _weekly_page(request, school, ProduceForm(initial={"week": last_week}))


def _weekly_page(
    request: AuthedRequest, school: School, form: ProduceForm, status: int = 200
) -> HttpResponse:
    reports = recent_weekly_reports(school)
    busy = any(r.status in (ReportStatus.QUEUED, ReportStatus.RUNNING) for r in reports)
    return render(
        request,
        "control/weekly/list.html",
        {"school": school, "reports": reports, "form": form, "busy": busy},
        status=status,
    )


@login_required
@require_POST
def weekly_produce(request: AuthedRequest, school_id: int) -> HttpResponse:
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    form = ProduceForm(request.POST)
    if not form.is_valid():
        return _weekly_page(request, school, form, status=400)
    monday, sunday = week_range(form.cleaned_data["week"])
    try:
        weekly_report_request(actor=request.user, school=school, week_start=monday)
    except PermissionDenied as exc:
        raise Http404(_("Not found")) from exc
    except ValidationError as exc:
        form.add_error("week", exc)
        return _weekly_page(request, school, form, status=400)
    messages.success(
        request,
        _("The report of the week %(start)s–%(end)s is being produced.")
        % {"start": date_ua(monday), "end": date_ua(sunday)},
    )
    return redirect("control:weekly", school.pk)


@login_required
def weekly_report(request: AuthedRequest, school_id: int, report_id: int) -> HttpResponse:
    """One weekly report, shown from its kept figures."""
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    report = report_for_user(request.user, report_id, roles=JOURNAL_CONTROLLERS, within=school)
    context = report_context(report.data) if report.data else {}
    return render(
        request,
        "control/weekly/report.html",
        {"school": school, "report": report, **context},
    )


@login_required
def weekly_file(request: AuthedRequest, school_id: int, report_id: int, kind: str) -> HttpResponse:
    """The report's XLSX or PDF, after the access check (never served from /media/)."""
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    report = report_for_user(request.user, report_id, roles=JOURNAL_CONTROLLERS, within=school)
    field = {"xlsx": report.xlsx, "pdf": report.pdf}.get(kind)
    if field is None or not field:
        raise Http404(_("Not found"))
    with field.open("rb") as handle:
        content = handle.read()
    return download(
        content,
        filename=f"weekly-{school.code}-{report.period_start.isoformat()}.{kind}",
        content_type=XLSX if kind == "xlsx" else PDF,
    )
