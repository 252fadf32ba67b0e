"""Operator access grants: a school director lets one operator of the service reach the
school's personal data in the operators' admin for a limited time.

The caller (the director's page) checks that the actor directs the school: roles live
above this app. Here live the rules of a grant itself and the one question the admin asks,
`granted_school_ids`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhurnal.audit.models import AuditEvent, OperatorGrant
from zhurnal.audit.services import audit_record, snapshot

OPERATOR_ROLE = "operator"


def is_operator(user: Any) -> bool:
    """An operator of the service: an active account that may sign in to /operator/."""
    return bool(getattr(user, "is_active", False) and getattr(user, "is_staff", False))


def _active(now: dt.datetime) -> Q:
    return Q(revoked_at__isnull=True, starts_at__lte=now, ends_at__gt=now)


def granted_school_ids(user: Any, *, now: dt.datetime | None = None) -> list[int]:
    """The schools whose personal data the operator may reach right now (a grant has begun,
    has not ended and was not revoked); none for anyone else. Asked once per admin request."""
    if not is_operator(user):
        return []
    if now is None and hasattr(user, "_operator_school_ids"):
        # One admin page asks for every list, choice and object: one query per request.
        return list(user._operator_school_ids)
    active = OperatorGrant.objects.filter(_active(now or timezone.now()), operator=user)
    ids = sorted(set(active.values_list("school_id", flat=True)))
    if now is None:
        user._operator_school_ids = ids
    return ids


def operator_grants_of_school(*, school_id: int) -> QuerySet[OperatorGrant, OperatorGrant]:
    """Every grant the school gave, newest first, with the people named on it."""
    return OperatorGrant.objects.filter(school_id=school_id).select_related(
        "operator", "granted_by", "revoked_by"
    )


def operator_events_of_school(
    *, school_id: int, limit: int = 50
) -> QuerySet[AuditEvent, AuditEvent]:
    """What operators did with the school's rows in the admin, and the grants' own events,
    newest first."""
    return (
        AuditEvent.objects.filter(school_id=school_id)
        .filter(Q(role=OPERATOR_ROLE) | Q(action__startswith="operator_grant."))
        .order_by("-id")[:limit]
    )


def grant_is_active(grant: OperatorGrant, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return grant.revoked_at is None and grant.starts_at <= now < grant.ends_at


def operator_grant_create(
    *, actor: Any, school_id: int, operator: Any, days: int, reason: str
) -> OperatorGrant:
    """Let `operator` reach the school's personal data from now for `days` days (at most
    ZHURNAL_OPERATOR_GRANT_MAX_DAYS); audited. The caller has checked that `actor` is the
    school's director."""
    reason = reason.strip()
    if not is_operator(operator):
        raise ValidationError(_("Only an operator of the service can be given access."))
    if operator.pk == getattr(actor, "pk", None):
        raise ValidationError(_("You cannot give access to yourself."))
    longest = settings.ZHURNAL_OPERATOR_GRANT_MAX_DAYS
    if not 1 <= days <= longest:
        raise ValidationError(_("Access can be given for 1 to %(days)s days.") % {"days": longest})
    if not reason:
        raise ValidationError(_("Say why the operator needs access."))
    now = timezone.now()
    with transaction.atomic():
        grant = OperatorGrant.objects.create(
            school_id=school_id,
            operator=operator,
            granted_by=actor,
            starts_at=now,
            ends_at=now + dt.timedelta(days=days),
            reason=reason,
        )
        audit_record(
            actor=actor,
            action="operator_grant.create",
            obj=grant,
            after=snapshot(grant),
            reason=reason,
            school_id=school_id,
        )
    return grant


def operator_grant_revoke(*, actor: Any, grant: OperatorGrant) -> OperatorGrant:
    """End a grant now; audited. A grant already ended or revoked is left as it is. The
    caller has checked that `actor` is the director of the grant's school."""
    now = timezone.now()
    with transaction.atomic():
        locked = OperatorGrant.objects.select_for_update().get(pk=grant.pk)
        if not grant_is_active(locked, now=now) and locked.starts_at <= now:
            raise ValidationError(_("This access has already ended."))
        before = snapshot(locked)
        locked.revoked_at = now
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=actor,
            action="operator_grant.revoke",
            obj=locked,
            before=before,
            after=snapshot(locked),
            school_id=locked.school_id,
        )
    return locked
