"""The class teacher's pages of a class: attendance by day, week, month and term (with
the students who missed most without excuse), excusing absences for a range of days,
and the achievement summary sheet. The class teacher and the school's director, deputy
directors and administrator read them; everyone else gets 404."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from zhurnal.core.exports import (
    PDF,
    XLSX,
    download,
    new_workbook,
    pdf_from_template,
    titled_sheet,
    workbook_bytes,
)
from zhurnal.core.formats import date_ua, transliterate
from zhurnal.core.http import AuthedRequest
from zhurnal.core.timeutil import local_today
from zhurnal.journal.classteacher.access import can_excuse_absences, excuse_for_user
from zhurnal.journal.classteacher.forms import ExcuseForm
from zhurnal.journal.classteacher.selectors import (
    PERIOD_KINDS,
    WEEK,
    AttendanceSummary,
    SummarySheet,
    attendance_period,
    class_attendance,
    class_excuses,
    class_terms,
    excuse_students,
    period_kind_labels,
    summary_sheet,
)
from zhurnal.journal.models import Excuse
from zhurnal.journal.services import absences_excuse
from zhurnal.people.access import class_group_for_user
from zhurnal.schools.models import ClassGroup

YEAR = "year"


def _today(class_group: ClassGroup) -> dt.date:
    return local_today(class_group.year.school.municipality.time_zone)


def _file_stem(class_group: ClassGroup) -> str:
    return transliterate(str(class_group)).replace(" ", "-")


# --- attendance ---------------------------------------------------------------------------


def _attendance(request: AuthedRequest, class_group: ClassGroup) -> AttendanceSummary:
    kind = request.GET.get("period", WEEK)
    if kind not in PERIOD_KINDS:
        kind = WEEK
    try:
        on = dt.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        on = _today(class_group)
    period = attendance_period(kind=kind, on=on, terms=class_terms(class_group))
    return class_attendance(class_group=class_group, period=period)


def _period_url(class_group: ClassGroup, kind: str, on: dt.date | None) -> str:
    base = reverse("journal:classteacher_attendance", args=[class_group.pk])
    query = {"period": kind} | ({"on": on.isoformat()} if on else {})
    return f"{base}?{urlencode(query)}"


@login_required
def attendance(request: AuthedRequest, class_group_id: int) -> HttpResponse:
    """Attendance of the class for a day, week, month or term: per student lessons missed,
    excused, unexcused and lates; for a day the grid of its lessons."""
    class_group = class_group_for_user(request.user, class_group_id)
    summary = _attendance(request, class_group)
    period = summary.period
    labels = period_kind_labels()
    switcher = [
        {
            "kind": kind,
            "label": labels[kind],
            "url": _period_url(class_group, kind, period.start),
            "current": kind == period.kind,
        }
        for kind in PERIOD_KINDS
    ]
    query = {"period": period.kind, "on": period.start.isoformat()}
    return render(
        request,
        "journal/classteacher/attendance.html",
        {
            "class_group": class_group,
            "school": class_group.year.school,
            "summary": summary,
            "period": period,
            "switcher": switcher,
            "previous_url": period.previous_on
            and _period_url(class_group, period.kind, period.previous_on),
            "next_url": period.next_on and _period_url(class_group, period.kind, period.next_on),
            "xlsx_url": reverse("journal:classteacher_attendance_xlsx", args=[class_group.pk])
            + "?"
            + urlencode(query),
            "can_excuse": can_excuse_absences(request.user, class_group),
            "current": "attendance",
        },
    )


@login_required
@require_GET
def attendance_xlsx(request: AuthedRequest, class_group_id: int) -> HttpResponse:
    """The same table as the attendance page, as a spreadsheet."""
    class_group = class_group_for_user(request.user, class_group_id)
    summary = _attendance(request, class_group)
    title = _("Attendance of class %(class)s") % {"class": class_group}
    workbook, sheet = new_workbook(title)
    headers = [
        ("№", 5),
        (_("Student"), 28),
        (_("Lessons missed"), 12),
        (_("Excused"), 12),
        (_("Unexcused"), 12),
        (_("Lates"), 10),
    ]
    headers += [(str(number), 5) for number in summary.day_periods]
    rows: list[list[Any]] = [
        [
            row.number,
            row.name,
            row.missed,
            row.excused,
            row.unexcused,
            row.late,
            *(cell.text for cell in row.cells),
        ]
        for row in summary.rows
    ]
    totals = summary.totals
    rows.append(["", totals.name, totals.missed, totals.excused, totals.unexcused, totals.late])
    titled_sheet(
        sheet,
        title=title,
        subtitle=f"{class_group.year.school.short_name} · {summary.period.label}",
        headers=headers,
        rows=rows,
    )
    return download(
        workbook_bytes(workbook),
        filename=f"attendance-{_file_stem(class_group)}-{summary.period.start.isoformat()}.xlsx",
        content_type=XLSX,
    )


# --- excuses ------------------------------------------------------------------------------


@login_required
def excuses(request: AuthedRequest, class_group_id: int) -> HttpResponse:
    """Excuse a student's absences for a range of days, and the class's excuses so far."""
    user = request.user
    class_group = class_group_for_user(user, class_group_id)
    may_excuse = can_excuse_absences(user, class_group)
    form = None
    if may_excuse:
        form = ExcuseForm(
            request.POST or None, request.FILES or None, students=excuse_students(class_group)
        )
    if request.method == "POST":
        if form is None:
            raise Http404(_("Not found"))
        if form.is_valid():
            try:
                excuse = absences_excuse(
                    actor=user,
                    class_group=class_group,
                    student=form.chosen_student(),
                    starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"],
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    document=form.cleaned_data["document"],
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(
                    None,
                    error.messages if isinstance(error, ValidationError) else str(error),
                )
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s absence of %(student)s excused (%(start)s–%(end)s).",
                        "%(count)s absences of %(student)s excused (%(start)s–%(end)s).",
                        excuse.absences_excused,
                    )
                    % {
                        "count": excuse.absences_excused,
                        "student": excuse.student.short_name,
                        "start": date_ua(excuse.starts_on),
                        "end": date_ua(excuse.ends_on),
                    },
                )
                return redirect("journal:classteacher_excuses", class_group_id=class_group.pk)
    return render(
        request,
        "journal/classteacher/excuses.html",
        {
            "class_group": class_group,
            "school": class_group.year.school,
            "form": form,
            "excuses": class_excuses(class_group),
            "reasons": dict(Excuse.choices),
            "read_only": class_group.is_closed,
            "current": "excuses",
        },
    )


@login_required
@require_GET
def excuse_document(request: AuthedRequest, class_group_id: int, excuse_id: int) -> FileResponse:
    """The scanned document of an excuse, for those who may read the class's pages."""
    class_group = class_group_for_user(request.user, class_group_id)
    excuse = excuse_for_user(request.user, excuse_id, within=class_group)
    if not excuse.document:
        raise Http404(_("Not found"))
    try:
        handle = excuse.document.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Not found")) from exc
    return FileResponse(handle, as_attachment=True, filename=excuse.document_name or "document")


