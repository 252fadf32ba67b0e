"""The calendar plan's pages: the teacher's plan of an assignment in a term (written as
lines, imported from XLSX or a paste with a preview first, submitted), the deputy's
approval and the school's progress against the plans, and the shared templates."""

from __future__ import annotations

import io
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook

from zhurnal.accounts.models import User
from zhurnal.core.http import AuthedRequest
from zhurnal.core.timeutil import school_today, school_tz
from zhurnal.people.access import JOURNAL_CONTROLLERS, role_school_ids, school_for_user
from zhurnal.plans.access import plan_for_user, template_for_user, templates_for_user
from zhurnal.plans.forms import (
    PlanImportForm,
    PlanTextForm,
    PublishForm,
    ReturnForm,
    TemplateFilterForm,
)
from zhurnal.plans.importing import ParsedPlan, parse_text, parse_xlsx, plan_text
from zhurnal.plans.models import Plan, PlanStatus
from zhurnal.plans.selectors import plan_of, school_progress, templates_list, term_on, terms_of
from zhurnal.plans.services import (
    plan_approve,
    plan_return,
    plan_save,
    plan_submit,
    plan_themes,
    template_delete,
    template_publish,
)
from zhurnal.schools.models import Term
from zhurnal.timetable.access import assignment_for_user
from zhurnal.timetable.models import TeachingAssignment


def _term(assignment: TeachingAssignment, terms: list[Term], value: object) -> Term:
    for term in terms:
        if str(term.pk) == str(value):
            return term
    if value not in (None, ""):
        raise Http404
    current = term_on(terms, school_today(assignment.year.school))
    if current is None:
        raise Http404
    return current


def _plan_url(assignment: TeachingAssignment, term: Term) -> str:
    return f"{reverse('plans:plan', args=[assignment.pk])}?term={term.pk}"


def _is_controller(user: User, assignment: TeachingAssignment) -> bool:
    return (
        role_school_ids(user, JOURNAL_CONTROLLERS)
        .filter(school_id=assignment.year.school_id)
        .exists()
    )


def _render_plan(
    request: AuthedRequest,
    assignment: TeachingAssignment,
    term: Term,
    terms: list[Term],
    *,
    text_form: PlanTextForm | None = None,
    import_form: PlanImportForm | None = None,
    preview: ParsedPlan | None = None,
    status: int = 200,
) -> HttpResponse:
    plan = plan_of(assignment, term)
    writer = assignment.teacher_id == request.user.pk
    closed = assignment.year.closed_at is not None or assignment.class_group.closed_at is not None
    editable = writer and not closed
    themes = plan_themes(plan) if plan is not None else []
    if editable and text_form is None:
        text_form = PlanTextForm(initial={"term": term.pk, "text": plan_text(themes)})
    if editable and import_form is None:
        import_form = PlanImportForm(initial={"term": term.pk})
    controller = _is_controller(request.user, assignment)
    return render(
        request,
        "plans/plan.html",
        {
            "assignment": assignment,
            "term": term,
            "terms": terms,
            "plan": plan,
            "themes": themes,
            "editable": editable,
            "closed": closed,
            "controller": controller and not closed,
            "text_form": text_form,
            "import_form": import_form,
            "preview": preview,
            "return_form": ReturnForm(),
            "publish_form": PublishForm(initial={"title": str(assignment.subject)}),
            "statuses": PlanStatus,
        },
        status=status,
    )


@login_required
@require_GET
def plan_page(request: AuthedRequest, assignment_id: int) -> HttpResponse:
    """The plan of an assignment in a term: the teacher's forms; the same page read by the
    class teacher and the school's administration (approval for the director and deputies)."""
    assignment = assignment_for_user(request.user, assignment_id)
    terms = terms_of(assignment)
    term = _term(assignment, terms, request.GET.get("term"))
    return _render_plan(request, assignment, term, terms)


@login_required
@require_POST
def plan_save_view(request: AuthedRequest, assignment_id: int) -> HttpResponse:
    """The plan's lines saved (also the confirmation of an import's or template's preview)."""
    assignment = assignment_for_user(request.user, assignment_id, write=True)
    terms = terms_of(assignment)
    form = PlanTextForm(request.POST)
    term = _term(assignment, terms, request.POST.get("term"))
    if form.is_valid():
        parsed = parse_text(form.cleaned_data["text"])
        try:
            plan_save(actor=request.user, assignment=assignment, term=term, parsed=parsed)
        except ValidationError as exc:
            form.add_error("text", exc)
        else:
            messages.success(request, _("The plan is saved."))
            return redirect(_plan_url(assignment, term))
    return _render_plan(request, assignment, term, terms, text_form=form, status=400)


@login_required
@require_POST
def plan_import(request: AuthedRequest, assignment_id: int) -> HttpResponse:
    """A workbook or a paste read into a preview: nothing is saved until the teacher
    confirms the lines shown (which they may still edit)."""
    assignment = assignment_for_user(request.user, assignment_id, write=True)
    terms = terms_of(assignment)
    term = _term(assignment, terms, request.POST.get("term"))
    form = PlanImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_plan(request, assignment, term, terms, import_form=form, status=400)
    try:
        upload = form.cleaned_data.get("file")
        parsed = parse_xlsx(upload) if upload else parse_text(form.cleaned_data["pasted"])
    except ValidationError as exc:
        form.add_error("file", exc)
        return _render_plan(request, assignment, term, terms, import_form=form, status=400)
    if parsed.errors:
        for error in parsed.errors:
            form.add_error(None, error)
        return _render_plan(request, assignment, term, terms, import_form=form, status=400)
    text_form = PlanTextForm(initial={"term": term.pk, "text": plan_text(parsed.themes)})
    return _render_plan(
        request, assignment, term, terms, text_form=text_form, import_form=form, preview=parsed
    )


