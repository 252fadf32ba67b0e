"""Input forms of the set-up screens. They check the shape of the input only; the rules
(dates inside the year, no overlaps, who may be chosen) live in the services."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from zhurnal.accounts.models import User
from zhurnal.core.forms import DATE
from zhurnal.people.forms import StaffChoiceField
from zhurnal.people.selectors import school_staff
from zhurnal.people.services import SCHOOL_ROLES
from zhurnal.schools.models import AcademicYear, ClassGroup, Holiday, School, Subject, Term

if TYPE_CHECKING:
    _ModelForm = forms.ModelForm[Any]
else:
    _ModelForm = forms.ModelForm


@dataclass(frozen=True)
class SetupContext:
    """Who is setting up which school, and in which academic year (for year screens)."""

    user: User
    school: School
    year: AcademicYear | None = None

    @property
    def read_only(self) -> bool:
        return self.year is not None and self.year.closed_at is not None


def hours_display(value: Decimal) -> str:
    """5 and 1,5 (in the reader's language), never 5.0."""
    whole = value == value.to_integral_value()
    return formats.number_format(int(value) if whole else value)


class HoursInput(forms.TextInput):
    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal):
            return hours_display(value)
        shown = super().format_value(value)
        return None if shown is None else str(shown)


class HoursField(forms.DecimalField):
    """Weekly hours such as 1,5 or 1.5: schools write both."""

    widget = HoursInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 4)
        kwargs.setdefault("decimal_places", 1)
        kwargs.setdefault("min_value", Decimal("0.1"))
        kwargs.setdefault("max_value", Decimal(20))
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "size": 4})

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # No HTML number constraints: they would reject the comma.
        return {}


class SetupModelForm(_ModelForm):
    """A ModelForm that checks fields only; uniqueness and constraints are the service's
    to explain in the school's words."""

    def __init__(self, *args: Any, ctx: SetupContext, **kwargs: Any) -> None:
        self.ctx = ctx
        super().__init__(*args, **kwargs)
        self.limit_choices(ctx)

    def limit_choices(self, ctx: SetupContext) -> None:
        return None

    def _post_clean(self) -> None:
        # As ModelForm._post_clean, without uniqueness and database constraints. The two
        # private helpers are Django's own, absent from django-stubs (attr-defined).
        try:
            self.instance = construct_instance(
                self, self.instance, self._meta.fields, self._meta.exclude
            )
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(),  # type: ignore[attr-defined]  # Django's, not in the stubs
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            self._update_errors(exc)  # type: ignore[attr-defined]  # Django's, not in the stubs


class YearForm(SetupModelForm):
    class Meta:
        model = AcademicYear
        fields = ["name", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}


class StandardYearForm(forms.Form):
    first_year = forms.IntegerField(
        label=_("First calendar year"),
        min_value=2000,
        max_value=2100,
        help_text=_("For the year 2026/2027 enter 2026."),
    )


class TermForm(SetupModelForm):
    class Meta:
        model = Term
        fields = ["name", "kind", "number", "starts_on", "ends_on", "grade_from", "grade_to"]
        widgets = {"starts_on": DATE, "ends_on": DATE}


class HolidayForm(SetupModelForm):
    class Meta:
        model = Holiday
        fields = ["name", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}


class ClassGroupForm(SetupModelForm):
    class_teacher = StaffChoiceField(
        queryset=User.objects.none(), required=False, label=_("class teacher")
    )

    class Meta:
        model = ClassGroup
        fields = ["grade", "letter", "class_teacher"]

    def limit_choices(self, ctx: SetupContext) -> None:
        field = self.fields["class_teacher"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = school_staff(ctx.school)
        self.fields["grade"].widget.attrs.update(
            {"min": ctx.school.grade_min, "max": ctx.school.grade_max}
        )


class SubjectForm(SetupModelForm):
    class Meta:
        model = Subject
        fields = ["name", "short_name", "is_physical_education", "homework_expected"]


class SubgroupForm(forms.Form):
    subject = forms.ModelChoiceField(queryset=Subject.objects.none(), label=_("subject"))
    name = forms.CharField(label=_("name"), max_length=60, help_text=_("for example: group 1"))

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["subject"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Subject.objects.filter(school=school)


class SubgroupMembersForm(forms.Form):
    students = forms.TypedMultipleChoiceField(
        label=_("students"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, students: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["students"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = students


ROLE_CHOICES = [(str(role.value), role.label) for role in SCHOOL_ROLES]


class StaffCreateForm(forms.Form):
    surname = forms.CharField(label=_("surname"), max_length=150)
    given_name = forms.CharField(label=_("given name"), max_length=150)
    patronymic = forms.CharField(label=_("patronymic"), max_length=150, required=False)
    email = forms.EmailField(label=_("e-mail"), required=False)
    phone = forms.CharField(label=_("phone"), max_length=32, required=False)
    position = forms.CharField(label=_("position"), max_length=120, initial=_("teacher"))
    qualification = forms.CharField(
        label=_("qualification category"), max_length=120, required=False
    )
    roles = forms.MultipleChoiceField(
        label=_("roles"),
        choices=ROLE_CHOICES,
        initial=["teacher"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class StaffRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("roles"),
        choices=ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class CurriculumGridForm(forms.Form):
    """One hours field and one split checkbox per subject × grade."""

    def __init__(
        self,
        *args: Any,
        grades: list[int],
        subjects: list[Subject],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.grades, self.subjects = grades, subjects
        for subject in subjects:
            for grade in grades:
                self.fields[f"h_{subject.pk}_{grade}"] = HoursField(
                    required=False,
                    label=_("%(subject)s, grade %(grade)s: hours per week")
                    % {"subject": subject.name, "grade": grade},
                )
                self.fields[f"s_{subject.pk}_{grade}"] = forms.BooleanField(
                    required=False,
                    label=_("%(subject)s, grade %(grade)s: split into groups")
                    % {"subject": subject.name, "grade": grade},
                )

    def cells(self) -> list[tuple[int, Subject, Decimal | None, bool]]:
        data = self.cleaned_data
        return [
            (
                grade,
                subject,
                data.get(f"h_{subject.pk}_{grade}"),
                bool(data.get(f"s_{subject.pk}_{grade}")),
            )
            for subject in self.subjects
            for grade in self.grades
        ]
