"""Writes of the weekly reports: a week's report produced and kept (figures, XLSX and PDF
in the school's one Report of that week), or asked for now and queued."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.audit.services import audit_record, snapshot
from zhurnal.control.models import Report, ReportKind, ReportStatus
from zhurnal.control.weekly.reports import (
    weekly_report_data,
    weekly_report_pdf,
    weekly_report_workbook,
)
from zhurnal.core import timeutil
from zhurnal.journal.access import is_journal_controller
from zhurnal.schools.models import School

# A report queued or running longer than this is taken for lost (a worker stopped).
STALE_AFTER = dt.timedelta(minutes=30)

# The figures are large; the files are not JSON (audit's snapshot stumbles on an empty
# FieldFile, whose `url` raises).
SNAPSHOT_EXCLUDE = ("data", "xlsx", "pdf")


def _report_row(school: School, day: dt.date) -> tuple[Report, bool]:
    """The school's one report of the day's week, made when there is none yet."""
    monday, sunday = timeutil.week_range(day)
    return Report.objects.get_or_create(
        kind=ReportKind.WEEKLY_SCHOOL,
        school=school,
        period_start=monday,
        defaults={"municipality_id": school.municipality_id, "period_end": sunday},
    )


def _progress(report: Report, status: str, progress: int) -> None:
    report.status = status
    report.progress = progress
    report.save(update_fields=["status", "progress", "updated_at"])


def weekly_report_produce(
    *, school: School, week_start: dt.date, now: dt.datetime | None = None
) -> Report:
    """Compute the week (Monday to Sunday of `week_start`'s week) and keep it: figures,
    XLSX and PDF in the school's one report of that week, replacing earlier files."""
    now = now or timezone.now()
    monday, sunday = timeutil.week_range(week_start)
    report, _created = _report_row(school, monday)
    _progress(report, ReportStatus.RUNNING, 10)
    data = weekly_report_data(school=school, monday=monday, now=now)
    _progress(report, ReportStatus.RUNNING, 50)
    xlsx = weekly_report_workbook(data)
    _progress(report, ReportStatus.RUNNING, 70)
    pdf = weekly_report_pdf(data)
    name = f"weekly-{school.code}-{monday.isoformat()}"
    for field in (report.xlsx, report.pdf):
        if field:
            field.delete(save=False)
    report.xlsx.save(f"{name}.xlsx", ContentFile(xlsx), save=False)
    report.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
    report.data = data
    report.status = ReportStatus.READY
    report.progress = 100
    report.error = ""
    report.finished_at = timezone.now()
    report.period_end = sunday
    report.save()
    return report


def weekly_report_fail(*, school: School, week_start: dt.date, error: str) -> Report:
    """Keep on the school's report of that week that producing it failed, and why."""
    report, _created = _report_row(school, week_start)
    report.status = ReportStatus.FAILED
    report.error = error[:2000]
    report.finished_at = timezone.now()
    report.save(update_fields=["status", "error", "finished_at", "updated_at"])
    return report


def weekly_report_request(*, actor: User, school: School, week_start: dt.date) -> Report:
    """The director or a deputy asks for the report of a week now: the report is queued
    (its earlier files stay until the new ones replace them) and the task enqueued."""
    from zhurnal.control.weekly.tasks import weekly_report_for_school

    if not is_journal_controller(actor, school.pk):
        raise PermissionDenied(_("Only the director or a deputy director can do this."))
    monday = timeutil.week_start(week_start)
    if monday > timeutil.school_today(school):
        raise ValidationError(_("That week has not begun yet."))
    with transaction.atomic():
        report, created = _report_row(school, monday)
        busy = report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)
        if not created and busy and report.updated_at > timezone.now() - STALE_AFTER:
            return report
        before = snapshot(report, exclude=SNAPSHOT_EXCLUDE)
        report.status = ReportStatus.QUEUED
        report.progress = 0
        report.error = ""
        report.requested_by = actor
        report.save(update_fields=["status", "progress", "error", "requested_by", "updated_at"])
        audit_record(
            actor=actor,
            action="report.request",
            obj=report,
            before=before,
            after=snapshot(report, exclude=SNAPSHOT_EXCLUDE),
            school_id=school.pk,
        )
        transaction.on_commit(
            lambda: weekly_report_for_school.enqueue(
                school_id=school.pk, week_start=monday.isoformat()
            )
        )
    return report
