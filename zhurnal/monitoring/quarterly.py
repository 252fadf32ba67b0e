"""The quarterly monitoring report of a school and of the community (issue 5, point 5).

The period is a calendar quarter (January–March, April–June, July–September,
October–December): the department reports by quarters of the calendar year whatever the
schools' terms, and the run is scheduled for the first day of the next quarter. Weeks are
counted by their Monday, so a week that starts in the quarter counts wholly in it; term
marks count in the quarter their term (or, for annual marks, the academic year) ends in.

The figures are read from the summaries only and kept as JSON in Report.data; the XLSX
and the PDF are made from that JSON, so what the files show is exactly what was kept.
Aggregates only, with the same suppression of small groups as the department's pages."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhurnal.accounts.models import User
from zhurnal.audit.services import audit_record, snapshot
from zhurnal.control.metrics import FillCounts
from zhurnal.control.models import (
    FillWeek,
    Report,
    ReportKind,
    ReportStatus,
    SchoolDay,
)
from zhurnal.core.exports import new_workbook, pdf_from_template, titled_sheet, workbook_bytes
from zhurnal.core.formats import date_ua
from zhurnal.core.timeutil import school_tz, week_start
from zhurnal.monitoring.charts import Series, bar_chart, line_chart
from zhurnal.monitoring.selectors import (
    DAY_FIELDS,
    MIN_GROUP,
    TEACHER_FIELDS,
    Attendance,
    Day,
    SchoolRow,
    community_schools,
    fill_counts,
    fill_figures,
    fill_sums,
    mark_distribution,
    mark_outbreaks,
    mark_periods,
    one_day,
    plain,
    rank_rows,
    shown,
    sort_rows,
    teacher_name,
)
from zhurnal.schools.models import Municipality, School

# --- quarters ----------------------------------------------------------------------------


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar quarter a day is in: its first and last day."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    return start, next_quarter_start(day) - dt.timedelta(days=1)


def next_quarter_start(day: dt.date) -> dt.date:
    first_month = 3 * ((day.month - 1) // 3) + 1
    if first_month == 10:
        return dt.date(day.year + 1, 1, 1)
    return dt.date(day.year, first_month + 3, 1)


def previous_quarter(day: dt.date) -> tuple[dt.date, dt.date]:
    """The quarter that ended before the one the day is in."""
    start, _end = quarter_of(day)
    return quarter_of(start - dt.timedelta(days=1))


def quarter_label(start: dt.date) -> str:
    number = (start.month - 1) // 3 + 1
    return _("Q%(number)s %(year)s") % {"number": number, "year": start.year}


# --- figures -----------------------------------------------------------------------------


def attendance_figures(figures: Attendance) -> dict[str, Any]:
    return {
        "suppressed": figures.suppressed,
        "rate": figures.rate,
        "illness_rate": figures.illness_rate,
        "ill_per_1000": figures.ill_per_1000,
    }


def _fill_rows(rows: Sequence[dict[str, Any]], label: str) -> list[dict[str, Any]]:
    result = []
    for row in rows:
        counts = fill_counts(row)
        students_shown = shown(int(row.get("size") or 0))
        result.append({"label": row[label], **fill_figures(counts, students_shown=students_shown)})
    return sorted(
        result,
        key=lambda item: (item["level"] is not None, item["level"] or 0.0, item["label"]),
    )


def quarterly_figures(
    *, municipality: Municipality, school: School | None, start: dt.date, end: dt.date
) -> dict[str, Any]:
    """The report's figures as JSON-ready data: fill level (in total, by week, and by
    school — or by teacher and class for a school), attendance by day with possible
    outbreaks, and term-mark distributions. Aggregates only."""
    schools = [school] if school is not None else community_schools(municipality)
    school_ids = [item.pk for item in schools]
    weeks = FillWeek.objects.filter(
        school_id__in=school_ids, week_start__gte=week_start(start), week_start__lte=end
    )
    total = FillCounts()
    by_week = []
    for week_row in plain(
        weeks.values("week_start").annotate(**fill_sums()).order_by("week_start")
    ):
        counts = fill_counts(week_row)
        total.add(counts)
        by_week.append({"week": week_row["week_start"].isoformat(), **fill_figures(counts)})

    data: dict[str, Any] = {
        "kind": ReportKind.QUARTERLY_SCHOOL if school else ReportKind.QUARTERLY_COMMUNITY,
        "municipality": municipality.name,
        "school": school.short_name if school else None,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "min_group": MIN_GROUP,
        "schools_count": len(schools),
        "fill": fill_figures(total),
        "weeks": by_week,
    }

    day_rows = plain(
        SchoolDay.objects.filter(
            school_id__in=school_ids, date__range=(start, end), student_lessons__gt=0
        )
        .order_by("date")
        .values(*DAY_FIELDS)
    )
    period_days: dict[dt.date, Attendance] = {}
    per_school: dict[int, Attendance] = {}
    school_days: dict[int, list[Day]] = {}
    for day_row in day_rows:
        if shown(int(day_row["students"])):
            period_days.setdefault(day_row["date"], Attendance()).add_school(day_row)
        per_school.setdefault(day_row["school_id"], Attendance()).add_day(day_row)
        school_days.setdefault(day_row["school_id"], []).append(
            Day(date=day_row["date"], figures=one_day(day_row))
        )
    days = [Day(date=day, figures=figures) for day, figures in sorted(period_days.items())]
    mark_outbreaks(days)
    overall = Attendance()
    for day in days:
        overall.add_school(
            {
                "students": 0,
                "student_lessons": day.figures.student_lessons,
                "absences": day.figures.absences,
                "illness_absences": day.figures.illness_absences,
                "students_ill": 0,
            }
        )
    overall.students = max((day.figures.students for day in days), default=0)
    data["attendance"] = {
        "total": attendance_figures(overall),
        "days": [
            {
                "date": day.date.isoformat(),
                **attendance_figures(day.figures),
                "outbreak": day.outbreak,
            }
            for day in days
        ],
    }

    if school is None:
        rows: list[SchoolRow] = []
        by_school = {
            item["school_id"]: fill_counts(item)
            for item in plain(weeks.values("school_id").annotate(**fill_sums()))
        }
        for item in schools:
            outbreaks = school_days.get(item.pk, [])
            mark_outbreaks(outbreaks)
            row = SchoolRow(school=item, week=by_school.get(item.pk, FillCounts()), trend=[])
            row.attendance = per_school.get(item.pk, Attendance())
            row.outbreak_days = [day.date for day in outbreaks if day.outbreak]
            rows.append(row)
        rank_rows(rows)
        data["schools"] = [
            {
                "label": row.school.short_name,
                "rank": row.rank,
                **fill_figures(row.week),
                "attendance_rate": row.attendance.rate,
                "ill_per_1000": row.attendance.ill_per_1000,
                "outbreak_days": [date_ua(day) for day in row.outbreak_days],
            }
            for row in sort_rows(rows, "rank")
        ]
    else:
        teacher_rows = plain(weeks.values(*TEACHER_FIELDS).annotate(**fill_sums()))
        for teacher_row in teacher_rows:
            teacher_row["name"] = teacher_name(teacher_row)
        data["teachers"] = _fill_rows(teacher_rows, "name")
        class_rows = plain(
            weeks.values("class_group_id", "class_group__grade", "class_group__letter").annotate(
                **fill_sums()
            )
        )
        for class_row in class_rows:
            class_row["name"] = (
                f"{class_row['class_group__grade']}-{class_row['class_group__letter']}"
            )
        data["classes"] = _fill_rows(class_rows, "name")

    marks = []
    # The oldest first, as the report reads.
    for period in reversed(mark_periods(school_ids, ending=(start, end))):
        by = "grade_subject" if school is not None else "grade"
        distribution = mark_distribution(schools=schools, period=period, by=by)
        marks.append(
            {
                "period": period.label,
                "values": distribution.values,
                "rows": [
                    {
                        "label": row.label,
                        "counts": distribution.cells(row),
                        "total": row.total,
                        "suppressed": row.suppressed,
                        "left_out": row.left_out,
                    }
                    for row in distribution.rows
                ],
                "total": {
                    "counts": distribution.cells(distribution.total),
                    "total": distribution.total.total,
                    "left_out": distribution.total.left_out,
                },
            }
        )
    data["marks"] = marks
    return data


# --- documents ---------------------------------------------------------------------------


def _charts(data: dict[str, Any]) -> dict[str, SafeString]:
    scope = data["school"] or data["municipality"]
    charts = {
        "trend": line_chart(
            title=_("Fill level by week, %(scope)s") % {"scope": scope},
            desc=_("Fill level in per cent for each week of the quarter; the table follows."),
            labels=[
                dt.date.fromisoformat(week["week"]).strftime("%d.%m") for week in data["weeks"]
            ],
            series=[Series(_("Fill level"), [week["level"] for week in data["weeks"]])],
            y_suffix="%",
        ),
        "attendance": bar_chart(
            title=_("Attendance by day, %(scope)s") % {"scope": scope},
            desc=_(
                "Share of student-lessons attended each school day; possible outbreaks are "
                "in red. The table follows."
            ),
            labels=[
                dt.date.fromisoformat(day["date"]).strftime("%d.%m")
                for day in data["attendance"]["days"]
            ],
            values=[day["rate"] for day in data["attendance"]["days"]],
            y_max=100,
            y_suffix="%",
            highlight=[
                index for index, day in enumerate(data["attendance"]["days"]) if day["outbreak"]
            ],
        ),
    }
    for index, block in enumerate(data["marks"]):
        charts[f"marks{index}"] = bar_chart(
            title=_("Term marks, %(period)s") % {"period": block["period"]},
            desc=_("Number of marks of each value in the groups shown; the table follows."),
            labels=block["values"],
            values=block["total"]["counts"],
        )
    return charts


PDF_TEMPLATE = "monitoring/quarterly_report_pdf.html"


def quarterly_report_context(report: Report) -> dict[str, Any]:
    """What the PDF template is rendered with: made from Report.data only."""
    data = report.data
    charts = _charts(data)
    marks = [
        {**block, "chart": charts[f"marks{index}"]}
        for index, block in enumerate(data.get("marks", []))
    ]
    return {
        "report": report,
        "min_group": data["min_group"],
        "data": data,
        "charts": charts,
        "marks": marks,
        "start": dt.date.fromisoformat(data["start"]),
        "end": dt.date.fromisoformat(data["end"]),
        "weeks": [{**week, "week": dt.date.fromisoformat(week["week"])} for week in data["weeks"]],
        "days": [
            {**day, "date": dt.date.fromisoformat(day["date"])}
            for day in data["attendance"]["days"]
        ],
    }


def quarterly_report_html(report: Report) -> str:
    """The HTML the report's PDF is laid out from."""
    return render_to_string(PDF_TEMPLATE, quarterly_report_context(report))


