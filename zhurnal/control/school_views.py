"""The school's control of journal keeping (S5): the fill level with drill-down to
teachers, assignments and lessons, remarks to teachers, and the weekly reports. For the
school's director and deputy directors (everyone else: 404); teachers see and put right
their own remarks."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhurnal.control.corrections.selectors import school_teachers
from zhurnal.control.metrics import GroupFill, lesson_gaps, school_fill, week_start
from zhurnal.control.models import JournalRemarkStatus, Report, ReportKind, ReportStatus
from zhurnal.control.school_forms import (
    FillPeriodForm,
    Period,
    ProduceForm,
    RemarkFilterForm,
    RemarkForm,
    ReopenForm,
    ResolveForm,
)
from zhurnal.control.school_selectors import (
    assignment_label,
    assignment_of_school,
    figures,
    period_range,
    previous_week,
    remark_for_teacher,
    remark_of_school,
    remarks_of_assignments,
    remarks_of_teacher,
    remarks_register,
    school_teacher,
)
from zhurnal.control.services import (
    journal_remark_create,
    journal_remark_reopen,
    journal_remark_resolve,
)
from zhurnal.control.weekly import report_context, weekly_report_request
from zhurnal.core.exports import PDF, XLSX, download, new_workbook, titled_sheet, workbook_bytes
from zhurnal.core.formats import date_ua
from zhurnal.core.http import AuthedRequest
from zhurnal.core.timeutil import local_today, school_tz
from zhurnal.journal.access import JOURNAL_CONTROLLERS
from zhurnal.people.access import school_for_user
from zhurnal.schools.models import School
from zhurnal.timetable.models import Lesson

PAGE_SIZE = 100
VIEWS = ("teachers", "classes", "subjects")


def _school(request: AuthedRequest, school_id: int) -> School:
    return school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)


def _today(school: School) -> dt.date:
    return local_today(school.municipality.time_zone)


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _safe_back(request: AuthedRequest, raw: str | None, fallback: str) -> str:
    if raw and url_has_allowed_host_and_scheme(
        raw, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return raw
    return fallback


# --- the period of the fill pages ---------------------------------------------------------


class FillRange:
    """The range the fill pages count, from the query string; its query is carried
    through the drill-down links."""

    def __init__(self, request: AuthedRequest, school: School) -> None:
        self.form = FillPeriodForm(request.GET or None)
        today = _today(school)
        if self.form.is_bound and not self.form.is_valid():
            self.valid = False
            self.start, self.end = previous_week(today)
            self.period = Period.CUSTOM
            return
        self.valid = True
        data = self.form.cleaned_data if self.form.is_bound else {}
        self.period = data.get("period") or Period.PREVIOUS_WEEK
        self.start, self.end = period_range(
            school=school,
            period=self.period,
            start=data.get("start"),
            end=data.get("end"),
            today=today,
        )
        if not self.form.is_bound:
            self.form = FillPeriodForm(
                initial={"period": self.period, "start": self.start, "end": self.end}
            )

    @property
    def query(self) -> str:
        return urlencode(
            {
                "period": Period.CUSTOM,
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
            }
        )


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


# --- the fill level -----------------------------------------------------------------------


def _group_rows(
    school: School, groups: list[GroupFill], view: str, query: str
) -> list[dict[str, Any]]:
    rows = []
    for group in groups:
        url = ""
        if view == "teachers":
            url = reverse("control:fill_teacher", args=[school.pk, group.key])
        rows.append(
            {
                "label": group.label,
                "url": _with_query(url, query) if url else "",
                "figures": figures(group.counts),
                "assignments": [
                    {
                        "label": assignment_label(item.assignment),
                        "teacher": item.assignment.teacher.short_name,
                        "teacher_url": _with_query(
                            reverse(
                                "control:fill_teacher", args=[school.pk, item.assignment.teacher_id]
                            ),
                            query,
                        ),
                        "url": _with_query(
                            reverse(
                                "control:fill_assignment", args=[school.pk, item.assignment.pk]
                            ),
                            query,
                        ),
                        "level": item.counts.level,
                    }
                    for item in group.assignments
                ],
            }
        )
    return rows


@login_required
def fill(request: AuthedRequest, school_id: int) -> HttpResponse:
    """Рівень заповнення журналів: the school total over a period and its teachers (or
    classes, or subjects), the worst kept first."""
    school = _school(request, school_id)
    period = FillRange(request, school)
    asked = request.GET.get("view", "")
    view = asked if asked in VIEWS else "teachers"
    context: dict[str, Any] = {"school": school, "range": period, "view": view}
    if period.valid:
        result = school_fill(school=school, start=period.start, end=period.end)
        groups = {
            "teachers": result.by_teacher,
            "classes": result.by_class,
            "subjects": result.by_subject,
        }[view]()
        context |= {
            "total": figures(result.total()),
            "rows": _group_rows(school, groups, view, period.query),
            "view_urls": [
                (
                    name,
                    label,
                    _with_query(
                        reverse("control:fill", args=[school.pk]), f"{period.query}&view={name}"
                    ),
                )
                for name, label in (
                    ("teachers", _("by teacher")),
                    ("classes", _("by class")),
                    ("subjects", _("by subject")),
                )
            ],
        }
    return render(request, "control/school_fill.html", context)


@login_required
def fill_teacher(request: AuthedRequest, school_id: int, teacher_id: int) -> HttpResponse:
    """One teacher's assignments with the same figures, each drilling down to its lessons
    with gaps; the remarks written about them."""
    school = _school(request, school_id)
    teacher = school_teacher(school, teacher_id)
    period = FillRange(request, school)
    context: dict[str, Any] = {"school": school, "teacher": teacher, "range": period}
    if period.valid:
        result = school_fill(
            school=school, start=period.start, end=period.end, teacher_id=teacher.pk
        )
        context |= {
            "total": figures(result.total()),
            "rows": [
                {
                    "assignment": row.assignment,
                    "label": assignment_label(row.assignment),
                    "figures": figures(row.counts),
                    "url": _with_query(
                        reverse("control:fill_assignment", args=[school.pk, row.assignment.pk]),
                        period.query,
                    ),
                    "remark_url": _with_query(
                        reverse("control:remark_new", args=[school.pk, row.assignment.pk]),
                        urlencode({"back": request.get_full_path()}),
                    ),
                }
                for row in result.rows
            ],
            "remarks": remarks_of_assignments(
                list(
                    teacher.teaching_assignments.filter(year__school=school).values_list(
                        "pk", flat=True
                    )
                )
            ),
        }
    return render(request, "control/school_fill_teacher.html", context)


@login_required
def fill_assignment(request: AuthedRequest, school_id: int, assignment_id: int) -> HttpResponse:
    """The lessons of one assignment with gaps in the period, each linking to the lesson
    and the journal grid, with a remark to write about it."""
    school = _school(request, school_id)
    assignment = assignment_of_school(school, assignment_id)
    period = FillRange(request, school)
    gaps = (
        lesson_gaps(assignment=assignment, start=period.start, end=period.end)
        if period.valid
        else []
    )
    back = request.get_full_path()
    new_url = reverse("control:remark_new", args=[school.pk, assignment.pk])
    return render(
        request,
        "control/school_fill_assignment.html",
        {
            "school": school,
            "assignment": assignment,
            "label": assignment_label(assignment),
            "range": period,
            "gaps": [
                {
                    "gap": gap,
                    "remark_url": _with_query(
                        new_url, urlencode({"lesson": gap.lesson.pk, "back": back})
                    ),
                }
                for gap in gaps
            ],
            "teacher_url": _with_query(
                reverse("control:fill_teacher", args=[school.pk, assignment.teacher_id]),
                period.query,
            ),
            "remark_url": _with_query(new_url, urlencode({"back": back})),
            "remarks": remarks_of_assignments([assignment.pk]),
        },
    )


# --- remarks ------------------------------------------------------------------------------


@login_required
def remark_new(request: AuthedRequest, school_id: int, assignment_id: int) -> HttpResponse:
    """Write a remark on journal keeping to the assignment's teacher, about the assignment
    or one of its lessons (?lesson=)."""
    school = _school(request, school_id)
    assignment = assignment_of_school(school, assignment_id)
    source = request.POST if request.method == "POST" else request.GET
    lesson_id = source.get("lesson")
    lesson = None
    if lesson_id and lesson_id.isdigit():
        # Any lesson of the school; the service refuses one of another assignment.
        lesson = (
            Lesson.objects.filter(pk=int(lesson_id), assignment__year__school=school)
            .select_related("period")
            .first()
        )
        if lesson is None:
            raise Http404(_("Not found"))
    fallback = reverse("control:fill_teacher", args=[school.pk, assignment.teacher_id])
    back = _safe_back(request, source.get("back"), fallback)
    if request.method == "POST":
        form = RemarkForm(request.POST)
        if form.is_valid():
            try:
                journal_remark_create(
                    actor=request.user,
                    assignment=assignment,
                    lesson=lesson,
                    text=form.cleaned_data["text"],
                    due_on=form.cleaned_data["due_on"],
                )
            except PermissionDenied as exc:
                raise Http404(_("Not found")) from exc
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("The remark is written to %(teacher)s.")
                    % {"teacher": assignment.teacher.full_name},
                )
                return redirect(back)
        status = 400
    else:
        form = RemarkForm(initial={"lesson": lesson.pk if lesson else None, "back": back})
        status = 200
    return render(
        request,
        "control/remark_new.html",
        {
            "school": school,
            "assignment": assignment,
            "label": assignment_label(assignment),
            "lesson": lesson,
            "form": form,
            "back": back,
            "read_only": assignment.year.closed_at is not None,
        },
        status=status,
    )


class RemarkRegister:
    def __init__(self, request: AuthedRequest, school: School) -> None:
        self.form = RemarkFilterForm(request.GET, teachers=school_teachers(school))
        self.queryset = None
        if self.form.is_valid():
            self.queryset = remarks_register(
                school=school,
                tz_name=school.municipality.time_zone,
                status=self.form.cleaned_data["status"],
                teacher=self.form.cleaned_data["teacher"],
                start=self.form.cleaned_data["start"],
                end=self.form.cleaned_data["end"],
            )

    def query(self) -> str:
        if not self.form.is_valid():
            return ""
        data = self.form.cleaned_data
        query = {
            "status": data["status"] or "",
            "teacher": str(data["teacher"].pk) if data["teacher"] else "",
            "start": data["start"].isoformat() if data["start"] else "",
            "end": data["end"].isoformat() if data["end"] else "",
        }
        return urlencode({key: value for key, value in query.items() if value})


@login_required
def remarks(request: AuthedRequest, school_id: int) -> HttpResponse:
    """Реєстр зауважень: the school's remarks on journal keeping, filtered."""
    school = _school(request, school_id)
    register = RemarkRegister(request, school)
    page = None
    if register.queryset is not None:
        page = Paginator(register.queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = register.query()
    return render(
        request,
        "control/remark_register.html",
        {
            "school": school,
            "form": register.form,
            "page_obj": page,
            "xlsx_url": _with_query(reverse("control:remarks_xlsx", args=[school.pk]), query),
            "back": request.get_full_path(),
        },
    )


@login_required
def remarks_xlsx(request: AuthedRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id)
    register = RemarkRegister(request, school)
    if register.queryset is None:
        messages.error(
            request, " ".join(str(e) for errors in register.form.errors.values() for e in errors)
        )
        return redirect("control:remarks", school.pk)
    tz = school_tz(school.municipality.time_zone)
    labels = dict(JournalRemarkStatus.choices)

    def local(moment: dt.datetime | None) -> dt.datetime | None:
        # Spreadsheets have no time zones: the school's wall-clock time.
        return moment.astimezone(tz).replace(tzinfo=None) if moment else None

    workbook, sheet = new_workbook(_("Remarks"))
    titled_sheet(
        sheet,
        title=_("Register of remarks on journal keeping"),
        subtitle=school.name,
        headers=[
            (_("Written at"), 17),
            (_("Written by"), 24),
            (_("Teacher"), 24),
            (_("Class and subject"), 28),
            (_("Lesson"), 14),
            (_("Remark"), 50),
            (_("Put right by"), 12),
            (_("Status"), 16),
            (_("Put right at"), 17),
            (_("Teacher's note"), 30),
        ],
        rows=[
            [
                local(remark.created_at),
                remark.author.short_name,
                remark.teacher.short_name,
                assignment_label(remark.assignment),
                f"{date_ua(remark.lesson.date)}, {remark.lesson.period.number}"
                if remark.lesson
                else "",
                remark.text,
                remark.due_on,
                str(labels[remark.status]),
                local(remark.resolved_at),
                remark.resolution_note,
            ]
            for remark in register.queryset
        ],
    )
    return download(
        workbook_bytes(workbook), filename=f"remarks-{school.code}.xlsx", content_type=XLSX
    )


@login_required
@require_POST
def remark_reopen(request: AuthedRequest, school_id: int, remark_id: int) -> HttpResponse:
    """Open a remark again: the teacher did not really put it right."""
    school = _school(request, school_id)
    remark = remark_of_school(school, remark_id)
    back = _safe_back(
        request, request.POST.get("back"), reverse("control:remarks", args=[school.pk])
    )
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    try:
        journal_remark_reopen(actor=request.user, remark=remark, reason=form.cleaned_data["reason"])
    except PermissionDenied as exc:
        raise Http404(_("Not found")) from exc
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            _("The remark to %(teacher)s is open again.") % {"teacher": remark.teacher.full_name},
        )
    return redirect(back)


