"""Sign-in policy by role (issue 11): who must use a second factor, and how long a session
may stay idle. People own the roles, so the decision is taken here; the devices and the
session's state are in zhurnal.accounts.twofactor.

The decision is taken once, at login (the `user_logged_in` signal), and kept in the session,
so that an ordinary request costs no query for it; a role given or a policy changed applies
from the user's next login.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.accounts.twofactor import (
    IDLE_SECONDS,
    NOT_REQUIRED,
    REQUIRED,
    SECOND_FACTOR,
    SEEN_AT,
    has_second_factor,
    session_signed_in,
)
from zhurnal.audit.services import audit_record
from zhurnal.people.models import DerivedRole, RoleAssignment
from zhurnal.schools.models import ClassGroup, Municipality, School, SecondFactorPolicy

# How often the moment of the last request is written to the session: the idle timeout is
# exact to this, and most requests write nothing.
SEEN_PRECISION_SECONDS = 60


def _policy(school: School | None, municipality: Municipality | None) -> str:
    if school is not None and school.second_factor_policy:
        return school.second_factor_policy
    community = school.municipality if school is not None else municipality
    return community.second_factor_policy if community is not None else ""


def _role_requires(role: str, policy: str) -> bool:
    if policy == SecondFactorPolicy.OFF:
        return False
    if policy == SecondFactorPolicy.STAFF:
        return True
    return role in set(settings.ZHURNAL_2FA_REQUIRED_ROLES)


def second_factor_required(user: User) -> bool:
    """Whether the user's roles, under their school's or community's policy, require a
    second factor (by default: director, deputy, school administrator, department)."""
    if user.is_staff or user.is_superuser:
        return True  # the operators of the Django admin (/operator/), always
    assignments = RoleAssignment.objects.filter(user=user).select_related(
        "school__municipality", "municipality"
    )
    for assignment in assignments:
        if _role_requires(assignment.role, _policy(assignment.school, assignment.municipality)):
            return True
    class_groups = ClassGroup.objects.filter(
        class_teacher=user, year__closed_at__isnull=True
    ).select_related("year__school__municipality")
    return any(
        _role_requires(DerivedRole.CLASS_TEACHER, _policy(group.year.school, None))
        for group in class_groups
    )


def is_staff_member(user: User) -> bool:
    return (
        RoleAssignment.objects.filter(user=user).exists()
        or ClassGroup.objects.filter(class_teacher=user, year__closed_at__isnull=True).exists()
    )


def idle_timeout_seconds(user: User) -> int:
    """Staff: ZHURNAL_IDLE_MINUTES_STAFF (30 by default); everyone else, the families:
    ZHURNAL_IDLE_MINUTES_FAMILY (7 days)."""
    minutes = (
        settings.ZHURNAL_IDLE_MINUTES_STAFF
        if is_staff_member(user)
        else settings.ZHURNAL_IDLE_MINUTES_FAMILY
    )
    return int(minutes) * 60


def sign_in_policy_apply(request: HttpRequest, user: User) -> None:
    """Stamp the session of a fresh login with what the policy asks of it."""
    owed = second_factor_required(user) or has_second_factor(user)
    session_signed_in(
        request.session,
        second_factor=REQUIRED if owed else NOT_REQUIRED,
        idle_seconds=idle_timeout_seconds(user),
    )


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        sign_in_policy_apply(request, user)


# Pages a signed-in user reaches while the second factor is still owed.
_OPEN_NAMES = (
    "accounts:second_factor_verify",
    "accounts:second_factor_enrol",
    "accounts:logout",
    "accounts:language",
)
_OPEN_PREFIXES = ("/static/", "/api/", "/favicon.ico")


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _with_next(request: HttpRequest, url_name: str) -> str:
    target = request.get_full_path() if request.method == "GET" else request.path
    return f"{reverse(url_name)}?{urlencode({'next': target})}"


class SignInPolicyMiddleware:
    """Ends a session idle for longer than the role's timeout, and sends a user who owes a
    second factor to verify it (or to enrol one) before any other page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not isinstance(user, User):
            return self.get_response(request)
        session = request.session
        if SECOND_FACTOR not in session:  # a session from before this policy existed
            sign_in_policy_apply(request, user)
        now = int(time.time())
        seen = int(session.get(SEEN_AT, now))
        idle = int(session.get(IDLE_SECONDS, 0))
        if idle and now - seen > idle:
            logout(request)
            messages.info(
                request,
                _("You were signed out after %(minutes)s minutes without activity.")
                % {"minutes": idle // 60},
            )
            return _redirect(request, _with_next(request, "accounts:login"))
        if now - seen >= SEEN_PRECISION_SECONDS:
            session[SEEN_AT] = now  # also renews the session's expiry (set_expiry at login)
        if session.get(SECOND_FACTOR) == REQUIRED and not self._open(request):
            target = (
                "accounts:second_factor_verify"
                if has_second_factor(user)
                else "accounts:second_factor_enrol"
            )
            return _redirect(request, _with_next(request, target))
        return self.get_response(request)

    @staticmethod
    def _open(request: HttpRequest) -> bool:
        path = request.path
        return path.startswith(_OPEN_PREFIXES) or path in {reverse(n) for n in _OPEN_NAMES}


def second_factor_policy_set(
    *, actor: User, target: School | Municipality, policy: str
) -> School | Municipality:
    """Set who must sign in with a second factor: a community for its schools (the
    department), or one school, whose choice wins (its director). Applies to each user from
    their next login; audited."""
    if policy not in SecondFactorPolicy.values:
        raise ValidationError(_("Choose one of the policies offered."))
    before = target.second_factor_policy
    if before == policy:
        return target
    is_school = isinstance(target, School)
    with transaction.atomic():
        target.second_factor_policy = policy
        target.save(update_fields=["second_factor_policy", "updated_at"])
        audit_record(
            actor=actor,
            action=f"{'school' if is_school else 'municipality'}.second_factor_policy",
            obj=target,
            before={"second_factor_policy": before},
            after={"second_factor_policy": policy},
            school_id=target.pk if is_school else None,
        )
    return target
