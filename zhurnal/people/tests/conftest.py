from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.cache import cache

from tests.cast import Community
from zhurnal.people.models import Enrollment, Sex, Student


@pytest.fixture(autouse=True)
def _clear_code_attempts() -> Iterator[None]:
    """Failed-code counters live in the cache, which outlives a test's database."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pupil(community: Community) -> Student:
    """A student of 5-А with no login and no guardian recorded."""
    student = Student.objects.create(
        municipality=community.municipality,
        surname="Ярошенко",
        given_name="Марія",
        patronymic="Олегівна",
        birth_date=dt.date(2015, 5, 9),
        sex=Sex.FEMALE,
    )
    Enrollment.objects.create(
        student=student, class_group=community.class_5a, starts_on=dt.date(2026, 9, 1)
    )
    return student
