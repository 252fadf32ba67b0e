from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from zhurnal.audit.models import AuditEvent
from zhurnal.audit.services import GENESIS, audit_record, audit_verify


@pytest.fixture
def three_events(db: None) -> list[AuditEvent]:
    return [
        audit_record(
            actor=None,
            action="test.write",
            object_type="thing",
            object_id=str(n),
            before={"value": n},
            after={"value": n + 1, "name": "Ґрунт"},
        )
        for n in range(3)
    ]


def test_events_are_chained_by_hash(three_events: list[AuditEvent]) -> None:
    assert three_events[0].prev_hash == GENESIS
    assert three_events[1].prev_hash == three_events[0].hash
    assert three_events[2].prev_hash == three_events[1].hash
    assert audit_verify().broken_id is None


def test_verify_command_reports_intact_chain(three_events: list[AuditEvent], capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("audit", "verify")
    assert "3 events" in capsys.readouterr().out


def test_editing_an_audit_row_by_hand_fails_verify_at_that_row(
    three_events: list[AuditEvent],
) -> None:
    middle = three_events[1]
    with connection.cursor() as cursor:
        # As an intruder would: straight SQL, bypassing the application.
        cursor.execute(
            "UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["covered up", middle.pk]
        )
    report = audit_verify()
    assert report.broken_id == middle.pk
    with pytest.raises(CommandError, match=f"#{middle.pk}"):
        call_command("audit", "verify")


def test_deleting_an_audit_row_breaks_the_link_of_the_next(three_events: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(pk=three_events[1].pk).delete()
    assert audit_verify().broken_id == three_events[2].pk
