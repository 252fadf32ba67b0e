"""Writes on logins: creation, passwords, roles. Each one audited."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils.text import slugify

from zhurnal.accounts.models import User
from zhurnal.audit.services import audit_record, snapshot
from zhurnal.core.formats import transliterate


def username_suggest(*, surname: str, given_name: str) -> str:
    """A free username such as `shevchenko.t`, numbered when taken."""
    family = slugify(transliterate(surname)).replace("-", "") or "user"
    initial = slugify(transliterate(given_name))[:1]
    base = f"{family}.{initial}" if initial else family
    candidate = base
    number = 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}{number}"
    return candidate


def temporary_password() -> str:
    """Readable, hard to guess; the user must replace it at first login."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


def user_create(
    *,
    actor: User | None,
    username: str,
    surname: str,
    given_name: str,
    patronymic: str = "",
    email: str = "",
    phone: str = "",
    password: str | None = None,
    must_change_password: bool = False,
    school_id: int | None = None,
) -> User:
    """Create a login; without a password it cannot log in until one is set."""
    with transaction.atomic():
        user = User(
            username=username,
            last_name=surname,
            first_name=given_name,
            patronymic=patronymic,
            email=email.strip(),
            phone=phone,
            must_change_password=must_change_password,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        audit_record(
            actor=actor, action="user.create", obj=user, after=snapshot(user), school_id=school_id
        )
    return user


def user_set_temporary_password(*, actor: User, user: User, school_id: int | None = None) -> str:
    """Issue a temporary password to hand over in person; the user must change it."""
    password = temporary_password()
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        audit_record(
            actor=actor,
            action="user.temporary_password",
            obj=user,
            after={"must_change_password": True},
            school_id=school_id,
        )
    return password


def user_password_changed(*, user: User, action: str = "user.password_change") -> None:
    """Record a password change or reset made by the user themself."""
    with transaction.atomic():
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        audit_record(actor=user, action=action, obj=user, after={"password": "changed"})


def user_language_set(*, user: User, language: str) -> None:
    with transaction.atomic():
        before = {"language": user.language}
        user.language = language
        user.full_clean(exclude=["password"])
        user.save(update_fields=["language"])
        audit_record(
            actor=user,
            action="user.language",
            obj=user,
            before=before,
            after={"language": language},
        )
