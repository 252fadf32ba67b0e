"""Token authentication and the per-token rate limit of the JSON API.

Only `Authorization: Bearer <token>` is accepted: a session cookie never authenticates an
API request, so no write can be forged from another site (no CSRF to check)."""

from __future__ import annotations

import time

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from zhurnal.accounts.lockout import lockout_minutes
from zhurnal.accounts.models import User
from zhurnal.api.models import ApiToken
from zhurnal.api.services import token_authenticate

DEFAULT_RATE_PER_MINUTE = 120


class RateLimited(Exception):
    def __init__(self, retry_after: int, message: str = "") -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after
        self.message = message  # empty: the per-token rate's own message


def rate_per_minute() -> int:
    return int(getattr(settings, "ZHURNAL_API_RATE_PER_MINUTE", DEFAULT_RATE_PER_MINUTE))


def _count_request(token: ApiToken) -> None:
    """A fixed one-minute window per token, counted in the cache."""
    now = time.time()
    window = int(now // 60)
    key = f"api-rate:{token.pk}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    if count > rate_per_minute():
        raise RateLimited(retry_after=max(1, 60 - int(now % 60)))


def api_user(request: HttpRequest) -> User:
    """The user whose token authenticated this request (django-ninja keeps it in
    `request.auth`, an attribute HttpRequest's type does not know)."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise PermissionError("an API endpoint ran without token authentication")
    return user


def _count_wrong_token(request: HttpRequest) -> None:
    """A wrong token counts against the client's address like a wrong password (django-axes,
    the address's limit); a locked-out address is answered 429 until the lockout ends. A
    valid token is never slowed down: it cannot be guessed, and its rate has its own limit."""
    credentials: dict[str, str] = {}
    if not AxesProxyHandler.is_allowed(request, credentials):
        locked = True
    else:
        user_login_failed.send(sender=TokenAuth, credentials=credentials, request=request)
        locked = bool(getattr(request, "axes_locked_out", False))
    if locked:
        # Answered here in the API's shape: axes' middleware must not replace it with a page.
        setattr(request, "axes_locked_out", False)  # noqa: B010 - axes' own request attribute
        raise RateLimited(
            retry_after=lockout_minutes() * 60,
            message=_("Too many wrong tokens from this address: try again later."),
        )


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        api_token = token_authenticate(token)
        if api_token is None:
            _count_wrong_token(request)
            return None
        _count_request(api_token)
        user = api_token.user
        request.user = user
        # Messages (refusals of the journal rules included) in the user's own language.
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
        return user
