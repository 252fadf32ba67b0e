"""Reads for the import pages."""

from __future__ import annotations

from django.db.models import QuerySet

from zhurnal.imports.models import ImportBatch
from zhurnal.schools.models import AcademicYear, School


def year_open_current(school: School) -> AcademicYear | None:
    """The year imports go into: the latest year of the school that is not closed."""
    return (
        AcademicYear.objects.filter(school=school, closed_at__isnull=True)
        .order_by("-starts_on")
        .first()
    )


def batches_recent(school: School, kind: str, *, limit: int = 10) -> QuerySet[ImportBatch]:
    """The school's latest uploads of one kind, without their file content."""
    return (
        ImportBatch.objects.filter(school=school, kind=kind)
        .defer("content")
        .select_related("created_by", "year")
        .order_by("-created_at", "-id")[:limit]
    )
