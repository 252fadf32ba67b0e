"""Lockout after repeated wrong passwords (django-axes), tuned for schools.

Per account: ZHURNAL_LOGIN_FAILURE_LIMIT (AXES_FAILURE_LIMIT) failures within the lockout
window lock the account, whatever address they come from, and the right password is refused
until the window has passed. Per address: a higher limit, since a whole school may reach
Zhurnal through one address. The failures stay in axes' AccessFailureLog, the security log
that the account's owner is shown at the next successful login.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhurnal.accounts.models import User
from zhurnal.audit.services import audit_record


def account_key(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """One name per account whatever was typed: the username for a known login (by any case
    or by e-mail), the typed text in lower case otherwise. Without it each spelling of a
    name would be an account of its own with its own ten tries."""
    typed = ""
    if credentials:
        typed = str(credentials.get("username") or credentials.get("email") or "")
    elif request is not None and request.method == "POST":
        typed = str(request.POST.get("username") or request.POST.get("email") or "")
    typed = typed.strip()[:150]
    if not typed:
        return None
    field = "email__iexact" if "@" in typed else "username__iexact"
    username = User.objects.filter(**{field: typed}).values_list("username", flat=True).first()
    return username or typed.lower()


class LoginLockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]  # axes is untyped
    """axes' database handler with a limit of its own per address (see the module's text)."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        per_account = 0
        if username:
            per_account = _failures(recent.filter(username=username))
        address = getattr(request, "axes_ip_address", None)  # set by axes on the request
        per_address = _failures(recent.filter(ip_address=address))
        account_limit = int(settings.AXES_FAILURE_LIMIT)
        address_limit = max(1, int(settings.ZHURNAL_LOGIN_ADDRESS_FAILURE_LIMIT))
        # In the account's units, so that axes' single limit applies to both.
        return max(per_account, per_address * account_limit // address_limit)


def _failures(attempts: Any) -> int:
    return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)


def lockout_minutes() -> int:
    cool_off = get_cool_off()
    return max(1, round(cool_off.total_seconds() / 60)) if cool_off else 0


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page a locked-out login, password reset or operator sign-in gets instead."""
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": lockout_minutes()},
        status=429,
    )


@dataclass(frozen=True)
class FailedLogins:
    count: int
    last_address: str
    last_at: dt.datetime | None


def failed_logins_since(*, user: User, since: dt.datetime | None) -> FailedLogins:
    """Wrong passwords (and password reset requests refused as too many) for the user's
    account since a moment — the previous successful login — newest first."""
    failures = AccessFailureLog.objects.filter(username=user.username)
    if since is not None:
        failures = failures.filter(attempt_time__gt=since)
    failures = failures.filter(~Q(path_info__startswith="/password/reset"))
    count = failures.count()
    last = failures.order_by("-attempt_time").first() if count else None
    return FailedLogins(
        count=count,
        last_address=(last.ip_address or "") if last else "",
        last_at=last.attempt_time if last else None,
    )


def login_lockout_reset(*, actor: User | None, user: User, reason: str = "") -> int:
    """End a lockout of the account before its time (the owner proved who they are to an
    administrator); the failed attempts stay in the security log. Audited."""
    with transaction.atomic():
        removed = int(AxesProxyHandler.reset_attempts(username=user.username))
        audit_record(
            actor=actor,
            action="user.login_lockout_reset",
            obj=user,
            after={"attempts_removed": removed},
            reason=reason,
        )
    return removed