def _fill_headers() -> list[tuple[str, int]]:
    return [
        (_("Lessons held"), 10),
        (_("Fill level, %"), 10),
        (_("Topics, %"), 10),
        (_("Attendance taken, %"), 12),
        (_("Homework, %"), 10),
        (_("On time, %"), 10),
        (_("Marks per student per month"), 14),
        (_("Thematic and term marks, %"), 14),
    ]


def _fill_cells(row: dict[str, Any]) -> list[Any]:
    return [
        row["lessons"],
        row["level"],
        row["topics"],
        row["attendance"],
        row["homework"],
        row["timeliness"],
        row["density"],
        row["finals"],
    ]


def quarterly_report_xlsx(data: dict[str, Any]) -> bytes:
    """The figures as a workbook with a sheet per topic."""
    scope = data["school"] or data["municipality"]
    start, end = dt.date.fromisoformat(data["start"]), dt.date.fromisoformat(data["end"])
    subtitle = f"{scope}, {date_ua(start)}–{date_ua(end)}"
    suppressed = ngettext(
        "fewer than %(count)s student", "fewer than %(count)s students", MIN_GROUP
    ) % {"count": MIN_GROUP}
    workbook, sheet = new_workbook(_("Fill level"))
    fill_rows: list[list[Any]] = [[_("Total"), *_fill_cells(data["fill"])]]
    if data["school"] is None:
        first = (_("School"), 24)
        fill_rows += [[row["label"], *_fill_cells(row)] for row in data["schools"]]
    else:
        first = (_("Teacher or class"), 24)
        fill_rows += [[row["label"], *_fill_cells(row)] for row in data["teachers"]]
        fill_rows += [[row["label"], *_fill_cells(row)] for row in data["classes"]]
    titled_sheet(
        sheet,
        title=_("Fill level of the journals"),
        subtitle=subtitle,
        headers=[first, *_fill_headers()],
        rows=fill_rows,
    )
    titled_sheet(
        workbook.create_sheet(_("By week")),
        title=_("Fill level by week"),
        subtitle=subtitle,
        headers=[(_("Week from"), 12), *_fill_headers()],
        rows=[[dt.date.fromisoformat(week["week"]), *_fill_cells(week)] for week in data["weeks"]],
    )
    titled_sheet(
        workbook.create_sheet(_("Attendance")),
        title=_("Attendance by day"),
        subtitle=subtitle,
        headers=[
            (_("Date"), 12),
            (_("Attended, %"), 12),
            (_("Missed through illness, %"), 14),
            (_("Ill per 1000 students"), 14),
            (_("Possible outbreak"), 12),
        ],
        rows=[
            [
                dt.date.fromisoformat(day["date"]),
                day["rate"] if not day["suppressed"] else suppressed,
                day["illness_rate"] if not day["suppressed"] else suppressed,
                day["ill_per_1000"] if not day["suppressed"] else suppressed,
                _("yes") if day["outbreak"] else "",
            ]
            for day in data["attendance"]["days"]
        ],
    )
    marks_sheet = workbook.create_sheet(_("Term marks"))
    mark_rows: list[list[Any]] = []
    width = max((len(block["values"]) for block in data["marks"]), default=0)
    for block in data["marks"]:
        mark_rows.append([block["period"], *block["values"], _("Total")])
        for row in block["rows"]:
            if row["suppressed"]:
                mark_rows.append([row["label"], suppressed])
            else:
                mark_rows.append([row["label"], *row["counts"], row["total"]])
        mark_rows.append(
            [_("All shown groups"), *block["total"]["counts"], block["total"]["total"]]
        )
        mark_rows.append([])
    titled_sheet(
        marks_sheet,
        title=_("Term marks"),
        subtitle=ngettext(
            "Groups of fewer than %(count)s student are left out of every figure.",
            "Groups of fewer than %(count)s students are left out of every figure.",
            MIN_GROUP,
        )
        % {"count": MIN_GROUP},
        headers=[(_("Group"), 28), *[("", 8)] * (width + 1)],
        rows=mark_rows,
    )
    return workbook_bytes(workbook)


