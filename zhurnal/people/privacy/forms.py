from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhurnal.core.forms import DATE, set_choices
from zhurnal.people.models import ConsentPurpose
from zhurnal.people.privacy.selectors import NOTICE_FIELDS, NOTICE_HEADINGS, ConsentRow
from zhurnal.people.privacy.services import NOTICE_TEXT_MAX, REQUEST_TEXT_MAX

SELF = "self"


def _text(label: str | Any) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=NOTICE_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


class NoticeForm(forms.Form):
    """A new version of the community's privacy notice: one text per part."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in NOTICE_FIELDS:
            self.fields[name] = _text(NOTICE_HEADINGS[name])


class AcceptNoticeForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read the privacy notice and accept it"),
        error_messages={"required": _("Accept the privacy notice to go on.")},
    )


class CorrectionRequestForm(forms.Form):
    text = forms.CharField(
        label=_("What is wrong, and how should it read?"),
        max_length=REQUEST_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ResolveRequestForm(forms.Form):
    answer = forms.CharField(
        label=_("What was done"),
        max_length=REQUEST_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PaperConsentForm(forms.Form):
    """A consent signed on paper, with its scan, for a guardian (or adult student) of the
    class; only the people of the class's register can be chosen."""

    holder = forms.ChoiceField(label=_("Who signed"))
    purpose = forms.ChoiceField(label=_("Consent to"), choices=ConsentPurpose.choices)
    given_on = forms.DateField(label=_("Signed on"), required=False, widget=DATE)
    document = forms.FileField(
        label=_("Scanned document"), help_text=_("PDF, JPEG or PNG, 10 MB at most.")
    )

    def __init__(self, *args: Any, rows: Sequence[ConsentRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = []
        for row in rows:
            for holder in row.holders:
                key = f"{row.student.pk}:{holder.guardian_id or SELF}"
                choices.append((key, f"{row.student.full_name} — {holder.name}"))
        set_choices(self, "holder", choices)

    def chosen(self) -> tuple[int, int | None]:
        student_id, guardian = self.cleaned_data["holder"].split(":")
        return int(student_id), None if guardian == SELF else int(guardian)
