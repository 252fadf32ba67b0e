"""Who may reach the department's monitoring: the department specialists of a community,
for its schools and its kept quarterly reports. Missing and not-yours are the same 404."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.control.models import Report, ReportKind
from zhurnal.people.models import Role, RoleAssignment
from zhurnal.schools.models import Municipality, School

QUARTERLY_KINDS = (ReportKind.QUARTERLY_SCHOOL, ReportKind.QUARTERLY_COMMUNITY)


def _municipality_ids(user: User) -> list[int]:
    if not user.is_authenticated:
        return []
    return [
        pk
        for pk in RoleAssignment.objects.filter(
            user=user, role=Role.DEPARTMENT, municipality__isnull=False
        )
        .order_by("municipality_id")
        .values_list("municipality_id", flat=True)
        if pk is not None
    ]


def municipality_for_department(user: User) -> Municipality:
    """The community whose department the user works in (the first one, should a
    specialist serve several), else 404."""
    ids = _municipality_ids(user)
    municipality = Municipality.objects.filter(pk__in=ids[:1]).first()
    if municipality is None:
        raise Http404(_("Not found"))
    return municipality


def school_for_department(user: User, school_id: int) -> School:
    """A school of the specialist's community, else 404."""
    municipality = municipality_for_department(user)
    school = (
        School.objects.filter(pk=school_id, municipality=municipality)
        .select_related("municipality")
        .first()
    )
    if school is None:
        raise Http404(_("Not found"))
    return school


def report_for_department(user: User, report_id: int) -> Report:
    """A kept quarterly monitoring report of the specialist's community, else 404."""
    municipality = municipality_for_department(user)
    report = (
        Report.objects.filter(pk=report_id, municipality=municipality, kind__in=QUARTERLY_KINDS)
        .select_related("school", "municipality")
        .first()
    )
    if report is None:
        raise Http404(_("Not found"))
    return report
