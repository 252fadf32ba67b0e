"""Personal API tokens: made, used and revoked. Every change is audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.api.models import ApiToken
from zhurnal.audit.services import audit_record, snapshot

TOKEN_PREFIX = "zh_"  # noqa: S105 - the visible start of every token, not a secret
# Writing last_used_at on every request would make each read a write; once a minute is enough.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for the actor; returns the record and the secret, which is never
    stored and cannot be shown again."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Give the token a name."))
    if len(name) > 100:
        raise ValidationError(_("The name is too long (100 characters at most)."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor, name=name, prefix=secret[:10], secret_hash=_digest(secret)
        )
        audit_record(actor=actor, action="api_token.create", obj=token, after=snapshot(token))
    return token, secret


def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens; requests with it are refused from now on."""
    if token.user_id != actor.pk:
        raise ValidationError(_("This token belongs to someone else."))
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        before = snapshot(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="api_token.revoke",
            obj=token,
            before=before,
            after=snapshot(token),
        )
    return token


def token_authenticate(secret: str) -> ApiToken | None:
    """The live token for a presented secret, with its active user; None for an unknown
    or revoked token or an inactive user."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.filter(
            secret_hash=_digest(secret), revoked_at__isnull=True, user__is_active=True
        )
        .select_related("user")
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        token.last_used_at = now
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
