from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zhurnal.accounts.models import User
from zhurnal.core.forms import set_choices
from zhurnal.people.models import AccessCodeKind, Relation, Student
from zhurnal.people.selectors import RosterRow

FOR_STUDENTS = "student"
FOR_GUARDIANS = "guardian"
FOR_BOTH = "both"
# Stricter than Django's default: a child types it on any keyboard, the log-in is case-blind.
USERNAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

if TYPE_CHECKING:
    _UserChoiceField = forms.ModelChoiceField[User]
else:
    # ModelChoiceField is generic in django-stubs only; Django's class takes no [User].
    _UserChoiceField = forms.ModelChoiceField


class StaffChoiceField(_UserChoiceField):
    """A choice of one of the school's people (the form sets its queryset, usually
    `people.selectors.school_staff`), each shown by the full name as Ukrainians write it:
    surname, given name, patronymic."""

    def label_from_instance(self, obj: User) -> str:
        return obj.full_name


class IssueCodesForm(forms.Form):
    """Which students of the roster get codes, and for whom."""

    students = forms.TypedMultipleChoiceField(
        label=_("Students"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    all_without_login = forms.BooleanField(
        label=_("All who do not have a login yet"), required=False
    )
    for_whom = forms.ChoiceField(
        label=_("Codes for"),
        choices=[
            (FOR_BOTH, _("students and their guardians")),
            (FOR_STUDENTS, _("students only")),
            (FOR_GUARDIANS, _("guardians only")),
        ],
        initial=FOR_BOTH,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, roster: Sequence[RosterRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roster = roster
        # Only the students on the roster can be chosen: any other id is refused here.
        set_choices(
            self,
            "students",
            [(row.student.pk, row.student.full_name) for row in roster],
        )

    @property
    def kinds(self) -> list[str]:
        for_whom = self.cleaned_data["for_whom"]
        if for_whom == FOR_BOTH:
            return [AccessCodeKind.STUDENT, AccessCodeKind.GUARDIAN]
        return [for_whom]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("students") and not cleaned.get("all_without_login"):
            raise ValidationError(
                _("Choose the students, or tick “All who do not have a login yet”.")
            )
        return cleaned

    def chosen_students(self) -> list[Student]:
        chosen = set(self.cleaned_data["students"])
        kinds = self.kinds
        rows = []
        for row in self.roster:
            if row.student.pk in chosen or (
                self.cleaned_data["all_without_login"]
                and (
                    (AccessCodeKind.STUDENT in kinds and row.needs_student_login)
                    or (AccessCodeKind.GUARDIAN in kinds and row.needs_guardian_login)
                )
            ):
                rows.append(row)
        return [row.student for row in rows]


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Access code"),
        max_length=32,
        help_text=_("As printed on the slip from the class teacher, for example K7QM-4TXP-9R."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "code-input",
            }
        ),
    )


class RegisterForm(forms.Form):
    """The new login of the person a code was issued for."""

    code = forms.CharField(widget=forms.HiddenInput)
    surname = forms.CharField(label=_("Surname"), max_length=100)
    given_name = forms.CharField(label=_("Given name"), max_length=100)
    patronymic = forms.CharField(label=_("Patronymic"), max_length=100, required=False)
    relation = forms.ChoiceField(label=_("You are the child's"), choices=Relation.choices)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Latin letters, digits and . _ - only. You will log in with it."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("Optional. With it you can restore a forgotten password yourself."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    # The notice is shown above the form (DESIGN S8): no login without its acceptance.
    accept_privacy = forms.BooleanField(
        label=_("I have read the privacy notice above and accept it"),
        error_messages={"required": _("Accept the privacy notice to create your login.")},
    )

    def __init__(
        self, *args: Any, kind: str, unbound: bool, names: Sequence[str] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.names = tuple(names)
        if not unbound:
            for name in ("surname", "given_name", "patronymic", "relation"):
                del self.fields[name]
        if kind != AccessCodeKind.GUARDIAN:
            del self.fields["phone"]
        else:
            self.fields["email"].help_text = _(
                "Recommended: notices about your child and password recovery come to it."
            )

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        if not USERNAME_PATTERN.fullmatch(username):
            raise ValidationError(_("Use Latin letters, digits and . _ - only."))
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is taken. Choose another one."))
        return username

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip()
        if email and User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                _(
                    "Another login already uses this e-mail. If it is yours, log in and add "
                    "the child to your login instead."
                )
            )
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            surname, given_name = (
                self.names[:2]
                if len(self.names) >= 2
                else (cleaned.get("surname", ""), cleaned.get("given_name", ""))
            )
            candidate = User(
                username=cleaned.get("username", ""),
                last_name=surname,
                first_name=given_name,
                email=cleaned.get("email", ""),
            )
            try:
                validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class AddChildForm(forms.Form):
    code = CodeForm.base_fields["code"]
    relation = forms.ChoiceField(
        label=_("You are the child's"),
        choices=[("", "—"), *Relation.choices],
        required=False,
        help_text=_("Needed only if the school has not recorded you as this child's guardian."),
    )
