"""The weekly analysis of journal keeping of one school (S5): the fill figures of a week
by school, teacher, class and subject and the remarks written that week, kept as a
Report with its JSON figures, a spreadsheet and a PDF."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhurnal.accounts.models import User
from zhurnal.audit.services import audit_record, snapshot
from zhurnal.control.metrics import GroupFill, school_fill, week_start
from zhurnal.control.models import JournalRemarkStatus, Report, ReportKind, ReportStatus
from zhurnal.control.school_selectors import assignment_label, figures, remarks_register
from zhurnal.core.exports import new_workbook, pdf_from_template, titled_sheet, workbook_bytes
from zhurnal.core.formats import date_ua
from zhurnal.core.timeutil import local_today, school_tz
from zhurnal.journal.access import is_journal_controller
from zhurnal.schools.models import School

# A report queued or running longer than this is taken for lost (a worker stopped).
STALE_AFTER = dt.timedelta(minutes=30)

# The figures are large; the files are not JSON (audit's snapshot stumbles on an empty
# FieldFile, whose `url` raises).
SNAPSHOT_EXCLUDE = ("data", "xlsx", "pdf")

FIGURE_COLUMNS = (
    ("level", gettext_noop("Fill level, %")),
    ("topics", gettext_noop("Topics, %")),
    ("attendance", gettext_noop("Attendance, %")),
    ("homework", gettext_noop("Homework, %")),
    ("timeliness", gettext_noop("On time, %")),
    ("density", gettext_noop("Marks per student a month")),
    ("finals", gettext_noop("Thematic and term marks, %")),
    ("lessons", gettext_noop("Lessons held")),
    ("missing_topics", gettext_noop("Without a topic")),
    ("missing_attendance", gettext_noop("Register not taken")),
    ("missing_homework", gettext_noop("Without homework")),
)


def figure_headers() -> list[tuple[str, str]]:
    """The figure columns with their translated titles (in the active language)."""
    return [(key, _(title)) for key, title in FIGURE_COLUMNS]


def _groups(groups: list[GroupFill]) -> list[dict[str, Any]]:
    return [
        {
            "label": group.label,
            "assignments": len(group.assignments),
            **figures(group.counts),
        }
        for group in groups
    ]


def weekly_report_data(
    *, school: School, monday: dt.date, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The week's figures, JSON-ready: names and labels only, no model objects."""
    now = now or timezone.now()
    sunday = monday + dt.timedelta(days=6)
    fill = school_fill(school=school, start=monday, end=sunday, now=now)
    remarks = remarks_register(
        school=school, tz_name=school.municipality.time_zone, start=monday, end=sunday
    )
    tz = school_tz(school.municipality.time_zone)
    return {
        "school": school.name,
        "week_start": monday.isoformat(),
        "week_end": sunday.isoformat(),
        "computed_at": now.isoformat(),
        "total": figures(fill.total()),
        "teachers": _groups(fill.by_teacher()),
        "classes": _groups(fill.by_class()),
        "subjects": _groups(fill.by_subject()),
        "remarks": [
            {
                "written_on": timezone.localtime(remark.created_at, tz).date().isoformat(),
                "teacher": remark.teacher.short_name,
                "author": remark.author.short_name,
                "assignment": assignment_label(remark.assignment),
                "lesson": (
                    f"{date_ua(remark.lesson.date)}, {remark.lesson.period.number}"
                    if remark.lesson
                    else ""
                ),
                "text": remark.text,
                "due_on": remark.due_on.isoformat() if remark.due_on else None,
                "status": remark.status,
            }
            for remark in remarks
        ],
    }


def _figure_row(row: dict[str, Any]) -> list[Any]:
    return [row.get(key) for key, _title in FIGURE_COLUMNS]


