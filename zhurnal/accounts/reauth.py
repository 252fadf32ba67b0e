"""Re-authentication before destructive or sensitive actions (closing a year, issuing access
codes in bulk, exporting personal data): the password, and the second factor if the user has
one, entered within the last ZHURNAL_REAUTH_MINUTES minutes (a fresh login counts)."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from zhurnal.accounts.twofactor import session_authenticated_at

View = TypeVar("View", bound=Callable[..., HttpResponse])


def reauth_window_seconds() -> int:
    return int(getattr(settings, "ZHURNAL_REAUTH_MINUTES", 10)) * 60


def recently_authenticated(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    if session is None:
        return False
    return time.time() - session_authenticated_at(session) <= reauth_window_seconds()


def recent_login_required(view: View) -> View:
    """A view decorator: a user who has not given the password within the window is asked
    for it (and for the code of their second factor) first, then sent back to the page.
    A POST made too late is not carried out: the user confirms and submits it again.
    Put it inside the login requirement (below @login_required)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return reauthentication_response(request) or view(request, *args, **kwargs)

    return cast(View, wrapper)


def reauthentication_response(request: HttpRequest) -> HttpResponse | None:
    """The redirect to the confirmation page when the password is not recent, else None:
    for a view where only some requests are sensitive (a POST that closes a year)."""
    if not request.user.is_authenticated or recently_authenticated(request):
        return None
    url = f"{reverse('accounts:reauthenticate')}?{urlencode({'next': _back(request)})}"
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _back(request: HttpRequest) -> str:
    """Where to go after confirming: the page itself, or for a form sent too late the page
    the form was on (its action may accept nothing but POST)."""
    if request.method == "GET":
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/"
