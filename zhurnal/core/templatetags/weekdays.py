"""Weekday names inside a sentence: `{% load weekdays %}{{ day|weekday_for }}`."""

from __future__ import annotations

import datetime as dt

from django import template

from zhurnal.core.dates import weekday_after_for, weekday_mid_sentence

register = template.Library()


@register.filter
def weekday_mid(day: dt.date | None) -> str:
    """ "четвер" in "Сьогодні, четвер, 03.12.2026"."""
    return weekday_mid_sentence(day) if day else ""


@register.filter
def weekday_for(day: dt.date | None) -> str:
    """ "п’ятницю" in "Домашнє завдання на п’ятницю"."""
    return weekday_after_for(day) if day else ""
