"""Appending to the hash-chained audit log and verifying the chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import ProtectedError
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from zhurnal.audit.context import current
from zhurnal.audit.keys import audit_key, audit_key_present
from zhurnal.audit.models import AuditEvent, RecordAccess

GENESIS = "0" * 64
# The keyed scheme of an event's hash: "k1", then 31 hex digits of the content's SHA-256
# (anyone holding the events, an archive package say, can recompute it) and 31 of its
# HMAC-SHA-256 with the server's audit key (only the key's holder can). A plain SHA-256
# hex digest, the scheme of events written before it, never starts with "k".
KEYED = "k1"
_PART = 31
_PG_LOCK_KEY = 7_170_001  # advisory lock that serialises appends to the chain


def snapshot(instance: models.Model, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The concrete field values of a model instance, JSON-ready, for before/after."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or field.name in {"password", "created_at", "updated_at"}:
            continue
        value = getattr(instance, field.attname)
        data[field.attname] = _jsonable(value)
    return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, FieldFile):  # .url raises on an empty file: test the type
        return value.name or ""
    return value


def _canonical(data: Any) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)


def _payload(event: AuditEvent) -> bytes:
    return _canonical(
        {
            "prev": event.prev_hash,
            "at": event.at.isoformat(),
            "actor": event.actor_id,
            "actor_repr": event.actor_repr,
            "role": event.role,
            "address": event.address,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "school_id": event.school_id,
            # Stored JSON is read back through the same canonical form, so that
            # PostgreSQL's jsonb key reordering does not change the hash.
            "before": json.loads(_canonical(event.before)),
            "after": json.loads(_canonical(event.after)),
            "reason": event.reason,
        }
    ).encode("utf-8")


def _keyed(payload: bytes, key: bytes) -> str:
    public = hashlib.sha256(payload).hexdigest()[:_PART]
    return KEYED + public + hmac.new(key, payload, hashlib.sha256).hexdigest()[:_PART]


def event_hash(event: AuditEvent) -> str:
    """The hash of a new event, in the keyed scheme (see KEYED)."""
    return _keyed(_payload(event), audit_key())


def event_hash_problem(event: AuditEvent, *, key: bytes | None, keyed_before: bool) -> str:
    """Why the stored hash of `event` is wrong ("" when it is right): its content changed,
    or it was recomputed without the audit key — a keyed hash whose key half is wrong, or an
    unkeyed hash after keyed ones (nobody writes the old scheme any more)."""
    payload = _payload(event)
    stored = event.hash
    if not stored.startswith(KEYED):
        if hashlib.sha256(payload).hexdigest() != stored:
            return "content does not match its hash"
        if keyed_before:
            return "unkeyed hash after keyed events: rewritten and recomputed without the audit key"
        return ""
    if stored[len(KEYED) : len(KEYED) + _PART] != hashlib.sha256(payload).hexdigest()[:_PART]:
        return "content does not match its hash"
    if key is None:
        return "keyed hash cannot be checked: this server has no audit key"
    if not hmac.compare_digest(stored, _keyed(payload, key)):
        return (
            "content and hash rewritten without the audit key "
            "(or this server holds another audit key)"
        )
    return ""


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    school_id: int | None = None,
    role: str = "",
) -> AuditEvent:
    """Append one event to the audit log; call inside the write's transaction."""
    ctx = current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    # No savepoint: the event belongs to the caller's transaction and fails with it.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event = AuditEvent(
            at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_repr=str(actor)[:200] if actor is not None else "",
            role=(role or ctx.role)[:40],
            address=ctx.address,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            school_id=school_id,
            before=json.loads(_canonical(before)) if before is not None else None,
            after=json.loads(_canonical(after)) if after is not None else None,
            reason=reason,
            prev_hash=last or GENESIS,
        )
        event.hash = event_hash(event)
        event.save(force_insert=True)
    return event


def delete_audited(
    *,
    actor: Any,
    instance: models.Model,
    action: str,
    school_id: int | None,
    reason: str = "",
) -> None:
    """Delete a record and append its last state to the audit log; a record still in use
    is refused in words, not with a database error. Call inside the write's transaction."""
    before = snapshot(instance)
    object_id = str(instance.pk)
    try:
        instance.delete()
    except ProtectedError as exc:
        raise ValidationError(
            _("“%(name)s” is still in use and cannot be deleted.") % {"name": instance}
        ) from exc
    audit_record(
        actor=actor,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=object_id,
        before=before,
        reason=reason,
        school_id=school_id,
    )


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_id: int | None
    problem: str
    last_unkeyed_id: int = 0  # the newest event hashed in the old, unkeyed scheme


def audit_verify(*, batch: int = 5000) -> ChainReport:
    """Recompute the chain in order; report the first event whose hash or link is wrong."""
    prev = GENESIS
    checked = 0
    last_id = 0
    last_unkeyed = 0
    key = audit_key_present()
    while True:
        events = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not events:
            return ChainReport(checked, None, "", last_unkeyed)
        for event in events:
            if event.prev_hash != prev:
                return ChainReport(
                    checked, event.pk, "link to the previous event is broken", last_unkeyed
                )
            keyed_before = prev.startswith(KEYED)
            problem = event_hash_problem(event, key=key, keyed_before=keyed_before)
            if problem:
                return ChainReport(checked, event.pk, problem, last_unkeyed)
            if not event.hash.startswith(KEYED):
                last_unkeyed = event.pk
            prev = event.hash
            checked += 1
            last_id = event.pk


def access_record(
    *,
    actor: Any,
    obj: models.Model,
    what: str,
    school_id: int | None = None,
    role: str = "",
) -> RecordAccess:
    """Write one line of the access log: `actor` opened `obj` (e.g. a student's record)."""
    ctx = current()
    return RecordAccess.objects.create(
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_repr=str(actor)[:200] if actor is not None else "",
        role=role or ctx.role,
        address=ctx.address,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        school_id=school_id,
        what=what,
    )


@dataclass(frozen=True)
class AuditEntry:
    """One event of `audit_record_many`: what `audit_record` takes for one object."""

    action: str
    obj: models.Model | None = None
    object_type: str = ""
    object_id: str | int = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def audit_record_many(
    *,
    actor: Any,
    entries: list[AuditEntry],
    reason: str = "",
    school_id: int | None = None,
    role: str = "",
) -> list[AuditEvent]:
    """Append several events of one write to the audit log, chained in order, with a fixed
    number of queries however many there are (one lock, one read of the last hash, one
    insert); call inside the write's transaction."""
    if not entries:
        return []
    ctx = current()
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        prev = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
        at = timezone.now()
        events = []
        for entry in entries:
            object_type, object_id = entry.object_type, entry.object_id
            if entry.obj is not None:
                object_type = object_type or entry.obj._meta.label_lower
                object_id = object_id or str(entry.obj.pk)
            event = AuditEvent(
                at=at,
                actor_id=getattr(actor, "pk", None),
                actor_repr=str(actor)[:200] if actor is not None else "",
                role=(role or ctx.role)[:40],
                address=ctx.address,
                action=entry.action,
                object_type=object_type,
                object_id=str(object_id),
                school_id=school_id,
                before=json.loads(_canonical(entry.before)) if entry.before is not None else None,
                after=json.loads(_canonical(entry.after)) if entry.after is not None else None,
                reason=reason,
                prev_hash=prev,
            )
            event.hash = event_hash(event)
            prev = event.hash
            events.append(event)
        AuditEvent.objects.bulk_create(events)
    return events
