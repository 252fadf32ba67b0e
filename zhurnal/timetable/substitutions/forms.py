"""Input forms of the substitutions page and the register (shape only; the rules are in
the services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhurnal.accounts.models import User
from zhurnal.core.forms import DATE
from zhurnal.people.forms import StaffChoiceField
from zhurnal.timetable.services import REASON_MAX_LENGTH

# A register longer than a year is not a register any more, and would be a heavy query.
REGISTER_MAX_DAYS = 366


class DayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)


class SubstituteForm(forms.Form):
    substitute = StaffChoiceField(queryset=User.objects.none(), label=_("Substitute teacher"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        help_text=_("For example: sick leave, training course, business trip."),
    )

    def __init__(self, *args: Any, teachers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["substitute"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = teachers


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason the lesson was not held"), max_length=REASON_MAX_LENGTH
    )


class RegisterFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)
    teacher = StaffChoiceField(
        queryset=User.objects.none(),
        label=_("Teacher"),
        required=False,
        empty_label=_("all teachers"),
    )

    def __init__(self, *args: Any, teachers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["teacher"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = teachers

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: dt.date | None = data.get("start")
        end: dt.date | None = data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end cannot come before the start."))
            elif (end - start).days >= REGISTER_MAX_DAYS:
                self.add_error("end", _("Choose at most a year."))
        return data


class AbsenceForm(forms.Form):
    """A teacher recorded as away, from a day to a day (the same day by default)."""

    teacher = StaffChoiceField(queryset=User.objects.none(), label=_("Teacher away"))
    starts_on = forms.DateField(label=_("Away from"), widget=DATE)
    ends_on = forms.DateField(
        label=_("Away until"),
        widget=DATE,
        required=False,
        help_text=_("Leave empty for one day."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        help_text=_("For example: sick leave, training course, business trip."),
    )

    def __init__(self, *args: Any, teachers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["teacher"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = teachers

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and not data.get("ends_on"):
            data["ends_on"] = data["starts_on"]
        return data


class AbsenceDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
