"""What several browser journeys share: the Ukrainian of a source text, and students added
to a class of the cast."""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from django.utils.translation import gettext

from tests.cast import Community
from zhurnal.people.models import Enrollment, Sex, Student


def uk(message: str) -> str:
    """A source text as the Ukrainian interface shows it."""
    with translation.override("uk"):
        return gettext(message)


def enrol_students(community: Community, count: int) -> None:
    """`count` more students in 5-А (Учень00, Учень01, …) since 1 September."""
    for number in range(count):
        student = Student.objects.create(
            municipality=community.municipality,
            surname=f"Учень{number:02d}",
            given_name="Тест",
            birth_date=dt.date(2015, 1, 1),
            sex=Sex.MALE,
        )
        Enrollment.objects.create(
            student=student, class_group=community.class_5a, starts_on=dt.date(2026, 9, 1)
        )
