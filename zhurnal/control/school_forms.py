"""Input forms of the school's control of journal keeping (shape only; the rules of
remarks are in control.services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhurnal.accounts.models import User
from zhurnal.control.models import JournalRemarkStatus
from zhurnal.control.services import NOTE_MAX, REMARK_TEXT_MAX
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


class TeacherChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


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
                    _("Choose at most %(days)s days at a time.") % {"days": MAX_RANGE_DAYS},
                )
        return data


class RemarkForm(forms.Form):
    text = forms.CharField(
        label=_("Remark"),
        max_length=REMARK_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What should be put right in the journal."),
    )
    due_on = forms.DateField(label=_("Put right by (optional)"), widget=DATE, required=False)
    lesson = forms.IntegerField(required=False, widget=forms.HiddenInput)
    back = forms.CharField(required=False, widget=forms.HiddenInput)


class ResolveForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=NOTE_MAX, required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why it is opened again"), max_length=NOTE_MAX)


class RemarkFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("any status")), *JournalRemarkStatus.choices],
    )
    teacher = TeacherChoiceField(
        queryset=User.objects.none(),
        label=_("Teacher"),
        required=False,
        empty_label=_("all teachers"),
    )
    start = forms.DateField(label=_("Written from"), widget=DATE, required=False)
    end = forms.DateField(label=_("Written until"), widget=DATE, required=False)

    def __init__(self, *args: Any, teachers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["teacher"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = teachers

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: dt.date | None = data.get("start")
        end: dt.date | None = data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end cannot come before the start."))
        return data


class ProduceForm(forms.Form):
    week = forms.DateField(
        label=_("Week (any day of it)"),
        widget=DATE,
        help_text=_("The report covers Monday to Sunday of the week of this day."),
    )
