"""Form pieces every page shares: HTML date and time inputs, a range of dates, and a
service's refusal shown on the form or in a message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's refusal on the form: on the field it names, else above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def error_text(exc: ValidationError) -> str:
    """A service's refusal as one line, for a message."""
    return " ".join(exc.messages)


def form_error_text(form: forms.BaseForm) -> str:
    """Every error of a bound form as one line, for a message."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


class DateRangeForm(forms.Form):
    """A filter with optional `start` and `end` dates (its subclass declares them): the
    end may not come before the start."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: dt.date | None = data.get("start")
        end: dt.date | None = data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end cannot come before the start."))
        return data


def set_choices(form: forms.BaseForm, name: str, choices: Iterable[tuple[Any, Any]]) -> None:
    """Give a choice field of the form its choices for this request (django-stubs types
    `form.fields[name]` as a plain Field, which has no `choices`)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    field.choices = list(choices)
