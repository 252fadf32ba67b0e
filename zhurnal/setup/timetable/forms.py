"""Input forms of the timetable set-up screens (shape only; the rules are in services)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhurnal.accounts.models import User
from zhurnal.core.forms import DATE, TIME
from zhurnal.people.forms import StaffChoiceField
from zhurnal.people.models import Role
from zhurnal.people.selectors import school_staff
from zhurnal.schools.models import ClassGroup, Subgroup, Subject, Term
from zhurnal.setup.school.forms import HoursField, SetupContext, SetupModelForm
from zhurnal.timetable.models import Period, TeachingAssignment, Timetable, Weekday

if TYPE_CHECKING:
    _AssignmentField = forms.ModelChoiceField[TeachingAssignment]
else:
    # ModelChoiceField is generic in django-stubs only; Django's class takes no [...].
    _AssignmentField = forms.ModelChoiceField


class AssignmentChoiceField(_AssignmentField):
    def label_from_instance(self, obj: Any) -> str:
        group = f" ({obj.subgroup.name})" if obj.subgroup else ""
        return f"{obj.subject.name}{group} — {obj.teacher.short_name}"


def _limit(form: forms.BaseForm, name: str, queryset: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class AssignmentForm(SetupModelForm):
    teacher = StaffChoiceField(queryset=User.objects.none(), label=_("teacher"))
    hours_per_week = HoursField(label=_("hours per week"))

    class Meta:
        model = TeachingAssignment
        fields = ["class_group", "subject", "subgroup", "teacher", "hours_per_week"]

    def limit_choices(self, ctx: SetupContext) -> None:
        _limit(self, "teacher", school_staff(ctx.school, role=Role.TEACHER))
        _limit(self, "subject", Subject.objects.filter(school=ctx.school))
        _limit(self, "class_group", ClassGroup.objects.filter(year=ctx.year))
        _limit(
            self,
            "subgroup",
            Subgroup.objects.filter(class_group__year=ctx.year).select_related(
                "class_group", "subject"
            ),
        )
        self.fields["subgroup"].help_text = _(
            "Only for a subject taught in groups: the group of this class and subject."
        )


class PeriodForm(SetupModelForm):
    class Meta:
        model = Period
        fields = ["number", "starts_at", "ends_at"]
        widgets = {"starts_at": TIME, "ends_at": TIME}


class TimetableForm(SetupModelForm):
    class Meta:
        model = Timetable
        fields = ["name", "valid_from", "valid_to"]
        widgets = {"valid_from": DATE, "valid_to": DATE}


WEEKDAYS = [(day.value, day.label) for day in Weekday if day != Weekday.SATURDAY]


class TimetableEntryForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("weekday"), choices=WEEKDAYS, coerce=int)
    period = forms.ModelChoiceField(queryset=Period.objects.none(), label=_("lesson number"))
    assignment = AssignmentChoiceField(
        queryset=TeachingAssignment.objects.none(), label=_("subject and teacher")
    )
    room = forms.CharField(label=_("room"), max_length=40, required=False)

    def __init__(self, *args: Any, timetable: Timetable, class_group: ClassGroup, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _limit(self, "period", Period.objects.filter(year_id=timetable.year_id))
        _limit(
            self,
            "assignment",
            TeachingAssignment.objects.filter(class_group=class_group).select_related(
                "subject", "subgroup", "teacher", "class_group"
            ),
        )


class LessonsForm(forms.Form):
    """Either a term or a date range."""

    term = forms.ModelChoiceField(
        queryset=Term.objects.none(),
        label=_("term"),
        required=False,
        help_text=_("Choose a term, or give the dates below."),
    )
    start = forms.DateField(label=_("from"), required=False, widget=DATE)
    end = forms.DateField(label=_("until"), required=False, widget=DATE)

    def __init__(self, *args: Any, ctx: SetupContext, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit(self, "term", Term.objects.filter(year=ctx.year).order_by("grade_from", "starts_on"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        term: Term | None = data.get("term")
        start: dt.date | None = data.get("start")
        end: dt.date | None = data.get("end")
        if term is not None:
            data["start"], data["end"] = term.starts_on, term.ends_on
        elif start is None or end is None:
            raise forms.ValidationError(_("Choose a term or give both dates."))
        return data
