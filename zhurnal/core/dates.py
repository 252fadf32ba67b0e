"""Weekday names inside a sentence.

Django's `date:"l"` gives the standalone name ("Четвер"), right for a heading or a column
but wrong mid-sentence: Ukrainian and Russian write weekdays in lower case there, and after
"на" ("homework for …") in the accusative ("на п’ятницю", "на пятницу"). Each form has its
own translation context, so English keeps "Friday" everywhere.
"""

from __future__ import annotations

import datetime as dt

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

# Keyed by ISO weekday (Monday is 1).
_MID_SENTENCE: dict[int, Promise] = {
    1: pgettext_lazy("weekday mid-sentence", "Monday"),
    2: pgettext_lazy("weekday mid-sentence", "Tuesday"),
    3: pgettext_lazy("weekday mid-sentence", "Wednesday"),
    4: pgettext_lazy("weekday mid-sentence", "Thursday"),
    5: pgettext_lazy("weekday mid-sentence", "Friday"),
    6: pgettext_lazy("weekday mid-sentence", "Saturday"),
    7: pgettext_lazy("weekday mid-sentence", "Sunday"),
}
_AFTER_FOR: dict[int, Promise] = {
    1: pgettext_lazy("weekday after 'for' (uk на + accusative)", "Monday"),
    2: pgettext_lazy("weekday after 'for' (uk на + accusative)", "Tuesday"),
    3: pgettext_lazy("weekday after 'for' (uk на + accusative)", "Wednesday"),
    4: pgettext_lazy("weekday after 'for' (uk на + accusative)", "Thursday"),
    5: pgettext_lazy("weekday after 'for' (uk на + accusative)", "Friday"),
    6: pgettext_lazy("weekday after 'for' (uk на + accusative)", "Saturday"),
    7: pgettext_lazy("weekday after 'for' (uk на + accusative)", "Sunday"),
}


def weekday_mid_sentence(day: dt.date) -> str:
    """The weekday as it stands inside a sentence: "Сьогодні, четвер"."""
    return str(_MID_SENTENCE[day.isoweekday()])


def weekday_after_for(day: dt.date) -> str:
    """The weekday after "for"/"на": "Домашнє завдання на п’ятницю"."""
    return str(_AFTER_FOR[day.isoweekday()])
