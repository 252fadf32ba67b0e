"""Who reaches the operator access grants of a school (docs/permissions.md)."""

from __future__ import annotations

from zhurnal.accounts.models import User
from zhurnal.audit.models import OperatorGrant
from zhurnal.core.access import ensure_signed_in, first_or_404
from zhurnal.people.access import role_school_ids
from zhurnal.people.models import Role
from zhurnal.schools.models import School

# The director answers for the school's personal data: only the director lets an operator in.
GRANT_WRITERS = (Role.DIRECTOR,)
# The school's administration reads who was let in and what they did.
GRANT_READERS = (Role.DIRECTOR, Role.DEPUTY, Role.SCHOOL_ADMIN)


def operator_grant_for_user(
    user: User, operator_grant_id: int, *, within: School | None = None
) -> OperatorGrant:
    """A grant of a school the user directs (to revoke it), else 404."""
    ensure_signed_in(user)
    queryset = OperatorGrant.objects.filter(
        pk=operator_grant_id, school_id__in=role_school_ids(user, GRANT_WRITERS)
    )
    if within is not None:
        queryset = queryset.filter(school_id=within.pk)
    return first_or_404(queryset)
