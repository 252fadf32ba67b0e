"""Forms of the department's monitoring: the term-mark filters and the quarter to
produce reports for."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhurnal.core.forms import set_choices
from zhurnal.monitoring.quarterly import previous_quarter, quarter_label, quarter_of
from zhurnal.monitoring.selectors import MarkPeriod

BREAKDOWN_CHOICES = (
    ("school", _("by school")),
    ("grade", _("by grade")),
    ("subject", _("by subject")),
    ("grade_subject", _("by grade and subject")),
)


class MarkFilterForm(forms.Form):
    """Which term marks to count and how to split them into rows."""

    period = forms.ChoiceField(label=_("Academic year and term"), required=False)
    by = forms.ChoiceField(label=_("Rows"), required=False)
    grade = forms.TypedChoiceField(label=_("Grade"), coerce=int, required=False, empty_value=None)
    subject = forms.ChoiceField(label=_("Subject"), required=False)

    def __init__(
        self,
        data: Any,
        *,
        periods: list[MarkPeriod],
        grades: list[int],
        subjects: list[str],
        breakdowns: tuple[str, ...],
    ) -> None:
        super().__init__(data)
        self.periods = {period.key: period for period in periods}
        set_choices(self, "period", [(period.key, period.label) for period in periods])
        set_choices(
            self,
            "by",
            [(value, label) for value, label in BREAKDOWN_CHOICES if value in breakdowns],
        )
        set_choices(self, "grade", [("", _("all grades")), *[(g, str(g)) for g in grades]])
        set_choices(self, "subject", [("", _("all subjects")), *[(s, s) for s in subjects]])

    def clean_period(self) -> MarkPeriod | None:
        key = self.cleaned_data.get("period")
        return self.periods.get(key or "")


def quarter_choices(today: dt.date, count: int = 4) -> list[tuple[str, str]]:
    """The current quarter (figures so far) and the `count` quarters before it."""
    start, _end = quarter_of(today)
    choices = [(start.isoformat(), quarter_label(start))]
    for _step in range(count):
        start, _end = previous_quarter(start)
        choices.append((start.isoformat(), quarter_label(start)))
    return choices


class QuarterForm(forms.Form):
    quarter = forms.ChoiceField(label=_("Quarter"))

    def __init__(self, data: Any = None, *, today: dt.date) -> None:
        super().__init__(data)
        set_choices(self, "quarter", quarter_choices(today))
        self.fields["quarter"].initial = previous_quarter(today)[0].isoformat()

    def period(self) -> tuple[dt.date, dt.date]:
        return quarter_of(dt.date.fromisoformat(self.cleaned_data["quarter"]))
