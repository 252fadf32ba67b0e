from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username or e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _(
            "Wrong username, e-mail or password. Check the keyboard layout and Caps Lock."
        ),
        "inactive": _("This account is disabled. Ask your school administrator."),
    }


class PasswordResetByEmailForm(PasswordResetForm):
    """Also reaches staff whose account was created without a password, so that an
    administrator-created login can be activated by its owner through e-mail."""

    def get_users(self, email: str) -> Iterator[Any]:
        user_model = get_user_model()
        for user in user_model._default_manager.filter(email__iexact=email, is_active=True):
            if _unicode_ci_compare(email, user.email):
                yield user


def _unicode_ci_compare(s1: str, s2: str) -> bool:
    return (
        unicodedata.normalize("NFKC", s1).casefold() == unicodedata.normalize("NFKC", s2).casefold()
    )
