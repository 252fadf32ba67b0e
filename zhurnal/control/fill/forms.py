"""The period the fill pages count: a quick choice or a range of dates (shape only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from zhurnal.core.forms import DATE

# The longest custom range: one academic year and a little.
MAX_RANGE_DAYS = 400


class Period:
    PREVIOUS_WEEK = "previous_week"
    THIS_WEEK = "this_week"
    THIS_MONTH = "this_month"
    THIS_TERM = "this_term"
    CUSTOM = "custom"


PERIOD_CHOICES = [
    (Period.PREVIOUS_WEEK, _("previous week")),
    (Period.THIS_WEEK, _("this week")),
    (Period.THIS_MONTH, _("this month")),
    (Period.THIS_TERM, _("this term")),
    (Period.CUSTOM, _("dates below")),
]


class FillPeriodForm(forms.Form):
    """Which lessons the fill level counts: a quick choice or a range of dates."""

    period = forms.ChoiceField(
        label=_("Period"), choices=PERIOD_CHOICES, required=False, initial=Period.PREVIOUS_WEEK
    )
    start = forms.DateField(label=_("From"), widget=DATE, required=False)
    end = forms.DateField(label=_("To"), widget=DATE, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        period = data.get("period") or Period.PREVIOUS_WEEK
        start: dt.date | None = data.get("start")
        end: dt.date | None = data.get("end")
        # Dates typed without choosing "dates below" still mean a custom range.
        if (start or end) and period == Period.PREVIOUS_WEEK and not self.data.get("period"):
            period = Period.CUSTOM
        data["period"] = period
        if period != Period.CUSTOM or self.errors:
            return data
        if start is None:
            self.add_error("start", _("Choose the first day."))
        if end is None:
            self.add_error("end", _("Choose the last day."))
        if start and end:
            if end < start:
                self.add_error("end", _("The end cannot come before the start."))
            elif (end - start).days > MAX_RANGE_DAYS:
                self.add_error(
                    "end",
                    ngettext(
                        "Choose at most %(days)s day at a time.",
                        "Choose at most %(days)s days at a time.",
                        MAX_RANGE_DAYS,
                    )
                    % {"days": MAX_RANGE_DAYS},
                )
        return data
