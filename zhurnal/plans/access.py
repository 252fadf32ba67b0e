"""Who may reach which calendar plan and plan template.

A plan belongs to its assignment's journal: its teacher writes it; the class teacher and
the school's director, deputies and administrator read it (`timetable.access`); the
director and deputies approve it (`roles=JOURNAL_CONTROLLERS`). Other teachers of the
school do not read another teacher's plan: what teachers share is a published template.
Families never reach plans. Missing and not-yours are the same 404."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from zhurnal.accounts.models import User
from zhurnal.core.access import ensure_signed_in, first_or_404
from zhurnal.people.models import RoleAssignment
from zhurnal.plans.models import Plan, PlanTemplate, TemplateScope
from zhurnal.timetable.access import assignments_for_user

PLAN_RELATED = (
    "term",
    "assignment__subject",
    "assignment__class_group",
    "assignment__subgroup",
    "assignment__teacher",
    "assignment__year__school",
)


def plan_for_user(
    user: User, plan_id: int, *, write: bool = False, roles: Iterable[str] | None = None
) -> Plan:
    """A plan, for those who reach its assignment's journal (`write`: its teacher; `roles`:
    those holding one of them at the school), else 404."""
    ensure_signed_in(user)
    reach = assignments_for_user(user, write=write, roles=roles).values("pk")
    return first_or_404(
        Plan.objects.filter(pk=plan_id, assignment__in=reach).select_related(*PLAN_RELATED)
    )


def templates_for_user(user: User) -> QuerySet[PlanTemplate]:
    """The templates a school's staff member sees: those of their schools, and those shared
    with the community of any of their schools."""
    if not user.is_authenticated:
        return PlanTemplate.objects.none()
    staff = RoleAssignment.objects.filter(user=user, school__isnull=False)
    schools = staff.values("school_id")
    communities = staff.values("school__municipality_id")
    return PlanTemplate.objects.filter(
        Q(school_id__in=schools) | Q(scope=TemplateScope.COMMUNITY, municipality_id__in=communities)
    )


def template_for_user(user: User, template_id: int, *, write: bool = False) -> PlanTemplate:
    """A template, for the staff who see it (`write`: its author only), else 404."""
    ensure_signed_in(user)
    queryset = templates_for_user(user).filter(pk=template_id)
    if write:
        queryset = queryset.filter(author=user)
    return first_or_404(queryset.select_related("school", "author"))
