"""Reads for the closing pages: the school's classes and where each one's closing stands,
the reopening acts, and the department's summary of every school. A fixed number of
queries each, whatever the number of classes and schools."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from zhurnal.archive.models import (
    ArchiveDocument,
    DocumentKind,
    DocumentState,
    PackagingJob,
    ReopeningAct,
    YearClosing,
)
from zhurnal.schools.models import AcademicYear, ClassGroup, Municipality, School

SIGNED_STATES = (DocumentState.SIGNED, DocumentState.TRANSFERRED)
# The customer's order: every school archives its journals by 1 July after the year.
DEADLINE_MONTH, DEADLINE_DAY = 7, 1


@dataclass(frozen=True)
class ClassClosingRow:
    """Where one class's closing stands."""

    class_group: ClassGroup
    closed_at: dt.datetime | None  # the class's own, or the school year's
    # The latest closing of the class or of the whole school (its reopening, if any, joined).
    closing: YearClosing | None
    job: PackagingJob | None  # the latest packaging of the class
    journal: ArchiveDocument | None  # the latest version of its class journal
    summary: ArchiveDocument | None  # the latest version of its achievement summary sheet
    signed: bool  # that version of the class journal is signed (or transferred)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


def school_closing_overview(year: AcademicYear) -> list[ClassClosingRow]:
    """Every class of the year in class order, with its closing, its latest packaging job
    (state and percent) and the latest versions of its class journal and summary sheet.
    Five queries."""
    classes = list(ClassGroup.objects.filter(year=year).order_by("grade", "letter"))
    class_ids = {class_group.pk for class_group in classes}
    own: dict[int, YearClosing] = {}
    school_closing: YearClosing | None = None
    for closing in (
        YearClosing.objects.filter(year=year)
        .select_related("closed_by", "reopening")
        .order_by("-closed_at", "-pk")
    ):  # newest first
        if closing.class_group_id is None:
            school_closing = school_closing or closing
        else:
            own.setdefault(closing.class_group_id, closing)
    jobs: dict[int, PackagingJob] = {}
    for job in PackagingJob.objects.filter(year=year).prefetch_related(
        Prefetch("class_groups", queryset=ClassGroup.objects.only("pk"))
    ):  # newest first (the model's order)
        for class_group in job.class_groups.all():
            jobs.setdefault(class_group.pk, job)
    latest: dict[tuple[int, str], ArchiveDocument] = {}
    for document in ArchiveDocument.objects.filter(
        year=year,
        class_group_id__in=class_ids,
        kind__in=[DocumentKind.CLASS_JOURNAL, DocumentKind.SUMMARY_SHEET],
    ).order_by("version"):
        assert document.class_group_id is not None
        latest[(document.class_group_id, document.kind)] = document
    rows = []
    for class_group in classes:
        candidates = [c for c in (own.get(class_group.pk), school_closing) if c is not None]
        newest = max(candidates, key=lambda c: (c.closed_at, c.pk)) if candidates else None
        journal = latest.get((class_group.pk, DocumentKind.CLASS_JOURNAL))
        rows.append(
            ClassClosingRow(
                class_group=class_group,
                closed_at=class_group.closed_at or year.closed_at,
                closing=newest,
                job=jobs.get(class_group.pk),
                journal=journal,
                summary=latest.get((class_group.pk, DocumentKind.SUMMARY_SHEET)),
                signed=journal is not None and journal.state in SIGNED_STATES,
            )
        )
    return rows


def reopening_acts(
    *,
    municipality: Municipality | None = None,
    school: School | None = None,
    year_name: str | None = None,
) -> list[ReopeningAct]:
    """The reopening acts, newest first, of a municipality's schools or of one school,
    optionally of the years named `year_name`; each with its closing, class, school and
    who reopened. One query."""
    acts = ReopeningAct.objects.select_related(
        "reopened_by",
        "closing__closed_by",
        "closing__class_group",
        "closing__school",
        "closing__year",
    )
    if municipality is not None:
        acts = acts.filter(closing__school__municipality=municipality)
    if school is not None:
        acts = acts.filter(closing__school=school)
    if year_name is not None:
        acts = acts.filter(closing__year__name=year_name)
    return list(acts.order_by("-reopened_at", "-pk"))


@dataclass(frozen=True)
class SchoolClosingSummary:
    """One school's closing of one year, for the department: counts and dates only."""

    school_id: int
    school_name: str
    year_id: int | None
    classes_total: int
    classes_closed: int
    classes_packaged: int  # a class journal exists (any version)
    classes_signed: int  # a class journal version is signed or transferred
    school_closed: bool
    deadline: dt.date | None
    late: bool
    reopenings: int


def department_closing_summary(
    municipality: Municipality, *, year_name: str, today: dt.date
) -> list[SchoolClosingSummary]:
    """For every school of the municipality, how far the closing of the year named
    `year_name` went: classes in all, closed, packaged and signed, and whether the school
    is late — past 1 July after the year without every class journal signed — with the
    count of reopening acts. Aggregates and document metadata only: no marks, no names of
    students. Five queries."""
    schools = list(School.objects.filter(municipality=municipality).order_by("name"))
    years = {
        year.school_id: year
        for year in AcademicYear.objects.filter(school__municipality=municipality, name=year_name)
    }
    classes: dict[int, tuple[int, int]] = {
        year_id: (total, closed)
        for year_id, total, closed in ClassGroup.objects.filter(year__in=years.values())
        .order_by()
        .values("year_id")
        .annotate(total=Count("pk"), closed=Count("pk", filter=Q(closed_at__isnull=False)))
        .values_list("year_id", "total", "closed")
    }
    packaged: dict[int, set[int]] = defaultdict(set)
    signed: dict[int, set[int]] = defaultdict(set)
    for year_id, class_group_id, state in ArchiveDocument.objects.filter(
        year__in=years.values(), kind=DocumentKind.CLASS_JOURNAL, class_group__isnull=False
    ).values_list("year_id", "class_group_id", "state"):
        packaged[year_id].add(class_group_id)
        if state in SIGNED_STATES:
            signed[year_id].add(class_group_id)
    reopenings = dict(
        ReopeningAct.objects.filter(closing__year__in=years.values())
        .order_by()
        .values("closing__school_id")
        .annotate(acts=Count("pk"))
        .values_list("closing__school_id", "acts")
    )
    summaries = []
    for school in schools:
        year = years.get(school.pk)
        total, closed = classes.get(year.pk, (0, 0)) if year is not None else (0, 0)
        school_closed = year is not None and year.closed_at is not None
        signed_count = len(signed[year.pk]) if year is not None else 0
        deadline = (
            dt.date(year.ends_on.year, DEADLINE_MONTH, DEADLINE_DAY) if year is not None else None
        )
        summaries.append(
            SchoolClosingSummary(
                school_id=school.pk,
                school_name=school.short_name or school.name,
                year_id=year.pk if year is not None else None,
                classes_total=total,
                classes_closed=total if school_closed else closed,
                classes_packaged=len(packaged[year.pk]) if year is not None else 0,
                classes_signed=signed_count,
                school_closed=school_closed,
                deadline=deadline,
                late=deadline is not None and today > deadline and signed_count < total,
                reopenings=reopenings.get(school.pk, 0),
            )
        )
    return summaries
