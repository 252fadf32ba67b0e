"""The department's overview of its schools and a school's own overview."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.core.timeutil import local_today
from zhurnal.people.access import has_school_role, school_for_user, schools_for_department
from zhurnal.people.models import Role
from zhurnal.schools.selectors import department_figures, school_overview

SCHOOL_OVERVIEW_ROLES = (Role.SCHOOL_ADMIN, Role.DIRECTOR, Role.DEPUTY, Role.MEDICAL)


@login_required
def department_home(request: HttpRequest) -> HttpResponse:
    """The municipality's schools in figures only: never a student's name."""
    user: User = request.user  # type: ignore[assignment]
    schools = schools_for_department(user)
    if not schools and not user.roles.filter(role=Role.DEPARTMENT).exists():
        raise Http404(_("Not found"))
    rows, totals = department_figures(schools=schools, today=local_today())
    return render(request, "schools/department_home.html", {"rows": rows, "totals": totals})


@login_required
def school_home(request: HttpRequest, school_id: int) -> HttpResponse:
    """The school at a glance for its administration and medical worker."""
    user: User = request.user  # type: ignore[assignment]
    school = school_for_user(user, school_id, roles=SCHOOL_OVERVIEW_ROLES)
    overview = school_overview(school=school, today=local_today(school.municipality.time_zone))
    controls_journals = has_school_role(user, school.pk, (Role.DIRECTOR, Role.DEPUTY))
    moves_students = has_school_role(
        user, school.pk, (Role.SCHOOL_ADMIN, Role.DIRECTOR, Role.DEPUTY)
    )
    return render(
        request,
        "schools/school_home.html",
        {
            "school": school,
            "overview": overview,
            "controls_journals": controls_journals,
            "moves_students": moves_students,
        },
    )
