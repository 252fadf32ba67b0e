"""The same seed on the same day builds the same community."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from zhurnal.demo.generator import build_demo
from zhurnal.people.models import Student

TODAY = dt.date(2026, 9, 15)  # two weeks of lessons are enough to compare


class _Rollback(Exception):
    pass


def _students_of_a_build(seed: int) -> list[tuple[str, str, dt.date]]:
    """Build, read the students, and roll the build back."""
    rows: list[tuple[str, str, dt.date]] = []
    try:
        with transaction.atomic():
            build_demo(
                seed=seed, schools=1, today=TODAY, classes_per_grade=1, students_per_class=(6, 8)
            )
            rows = list(
                Student.objects.order_by("pk").values_list("surname", "given_name", "birth_date")
            )
            raise _Rollback
    except _Rollback:
        return rows


def test_the_same_seed_builds_the_same_students(db: None) -> None:
    first = _students_of_a_build(3)
    assert first
    assert _students_of_a_build(3) == first
    assert _students_of_a_build(4) != first