def _snapshot(report: Report) -> dict[str, Any]:
    # The files by name: audit's snapshot cannot read an empty FileField (its `url`
    # raises ValueError); the figures are left out, they are in the report itself.
    return snapshot(report, exclude=("data", "xlsx", "pdf")) | {
        "xlsx": report.xlsx.name or "",
        "pdf": report.pdf.name or "",
    }


def _file_name(report: Report, extension: str) -> str:
    scope = (
        f"school-{report.school_id}" if report.school_id else f"community-{report.municipality_id}"
    )
    return f"monitoring-{scope}-{report.period_start:%Y-%m-%d}.{extension}"


def _report_row(
    *, municipality: Municipality, school: School | None, start: dt.date, end: dt.date
) -> tuple[Report, bool]:
    kind = ReportKind.QUARTERLY_SCHOOL if school else ReportKind.QUARTERLY_COMMUNITY
    lookup: dict[str, Any] = {"kind": kind, "period_start": start}
    if school is not None:
        lookup["school"] = school
    else:
        lookup |= {"municipality": municipality, "school__isnull": True}
    report = Report.objects.filter(**lookup).first()
    if report is not None:
        return report, False
    report = Report.objects.create(
        kind=kind, municipality=municipality, school=school, period_start=start, period_end=end
    )
    return report, True