def _status_write(request: AuthedRequest, plan: Plan, write: Callable[[], object]) -> HttpResponse:
    """A change of the plan's status; a refusal comes back as a message on the plan."""
    try:
        write()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect(_plan_url(plan.assignment, plan.term))


@login_required
@require_POST
def plan_submit_view(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, write=True)
    response = _status_write(request, plan, lambda: plan_submit(actor=request.user, plan=plan))
    if plan.status == PlanStatus.SUBMITTED:
        messages.success(request, _("The plan is sent to the deputy director for approval."))
    return response


@login_required
@require_POST
def plan_approve_view(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, roles=JOURNAL_CONTROLLERS)
    response = _status_write(request, plan, lambda: plan_approve(actor=request.user, plan=plan))
    if plan.status == PlanStatus.APPROVED:
        messages.success(request, _("The plan is approved."))
    return response


@login_required
@require_POST
def plan_return_view(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id, roles=JOURNAL_CONTROLLERS)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write what should be changed."))
        return redirect(_plan_url(plan.assignment, plan.term))
    note = form.cleaned_data["note"]
    response = _status_write(
        request, plan, lambda: plan_return(actor=request.user, plan=plan, note=note)
    )
    if plan.status == PlanStatus.RETURNED:
        messages.success(request, _("The plan is returned to the teacher."))
    return response


@login_required
@require_GET
def plan_xlsx_template(request: AuthedRequest) -> HttpResponse:
    """An empty КТП workbook with the columns the import reads."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "КТП"
    sheet.append(["№ з/п", "Дата", "Тема уроку", "К-сть год.", "Примітка"])
    sheet.append(["", "", "Тема 1. Назва теми (10 год)", "", ""])
    sheet.append([1, "", "Перша тема уроку", 1, ""])
    sheet.append([2, "", "Друга тема уроку на два уроки", 2, ""])
    sheet.column_dimensions["C"].width = 60
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="ktp.xlsx"'
    return response


# --- the school's progress -----------------------------------------------------------------


@login_required
@require_GET
def school_plans(request: AuthedRequest, school_id: int) -> HttpResponse:
    """The director's and deputies' view of the plans: which assignments are behind their
    plan, which wait for approval, which have none."""
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    now = timezone.localtime(timezone.now(), school_tz(school.municipality.time_zone))
    progress = school_progress(school, now.date(), now_time=now.time())
    return render(request, "plans/school.html", {"school": school, "progress": progress})


# --- templates -----------------------------------------------------------------------------


@login_required
@require_POST
def template_publish_view(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = plan_for_user(request.user, plan_id)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            template_publish(
                actor=request.user,
                plan=plan,
                title=form.cleaned_data["title"],
                scope=form.cleaned_data["scope"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("The plan is published as a template."))
    else:
        messages.error(request, _("Give the template a title."))
    return redirect(_plan_url(plan.assignment, plan.term))


def _target(request: AuthedRequest) -> tuple[TeachingAssignment, Term] | None:
    """The assignment and term a template would be copied into (from the address)."""
    assignment_id = request.GET.get("assignment", "")
    if not assignment_id.isdigit():
        return None
    assignment = assignment_for_user(request.user, int(assignment_id), write=True)
    terms = terms_of(assignment)
    return assignment, _term(assignment, terms, request.GET.get("term"))


@login_required
@require_GET
def template_list(request: AuthedRequest) -> HttpResponse:
    """The templates of the user's schools and communities, by subject and grade."""
    target = _target(request)
    subject, grade = "", None
    if target is not None:
        subject, grade = target[0].subject.name, target[0].class_group.grade
    form = TemplateFilterForm(
        request.GET if "subject" in request.GET else None,
        initial={"subject": subject, "grade": grade},
    )
    if form.is_bound and form.is_valid():
        subject, grade = form.cleaned_data["subject"] or "", form.cleaned_data["grade"]
    templates = templates_list(templates_for_user(request.user), subject=subject, grade=grade)
    return render(
        request,
        "plans/templates.html",
        {"form": form, "templates": templates, "target": target},
    )


@login_required
@require_GET
def template_preview(request: AuthedRequest, template_id: int) -> HttpResponse:
    """A template's themes and topics; with a target assignment, the copy's confirmation
    (the lines go to the plan's save, which the teacher may still edit)."""
    template = template_for_user(request.user, template_id)
    parsed = parse_text(template.text)
    target = _target(request)
    if target is None:
        return render(request, "plans/template.html", {"template": template, "preview": parsed})
    assignment, term = target
    text_form = PlanTextForm(initial={"term": term.pk, "text": template.text})
    return _render_plan(
        request, assignment, term, terms_of(assignment), text_form=text_form, preview=parsed
    )


@login_required
@require_POST
def template_delete_view(request: AuthedRequest, template_id: int) -> HttpResponse:
    template = template_for_user(request.user, template_id, write=True)
    template_delete(actor=request.user, template=template)
    messages.success(request, _("The template is withdrawn."))
    return redirect("plans:templates")
