from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

if TYPE_CHECKING:
    from zhurnal.accounts.models import User


class AuthedRequest(HttpRequest):
    """The request type of views behind login_required: `user` is a real User."""

    user: User


def safe_back_url(request: HttpRequest, raw: str | None, fallback: str) -> str:
    """Where a page's "back" (a form's hidden field or the query string) leads: the
    address given when it stays on this site, else `fallback` (never an open redirect)."""
    if raw and url_has_allowed_host_and_scheme(
        raw, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return raw
    return fallback


def with_query(url: str, query: str) -> str:
    """The address with an encoded query string, if there is one."""
    return f"{url}?{query}" if query else url
