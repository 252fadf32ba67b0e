"""Who may import: the school administrator of that very school. Anyone else gets 404."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.imports.models import ImportBatch
from zhurnal.people.access import school_for_user
from zhurnal.people.models import Role
from zhurnal.schools.models import School

IMPORT_ROLES = (Role.SCHOOL_ADMIN,)


def school_for_import(user: User, school_id: int) -> School:
    """The school, if the user administers it; else 404."""
    return school_for_user(user, school_id, roles=IMPORT_ROLES)


def batch_for_import(user: User, school_id: int, batch_id: int) -> ImportBatch:
    """An upload of a school the user administers; another school's batch is 404 too."""
    school = school_for_import(user, school_id)
    batch = (
        ImportBatch.objects.filter(pk=batch_id, school=school)
        .select_related("year", "created_by")
        .first()
    )
    if batch is None:
        raise Http404(_("Not found"))
    batch.school = school
    return batch
