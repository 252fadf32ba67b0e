"""Input forms of the remarks on journal keeping (shape only; the rules are in
control.remarks.services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhurnal.accounts.models import User
from zhurnal.control.models import JournalRemarkStatus
from zhurnal.control.remarks.services import NOTE_MAX, REMARK_TEXT_MAX
from zhurnal.core.forms import DATE, DateRangeForm
from zhurnal.people.forms import StaffChoiceField


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


class RemarkFilterForm(DateRangeForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("any status")), *JournalRemarkStatus.choices],
    )
    teacher = StaffChoiceField(
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
