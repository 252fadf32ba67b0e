"""Forms of the movement pages: what the administrator chooses; the services decide."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhurnal.core.forms import set_choices
from zhurnal.people.models import LeaveReason
from zhurnal.schools.models import ClassGroup, School
from zhurnal.students.movement.services import LEAVING_REASONS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TargetSchoolForm(forms.Form):
    """Step one of a transfer: this school or another school of the community."""

    school = forms.TypedChoiceField(label=_("School"), coerce=int)

    def __init__(self, *args: Any, own: School, others: Sequence[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "school",
            [
                (own.pk, _("%(school)s (this school)") % {"school": own}),
                *((school.pk, str(school)) for school in others),
            ],
        )


class TransferForm(forms.Form):
    """Step two: the class (of the chosen school's year), the date and the order."""

    target = forms.TypedChoiceField(label=_("New class"), coerce=int)
    on = forms.DateField(
        label=_("Studies in the new class from"),
        widget=DATE,
        help_text=_("The current enrollment ends the day before."),
    )
    order = forms.CharField(label=_("Order number"), max_length=60)

    def __init__(self, *args: Any, classes: Sequence[ClassGroup], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.classes = {c.pk: c for c in classes}
        set_choices(
            self,
            "target",
            [
                ("", "—"),
                *((c.pk, str(c)) for c in classes),
            ],
        )

    @property
    def target_class(self) -> ClassGroup:
        return self.classes[self.cleaned_data["target"]]


class LeaveForm(forms.Form):
    on = forms.DateField(
        label=_("Left the school from"),
        widget=DATE,
        help_text=_(
            "The first day the student no longer studies here; the enrollment ends the day before."
        ),
    )
    order = forms.CharField(label=_("Order number"), max_length=60)
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[(reason.value, reason.label) for reason in LEAVING_REASONS],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        help_text=_("Required for “other reason”: where the student went, or why."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == LeaveReason.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the student leaves."))
        return data


class PromotionForm(forms.Form):
    """The students kept back a year; everyone else moves up (or graduates)."""

    kept = forms.TypedMultipleChoiceField(
        label=_("Kept back a year (repeats the grade)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, student_ids: Sequence[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "kept", [(pk, str(pk)) for pk in student_ids])
