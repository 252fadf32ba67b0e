"""The form of the class teacher's excuse of absences (shape only; the rules are in
journal.services.absences_excuse)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhurnal.core.forms import DATE
from zhurnal.journal.models import Excuse
from zhurnal.journal.services import EXCUSE_DOCUMENT_MAX_BYTES
from zhurnal.people.models import Student


class ExcuseForm(forms.Form):
    student = forms.TypedChoiceField(label=_("Student"), coerce=int)
    starts_on = forms.DateField(label=_("From"), widget=DATE)
    ends_on = forms.DateField(label=_("Until (inclusive)"), widget=DATE)
    reason = forms.ChoiceField(label=_("Reason"), choices=Excuse.choices)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    document = forms.FileField(
        label=_("Scanned document (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args: Any, students: list[Student], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.students = {student.pk: student for student in students}
        field = self.fields["student"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "—"), *((s.pk, s.full_name) for s in students)]
        self.fields["document"].help_text = _(
            "A medical certificate or a parents' note: PDF, JPEG or PNG, up to %(size)s MB."
        ) % {"size": EXCUSE_DOCUMENT_MAX_BYTES // (1024 * 1024)}

    def chosen_student(self) -> Student:
        return self.students[self.cleaned_data["student"]]
