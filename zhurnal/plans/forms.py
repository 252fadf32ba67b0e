from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhurnal.plans.models import TemplateScope

TEXT_HELP = _(
    "One line per lesson topic. A line beginning with «Тема» or «Розділ» starts a theme "
    "(hours in brackets: «Тема 1. Дроби (12 год)»). Hours of a topic after «|»: "
    "«Розв’язування задач | 2»; without them a topic takes one lesson."
)


class PlanTextForm(forms.Form):
    term = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Themes and lesson topics"),
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "true"}),
        help_text=TEXT_HELP,
        max_length=100_000,
    )


class PlanImportForm(forms.Form):
    term = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        required=False,
        help_text=_("A КТП table with columns such as «Тема уроку» and «К-сть год.»."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    pasted = forms.CharField(
        label=_("Or paste the plan from a document"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=100_000,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("file") and not (data.get("pasted") or "").strip():
            raise forms.ValidationError(_("Choose a file or paste the plan."))
        return data


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("What should be changed"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class PublishForm(forms.Form):
    title = forms.CharField(label=_("Title of the template"), max_length=200)
    scope = forms.ChoiceField(label=_("Share with"), choices=TemplateScope.choices)


class TemplateFilterForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), required=False, max_length=200)
    grade = forms.IntegerField(label=_("Grade"), required=False, min_value=1, max_value=12)
