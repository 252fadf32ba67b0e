"""Token authentication and the per-token rate limit of the JSON API.

Only `Authorization: Bearer <token>` is accepted: a session cookie never authenticates an
API request, so no write can be forged from another site (no CSRF to check)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import translation
from ninja.security import HttpBearer

from zhurnal.accounts.models import User
from zhurnal.api.models import ApiToken
from zhurnal.api.services import token_authenticate

DEFAULT_RATE_PER_MINUTE = 120


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


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


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        api_token = token_authenticate(token)
        if api_token is None:
            return None
        _count_request(api_token)
        user = api_token.user
        request.user = user
        # Messages (refusals of the journal rules included) in the user's own language.
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
        return user
