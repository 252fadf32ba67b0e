"""Remarks on journal keeping: the school's director and deputy directors write them to
teachers and keep the register (everyone else: 404); the teacher sees and puts right
their own."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhurnal.control.access import remark_for_user
from zhurnal.control.remarks.forms import RemarkFilterForm, RemarkForm, ReopenForm, ResolveForm
from zhurnal.control.remarks.selectors import (
    remark_cells,
    remark_columns,
    remarks_of_teacher,
    remarks_register,
)
from zhurnal.control.remarks.services import (
    journal_remark_create,
    journal_remark_reopen,
    journal_remark_resolve,
)
from zhurnal.core.exports import XLSX, download, new_workbook, titled_sheet, workbook_bytes
from zhurnal.core.forms import error_text, form_error_text
from zhurnal.core.http import AuthedRequest, safe_back_url, with_query
from zhurnal.core.timeutil import school_tz
from zhurnal.people.access import JOURNAL_CONTROLLERS, school_for_user
from zhurnal.people.models import Role
from zhurnal.people.selectors import school_staff
from zhurnal.schools.models import School
from zhurnal.timetable.access import assignment_for_user, lesson_for_user

PAGE_SIZE = 100


@login_required
def remark_new(request: AuthedRequest, school_id: int, assignment_id: int) -> HttpResponse:
    """Write a remark on journal keeping to the assignment's teacher, about the assignment
    or one of its lessons (?lesson=)."""
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    assignment = assignment_for_user(
        request.user, assignment_id, roles=JOURNAL_CONTROLLERS, within=school
    )
    source = request.POST if request.method == "POST" else request.GET
    lesson_id = source.get("lesson")
    # Any lesson of the school; the service refuses one of another assignment.
    lesson = (
        lesson_for_user(request.user, int(lesson_id), roles=JOURNAL_CONTROLLERS, within=school)
        if lesson_id and lesson_id.isdigit()
        else None
    )
    fallback = reverse("control:fill_teacher", args=[school.pk, assignment.teacher_id])
    back = safe_back_url(request, source.get("back"), fallback)
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
        "control/remarks/new.html",
        {
            "school": school,
            "assignment": assignment,
            "label": str(assignment),
            "lesson": lesson,
            "form": form,
            "back": back,
            "read_only": assignment.year.closed_at is not None
            or assignment.class_group.closed_at is not None,
        },
        status=status,
    )


class RemarkRegister:
    """The register asked for: the bound filter form and, when it is valid, the remarks."""

    def __init__(self, request: AuthedRequest, school: School) -> None:
        self.form = RemarkFilterForm(
            request.GET, teachers=school_staff(school, role=Role.TEACHER, active_only=False)
        )
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
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    register = RemarkRegister(request, school)
    page = None
    if register.queryset is not None:
        page = Paginator(register.queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "control/remarks/register.html",
        {
            "school": school,
            "form": register.form,
            "page_obj": page,
            "xlsx_url": with_query(
                reverse("control:remarks_xlsx", args=[school.pk]), register.query()
            ),
            "back": request.get_full_path(),
        },
    )


@login_required
def remarks_xlsx(request: AuthedRequest, school_id: int) -> HttpResponse:
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    register = RemarkRegister(request, school)
    if register.queryset is None:
        messages.error(request, form_error_text(register.form))
        return redirect("control:remarks", school.pk)
    tz = school_tz(school.municipality.time_zone)

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
            *remark_columns(),
            (_("Put right at"), 17),
            (_("Teacher's note"), 30),
        ],
        rows=[
            [
                local(remark.created_at),
                remark.author.short_name,
                *remark_cells(remark),
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
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    remark = remark_for_user(request.user, remark_id, roles=JOURNAL_CONTROLLERS, within=school)
    back = safe_back_url(
        request, request.POST.get("back"), reverse("control:remarks", args=[school.pk])
    )
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect(back)
    try:
        journal_remark_reopen(actor=request.user, remark=remark, reason=form.cleaned_data["reason"])
    except PermissionDenied as exc:
        raise Http404(_("Not found")) from exc
    except ValidationError as exc:
        messages.error(request, error_text(exc))
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
        "control/remarks/mine.html",
        {"remarks": remarks_of_teacher(request.user), "back": request.get_full_path()},
    )


@login_required
@require_POST
def remark_resolve(request: AuthedRequest, remark_id: int) -> HttpResponse:
    """The teacher marks a remark put right (only the teacher it was written to)."""
    remark = remark_for_user(request.user, remark_id)
    back = safe_back_url(request, request.POST.get("back"), reverse("control:my_remarks"))
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect(back)
    try:
        journal_remark_resolve(actor=request.user, remark=remark, note=form.cleaned_data["note"])
    except PermissionDenied as exc:
        raise Http404(_("Not found")) from exc
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The remark is marked as put right."))
    return redirect(back)