@login_required
def my_remarks(request: AuthedRequest) -> HttpResponse:
    """The teacher's own remarks on journal keeping, open ones first."""
    return render(
        request,
        "control/remark_mine.html",
        {"remarks": remarks_of_teacher(request.user), "back": request.get_full_path()},
    )


@login_required
@require_POST
def remark_resolve(request: AuthedRequest, remark_id: int) -> HttpResponse:
    """The teacher marks a remark put right (only the teacher it was written to)."""
    remark = remark_for_teacher(request.user, remark_id)
    back = _safe_back(request, request.POST.get("back"), reverse("control:my_remarks"))
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    try:
        journal_remark_resolve(actor=request.user, remark=remark, note=form.cleaned_data["note"])
    except PermissionDenied as exc:
        raise Http404(_("Not found")) from exc
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("The remark is marked as put right."))
    return redirect(back)


# --- weekly reports -----------------------------------------------------------------------


def _reports_of_school(school: School) -> Any:
    return Report.objects.filter(kind=ReportKind.WEEKLY_SCHOOL, school=school).select_related(
        "requested_by"
    )


def _report_of_school(school: School, report_id: int) -> Report:
    report = _reports_of_school(school).filter(pk=report_id).first()
    if report is None:
        raise Http404(_("Not found"))
    return report


