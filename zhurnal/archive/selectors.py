from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch

from zhurnal.archive.models import (
    ArchiveDocument,
    ArchiveSignature,
    DocumentKind,
    DocumentState,
    TrustedCertificate,
)
from zhurnal.schools.models import AcademicYear, ClassGroup, Municipality, School


def trust_bundle() -> list[bytes]:
    """The DER certificates signatures are verified against."""
    return [bytes(der) for der in TrustedCertificate.objects.values_list("der", flat=True)]


def trusted_certificate_list() -> list[TrustedCertificate]:
    """Every trusted certificate, for the operator's listing."""
    return list(TrustedCertificate.objects.order_by("subject", "fingerprint"))


def archive_register(school: School) -> list[ArchiveDocument]:
    """The school's archive register: every document version with its signatures and act."""
    return list(
        ArchiveDocument.objects.filter(school=school)
        .select_related("year", "class_group", "created_by", "destruction_act")
        .prefetch_related(
            Prefetch(
                "signatures",
                queryset=ArchiveSignature.objects.defer("data", "report").select_related(
                    "uploaded_by"
                ),
            )
        )
        .order_by(
            "-year__starts_on", "kind", "class_group__grade", "class_group__letter", "version"
        )
    )


@dataclass(frozen=True)
class SchoolArchiveSummary:
    """One school's archive for one year, for the department: counts and class names only."""

    school_id: int
    school_name: str
    year_id: int | None
    counts: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, state) -> count
    classes_without_signed_journal: list[str] = field(default_factory=list)


_SIGNED_STATES = (DocumentState.SIGNED, DocumentState.TRANSFERRED)


def archive_department_summary(
    municipality: Municipality, *, year_name: str
) -> list[SchoolArchiveSummary]:
    """For every school of the municipality, its archive for the year named `year_name`.

    Counts of document versions by kind and state, and the classes of that year that have
    no signed class journal (in any version). Document metadata only: no marks, no names.
    """
    years = {
        year.school_id: year
        for year in AcademicYear.objects.filter(school__municipality=municipality, name=year_name)
    }
    counts: dict[int, dict[tuple[str, str], int]] = {}
    for row in (
        ArchiveDocument.objects.filter(year__in=years.values())
        .values("school_id", "kind", "state")
        .annotate(total=Count("pk"))
    ):
        counts.setdefault(row["school_id"], {})[(row["kind"], row["state"])] = row["total"]
    signed_classes = set(
        ArchiveDocument.objects.filter(
            year__in=years.values(),
            kind=DocumentKind.CLASS_JOURNAL,
            state__in=_SIGNED_STATES,
            class_group__isnull=False,
        ).values_list("class_group_id", flat=True)
    )
    years_school = {year.pk: school_id for school_id, year in years.items()}
    unsigned: dict[int, list[str]] = {}
    for group in ClassGroup.objects.filter(year__in=years.values()).order_by("grade", "letter"):
        if group.pk not in signed_classes:
            unsigned.setdefault(years_school[group.year_id], []).append(str(group))
    return [
        SchoolArchiveSummary(
            school_id=school.pk,
            school_name=school.short_name or school.name,
            year_id=years[school.pk].pk if school.pk in years else None,
            counts=counts.get(school.pk, {}),
            classes_without_signed_journal=unsigned.get(school.pk, []),
        )
        for school in School.objects.filter(municipality=municipality).order_by("name")
    ]
