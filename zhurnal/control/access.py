"""Who may reach the school's control of journal keeping and the reports kept of it.

The school's director and deputy directors (the journal controllers) reach its control
pages: `people.access.school_for_user(…, roles=JOURNAL_CONTROLLERS)` is the page's check,
and every object the page names by id comes through a chokepoint with `within=` that
school (the journal's through `timetable.access`, the control's own here). A teacher
reaches the remarks written to them; the department its community's quarterly reports.
Missing and not-yours are the same 404 everywhere (see docs/permissions.md)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from zhurnal.accounts.models import User
from zhurnal.control.corrections.selectors import CORRECTION_RELATED
from zhurnal.control.models import QUARTERLY_KINDS, JournalRemark, Report, ReportKind
from zhurnal.control.remarks.selectors import REMARK_RELATED
from zhurnal.core.access import ensure_signed_in, first_or_404
from zhurnal.journal.models import Correction, TermLock
from zhurnal.people.access import JOURNAL_CONTROLLERS, role_school_ids
from zhurnal.people.models import Role, RoleAssignment
from zhurnal.schools.models import Municipality, School


def remark_for_user(
    user: User,
    remark_id: int,
    *,
    roles: Iterable[str] | None = None,
    within: School | None = None,
) -> JournalRemark:
    """A remark on journal keeping, else 404: for the teacher it was written to (who marks
    it put right); with `roles`, for the holders of one of them at its school instead (the
    director and deputies, who write and reopen remarks)."""
    ensure_signed_in(user)
    reach = Q(teacher=user) if roles is None else Q(school_id__in=role_school_ids(user, roles))
    queryset = JournalRemark.objects.filter(reach, pk=remark_id)
    if within is not None:
        queryset = queryset.filter(school=within)
    return first_or_404(
        queryset.select_related(*REMARK_RELATED, "assignment__year__school__municipality")
    )


def report_for_user(
    user: User,
    report_id: int,
    *,
    roles: Iterable[str],
    within: School | Municipality | None = None,
) -> Report:
    """A kept report, else 404: the weekly report of a school for the holders of one of
    `roles` there (the director and deputies); with the department role, the quarterly
    reports of the department's community."""
    ensure_signed_in(user)
    roles = list(roles)
    reach = Q(kind=ReportKind.WEEKLY_SCHOOL, school_id__in=role_school_ids(user, roles))
    if Role.DEPARTMENT in roles:
        communities = RoleAssignment.objects.filter(user=user, role=Role.DEPARTMENT)
        reach |= Q(
            kind__in=QUARTERLY_KINDS, municipality_id__in=communities.values("municipality_id")
        )
    queryset = Report.objects.filter(reach, pk=report_id)
    if isinstance(within, School):
        queryset = queryset.filter(school=within)
    elif isinstance(within, Municipality):
        queryset = queryset.filter(municipality=within)
    report = first_or_404(queryset.select_related("school", "municipality", "requested_by"))
    if isinstance(within, School):
        report.school = within
    return report


def correction_for_user(
    user: User, correction_id: int, *, within: School | None = None
) -> Correction:
    """A correction in a school's journals, for its director and deputies (who decide it),
    else 404."""
    ensure_signed_in(user)
    queryset = Correction.objects.filter(
        pk=correction_id, assignment__year__school_id__in=role_school_ids(user, JOURNAL_CONTROLLERS)
    )
    if within is not None:
        queryset = queryset.filter(assignment__year__school=within)
    return first_or_404(queryset.select_related("assignment__year", *CORRECTION_RELATED))


def term_lock_for_user(user: User, lock_id: int, *, within: School | None = None) -> TermLock:
    """A term lock of a school, for its director and deputies (who lift it), else 404."""
    ensure_signed_in(user)
    queryset = TermLock.objects.filter(
        pk=lock_id, term__year__school_id__in=role_school_ids(user, JOURNAL_CONTROLLERS)
    )
    if within is not None:
        queryset = queryset.filter(term__year__school=within)
    return first_or_404(queryset.select_related("term__year", "class_group", "subject"))
