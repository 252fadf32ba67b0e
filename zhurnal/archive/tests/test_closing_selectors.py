"""What the closing pages read: where each class's closing stands, the reopening acts, and
the department's summary of every school (counts and dates, no marks, no names)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from tests.cast import Community
from zhurnal.archive.closing.checks import closing_check
from zhurnal.archive.closing.selectors import (
    department_closing_summary,
    reopening_acts,
    school_closing_overview,
)
from zhurnal.archive.closing.services import class_year_close, school_year_close, year_reopen
from zhurnal.archive.models import ArchiveDocument, DocumentKind, DocumentState
from zhurnal.audit.integrity import audit_rows_seal
from zhurnal.schools.models import AcademicYear, ClassGroup

CLOSED_ON = dt.date(2027, 6, 20)


@pytest.fixture(autouse=True)
def audit_key() -> Iterator[None]:
    with override_settings(ZHURNAL_AUDIT_KEY="a closing test key, not the secret key"):
        yield


@pytest.fixture
def c(community: Community) -> Community:
    for school in (community.school, community.other_school):
        audit_rows_seal(actor=None, school_id=school.pk, reason="test set-up")
    return community


def close(c: Community, class_group: ClassGroup) -> None:
    codes = {item.code for item in closing_check(c.year, [class_group])[class_group.pk]}
    class_year_close(actor=c.director, class_group=class_group, accepted=codes)


def document(
    c: Community, class_group: ClassGroup, kind: str, version: int, state: str
) -> ArchiveDocument:
    return ArchiveDocument.objects.create(
        kind=kind,
        nomenclature_index="01-12",
        school=class_group.year.school,
        year=class_group.year,
        class_group=class_group,
        version=version,
        state=state,
        sha256="0" * 64,
        created_by=c.director,
        closed_on=CLOSED_ON,
        keep_until=dt.date(2032, 12, 31),
    )


def test_the_overview_shows_each_class_closing_job_and_documents(
    c: Community, django_assert_max_num_queries: Any
) -> None:
    close(c, c.class_5a)
    document(c, c.class_5a, DocumentKind.CLASS_JOURNAL, 1, DocumentState.SIGNED)
    latest = document(c, c.class_5a, DocumentKind.CLASS_JOURNAL, 2, DocumentState.DRAFT)
    summary = document(c, c.class_5a, DocumentKind.SUMMARY_SHEET, 1, DocumentState.SIGNED)

    with django_assert_max_num_queries(5):
        rows = school_closing_overview(c.year)

    assert [row.class_group for row in rows] == [c.class_5a, c.class_5b]
    closed, open_ = rows
    assert closed.is_closed and closed.closing is not None
    assert closed.closing.class_group_id == c.class_5a.pk
    assert closed.job is not None and closed.job.closing_id == closed.closing.pk
    assert closed.job.percent == 0
    assert closed.journal == latest and closed.summary == summary
    assert not closed.signed  # the latest version is not signed yet
    assert not open_.is_closed and open_.closing is None and open_.job is None
    assert open_.journal is None and not open_.signed


def test_the_overview_reads_a_fixed_number_of_queries(
    c: Community, django_assert_max_num_queries: Any
) -> None:
    for letter in "ВГД":
        ClassGroup.objects.create(year=c.year, grade=5, letter=letter)
    school_year_close(
        actor=c.director,
        year=c.year,
        accepted={item.code for items in closing_check(c.year).values() for item in items},
    )
    for class_group in ClassGroup.objects.filter(year=c.year).select_related("year__school"):
        document(c, class_group, DocumentKind.CLASS_JOURNAL, 1, DocumentState.SIGNED)

    year = AcademicYear.objects.get(pk=c.year.pk)
    with django_assert_max_num_queries(5):
        rows = school_closing_overview(year)

    assert len(rows) == 5 and all(row.is_closed and row.signed for row in rows)
    assert all(row.closing is not None and row.closing.class_group is None for row in rows)
    assert all(row.job is not None and row.job.school_documents for row in rows)


def test_reopening_acts_are_listed_for_the_department_and_the_school(
    c: Community, django_assert_num_queries: Any
) -> None:
    close(c, c.class_5a)
    act = year_reopen(actor=c.director, year=c.year, class_group=c.class_5a, reason="Наказ № 5")

    with django_assert_num_queries(1):
        listed = reopening_acts(municipality=c.municipality, year_name="2026/2027")
        assert listed == [act]
        assert listed[0].closing.class_group == c.class_5a
        assert listed[0].closing.school.short_name == "Ліцей № 1"
        assert listed[0].reopened_by == c.director
    assert reopening_acts(school=c.school) == [act]
    assert reopening_acts(school=c.other_school) == []
    assert reopening_acts(municipality=c.municipality, year_name="2025/2026") == []


def test_the_department_sees_who_is_closed_packaged_signed_and_late(
    c: Community, django_assert_max_num_queries: Any
) -> None:
    close(c, c.class_5a)
    document(c, c.class_5a, DocumentKind.CLASS_JOURNAL, 1, DocumentState.TRANSFERRED)
    document(c, c.class_5b, DocumentKind.CLASS_JOURNAL, 1, DocumentState.DRAFT)
    year_reopen(actor=c.director, year=c.year, class_group=c.class_5a, reason="Оцінка")
    close(c, c.class_5a)

    with django_assert_max_num_queries(5):
        summaries = department_closing_summary(
            c.municipality, year_name="2026/2027", today=dt.date(2027, 7, 2)
        )

    by_school = {summary.school_id: summary for summary in summaries}
    lyceum = by_school[c.school.pk]
    assert (lyceum.classes_total, lyceum.classes_closed) == (2, 1)
    assert (lyceum.classes_packaged, lyceum.classes_signed) == (2, 1)
    assert lyceum.deadline == dt.date(2027, 7, 1) and lyceum.late
    assert lyceum.reopenings == 1 and not lyceum.school_closed
    gymnasium = by_school[c.other_school.pk]
    assert (gymnasium.classes_total, gymnasium.classes_closed, gymnasium.classes_signed) == (
        1,
        0,
        0,
    )
    assert gymnasium.late and gymnasium.reopenings == 0
    # Aggregates only: nothing in a summary names a student or a mark.
    assert {field.name for field in dataclasses.fields(lyceum)} == {
        "school_id",
        "school_name",
        "year_id",
        "classes_total",
        "classes_closed",
        "classes_packaged",
        "classes_signed",
        "school_closed",
        "deadline",
        "late",
        "reopenings",
    }

    on_time = department_closing_summary(
        c.municipality, year_name="2026/2027", today=dt.date(2027, 7, 1)
    )
    assert not any(summary.late for summary in on_time)
    document(c, c.class_5b, DocumentKind.CLASS_JOURNAL, 2, DocumentState.SIGNED)
    late = department_closing_summary(
        c.municipality, year_name="2026/2027", today=dt.date(2027, 9, 1)
    )
    assert not {summary.school_id: summary for summary in late}[c.school.pk].late


def test_a_school_without_the_year_is_listed_empty(c: Community) -> None:
    summaries = department_closing_summary(
        c.municipality, year_name="2030/2031", today=dt.date(2031, 8, 1)
    )
    assert {summary.school_id for summary in summaries} == {c.school.pk, c.other_school.pk}
    assert all(
        summary.year_id is None and summary.classes_total == 0 and not summary.late
        for summary in summaries
    )
