"""Each role's way in: the role picker, the department's and the school's overview."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from zhurnal.core.http import AuthedRequest
from zhurnal.core.timeutil import local_today
from zhurnal.home.selectors import department_figures, school_overview, school_today
from zhurnal.people.access import (
    RoleGrant,
    has_school_role,
    school_for_user,
    schools_for_user,
    user_grants,
)
from zhurnal.people.models import Role


def grant_home_url(grant: RoleGrant) -> str:
    """Each role lands on its own home page."""
    match grant.role:
        case "department":
            return reverse("home:department_home")
        case "school_admin":
            return reverse("setup:setup_home", args=[grant.school_id])
        case "director" | "deputy" | "medical":
            return reverse("home:school_home", args=[grant.school_id])
        case "teacher":
            return reverse("timetable:teacher_home")
        case "class_teacher":
            return reverse("people:class_home", args=[grant.class_group_id])
        case "student":
            return reverse("diary:student_home")
        case "guardian":
            return reverse("diary:family_home")
    raise ValueError(grant.role)


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """Send the user to the home page of their role, or let them choose one."""
    grants = user_grants(request.user)
    request.session["role_count"] = len(grants)
    active = request.session.get("active_role")
    for grant in grants:
        if grant.key == active:
            return redirect(grant_home_url(grant))
    if len(grants) == 1:
        request.session["active_role"] = grants[0].key
        return redirect(grant_home_url(grants[0]))
    return render(request, "home/choose_role.html", {"grants": grants})


@login_required
def role_choose(request: AuthedRequest, key: str) -> HttpResponse:
    for grant in user_grants(request.user):
        if grant.key == key:
            request.session["active_role"] = key
            return redirect(grant_home_url(grant))
    raise Http404(_("Not found"))


@login_required
def role_picker(request: AuthedRequest) -> HttpResponse:
    grants = user_grants(request.user)
    return render(request, "home/choose_role.html", {"grants": grants})


SCHOOL_OVERVIEW_ROLES = (Role.SCHOOL_ADMIN, Role.DIRECTOR, Role.DEPUTY, Role.MEDICAL)


@login_required
def department_home(request: AuthedRequest) -> HttpResponse:
    """The municipality's schools in figures only: never a student's name."""
    user = request.user
    schools = schools_for_user(user, roles=(Role.DEPARTMENT,))
    if not schools and not user.roles.filter(role=Role.DEPARTMENT).exists():
        raise Http404(_("Not found"))
    rows, totals = department_figures(schools=schools, today=local_today())
    return render(request, "home/department.html", {"rows": rows, "totals": totals})


@login_required
def school_home(request: AuthedRequest, school_id: int) -> HttpResponse:
    """The school at a glance for its administration and medical worker."""
    user = request.user
    school = school_for_user(user, school_id, roles=SCHOOL_OVERVIEW_ROLES)
    overview = school_overview(school=school, today=local_today(school.municipality.time_zone))
    controls_journals = has_school_role(user, school.pk, (Role.DIRECTOR, Role.DEPUTY))
    moves_students = has_school_role(
        user, school.pk, (Role.SCHOOL_ADMIN, Role.DIRECTOR, Role.DEPUTY)
    )
    return render(
        request,
        "home/school.html",
        {
            "school": school,
            "today": school_today(school=school) if controls_journals else None,
            "overview": overview,
            "controls_journals": controls_journals,
            "moves_students": moves_students,
        },
    )
