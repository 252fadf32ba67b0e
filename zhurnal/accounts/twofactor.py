"""The second factor at sign-in: a TOTP app (django-otp) and one-time recovery codes.

Whether a user must have one is the people room's decision (zhurnal.people.security: roles
and the community's or school's policy); this module keeps the devices and the session's
state. The state is kept in the session rather than by django-otp's OTPMiddleware, which
would load the device on every request: it is set at login (people.security) and changed
here only by a verified code.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhurnal.accounts.models import User
from zhurnal.audit.services import audit_record

RECOVERY_CODE_COUNT = 10

# Session keys of the sign-in state.
SECOND_FACTOR = "zhurnal_second_factor"  # one of the states below
REQUIRED = "required"  # must verify (or enrol) before anything else
VERIFIED = "verified"
NOT_REQUIRED = "not_required"
AUTHENTICATED_AT = "zhurnal_authenticated_at"  # last password (+ code) entry, Unix time
SEEN_AT = "zhurnal_seen_at"  # last request, Unix time, kept to the minute
IDLE_SECONDS = "zhurnal_idle_seconds"


def totp_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for the user (the one shown on the page is reused
    until confirmed, so reloading the page does not change the key)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def totp_enrolment_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the authenticator with a code it shows; replaces any earlier one and issues
    fresh recovery codes (returned once, to be shown once). None when the code is wrong."""
    if device.user_id != user.pk or device.confirmed:
        return None
    with transaction.atomic():
        if not device.verify_token(_clean(token)):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_issue(user)
        audit_record(
            actor=user,
            action="user.second_factor_enrol",
            obj=user,
            after={"second_factor": "totp", "recovery_codes": len(codes)},
        )
    return codes


def recovery_codes_regenerate(*, user: User) -> list[str]:
    """New recovery codes; the old ones stop working."""
    with transaction.atomic():
        codes = _recovery_codes_issue(user)
        audit_record(
            actor=user,
            action="user.recovery_codes_regenerate",
            obj=user,
            after={"recovery_codes": len(codes)},
        )
    return codes


def second_factor_disable(
    *, actor: User | None, user: User, reason: str = "", school_id: int | None = None
) -> None:
    """Remove the authenticator and the recovery codes: the owner turning it off, or an
    administrator resetting a lost phone (the user enrols again if the policy requires)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit_record(
            actor=actor,
            action="user.second_factor_disable",
            obj=user,
            before={"second_factor": "totp"},
            after={"second_factor": None},
            reason=reason,
            school_id=school_id,
        )


def second_factor_check(*, user: User, token: str) -> bool:
    """Whether the code is the authenticator's current one or an unused recovery code (which
    is then spent). django-otp throttles repeated wrong codes per device."""
    token = _clean(token)
    if not token:
        return False
    with transaction.atomic():
        # Six digits are the app's code, anything else a recovery code (eight characters):
        # a mistyped one of either kind pauses (throttles) only its own kind.
        if token.isdigit() and len(token) < len(StaticToken.random_token()):
            device = (
                TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            )
            return device is not None and bool(device.verify_token(token))
        for static in StaticDevice.objects.select_for_update().filter(user=user, confirmed=True):
            if static.verify_token(token):
                audit_record(
                    actor=user,
                    action="user.recovery_code_use",
                    obj=user,
                    after={"recovery_codes_left": static.token_set.count()},
                )
                return True
    return False


def _recovery_codes_issue(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _clean(token: str) -> str:
    return "".join(token.split()).replace("-", "").lower()[:16]


# --- the session's state ----------------------------------------------------------------


def session_signed_in(session: SessionBase, *, second_factor: str, idle_seconds: int) -> None:
    """Stamp a fresh login: whether a second factor is still owed, the idle timeout, and the
    moment the password was given (a fresh login counts as a recent one)."""
    now = int(time.time())
    session[SECOND_FACTOR] = second_factor
    session[IDLE_SECONDS] = idle_seconds
    session[AUTHENTICATED_AT] = now
    session[SEEN_AT] = now
    session.set_expiry(idle_seconds)


def session_second_factor_passed(session: SessionBase) -> None:
    session[SECOND_FACTOR] = VERIFIED
    session[AUTHENTICATED_AT] = int(time.time())


def session_reauthenticated(session: SessionBase) -> None:
    session[AUTHENTICATED_AT] = int(time.time())


def session_authenticated_at(session: SessionBase) -> int:
    value: Any = session.get(AUTHENTICATED_AT, 0)
    return int(value) if isinstance(value, int | float) else 0
