"""A family login reads and accepts its community's privacy notice before anything else:
at the first login, and again whenever the department publishes a new version."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from zhurnal.accounts.models import User
from zhurnal.people.privacy.selectors import (
    family_municipality,
    has_accepted,
    notice_current_version,
)

SESSION_KEY = "zhurnal_privacy"
NOT_FAMILY = "staff"
# The JSON API answers machines with tokens; the operators' admin is not a family's.
EXEMPT_PREFIXES = ("/static/", "/media/", "/api/", "/operator/")


def _exempt_paths() -> set[str]:
    return {
        reverse("people:privacy_notice"),
        reverse("accounts:logout"),
        reverse("accounts:language"),
        reverse("accounts:password_change"),
    }


def privacy_remember(request: HttpRequest, user: User) -> bool:
    """Look the user's community and acceptance up and keep them in the session; whether
    the user needs nothing from the notice now. Done at login, so that a family's pages
    cost no query while the published version (cached) stays the same."""
    municipality = family_municipality(user)
    if municipality is None:
        request.session[SESSION_KEY] = NOT_FAMILY
        return True
    current = notice_current_version(municipality.pk)
    # Before the department publishes a notice, nothing is asked of a login that already
    # exists: registration shows the built-in notice and records its acceptance.
    accepted = current == 0 or has_accepted(user, municipality.pk, current)
    request.session[SESSION_KEY] = [municipality.pk, current if accepted else -1]
    return accepted


def _accepted_current(request: HttpRequest, user: User) -> bool:
    remembered = request.session.get(SESSION_KEY)
    if remembered == NOT_FAMILY:
        return True
    if isinstance(remembered, list) and len(remembered) == 2:
        municipality_id, version = remembered
        if notice_current_version(municipality_id) == version:
            return True
    return privacy_remember(request, user)


def privacy_on_login(
    sender: object, request: HttpRequest | None, user: User, **kwargs: object
) -> None:
    """The `user_logged_in` receiver: remember the family's community and acceptance."""
    if request is not None and hasattr(request, "session"):
        privacy_remember(request, user)


class PrivacyNoticeMiddleware:
    """Sends a guardian's or student's login that has not accepted the current version of
    its community's privacy notice to the notice page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            isinstance(user, User)
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and request.path not in _exempt_paths()
            and not _accepted_current(request, user)
        ):
            target = reverse("people:privacy_notice")
            if request.method == "GET":
                target = f"{target}?{urlencode({'next': request.get_full_path()})}"
            return redirect(target)
        return self.get_response(request)


def privacy_session_forget(request: HttpRequest) -> None:
    """After an acceptance: the next request checks again."""
    request.session.pop(SESSION_KEY, None)