def quarterly_report_produce(
    *,
    municipality: Municipality,
    school: School | None = None,
    start: dt.date,
    end: dt.date,
    now: dt.datetime | None = None,
) -> Report:
    """Produce (or produce again) the quarterly monitoring report of a school or of the
    community for the period: figures into Report.data, an XLSX and a PDF. One report
    per kind, scope and period: a second run replaces the first one's figures and files."""
    if school is not None and school.municipality_id != municipality.pk:
        raise ValidationError(_("The school is not in this community."))
    if end < start:
        raise ValidationError(_("The period ends before it starts."))
    report, _created = _report_row(municipality=municipality, school=school, start=start, end=end)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, error="")
    try:
        data = quarterly_figures(municipality=municipality, school=school, start=start, end=end)
        report.data = data
        report.period_end = end
        xlsx = quarterly_report_xlsx(data)
        pdf = pdf_from_template(PDF_TEMPLATE, quarterly_report_context(report))
    except Exception as exc:
        Report.objects.filter(pk=report.pk).update(
            status=ReportStatus.FAILED, error=str(exc)[:2000]
        )
        raise
    with transaction.atomic():
        before = _snapshot(report)
        for old in (report.xlsx, report.pdf):
            if old:
                old.delete(save=False)
        report.xlsx.save(_file_name(report, "xlsx"), ContentFile(xlsx), save=False)
        report.pdf.save(_file_name(report, "pdf"), ContentFile(pdf), save=False)
        report.status = ReportStatus.READY
        report.progress = 100
        report.error = ""
        report.finished_at = now or timezone.now()
        report.save()
        audit_record(
            actor=None,
            action="report.produce",
            obj=report,
            before=before,
            after=_snapshot(report),
            school_id=report.school_id,
        )
    return report


