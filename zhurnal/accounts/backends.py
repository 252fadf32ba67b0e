from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from zhurnal.accounts.models import User


class UsernameOrEmailBackend(ModelBackend):
    """Log in with either the username or the e-mail address."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        login = username.strip()
        if "@" in login:
            user = User.objects.filter(email__iexact=login).first()
        else:
            user = User.objects.filter(username__iexact=login).first()
        if user is None:
            User().set_password(password)  # same work whether or not the login exists
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
