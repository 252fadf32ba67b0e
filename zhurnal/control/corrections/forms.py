"""Input forms of the register of corrections and the term locks page (shape only; the
rules are in journal.services)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhurnal.accounts.models import User
from zhurnal.core.forms import DATE, DateRangeForm
from zhurnal.journal.models import CorrectionStatus
from zhurnal.people.forms import StaffChoiceField
from zhurnal.schools.models import AcademicYear, ClassGroup, Subject, Term

NOTE_MAX_LENGTH = 500


if TYPE_CHECKING:
    _TermChoiceField = forms.ModelChoiceField[Term]
else:
    # ModelChoiceField is generic in django-stubs only; Django's class takes no [Term].
    _TermChoiceField = forms.ModelChoiceField


class TermChoiceField(_TermChoiceField):
    def label_from_instance(self, obj: Term) -> str:
        if (obj.grade_from, obj.grade_to) == (1, 11):
            return obj.name
        return str(
            _("%(term)s (grades %(low)s–%(high)s)")
            % {"term": obj.name, "low": obj.grade_from, "high": obj.grade_to}
        )


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


def _year_label(year: AcademicYear) -> str:
    if year.is_closed:
        return str(_("%(year)s (closed)") % {"year": year.name})
    return year.name


class CorrectionFilterForm(DateRangeForm):
    # The view has picked the year already (the default one when absent): this field only
    # shows it and lets the controller switch.
    year = forms.ChoiceField(label=_("Academic year"), required=False)
    teacher = StaffChoiceField(
        queryset=User.objects.none(),
        label=_("Changed by"),
        required=False,
        empty_label=_("all teachers"),
    )
    class_group = forms.ModelChoiceField(
        queryset=ClassGroup.objects.none(),
        label=_("Class"),
        required=False,
        empty_label=_("all classes"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("any status")), *CorrectionStatus.choices],
    )
    start = forms.DateField(label=_("From"), widget=DATE, required=False)
    end = forms.DateField(label=_("To"), widget=DATE, required=False)

    def __init__(
        self,
        *args: Any,
        years: list[AcademicYear],
        teachers: QuerySet[User],
        classes: QuerySet[ClassGroup],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        year_field = self.fields["year"]
        assert isinstance(year_field, forms.ChoiceField)
        year_field.choices = [(str(year.pk), _year_label(year)) for year in years]
        _set_queryset(self, "teacher", teachers)
        _set_queryset(self, "class_group", classes)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], label=_("Decision")
    )
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False, strip=True)


class LockForm(forms.Form):
    term = TermChoiceField(queryset=Term.objects.none(), label=_("Term"))
    class_group = forms.ModelChoiceField(queryset=ClassGroup.objects.none(), label=_("Class"))
    subject = forms.ModelChoiceField(
        queryset=Subject.objects.none(),
        label=_("Subject"),
        required=False,
        empty_label=_("all subjects"),
        help_text=_("Leave empty to lock every subject of the class."),
    )

    def __init__(
        self,
        *args: Any,
        terms: QuerySet[Term],
        classes: QuerySet[ClassGroup],
        subjects: QuerySet[Subject],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "term", terms)
        _set_queryset(self, "class_group", classes)
        _set_queryset(self, "subject", subjects)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        term: Term | None = data.get("term")
        class_group: ClassGroup | None = data.get("class_group")
        if term and class_group and not term.grade_from <= class_group.grade <= term.grade_to:
            self.add_error(
                "class_group",
                _("%(term)s is not a term of grade %(grade)s.")
                % {"term": term.name, "grade": class_group.grade},
            )
        return data


class BulkLockForm(forms.Form):
    term = TermChoiceField(queryset=Term.objects.none(), label=_("Term"))

    def __init__(self, *args: Any, terms: QuerySet[Term], **kwargs: Any) -> None:
        # Shares its page with LockForm: its own ids keep every label pointing at its field.
        kwargs.setdefault("auto_id", "id_all_%s")
        super().__init__(*args, **kwargs)
        _set_queryset(self, "term", terms)
