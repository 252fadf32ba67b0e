from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhurnal.notifications.models import Delivery, NotificationKind

KIND_LABELS = {
    NotificationKind.MARK: _("New marks"),
    NotificationKind.ABSENCE: _("Absences"),
    NotificationKind.REMARK: _("Remarks"),
    NotificationKind.HOMEWORK: _("Homework"),
}


class PreferencesForm(forms.Form):
    """One choice per kind of news, and optional quiet hours."""

    quiet_from = forms.TimeField(
        label=_("Quiet hours from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_to = forms.TimeField(
        label=_("Quiet hours until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_(
            "No immediate e-mail comes in these hours (school time); it waits until they end."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = {}
        for kind in NotificationKind:
            kinds[kind.value] = forms.ChoiceField(
                label=KIND_LABELS[kind],
                choices=Delivery.choices,
                widget=forms.RadioSelect,
            )
        # The kinds first, the quiet hours after them.
        self.fields = {**kinds, **self.fields}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("quiet_from"), data.get("quiet_to")
        if (start is None) != (end is None):
            raise forms.ValidationError(_("Give both ends of the quiet hours, or neither."))
        if start is not None and start == end:
            raise forms.ValidationError(_("The quiet hours must not start and end together."))
        return data

    def deliveries(self) -> dict[str, str]:
        return {kind.value: self.cleaned_data[kind.value] for kind in NotificationKind}


class SchoolPolicyForm(forms.Form):
    mark_delay_minutes = forms.IntegerField(
        label=_("Delay before a new mark reaches guardians (minutes)"),
        min_value=0,
        max_value=1440,
        help_text=_("0 sends at once; the student's own notification is never delayed."),
    )
