"""Integrity of live data: reconciling the journal tables with the audit log, sealing rows
written in bulk, and signing the head of the chain with the server's own key.

The audit log says what every audited row should look like now: the last `after` of its
events (a delete event says it should be gone). A row written in bulk (the demo) has no
event of its own; the bulk writer seals it instead — one "audit.seal" event per table and
school holding a SHA-256 digest of each row's content — and the seal is its baseline. A
lesson row with neither event nor seal must have an empty record. The audit app imports no
domain app: the reconciled tables are named by their labels, as the events name them.
See docs/architecture.md, "Integrity of live data".
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import heapq
import hmac
import itertools
import json
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils import timezone

from zhurnal.audit.keys import KEY_FILE as KEY_FILE  # re-exported for callers and tests
from zhurnal.audit.keys import audit_key, key_id
from zhurnal.audit.models import AuditEvent, AuditHead
from zhurnal.audit.services import (
    GENESIS,
    KEYED,
    ChainReport,
    _jsonable,
    audit_record,
    audit_verify,
)

SEAL_ACTION = "audit.seal"
HEADS_FILE = "audit-heads.jsonl"
_MISSING = object()


@dataclass(frozen=True)
class Table:
    """One reconciled table: which fields the audit log vouches for, the foreign key that
    places a row in a school and class (`scope`), and how to reach those from the model
    the key points to."""

    label: str
    scope: str  # attname of the foreign key that places a row
    scope_model: str
    scope_school: str  # lookup from scope_model to the school id
    scope_class: str  # lookup from scope_model to the class group id
    fields: tuple[str, ...] = ()  # compared attnames; () means what `snapshot` records
    empty_baseline: bool = False  # a row with no event nor seal holds the fields' defaults
    extra_actions: tuple[str, ...] = ()  # events on other objects that name these rows

    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    def compared(self) -> tuple[str, ...]:
        if self.fields:
            return self.fields
        skip = {"password", "created_at", "updated_at"}
        return tuple(f.attname for f in self.model()._meta.concrete_fields if f.name not in skip)


LESSON_RECORD = (
    "topic",
    "topic_recorded_at",
    "homework",
    "homework_recorded_at",
    "place",
    "place_changed_at",
    "attendance_taken_at",
)

TABLES: tuple[Table, ...] = (
    Table(
        "journal.mark",
        scope="assignment_id",
        scope_model="timetable.teachingassignment",
        scope_school="year__school_id",
        scope_class="class_group_id",
    ),
    Table(
        "journal.attendance",
        scope="lesson_id",
        scope_model="timetable.lesson",
        scope_school="assignment__year__school_id",
        scope_class="assignment__class_group_id",
    ),
    Table(
        "timetable.lesson",
        scope="assignment_id",
        scope_model="timetable.teachingassignment",
        scope_school="year__school_id",
        scope_class="class_group_id",
        fields=LESSON_RECORD,
        empty_baseline=True,
    ),
    Table(
        "people.enrollment",
        scope="class_group_id",
        scope_model="schools.classgroup",
        scope_school="year__school_id",
        scope_class="id",
        extra_actions=("enrollment.promote",),
    ),
)
TABLE_NAMES = {table.label.split(".")[1]: table for table in TABLES}


@dataclass(frozen=True)
class Finding:
    table: str
    object_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"{self.table} #{self.object_id}" if self.object_id is not None else self.table
        return f"{where}: {self.problem}"


@dataclass
class IntegrityReport:
    chain: ChainReport | None = None
    heads_checked: int = 0
    rows_checked: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        chain_ok = self.chain is None or self.chain.broken_id is None
        return chain_ok and not self.findings


# --- canonical values -------------------------------------------------------------------


def _normaliser(model: type[models.Model], names: Iterable[str]) -> dict[str, Any]:
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return {name: by_attname[name] for name in names}


_KINDS: dict[int, str] = {}  # by id() of the field: fields live as long as their models


def _kind(model_field: Any) -> str:
    kind = _KINDS.get(id(model_field))
    if kind is not None:
        return kind
    kind = "plain"
    for name, field_class in (
        ("datetime", models.DateTimeField),  # before DateField, its base class
        ("date", models.DateField),
        ("time", models.TimeField),
        ("decimal", models.DecimalField),
    ):
        if isinstance(model_field, field_class):
            kind = name
            break
    _KINDS[id(model_field)] = kind
    return kind


def _normal_row(fields: list[Any], values: Iterable[Any]) -> list[Any]:
    """`_norm` over a row, skipping the plain values (most of them) without a call."""
    return [
        value if value is None or _KINDS[id(f)] == "plain" else _norm(f, value)
        for f, value in zip(fields, values, strict=True)
    ]


def _norm(model_field: Any, value: Any) -> Any:
    """One spelling for a value read from the database and the same value in an event."""
    kind = _kind(model_field)
    if value is None or kind == "plain":
        return value
    if kind == "decimal":
        places = model_field.decimal_places
        return f"{Decimal(str(value)):.{places}f}" if places is not None else str(value)
    if isinstance(value, str):
        try:
            value = model_field.to_python(value)
        except ValidationError:
            return value
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    return _jsonable(value)


def row_digest(object_id: int, values: list[Any]) -> str:
    """The sealed fingerprint of one row: 64 bits of SHA-256 over its canonical content
    (normalised values are strings, numbers, booleans and nulls: plain JSON)."""
    payload = json.dumps([object_id, values], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


# --- sealing rows written in bulk -------------------------------------------------------


def audit_rows_seal(*, actor: Any, school_id: int, reason: str) -> list[AuditEvent]:
    """Seal every reconciled row of a school as it stands: one event per table holding
    each row's digest. For bulk writers (the demo), which write no event per row; call
    right after the write, in its transaction — a seal blesses what it sees."""
    events = []
    for table in TABLES:
        model = table.model()
        names = table.compared()
        fields = [_normaliser(model, names)[name] for name in names]
        for model_field in fields:
            _kind(model_field)
        scope = _scope_ids(table, school_id=school_id, class_group_id=None)
        rows: dict[str, list[Any]] = {}
        queryset = (
            model._default_manager.filter(**{f"{table.scope}__in": scope})
            .order_by("pk")
            .values_list("pk", table.scope, *names)
        )
        for pk, scope_id, *values in queryset.iterator(chunk_size=5000):
            rows[str(pk)] = [row_digest(pk, _normal_row(fields, values)), scope_id]
        if not rows:
            continue
        events.append(
            audit_record(
                actor=actor,
                action=SEAL_ACTION,
                object_type=table.label,
                object_id=str(school_id),
                after={"fields": list(names), "count": len(rows), "rows": rows},
                reason=reason,
                school_id=school_id,
            )
        )
    return events


# --- reconciliation ---------------------------------------------------------------------


def _scope_ids(table: Table, *, school_id: int | None, class_group_id: int | None) -> Any:
    queryset = apps.get_model(table.scope_model)._default_manager.all()
    if school_id is not None:
        queryset = queryset.filter(**{table.scope_school: school_id})
    if class_group_id is not None:
        queryset = queryset.filter(**{table.scope_class: class_group_id})
    return queryset.values("pk")


@functools.lru_cache(maxsize=64)
def _seal_rows(
    event_id: int, event_hash: str
) -> tuple[tuple[str, ...], tuple[tuple[int, str, Any], ...]]:
    """One seal's fields and rows (id, digest, scope), parsed once per process. Keyed by
    the event's chain hash too, which covers its content: a database restored or rolled
    back that reuses an id with other content misses the copy instead of reading it."""
    after = AuditEvent.objects.values_list("after", flat=True).get(pk=event_id, hash=event_hash)
    assert after is not None, "a seal event always has rows"
    rows = tuple((int(oid), digest, scope) for oid, (digest, scope) in after["rows"].items())
    return tuple(after["fields"]), rows


@dataclass
class _State:
    """What the audit log says about one row, folded event by event."""

    values: dict[str, Any] | None = None  # audited field values (maybe partial)
    seal: tuple[int, str, tuple[str, ...]] | None = None  # event id, digest, fields
    scope: Any = _MISSING  # the row's school and class key, when an event or seal names it
    overrides: dict[str, Any] = field(default_factory=dict)  # after the seal
    overridden: dict[str, Any] = field(default_factory=dict)  # their values before
    deleted_by: int | None = None
    known: bool = False


class _Reconciler:
    def __init__(self, table: Table, *, school_id: int | None, class_group_id: int | None):
        self.table = table
        self.model = table.model()
        self.names = table.compared()
        self.fields = _normaliser(self.model, self.names)
        self.school_id = school_id
        self.class_group_id = class_group_id
        self.findings: list[Finding] = []
        self.checked = 0
        self.in_scope: set[Any] | None = None
        self._seal_fields: dict[tuple[str, ...], list[Any]] = {}
        if school_id is not None or class_group_id is not None:
            scope = _scope_ids(table, school_id=school_id, class_group_id=class_group_id)
            self.in_scope = set(scope.values_list("pk", flat=True))

    def find(self, object_id: int, problem: str) -> None:
        self.findings.append(Finding(self.table.label, object_id, problem))

    # The four sorted streams, merged by object id.

    def _live(self) -> Iterator[tuple[int, int, Any]]:
        queryset = self.model._default_manager.order_by("pk")
        if self.in_scope is not None:
            queryset = queryset.filter(**{f"{self.table.scope}__in": self.in_scope})
        for pk, *values in queryset.values_list("pk", *self.names).iterator(chunk_size=5000):
            yield pk, 0, values

    def _events_query(self) -> Any:
        queryset = AuditEvent.objects.all()
        if self.school_id is not None:
            queryset = queryset.filter(school_id=self.school_id)
        return queryset

    def _events(self) -> Iterator[tuple[int, int, Any]]:
        queryset = (
            self._events_query()
            .filter(object_type=self.table.label)
            .exclude(action=SEAL_ACTION)
            .annotate(oid=Cast("object_id", models.BigIntegerField()))
            .order_by("oid", "id")
            .values_list("oid", "id", "action", "before", "after")
        )
        for oid, event_id, action, before, after in queryset.iterator(chunk_size=2000):
            yield oid, 1, (event_id, action, before, after)

    def _seals(self) -> list[tuple[int, int, Any]]:
        """The seals' digests of this table, by row. A seal covers a whole school; checking
        one class keeps only the rows of the class (by the scope the seal recorded, or a
        live row of the class that was sealed under another scope), and the parsed seals
        are kept per process (`_seal_rows`), so packaging class after class reads each
        seal once."""
        keep: set[Any] | None = None
        live: set[int] = set()
        if self.in_scope is not None:
            keep = self.in_scope
            live = set(
                self.model._default_manager.filter(
                    **{f"{self.table.scope}__in": self.in_scope}
                ).values_list("pk", flat=True)
            )
        items = []
        seals = self._events_query().filter(object_type=self.table.label, action=SEAL_ACTION)
        for event_id, event_hash in seals.order_by("id").values_list("id", "hash"):
            names, rows = _seal_rows(event_id, event_hash)
            for oid, digest, scope in rows:
                if keep is not None and scope not in keep and oid not in live:
                    continue
                items.append((oid, 1, (event_id, SEAL_ACTION, names, (digest, scope))))
        items.sort(key=lambda item: item[0])
        return items

    def _extra(self) -> list[tuple[int, int, Any]]:
        """Events on another object that name these rows: a year's promotion writes one
        event per class for every enrollment it ends and creates."""
        if not self.table.extra_actions:
            return []
        items: list[tuple[int, int, Any]] = []
        events = self._events_query().filter(action__in=self.table.extra_actions)
        for event_id, action, before, after in events.order_by("id").values_list(
            "id", "action", "before", "after"
        ):
            olds = {row["id"]: row for row in (before or {}).get("enrollments", [])}
            for row in (after or {}).get("ended", []):
                old = {"ends_on": olds.get(row["id"], {}).get("ends_on"), "leave_reason": ""}
                new = {k: v for k, v in row.items() if k not in {"id", "student_id"}}
                items.append((row["id"], 1, (event_id, action, old, new)))
            for row in (after or {}).get("created", []):
                created = self.model(**row)
                full = {name: getattr(created, name) for name in self.names}
                items.append((row["id"], 1, (event_id, action, None, {**full, "id": row["id"]})))
        items.sort(key=lambda item: item[0])
        return items

    def run(self) -> None:
        streams = heapq.merge(
            self._live(), self._events(), self._seals(), self._extra(), key=lambda t: t[0]
        )
        for oid, group in itertools.groupby(streams, key=lambda t: t[0]):
            live: list[Any] | None = None
            items = []
            for _oid, source, payload in group:
                if source == 0:
                    live = payload
                else:
                    items.append(payload)
            items.sort(key=lambda item: item[0])
            state = self._fold(oid, items)
            if live is None:
                self._missing(oid, state)
            else:
                self.checked += 1
                self._compare(oid, state, dict(zip(self.names, live, strict=True)))

    # Folding the events of one row.

    def _fold(self, oid: int, items: list[Any]) -> _State:
        state = _State()
        for event_id, action, before, after in items:
            if action == SEAL_ACTION:
                digest, scope = after
                state = _State(seal=(event_id, digest, before), scope=scope, known=True)
                continue
            if isinstance(after, dict):
                scope = after.get(self.table.scope, state.scope)
                touched = {k: after[k] for k in self.names if k in after}
                if state.known and not touched:
                    continue
                if state.seal is not None and isinstance(before, dict):
                    self._check_sealed_before(oid, state, before, event_id)
                if len(touched) == len(self.names):
                    state = _State(values=touched, known=True)
                    state.scope = scope
                elif state.seal is not None and state.deleted_by is None:
                    for name, value in touched.items():
                        state.overridden.setdefault(name, (before or {}).get(name))
                        state.overrides[name] = value
                else:
                    base = state.values if state.values is not None else self._baseline()
                    state = _State(values={**(base or {}), **touched}, known=True)
                    state.scope = scope
            elif after is None and (action.endswith(".delete") or isinstance(before, dict)):
                if state.seal is not None and isinstance(before, dict):
                    self._check_sealed_before(oid, state, before, event_id)
                state = _State(deleted_by=event_id, known=True, scope=state.scope)
        return state

    def _baseline(self) -> dict[str, Any] | None:
        if not self.table.empty_baseline:
            return None
        return {name: _norm(f, f.get_default()) for name, f in self.fields.items()}

    def _check_sealed_before(
        self, oid: int, state: _State, before: dict[str, Any], event_id: int
    ) -> None:
        assert state.seal is not None
        seal_id, digest, names = state.seal
        if state.overrides or any(name not in before for name in names):
            return
        normal = _normal_row(self._sealed_fields(names), [before[name] for name in names])
        if row_digest(oid, normal) != digest:
            self.find(
                oid,
                f"changed outside the application between seal #{seal_id} and event #{event_id}",
            )

    # Comparing with the live row.

    def _in_scope(self, state: _State) -> bool:
        if self.in_scope is None or state.scope is _MISSING:
            return True
        return state.scope in self.in_scope

    def _missing(self, oid: int, state: _State) -> None:
        if not state.known or state.deleted_by is not None or not self._in_scope(state):
            return
        baseline = self._baseline()
        if (
            state.values is not None
            and baseline is not None
            and not self._differences(state.values, baseline)
        ):
            return  # an empty lesson record deleted with its lesson
        self.find(oid, "deleted outside the application")

    def _compare(self, oid: int, state: _State, live: dict[str, Any]) -> None:
        if state.deleted_by is not None:
            self.find(oid, f"present although event #{state.deleted_by} deleted it")
            return
        if state.seal is not None:
            self._compare_sealed(oid, state, live)
            return
        expected = state.values if state.values is not None else self._baseline()
        if expected is None:
            self.find(oid, "added outside the application (no audit event)")
            return
        differences = self._differences(expected, live)
        if differences:
            prefix = "changed" if state.values is not None else "recorded with no audit event"
            self.find(oid, f"{prefix} outside the application ({'; '.join(differences)})")

    def _sealed_fields(self, names: tuple[str, ...]) -> list[Any]:
        fields = self._seal_fields.get(names)
        if fields is None:
            by_name = _normaliser(self.model, names)
            fields = self._seal_fields[names] = [by_name[name] for name in names]
            for model_field in fields:
                _kind(model_field)
        return fields

    def _differences(self, expected: dict[str, Any], live: dict[str, Any]) -> list[str]:
        differences = []
        for name, value in expected.items():
            if name not in self.fields:
                continue
            audited = _norm(self.fields[name], value)
            current = _norm(self.fields[name], live.get(name))
            if audited != current:
                differences.append(f"{name}: audited {audited!r}, now {current!r}")
        return differences

    def _compare_sealed(self, oid: int, state: _State, live: dict[str, Any]) -> None:
        assert state.seal is not None
        seal_id, digest, names = state.seal
        differences = self._differences(state.overrides, live)
        as_sealed = {**live, **state.overridden}
        if differences:
            self.find(oid, f"changed outside the application ({'; '.join(differences)})")
            return
        model_fields = self._sealed_fields(names)
        normal = _normal_row(model_fields, [as_sealed.get(name) for name in names])
        if row_digest(oid, normal) != digest:
            self.find(oid, f"changed outside the application since seal #{seal_id}")


def reconcile(
    *,
    school_id: int | None = None,
    class_group_id: int | None = None,
    tables: Iterable[Table] = TABLES,
) -> tuple[dict[str, int], list[Finding]]:
    """Compare every live row of the reconciled tables with its audited state."""
    checked: dict[str, int] = {}
    findings: list[Finding] = []
    for table in tables:
        reconciler = _Reconciler(table, school_id=school_id, class_group_id=class_group_id)
        reconciler.run()
        checked[table.label] = reconciler.checked
        findings.extend(reconciler.findings)
    return checked, findings


# --- the signed head of the chain -------------------------------------------------------
#
# Every signed head is kept twice: in the database (AuditHead) and, once its transaction
# commits, as a line appended to a file outside the database (ZHURNAL_AUDIT_HEADS_FILE,
# by default under the var directory). Someone who can rewrite the database but not that
# file cannot delete the newest events together with their heads: the file still names them.


def _key() -> bytes:
    return audit_key()


def _key_id(key: bytes) -> str:
    return key_id(key)


def _head_signature(key: bytes, *, event_id: int, event_hash: str, at: dt.datetime) -> str:
    message = f"zhurnal-audit-head:{event_id}:{event_hash}:{at.astimezone(dt.UTC).isoformat()}"
    return hmac.new(key, message.encode("ascii"), hashlib.sha256).hexdigest()


def _header_signature(key: bytes, *, at: str, unkeyed_until: int) -> str:
    message = f"zhurnal-audit-heads-file:{at}:{unkeyed_until}"
    return hmac.new(key, message.encode("ascii"), hashlib.sha256).hexdigest()


def heads_file() -> Path:
    configured = str(getattr(settings, "ZHURNAL_AUDIT_HEADS_FILE", "") or "")
    return Path(configured) if configured else Path(settings.VAR_DIR) / HEADS_FILE


def _append_line(path: Path, record: dict[str, Any], *, create: bool) -> bool:
    """Append one JSON line (a single write on a file opened for appending; fsync'd). With
    `create`, only when the file does not exist yet (False if it does)."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | (os.O_EXCL if create else 0)
    try:
        descriptor = os.open(path, flags, 0o640)
    except FileExistsError:
        return False
    try:
        os.write(descriptor, (json.dumps(record, sort_keys=True) + "\n").encode("ascii"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return True


def _heads_file_append(head: AuditHead) -> None:
    path = heads_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # The file's first line says up to which event the chain may hold hashes of the old,
        # unkeyed scheme: an unkeyed event after it was recomputed without the key.
        key = _key()
        unkeyed = (
            AuditEvent.objects.exclude(hash__startswith=KEYED)
            .order_by("-id")
            .values_list("id", flat=True)
            .first()
            or 0
        )
        at = timezone.now().astimezone(dt.UTC).isoformat()
        _append_line(
            path,
            {
                "zhurnal_audit_heads": 1,
                "at": at,
                "unkeyed_until": unkeyed,
                "key_id": _key_id(key),
                "signature": _header_signature(key, at=at, unkeyed_until=unkeyed),
            },
            create=True,
        )
    _append_line(
        path,
        {
            "head": head.pk,
            "at": head.at.astimezone(dt.UTC).isoformat(),
            "event_id": head.event_id,
            "event_hash": head.event_hash,
            "key_id": head.key_id,
            "signature": head.signature,
        },
        create=False,
    )


def audit_head_seal() -> AuditHead:
    """Sign the head of the chain (last event id and hash) and keep it, in the database and,
    when the transaction commits, in the heads file: run at every `audit verify --seal`,
    every hour by a task, and at year closing."""
    key = _key()
    with transaction.atomic():
        last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        event_id, event_hash = last if last is not None else (0, GENESIS)
        at = timezone.now()
        head = AuditHead.objects.create(
            at=at,
            event_id=event_id,
            event_hash=event_hash,
            key_id=_key_id(key),
            signature=_head_signature(key, event_id=event_id, event_hash=event_hash, at=at),
        )
        # After the commit: a seal rolled back with its transaction (a year closing that
        # failed) must not leave a head naming events that never were.
        transaction.on_commit(lambda: _heads_file_append(head))
    return head


@dataclass(frozen=True)
class FileHead:
    head_id: int
    at: dt.datetime
    event_id: int
    event_hash: str
    key_id: str
    signature: str


@dataclass
class HeadsFile:
    path: Path
    exists: bool = False
    unkeyed_until: int | None = None
    heads: list[FileHead] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def heads_file_read(key: bytes) -> HeadsFile:
    """The heads file, each line's signature checked: a line the key did not sign is named
    (the file is not trusted more than the database, only harder to reach)."""
    path = heads_file()
    result = HeadsFile(path=path, exists=path.exists())
    if not result.exists:
        return result
    key_ident = _key_id(key)

    def bad(number: int, problem: str) -> None:
        result.findings.append(Finding("audit.heads_file", None, f"line {number}: {problem}"))

    with path.open(encoding="ascii", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                record = json.loads(line)
                if "zhurnal_audit_heads" in record:
                    if number != 1:
                        bad(number, "a header line after the first line")
                        continue
                    expected = _header_signature(
                        key, at=record["at"], unkeyed_until=int(record["unkeyed_until"])
                    )
                    if not hmac.compare_digest(expected, str(record["signature"])):
                        bad(number, "forged or changed header (or signed by another key)")
                        continue
                    result.unkeyed_until = int(record["unkeyed_until"])
                    continue
                file_head = FileHead(
                    head_id=int(record["head"]),
                    at=dt.datetime.fromisoformat(record["at"]),
                    event_id=int(record["event_id"]),
                    event_hash=str(record["event_hash"]),
                    key_id=str(record["key_id"]),
                    signature=str(record["signature"]),
                )
            except (ValueError, KeyError, TypeError):
                bad(number, "not a signed head")
                continue
            if file_head.key_id != key_ident:
                bad(number, f"head #{file_head.head_id} is signed by another key")
                continue
            expected = _head_signature(
                key,
                event_id=file_head.event_id,
                event_hash=file_head.event_hash,
                at=file_head.at,
            )
            if not hmac.compare_digest(expected, file_head.signature):
                bad(number, f"head #{file_head.head_id}: forged or changed signature")
                continue
            result.heads.append(file_head)
    return result


def heads_check(chain: ChainReport | None = None) -> tuple[int, list[Finding]]:
    """Every signed head — in the database and in the heads file — must carry a valid
    signature and name an event still in the chain with the same hash; the chain must not
    end before the last head; every head of the file must still be in the database, and
    every head of the database made since the file began must be in the file. With the
    chain's report, no event after the file's first line may hold an unkeyed hash."""
    findings: list[Finding] = []
    heads = list(AuditHead.objects.order_by("id"))
    key = _key()
    key_ident = _key_id(key)
    from_file = heads_file_read(key)
    findings.extend(from_file.findings)
    if not heads and not from_file.heads:
        return 0, findings
    last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    wanted = {head.event_id for head in heads} | {head.event_id for head in from_file.heads}
    named = dict(AuditEvent.objects.filter(id__in=wanted).values_list("id", "hash"))
    signed: list[int] = []
    for head in heads:
        where = f"signed head #{head.pk} (event #{head.event_id})"
        if head.key_id != key_ident:
            findings.append(Finding("audit.head", head.pk, f"{where} is signed by another key"))
            continue
        expected = _head_signature(
            key, event_id=head.event_id, event_hash=head.event_hash, at=head.at
        )
        if not hmac.compare_digest(expected, head.signature):
            findings.append(Finding("audit.head", head.pk, f"{where}: forged or changed signature"))
            continue
        signed.append(head.event_id)
        if head.event_id == 0 or head.event_id not in named:
            continue  # a missing event is reported once below
        if named[head.event_id] != head.event_hash:
            findings.append(
                Finding("audit.head", head.pk, f"{where}: event #{head.event_id} was rewritten")
            )
    in_db = {head.pk: head for head in heads}
    for file_head in from_file.heads:
        where = f"signed head #{file_head.head_id} of the heads file (event #{file_head.event_id})"
        signed.append(file_head.event_id)
        db_head = in_db.get(file_head.head_id)
        if db_head is None:
            findings.append(
                Finding("audit.head", file_head.head_id, f"{where} is missing from the database")
            )
        elif (db_head.event_id, db_head.event_hash, db_head.signature) != (
            file_head.event_id,
            file_head.event_hash,
            file_head.signature,
        ):
            findings.append(
                Finding("audit.head", file_head.head_id, f"{where} differs in the database")
            )
        if file_head.event_id in named and named[file_head.event_id] != file_head.event_hash:
            findings.append(
                Finding(
                    "audit.head",
                    file_head.head_id,
                    f"{where}: event #{file_head.event_id} was rewritten",
                )
            )
    if from_file.heads:
        in_file = {file_head.head_id for file_head in from_file.heads}
        first = min(in_file)
        for head in heads:
            if head.pk > first and head.pk not in in_file:
                findings.append(
                    Finding(
                        "audit.head",
                        head.pk,
                        f"signed head #{head.pk} (event #{head.event_id}) is not in the heads file",
                    )
                )
    if signed and max(signed) > last_event:
        findings.append(
            Finding(
                "audit.event",
                None,
                f"events after #{last_event} are missing "
                f"(a signed head names event #{max(signed)})",
            )
        )
    missing_inside = sorted({i for i in signed if 0 < i <= last_event and i not in named})
    for event_id in missing_inside:
        findings.append(Finding("audit.event", event_id, "deleted (a signed head names it)"))
    if (
        chain is not None
        and from_file.unkeyed_until is not None
        and chain.last_unkeyed_id > from_file.unkeyed_until
    ):
        findings.append(
            Finding(
                "audit.event",
                chain.last_unkeyed_id,
                "an unkeyed hash after the heads file began: rewritten and recomputed "
                "without the audit key",
            )
        )
    return len(heads), findings


def integrity_check(
    *,
    school: Any = None,
    class_group: Any = None,
    tables: Iterable[Table] = TABLES,
    chain: bool = True,
) -> IntegrityReport:
    """The whole check: the chain, the signed heads and the reconciliation of live rows
    (of one school or class if given). Year closing refuses a class whose report is not
    ok."""
    started = time.monotonic()
    report = IntegrityReport()
    if chain:
        report.chain = audit_verify()
        report.heads_checked, head_findings = heads_check(report.chain)
        report.findings.extend(head_findings)
    school_id = getattr(school, "pk", school)
    class_group_id = getattr(class_group, "pk", class_group)
    if class_group is not None and school_id is None:
        school_id = getattr(getattr(class_group, "year", None), "school_id", None)
    report.rows_checked, row_findings = reconcile(
        school_id=school_id, class_group_id=class_group_id, tables=tables
    )
    report.findings.extend(row_findings)
    report.seconds = time.monotonic() - started
    return report
