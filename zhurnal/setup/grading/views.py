"""The administrator's «Оцінювання» set-up: which scale each grade and subject uses, and
how term marks are proposed — decisions of the school's pedagogical council."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhurnal.core.http import AuthedRequest
from zhurnal.journal.access import scale_rule_for_user
from zhurnal.journal.models import GradingScale, ScaleRule
from zhurnal.journal.services import (
    scale_rule_create,
    scale_rule_delete,
    scale_rule_update,
    school_term_mark_method_set,
)
from zhurnal.schools.models import Subject, TermMarkMethod
from zhurnal.setup.school.forms import SetupContext, SetupModelForm
from zhurnal.setup.screens import Label, Screen, setup_context


class ScaleRuleForm(SetupModelForm):
    class Meta:
        model = ScaleRule
        fields = ["grade_from", "grade_to", "subject", "scale"]
        help_texts = {"subject": gettext_lazy("Leave empty for every subject of these grades.")}

    def limit_choices(self, ctx: SetupContext) -> None:
        subject = self.fields["subject"]
        assert isinstance(subject, forms.ModelChoiceField)
        subject.queryset = Subject.objects.filter(school=ctx.school).order_by("name")
        subject.required = False
        scale = self.fields["scale"]
        assert isinstance(scale, forms.ModelChoiceField)
        scale.queryset = GradingScale.objects.order_by("name")


class TermMarkMethodForm(forms.Form):
    method = forms.ChoiceField(
        label=gettext_lazy("term mark proposal"), choices=TermMarkMethod.choices
    )


class GradingScreen(Screen[ScaleRule]):
    section = "grading"
    slug = "grading"
    title = gettext_lazy("Grading")
    form_class = ScaleRuleForm
    year_scoped = False
    template_name = "setup/grading.html"
    intro = gettext_lazy(
        "Without a rule: grades 1–2 are assessed by comments only, grades 3–4 by the four "
        "levels of the New Ukrainian School, grades 5–11 on the 12-point scale. A rule for one "
        "subject wins over a rule for all subjects."
    )

    def queryset(self, ctx: SetupContext) -> QuerySet[ScaleRule]:
        return (
            ScaleRule.objects.filter(school=ctx.school)
            .select_related("subject", "scale")
            .order_by("grade_from", "subject__name")
        )

    def fetch(self, ctx: SetupContext, pk: int) -> ScaleRule:
        return scale_rule_for_user(ctx.user, pk, within=ctx.school)

    def headers(self) -> list[Label]:
        return [_("grades"), _("subject"), _("scale")]

    def cells(self, obj: ScaleRule) -> list[Any]:
        return [
            f"{obj.grade_from}–{obj.grade_to}",
            obj.subject.name if obj.subject else _("all subjects"),
            obj.scale.name,
        ]

    def create(self, ctx: SetupContext, data: dict[str, Any]) -> ScaleRule:
        return scale_rule_create(actor=ctx.user, school=ctx.school, **data)

    def update(self, ctx: SetupContext, obj: ScaleRule, data: dict[str, Any]) -> ScaleRule:
        obj.school = ctx.school
        return scale_rule_update(actor=ctx.user, rule=obj, **data)

    def delete(self, ctx: SetupContext, obj: ScaleRule) -> None:
        scale_rule_delete(actor=ctx.user, rule=obj)

    def extra_context(self, ctx: SetupContext, objects: list[ScaleRule]) -> dict[str, Any]:
        return {"method_form": TermMarkMethodForm(initial={"method": ctx.school.term_mark_method})}


grading = GradingScreen()


@login_required
@require_POST
def term_mark_method(request: AuthedRequest, school_id: int) -> HttpResponse:
    ctx = setup_context(request, school_id)
    form = TermMarkMethodForm(request.POST)
    if form.is_valid():
        try:
            school_term_mark_method_set(
                actor=ctx.user, school=ctx.school, method=form.cleaned_data["method"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The term mark proposal method is saved."))
    else:
        messages.error(request, _("Choose one of the methods."))
    return redirect("setup:setup_grading", school_id=ctx.school.pk)
