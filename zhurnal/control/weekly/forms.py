"""Input form of the weekly reports page (shape only)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhurnal.core.forms import DATE


class ProduceForm(forms.Form):
    week = forms.DateField(
        label=_("Week (any day of it)"),
        widget=DATE,
        help_text=_("The report covers Monday to Sunday of the week of this day."),
    )
