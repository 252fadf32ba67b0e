"""The family's "How was this mark formed?": the method and the marks it used, or exactly
why the journal could not suggest a value."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.cast import Community
from zhurnal.diary.tests.test_diary_pages import lesson, mark
from zhurnal.schools.models import TermMarkMethod


@pytest.fixture(autouse=True)
def _english(settings, client: Client) -> None:  # type: ignore[no-untyped-def]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_thematic_method_without_thematic_marks_says_so_under_many_marks(
    client: Client, community: Community
) -> None:
    assert community.school.term_mark_method == TermMarkMethod.THEMATIC_MEAN
    for day in range(16, 21):
        mark(community, community.student, "10", on=lesson(community, dt.date(2026, 11, day)))
    mark(community, community.student, "10", kind="term", term=community.term1)
    client.force_login(community.guardian)
    body = client.get(
        f"/diary/{community.student.pk}/marks/?term={community.term1.pk}"
    ).content.decode()
    assert "The school&#x27;s method uses thematic marks only" in body or (
        "The school's method uses thematic marks only" in body
    )
    assert "no thematic mark in this term yet" in body
    assert "had no numeric marks" not in body


def test_a_suggestion_names_the_method_and_the_marks_used(
    client: Client, community: Community
) -> None:
    community.school.term_mark_method = TermMarkMethod.WEIGHTED_MEAN
    community.school.save()
    mark(community, community.student, "8", on=lesson(community, dt.date(2026, 11, 16)))
    mark(community, community.student, "9", kind="term", term=community.term1)
    client.force_login(community.guardian)
    body = client.get(
        f"/diary/{community.student.pk}/marks/?term={community.term1.pk}"
    ).content.decode()
    assert "The journal suggested 8 (8.00): weighted mean of all marks" in body
    assert "Marks used:" in body and "<li><strong>8</strong>" in body