def quarterly_reports_produce_all(
    *,
    municipality: Municipality,
    start: dt.date,
    end: dt.date,
    requested_by: User | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """The community's report and one per school, schools first; the community report's
    progress counts the schools done. A school whose report fails is marked failed and
    the others go on."""
    schools = community_schools(municipality)
    community, _created = _report_row(municipality=municipality, school=None, start=start, end=end)
    Report.objects.filter(pk=community.pk).update(
        status=ReportStatus.RUNNING, progress=0, requested_by=requested_by or community.requested_by
    )
    steps = len(schools) + 1
    for done, school in enumerate(schools, 1):
        # A failure is kept on the school's report row; the other schools go on.
        with contextlib.suppress(Exception):
            quarterly_report_produce(
                municipality=municipality, school=school, start=start, end=end, now=now
            )
        Report.objects.filter(pk=community.pk).update(progress=int(100 * done / steps))
    return quarterly_report_produce(municipality=municipality, start=start, end=end, now=now)


def quarterly_reports_request(
    *, actor: User, municipality: Municipality, start: dt.date, end: dt.date
) -> Report:
    """A department specialist asks for the quarter's reports: the community's report row
    is queued and the run enqueued once the transaction commits. Refused while a run for
    the same quarter is waiting or running."""
    from zhurnal.monitoring.tasks import quarterly_reports_run

    if quarter_of(start) != (start, end):
        raise ValidationError(_("Choose a calendar quarter."))
    with transaction.atomic():
        report, created = _report_row(municipality=municipality, school=None, start=start, end=end)
        if not created and report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING):
            raise ValidationError(_("The reports for this quarter are already being produced."))
        before = _snapshot(report)
        report.status = ReportStatus.QUEUED
        report.progress = 0
        report.requested_by = actor
        report.save(update_fields=["status", "progress", "requested_by", "updated_at"])
        audit_record(
            actor=actor,
            action="report.request",
            obj=report,
            before=before,
            after=_snapshot(report),
        )
        transaction.on_commit(
            lambda: quarterly_reports_run.enqueue(
                municipality_id=municipality.pk,
                start=start.isoformat(),
                end=end.isoformat(),
                requested_by_id=actor.pk,
            )
        )
    return report


def local_now(now: dt.datetime | None = None) -> dt.datetime:
    return timezone.localtime(now or timezone.now(), school_tz())
