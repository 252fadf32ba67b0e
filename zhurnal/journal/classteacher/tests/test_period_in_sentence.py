"""The attendance period named inside the table's caption: weekday in lower case."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from zhurnal.journal.classteacher.selectors import DAY, attendance_period


def test_day_period_is_capitalised_alone_and_lowercase_in_the_caption() -> None:
    with translation.override("uk"):
        period = attendance_period(kind=DAY, on=dt.date(2026, 12, 3), terms=[])
    assert period.label == "Четвер, 03.12.2026"
    assert period.in_sentence == "четвер, 03.12.2026"
