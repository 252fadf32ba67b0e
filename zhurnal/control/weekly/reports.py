"""The weekly analysis of journal keeping of one school (S5): the fill figures of a week
by school, teacher, class and subject and the remarks written that week, as JSON-ready
figures, a spreadsheet and a PDF (kept in a Report by control.weekly.services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhurnal.control.fill.selectors import figures
from zhurnal.control.metrics import GroupFill, school_fill
from zhurnal.control.models import JournalRemarkStatus
from zhurnal.control.remarks.selectors import remark_columns, remark_lesson, remarks_register
from zhurnal.core.exports import new_workbook, pdf_from_template, titled_sheet, workbook_bytes
from zhurnal.core.formats import date_ua
from zhurnal.core.timeutil import school_tz, week_range
from zhurnal.schools.models import School

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
    sunday = week_range(monday)[1]
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
                "assignment": str(remark.assignment),
                "lesson": remark_lesson(remark),
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
        headers=[(_("Written on"), 12), *remark_columns(), (_("Written by"), 24)],
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
    return pdf_from_template("control/weekly/report_pdf.html", report_context(data))


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
