"""Who may reach the year's closing and the school's archive.

The school's director and deputy directors read the year-end pages and the archive register
(`people.access.school_for_user(…, roles=JOURNAL_CONTROLLERS)` is the page's check); only the
director writes (the services refuse anyone else). A class teacher reaches the documents of
their own class, to sign the achievement summary sheet. The department sees aggregates and
document metadata through its own page, never a document by id. Every object a page names by
id comes through a chokepoint here with `within=` that school; missing and not-yours are the
same 404 (see docs/permissions.md).
"""

from __future__ import annotations

from django.db.models import Q

from zhurnal.accounts.models import User
from zhurnal.archive.models import ArchiveDocument, PackagingJob
from zhurnal.core.access import ensure_signed_in, first_or_404
from zhurnal.people.access import JOURNAL_CONTROLLERS, role_school_ids
from zhurnal.schools.models import School


def archive_document_for_user(
    user: User, document_id: int, *, within: School | None = None
) -> ArchiveDocument:
    """A document version of the school's archive, else 404: for the school's director and
    deputies, and for the class teacher of the document's class."""
    ensure_signed_in(user)
    reach = Q(school_id__in=role_school_ids(user, JOURNAL_CONTROLLERS)) | Q(
        class_group__class_teacher=user
    )
    queryset = ArchiveDocument.objects.filter(reach, pk=document_id)
    if within is not None:
        queryset = queryset.filter(school=within)
    return first_or_404(
        queryset.select_related(
            "school__municipality", "year", "class_group__class_teacher", "created_by"
        )
    )


def packaging_job_for_user(
    user: User, job_id: int, *, within: School | None = None
) -> PackagingJob:
    """A packaging job of the school, else 404: for its director and deputies."""
    ensure_signed_in(user)
    queryset = PackagingJob.objects.filter(
        pk=job_id, school_id__in=role_school_ids(user, JOURNAL_CONTROLLERS)
    )
    if within is not None:
        queryset = queryset.filter(school=within)
    return first_or_404(queryset.select_related("year", "requested_by", "closing__class_group"))


def archive_school_for_user(user: User, school_id: int) -> School:
    """The school whose archive a document page is under, else 404: for its director and
    deputies, and for the class teacher of one of its classes (whom
    `archive_document_for_user` then limits to that class's documents)."""
    ensure_signed_in(user)
    reach = Q(pk__in=role_school_ids(user, JOURNAL_CONTROLLERS)) | Q(
        years__classes__class_teacher=user
    )
    return first_or_404(
        School.objects.filter(reach, pk=school_id).select_related("municipality").distinct()
    )