# --- the achievement summary sheet --------------------------------------------------------


def _sheet(request: AuthedRequest, class_group: ClassGroup) -> SummarySheet:
    terms = class_terms(class_group)
    wanted = request.GET.get("term", "")
    term = None
    if wanted != YEAR:
        term = next((item for item in terms if str(item.pk) == wanted), None)
        if term is None and terms:
            today = _today(class_group)
            started = [item for item in terms if item.starts_on <= today]
            term = started[-1] if started else terms[0]
    return summary_sheet(class_group=class_group, terms=terms, term=term)


def _sheet_query(sheet: SummarySheet) -> str:
    return urlencode({"term": sheet.term.pk if sheet.term else YEAR})


@login_required
@require_GET
def summary(request: AuthedRequest, class_group_id: int) -> HttpResponse:
    """Зведена відомість обліку навчальних досягнень for a term or for the year."""
    class_group = class_group_for_user(request.user, class_group_id)
    sheet = _sheet(request, class_group)
    query = _sheet_query(sheet)
    return render(
        request,
        "journal/classteacher/summary.html",
        {
            "class_group": class_group,
            "school": class_group.year.school,
            "sheet": sheet,
            "choices": [(str(term.pk), term.name) for term in sheet.terms] + [(YEAR, _("Year"))],
            "chosen": str(sheet.term.pk) if sheet.term else YEAR,
            "xlsx_url": reverse("journal:classteacher_summary_xlsx", args=[class_group.pk])
            + f"?{query}",
            "pdf_url": reverse("journal:classteacher_summary_pdf", args=[class_group.pk])
            + f"?{query}",
            "current": "summary",
        },
    )


def _sheet_filename(sheet: SummarySheet, extension: str) -> str:
    which = f"term-{sheet.term.number}" if sheet.term else "year"
    return f"summary-{_file_stem(sheet.class_group)}-{which}.{extension}"


@login_required
@require_GET
def summary_xlsx(request: AuthedRequest, class_group_id: int) -> HttpResponse:
    class_group = class_group_for_user(request.user, class_group_id)
    sheet = _sheet(request, class_group)
    workbook, worksheet = new_workbook(_("Summary sheet"))
    subject_names = {item.subject.pk: item.subject.name for item in sheet.subjects}
    headers = [("№", 5), (_("Student"), 28)]
    for column in sheet.columns:
        name = subject_names[column.subject_id]
        header = f"{name}: {column.header}" if sheet.per_subject else name
        headers.append((header, 12))
    titled_sheet(
        worksheet,
        title=sheet.title,
        subtitle=f"{class_group.year.school.name} · {_('→ corrected term mark')}",
        headers=headers,
        rows=[[row.number, row.name, *(cell.text for cell in row.cells)] for row in sheet.rows],
    )
    return download(
        workbook_bytes(workbook), filename=_sheet_filename(sheet, "xlsx"), content_type=XLSX
    )


@login_required
@require_GET
def summary_pdf(request: AuthedRequest, class_group_id: int) -> HttpResponse:
    class_group = class_group_for_user(request.user, class_group_id)
    sheet = _sheet(request, class_group)
    content = pdf_from_template(
        "journal/classteacher/summary_pdf.html",
        {"sheet": sheet, "school": class_group.year.school, "today": _today(class_group)},
    )
    return download(content, filename=_sheet_filename(sheet, "pdf"), content_type=PDF)
