from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zhurnal.archive.models import SignerRole
from zhurnal.schools.models import ClassGroup

# A detached signature is a few kilobytes; a signed container is the package plus its
# signatures. Anything larger than this is not what a signing tool returns.
MAX_SIGNATURE_UPLOAD = 50 * 1024 * 1024


class CloseForm(forms.Form):
    """Closing the year: the check items the director accepts as they are, and a confirmation."""

    accepted = forms.MultipleChoiceField(
        label=_("Accept as it is"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    confirm = forms.BooleanField(
        label=_("I close the year: the journal becomes read-only and is packaged for the archive."),
        required=True,
        error_messages={"required": _("Confirm that you close the year.")},
    )

    def __init__(self, *args: Any, codes: Iterable[tuple[str, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["accepted"].choices = list(codes)  # type: ignore[attr-defined]  # ChoiceField


class ReopenForm(forms.Form):
    """The director's reasoned act reopening a closed year (of one class or the school)."""

    class_group = forms.ModelChoiceField(
        label=_("Class"),
        queryset=ClassGroup.objects.none(),
        required=False,
        empty_label=_("the whole school"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The act is kept and the department sees it."),
        error_messages={"required": _("State why the year is reopened.")},
    )

    def __init__(self, *args: Any, classes: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if classes is not None:
            self.fields["class_group"].queryset = classes  # type: ignore[attr-defined]  # ModelChoiceField


class SignatureUploadForm(forms.Form):
    """A detached signature (.p7s) of the manifest, or the container signed by the tool."""

    file = forms.FileField(
        label=_("Signature file (.p7s) or signed container (.asice, .asics)"),
        help_text=_("Sign the downloaded manifest or package in your own signing tool."),
    )
    role = forms.ChoiceField(label=_("Signed as"), choices=SignerRole.choices)

    def __init__(self, *args: Any, roles: Iterable[str] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        allowed = set(roles)
        self.fields["role"].choices = [  # type: ignore[attr-defined]  # ChoiceField
            (value, label) for value, label in SignerRole.choices if value in allowed
        ]

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SIGNATURE_UPLOAD:
            raise ValidationError(_("The file is too large for a signature."))
        data: bytes = upload.read()
        if not data:
            raise ValidationError(_("The file is empty."))
        return data


class DestroyForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for destruction"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("State why the document is destroyed.")},
    )