@login_required
def weekly(request: AuthedRequest, school_id: int) -> HttpResponse:
    """The school's kept weekly reports and producing one now."""
    school = _school(request, school_id)
    return _weekly_page(request, school, ProduceForm(initial={"week": _default_week(school)}))


def _default_week(school: School) -> dt.date:
    return previous_week(_today(school))[0]


def _weekly_page(
    request: AuthedRequest, school: School, form: ProduceForm, status: int = 200
) -> HttpResponse:
    reports = list(_reports_of_school(school).order_by("-period_start", "-id")[:60])
    busy = any(r.status in (ReportStatus.QUEUED, ReportStatus.RUNNING) for r in reports)
    return render(
        request,
        "control/weekly_list.html",
        {"school": school, "reports": reports, "form": form, "busy": busy},
        status=status,
    )


@login_required
@require_POST
def weekly_produce(request: AuthedRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id)
    form = ProduceForm(request.POST)
    if not form.is_valid():
        return _weekly_page(request, school, form, status=400)
    monday = week_start(form.cleaned_data["week"])
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
        % {"start": date_ua(monday), "end": date_ua(monday + dt.timedelta(days=6))},
    )
    return redirect("control:weekly", school.pk)


@login_required
def weekly_report(request: AuthedRequest, school_id: int, report_id: int) -> HttpResponse:
    """One weekly report, shown from its kept figures."""
    school = _school(request, school_id)
    report = _report_of_school(school, report_id)
    context = report_context(report.data) if report.data else {}
    return render(
        request,
        "control/weekly_report.html",
        {"school": school, "report": report, **context},
    )


@login_required
def weekly_file(request: AuthedRequest, school_id: int, report_id: int, kind: str) -> HttpResponse:
    """The report's XLSX or PDF, after the access check (never served from /media/)."""
    school = _school(request, school_id)
    report = _report_of_school(school, report_id)
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
