"""The year's audit events of one class for its journal package (`audit-events.json`).

Every event about a row of the class — marks (term and annual ones too), attendance,
lesson records, enrollments, remarks, corrections, term locks, excuses, homework files,
teaching assignments and the class itself — with every field the chain hashes, so the
content half of each event's hash can be recomputed from the file and the keyed half by
whoever holds the server's audit key (zhurnal.audit.services.event_hash). Rows
written in bulk have no event of their own; their digests from the school's seal are listed
under `seals`, only those of this class. A row belongs to the class by its live foreign key
or, once deleted, by the key its last snapshot recorded. Ordered by event id; the same
events give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import CharField, Q
from django.db.models.functions import Cast

from zhurnal.audit.integrity import SEAL_ACTION
from zhurnal.audit.models import AuditEvent
from zhurnal.schools.models import ClassGroup
from zhurnal.timetable.models import Lesson, TeachingAssignment

SCHEMA_VERSION = 1
PROMOTE_ACTION = "enrollment.promote"
_CHUNK = 500


@dataclass(frozen=True)
class ClassRows:
    """Rows of one table that belong to a class: `live` is the lookup from the model to the
    class, `scope` the field a snapshot of the row holds and `scope_of` what it points to
    (the class, one of its teaching assignments or one of its lessons)."""

    label: str
    live: str
    scope: str
    scope_of: str  # "class", "assignment" or "lesson"


CLASS_ROWS: tuple[ClassRows, ...] = (
    ClassRows("schools.classgroup", "pk", "id", "class"),
    ClassRows("timetable.teachingassignment", "class_group", "class_group_id", "class"),
    ClassRows("people.enrollment", "class_group", "class_group_id", "class"),
    ClassRows("timetable.lesson", "assignment__class_group", "assignment_id", "assignment"),
    ClassRows("journal.mark", "assignment__class_group", "assignment_id", "assignment"),
    ClassRows("journal.attendance", "lesson__assignment__class_group", "lesson_id", "lesson"),
    ClassRows("journal.correction", "assignment__class_group", "assignment_id", "assignment"),
    ClassRows("journal.termlock", "class_group", "class_group_id", "class"),
    ClassRows("journal.studentremark", "lesson__assignment__class_group", "lesson_id", "lesson"),
    ClassRows("journal.homeworkfile", "lesson__assignment__class_group", "lesson_id", "lesson"),
    ClassRows("journal.absenceexcuse", "class_group", "class_group_id", "class"),
    ClassRows("control.journalremark", "assignment__class_group", "assignment_id", "assignment"),
)

EVENT_FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_repr",
    "role",
    "address",
    "action",
    "object_type",
    "object_id",
    "school_id",
    "before",
    "after",
    "reason",
    "prev_hash",
    "hash",
)


def _event_json(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "at": values["at"].isoformat()}


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class _ClassScope:
    def __init__(self, class_group: ClassGroup) -> None:
        self.class_group = class_group
        self.ids: dict[str, set[int]] = {
            "class": {class_group.pk},
            "assignment": set(
                TeachingAssignment.objects.filter(class_group=class_group).values_list(
                    "pk", flat=True
                )
            ),
            "lesson": set(
                Lesson.objects.filter(assignment__class_group=class_group).values_list(
                    "pk", flat=True
                )
            ),
        }

    def holds(self, rows: ClassRows, snapshot: Any) -> bool:
        return isinstance(snapshot, dict) and snapshot.get(rows.scope) in self.ids[rows.scope_of]

    def live_events(self) -> Q:
        """Events about a row that is still there: one condition per table, by subquery."""
        condition = Q()
        for rows in CLASS_ROWS:
            live = (
                apps.get_model(rows.label)
                ._default_manager.filter(**{rows.live: self.class_group.pk})
                .annotate(key=Cast("pk", CharField()))
                .values("key")
            )
            condition |= Q(object_type=rows.label, object_id__in=live)
        return condition

    def gone_rows(self) -> dict[str, list[str]]:
        """Rows of the class deleted since: their delete event's snapshot names the class."""
        by_label = {rows.label: rows for rows in CLASS_ROWS}
        gone: dict[str, dict[str, None]] = {}  # an ordered set per table
        deletes = (
            AuditEvent.objects.filter(object_type__in=by_label)
            .filter(Q(after__isnull=True) | Q(action__endswith=".delete"))
            .order_by("id")
            .values_list("object_type", "object_id", "before")
        )
        for label, object_id, before in deletes.iterator(chunk_size=2000):
            if self.holds(by_label[label], before):
                gone.setdefault(label, {})[object_id] = None
        return {label: list(object_ids) for label, object_ids in gone.items()}


def class_audit_events(class_group: ClassGroup) -> dict[str, Any]:
    """The class's audit events and sealed row digests as the versioned JSON document.

    A fixed number of queries, whatever the number of rows and events."""
    scope = _ClassScope(class_group)
    events: dict[int, dict[str, Any]] = {}
    condition = scope.live_events()
    for label, object_ids in scope.gone_rows().items():
        for chunk in _chunks(object_ids):
            condition |= Q(object_type=label, object_id__in=chunk)
    for values in (
        AuditEvent.objects.filter(condition)
        .exclude(action=SEAL_ACTION)
        .order_by("id")
        .values(*EVENT_FIELDS)
        .iterator(chunk_size=2000)
    ):
        events[values["id"]] = _event_json(values)
    # A promotion is one event on the class the students came from: it names the
    # enrollments it creates in this class.
    for values in AuditEvent.objects.filter(action=PROMOTE_ACTION).values(*EVENT_FIELDS):
        created = (values["after"] or {}).get("created", [])
        if any(row.get("class_group_id") == class_group.pk for row in created):
            events[values["id"]] = _event_json(values)

    by_label = {rows.label: rows for rows in CLASS_ROWS}
    seals = []
    for event_id, event_hash, label, after in (
        AuditEvent.objects.filter(
            action=SEAL_ACTION, object_type__in=by_label, school_id=class_group.year.school_id
        )
        .order_by("id")
        .values_list("id", "hash", "object_type", "after")
    ):
        sealed: dict[str, Any] = after or {}
        ids = scope.ids[by_label[label].scope_of]
        mine = [
            (int(key), digest)
            for key, (digest, scope_id) in sealed.get("rows", {}).items()
            if scope_id in ids
        ]
        digests = {str(object_id): digest for object_id, digest in sorted(mine)}
        if digests:
            seals.append(
                {
                    "event_id": event_id,
                    "hash": event_hash,
                    "object_type": label,
                    "fields": sealed.get("fields", []),
                    "rows": digests,
                }
            )
    year = class_group.year
    return {
        "schema_version": SCHEMA_VERSION,
        "document": "audit_events",
        "school": year.school.name,
        "class": str(class_group),
        "class_group_id": class_group.pk,
        "year": year.name,
        "events": [events[event_id] for event_id in sorted(events)],
        "seals": seals,
    }


def audit_events_json(class_group: ClassGroup) -> bytes:
    data = json.dumps(
        class_audit_events(class_group),
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        indent=1,
        sort_keys=True,
    )
    return (data + "\n").encode()
