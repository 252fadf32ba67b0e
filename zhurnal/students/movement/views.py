"""Student movement pages: the school's movement page (classes, search, the year's
arrivals, departures and transfers), transfer and leaving forms, the year-end promotion,
and a student's history across the community's schools.

The school administrator and the director record movements; a deputy director reads the
movement page and the promotion preview; everyone else gets 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from zhurnal.audit.services import access_record
from zhurnal.core.forms import add_service_errors
from zhurnal.core.http import AuthedRequest
from zhurnal.core.timeutil import local_today
from zhurnal.people.access import (
    MOVEMENT_READERS,
    MOVEMENT_WRITERS,
    StudentScope,
    can_move_students,
    enrollment_for_user,
    has_school_role,
    school_for_user,
    student_for_user,
)
from zhurnal.people.models import Role
from zhurnal.schools.models import AcademicYear, School
from zhurnal.students.movement.forms import LeaveForm, PromotionForm, TransferForm
from zhurnal.students.movement.selectors import (
    classes_of_year,
    community_schools,
    movement_overview,
    movement_year,
    next_year_of,
    promotion_plan,
    student_history,
    target_classes,
)
from zhurnal.students.movement.services import (
    PromotionResult,
    student_leave,
    student_transfer_class,
    student_transfer_school,
    year_promote,
)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _year(school: School) -> AcademicYear:
    year = movement_year(school, local_today(school.municipality.time_zone))
    if year is None:
        raise Http404(_("Not found"))
    return year


def _home_url(school: School, class_id: int | None = None) -> str:
    url = reverse("students:movement", args=[school.pk])
    return f"{url}?class={class_id}" if class_id else url


@never_cache
@login_required
def movement_home(request: AuthedRequest, school_id: int) -> HttpResponse:
    """Рух учнів: choose a class or search a student, transfer or let leave; the year's
    arrivals, departures and transfers within the school."""
    school = school_for_user(request.user, school_id, roles=MOVEMENT_READERS)
    today = local_today(school.municipality.time_zone)
    year = movement_year(school, today)
    query = request.GET.get("q", "")[:100]
    overview = None
    if year is not None:
        overview = movement_overview(
            school=school,
            year=year,
            class_id=_int(request.GET.get("class")),
            query=query,
            today=today,
        )
    return render(
        request,
        "students/movement/movement.html",
        {
            "school": school,
            "year": year,
            "overview": overview,
            "query": query,
            "today": today,
            "can_write": can_move_students(request.user, school)
            and year is not None
            and not year.is_closed,
        },
    )


def _movement_form_context(school: School, year: AcademicYear, **more: Any) -> dict[str, Any]:
    return {"school": school, "year": year, "read_only": year.is_closed, **more}


@never_cache
@login_required
def student_transfer(request: AuthedRequest, school_id: int, student_id: int) -> HttpResponse:
    """Transfer to another class of this school or to a class of another school of the
    community: first the school (a plain GET choice), then the class, date and order."""
    school = school_for_user(request.user, school_id, roles=MOVEMENT_WRITERS)
    year = _year(school)
    enrollment = enrollment_for_user(request.user, student_id, within=year)
    today = local_today(school.municipality.time_zone)
    others = community_schools(school)
    source = request.POST if request.method == "POST" else request.GET
    chosen_id = _int(source.get("school"))
    target_school = next((s for s in others if s.pk == chosen_id), school)
    if target_school.pk == school.pk:
        target_year: AcademicYear | None = year
        classes = classes_of_year(year)
    else:
        target_year, classes = target_classes(target_school, today)
    form = TransferForm(request.POST if request.method == "POST" else None, classes=classes)
    if request.method == "POST" and form.is_valid():
        move = student_transfer_class if target_school.pk == school.pk else student_transfer_school
        try:
            new = move(
                actor=request.user,
                enrollment=enrollment,
                target=form.target_class,
                on=form.cleaned_data["on"],
                order=form.cleaned_data["order"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(student)s studies in %(class)s from %(date)s.")
                % {
                    "student": enrollment.student.full_name,
                    "class": new.class_group
                    if target_school.pk == school.pk
                    else f"{target_school}, {new.class_group}",
                    "date": new.starts_on.strftime("%d.%m.%Y"),
                },
            )
            class_id = new.class_group_id if target_school.pk == school.pk else None
            return redirect(_home_url(school, class_id or enrollment.class_group_id))
    return render(
        request,
        "students/movement/transfer.html",
        _movement_form_context(
            school,
            year,
            enrollment=enrollment,
            student=enrollment.student,
            schools=[school, *others],
            target_school=target_school,
            target_year=target_year,
            form=form,
            back_url=_home_url(school, enrollment.class_group_id),
        ),
    )


@never_cache
@login_required
def student_leave_view(request: AuthedRequest, school_id: int, student_id: int) -> HttpResponse:
    """The student leaves the school (вибув): date, order, reason."""
    school = school_for_user(request.user, school_id, roles=MOVEMENT_WRITERS)
    year = _year(school)
    enrollment = enrollment_for_user(request.user, student_id, within=year)
    form = LeaveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            student_leave(
                actor=request.user,
                enrollment=enrollment,
                on=form.cleaned_data["on"],
                order=form.cleaned_data["order"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(student)s left the school from %(date)s.")
                % {
                    "student": enrollment.student.full_name,
                    "date": form.cleaned_data["on"].strftime("%d.%m.%Y"),
                },
            )
            return redirect(_home_url(school, enrollment.class_group_id))
    return render(
        request,
        "students/movement/leave.html",
        _movement_form_context(
            school,
            year,
            enrollment=enrollment,
            student=enrollment.student,
            form=form,
            back_url=_home_url(school, enrollment.class_group_id),
        ),
    )


def _result_message(result: PromotionResult, next_year: AcademicYear) -> str:
    if not result.changed:
        return (
            _("Nothing left to do: the promotion to %(year)s was already done.")
            % {"year": next_year.name}
            + " "
            + ngettext(
                "%(count)d student is already in the next year or graduated.",
                "%(count)d students are already in the next year or graduated.",
                result.already_done,
            )
            % {"count": result.already_done}
        )
    parts = [
        ngettext("%(count)d class created", "%(count)d classes created", result.classes_created)
        % {"count": result.classes_created},
        ngettext("%(count)d student moved up", "%(count)d students moved up", result.promoted)
        % {"count": result.promoted},
        ngettext(
            "%(count)d student repeats the grade",
            "%(count)d students repeat the grade",
            result.kept_back,
        )
        % {"count": result.kept_back},
        ngettext("%(count)d student graduated", "%(count)d students graduated", result.graduated)
        % {"count": result.graduated},
    ]
    if result.already_done:
        parts.append(
            ngettext(
                "%(count)d student was already done earlier",
                "%(count)d students were already done earlier",
                result.already_done,
            )
            % {"count": result.already_done}
        )
    return _("Promotion to %(year)s done: %(what)s.") % {
        "year": next_year.name,
        "what": "; ".join(parts),
    }


@never_cache
@login_required
def promotion(request: AuthedRequest, school_id: int) -> HttpResponse:
    """Переведення учнів: the preview of who moves where, with students to keep back,
    and the button that does it all in one go."""
    roles = MOVEMENT_WRITERS if request.method == "POST" else MOVEMENT_READERS
    school = school_for_user(request.user, school_id, roles=roles)
    year = _year(school)
    next_year = next_year_of(year)
    can_write = can_move_students(request.user, school)
    context: dict[str, Any] = {
        "school": school,
        "year": year,
        "next_year": next_year,
        "can_write": can_write,
        "is_admin": has_school_role(request.user, school.pk, (Role.SCHOOL_ADMIN,)),
    }
    if next_year is None:
        return render(request, "students/movement/promotion.html", context)
    kept_source = request.POST if request.method == "POST" else request.GET
    wanted = [pk for pk in (_int(v) for v in kept_source.getlist("kept")) if pk is not None]
    plan = promotion_plan(year=year, next_year=next_year, kept_back=wanted)
    form = PromotionForm(
        request.POST if request.method == "POST" else None,
        student_ids=[row.student_id for row in plan.moving_rows()],
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                result = year_promote(
                    actor=request.user,
                    year=year,
                    next_year=next_year,
                    kept_back=form.cleaned_data["kept"],
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _result_message(result, next_year))
            return redirect("students:promotion", school.pk)
        messages.error(request, _("Choose the students to keep back from the list."))
    context.update(
        {
            "plan": plan,
            "writable": can_write and not year.is_closed and not next_year.is_closed,
        }
    )
    return render(request, "students/movement/promotion.html", context)


@never_cache
@login_required
@require_GET
def history(request: AuthedRequest, student_id: int) -> HttpResponse:
    """A student's history in the community: every class and school, with the term and
    annual marks and the absences earned there. Each opening goes to the access log."""
    student = student_for_user(request.user, student_id, scope=StudentScope.HISTORY)
    access_record(actor=request.user, obj=student, what=_("student's history"))
    return render(
        request,
        "students/movement/history.html",
        {"student": student, "history": student_history(student)},
    )