def weekly_report_workbook(data: dict[str, Any]) -> bytes:
    """The week as a spreadsheet: the school total, then a sheet each for teachers,
    classes and subjects, and the remarks."""
    monday = dt.date.fromisoformat(data["week_start"])
    sunday = dt.date.fromisoformat(data["week_end"])
    subtitle = f"{data['school']}, {date_ua(monday)}–{date_ua(sunday)}"
    title = _("Weekly analysis of journal keeping")
    headers = [(header, 14) for _key, header in figure_headers()]
    workbook, sheet = new_workbook(_("School"))
    titled_sheet(
        sheet,
        title=title,
        subtitle=subtitle,
        headers=[(_("School"), 30), *headers],
        rows=[[data["school"], *_figure_row(data["total"])]],
    )
    for key, name, column in (
        ("teachers", _("Teachers"), _("Teacher")),
        ("classes", _("Classes"), _("Class")),
        ("subjects", _("Subjects"), _("Subject")),
    ):
        titled_sheet(
            workbook.create_sheet(name[:31]),
            title=title,
            subtitle=subtitle,
            headers=[(column, 30), *headers],
            rows=[[row["label"], *_figure_row(row)] for row in data[key]],
        )
    labels = dict(JournalRemarkStatus.choices)
    titled_sheet(
        workbook.create_sheet(_("Remarks")[:31]),
        title=title,
        subtitle=subtitle,
        headers=[
            (_("Written on"), 12),
            (_("Teacher"), 24),
            (_("Class and subject"), 28),
            (_("Lesson"), 14),
            (_("Remark"), 50),
            (_("Put right by"), 12),
            (_("Status"), 16),
            (_("Written by"), 24),
        ],
        rows=[
            [
                dt.date.fromisoformat(remark["written_on"]),
                remark["teacher"],
                remark["assignment"],
                remark["lesson"],
                remark["text"],
                dt.date.fromisoformat(remark["due_on"]) if remark["due_on"] else None,
                str(labels.get(remark["status"], remark["status"])),
                remark["author"],
            ]
            for remark in data["remarks"]
        ],
    )
    return workbook_bytes(workbook)


def weekly_report_pdf(data: dict[str, Any]) -> bytes:
    return pdf_from_template("control/weekly_report_pdf.html", report_context(data))


def report_context(data: dict[str, Any]) -> dict[str, Any]:
    """What the report page and the PDF show: the JSON figures with dates and labels."""
    labels = dict(JournalRemarkStatus.choices)
    remarks = [
        {
            **remark,
            "written_on": dt.date.fromisoformat(remark["written_on"]),
            "due_on": dt.date.fromisoformat(remark["due_on"]) if remark["due_on"] else None,
            "status_label": labels.get(remark["status"], remark["status"]),
            "is_open": remark["status"] == JournalRemarkStatus.OPEN,
        }
        for remark in data.get("remarks", [])
    ]
    return {
        "data": data,
        "week_start": dt.date.fromisoformat(data["week_start"]) if data else None,
        "week_end": dt.date.fromisoformat(data["week_end"]) if data else None,
        "headers": [title for _key, title in figure_headers()],
        "total_values": _figure_row(data.get("total", {})),
        "sections": [
            (
                section,
                column,
                [(row["label"], _figure_row(row)) for row in data.get(key, [])],
            )
            for key, section, column in (
                ("teachers", _("Teachers"), _("Teacher")),
                ("classes", _("Classes"), _("Class")),
                ("subjects", _("Subjects"), _("Subject")),
            )
        ],
        "remarks": remarks,
    }


def _report_row(school: School, monday: dt.date) -> tuple[Report, bool]:
    return Report.objects.get_or_create(
        kind=ReportKind.WEEKLY_SCHOOL,
        school=school,
        period_start=monday,
        defaults={
            "municipality_id": school.municipality_id,
            "period_end": monday + dt.timedelta(days=6),
        },
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
    monday = _monday(week_start)
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
    report.period_end = monday + dt.timedelta(days=6)
    report.save()
    return report


def weekly_report_fail(*, report: Report, error: str) -> Report:
    report.status = ReportStatus.FAILED
    report.error = error[:2000]
    report.finished_at = timezone.now()
    report.save(update_fields=["status", "error", "finished_at", "updated_at"])
    return report


def _monday(day: dt.date) -> dt.date:
    return week_start(day)


def weekly_report_request(*, actor: User, school: School, week_start: dt.date) -> Report:
    """The director or a deputy asks for the report of a week now: the report is queued
    (its earlier files stay until the new ones replace them) and the task enqueued."""
    from zhurnal.control.weekly_tasks import weekly_report_for_school

    if not is_journal_controller(actor, school.pk):
        raise PermissionDenied(_("Only the director or a deputy director can do this."))
    monday = _monday(week_start)
    today = local_today(school.municipality.time_zone)
    if monday > today:
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
