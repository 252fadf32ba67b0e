"""Who may import: the school administrator of that very school. The upload pages check
the school (`people.access.school_for_user(…, roles=IMPORT_ROLES)`); an upload is reached
through `import_batch_for_user` with `within=` that school, so another school's batch is
404 even through the other administrator's own school id (see docs/permissions.md)."""

from __future__ import annotations

from zhurnal.accounts.models import User
from zhurnal.core.access import ensure_signed_in, first_or_404
from zhurnal.imports.models import ImportBatch
from zhurnal.people.access import role_school_ids
from zhurnal.people.models import Role
from zhurnal.schools.models import School

IMPORT_ROLES = (Role.SCHOOL_ADMIN,)


def import_batch_for_user(
    user: User, batch_id: int, *, within: School | None = None
) -> ImportBatch:
    """An upload of a school the user administers (to preview or to apply it), else 404."""
    ensure_signed_in(user)
    queryset = ImportBatch.objects.filter(
        pk=batch_id, school_id__in=role_school_ids(user, IMPORT_ROLES)
    )
    if within is not None:
        queryset = queryset.filter(school=within)
    batch = first_or_404(queryset.select_related("year", "created_by", "school__municipality"))
    if within is not None:
        batch.school = within
    return batch
