"""An insider who can rewrite the database but holds neither the audit key nor the heads
file: recomputing the hashes after an edit, or deleting the newest events together with
their signed heads, is named by `zhurnal audit verify`."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import override_settings

from zhurnal.audit.integrity import audit_head_seal, heads_check, integrity_check
from zhurnal.audit.models import AuditEvent, AuditHead
from zhurnal.audit.services import (
    GENESIS,
    KEYED,
    _keyed,
    _payload,
    audit_record,
    audit_verify,
)

KEY = "a test key that is not the secret key"
Capture = Callable[..., Any]


@pytest.fixture(autouse=True)
def audit_key() -> Iterator[None]:
    with override_settings(ZHURNAL_AUDIT_KEY=KEY):
        yield


def events(count: int, *, start: int = 0) -> list[AuditEvent]:
    return [
        audit_record(
            actor=None,
            action="test.write",
            object_type="thing",
            object_id=str(n),
            after={"value": n, "name": "Ґрунт"},
        )
        for n in range(start, start + count)
    ]


def seal(capture: Capture) -> AuditHead:
    """A head signed and committed: its line reaches the heads file."""
    with capture(execute=True):
        return audit_head_seal()


def raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def unkeyed(event: AuditEvent) -> str:
    return hashlib.sha256(_payload(event)).hexdigest()


def guessed_key(event: AuditEvent) -> str:
    return _keyed(_payload(event), b"a key the intruder guessed")


def rewrite(from_id: int, rehash: Callable[[AuditEvent], str], **edit: Any) -> None:
    """As an intruder with database access would: edit one event by SQL, then recompute
    its hash and every later one's, relinking the chain."""
    prev = (
        AuditEvent.objects.filter(id__lt=from_id).order_by("-id").values_list("hash", flat=True)
    ).first() or GENESIS
    for event in AuditEvent.objects.filter(id__gte=from_id).order_by("id"):
        if event.pk == from_id:
            for name, value in edit.items():
                setattr(event, name, value)
        event.prev_hash = prev
        event.hash = rehash(event)
        raw(
            "UPDATE audit_auditevent SET reason=%s, prev_hash=%s, hash=%s WHERE id=%s",
            [event.reason, event.prev_hash, event.hash, event.pk],
        )
        prev = event.hash


def verify_fails() -> str:
    out = io.StringIO()
    with pytest.raises(CommandError, match="Integrity check failed"):
        call_command("audit", "verify", "--tables", "mark", stdout=out)
    return out.getvalue()


def test_new_events_are_keyed_and_verify(db: None) -> None:
    written = events(3)
    assert all(event.hash.startswith(KEYED) and len(event.hash) == 64 for event in written)
    # The content half is plain SHA-256: anyone holding the event can recompute it.
    assert written[0].hash[2:33] == unkeyed(written[0])[:31]
    report = audit_verify()
    assert (report.checked, report.broken_id, report.last_unkeyed_id) == (3, None, 0)


def test_an_edit_recomputed_without_the_key_after_the_last_head_is_named(
    db: None, django_capture_on_commit_callbacks: Capture
) -> None:
    events(3)
    seal(django_capture_on_commit_callbacks)
    after_head = events(3, start=3)
    rewrite(after_head[1].pk, unkeyed, reason="covered up")
    out = verify_fails()
    assert (
        f"Audit chain broken at event #{after_head[1].pk}: unkeyed hash after keyed events: "
        "rewritten and recomputed without the audit key" in out
    )


def test_an_edit_rehashed_with_a_guessed_key_is_named(db: None) -> None:
    written = events(3)
    rewrite(written[2].pk, guessed_key, reason="covered up")
    report = audit_verify()
    assert report.broken_id == written[2].pk
    assert report.problem.startswith("content and hash rewritten without the audit key")
    assert f"Audit chain broken at event #{written[2].pk}: content and hash" in verify_fails()


def test_a_whole_chain_recomputed_unkeyed_is_named_by_its_heads(
    db: None, django_capture_on_commit_callbacks: Capture
) -> None:
    written = events(3)
    head = seal(django_capture_on_commit_callbacks)
    rewrite(written[0].pk, unkeyed, reason="covered up")
    assert audit_verify().broken_id is None  # an unkeyed chain from its start looks old…
    out = verify_fails()  # …but the signed heads and the heads file know better
    assert f"signed head #{head.pk} (event #{head.event_id}): event #{head.event_id} was" in out
    assert "an unkeyed hash after the heads file began" in out


def test_deleting_the_newest_events_and_their_heads_is_named(
    db: None, django_capture_on_commit_callbacks: Capture, audit_heads_file: Path
) -> None:
    events(3)
    first = seal(django_capture_on_commit_callbacks)
    events(3, start=3)
    second = seal(django_capture_on_commit_callbacks)
    assert len(audit_heads_file.read_text().splitlines()) == 3  # the header and two heads
    raw("DELETE FROM audit_auditevent WHERE id > %s", [first.event_id])
    raw("DELETE FROM audit_audithead WHERE id = %s", [second.pk])
    assert audit_verify().broken_id is None  # what is left is a sound chain
    out = verify_fails()
    assert (
        f"signed head #{second.pk} of the heads file (event #{second.event_id}) "
        "is missing from the database" in out
    )
    assert (
        f"events after #{first.event_id} are missing "
        f"(a signed head names event #{second.event_id})" in out
    )


def test_a_seal_rolled_back_leaves_no_line_in_the_heads_file(
    db: None, django_capture_on_commit_callbacks: Capture, audit_heads_file: Path
) -> None:
    events(2)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        audit_head_seal()
        raise RuntimeError("the year closing failed")
    assert not audit_heads_file.exists()
    assert integrity_check(tables=()).ok


def test_a_changed_line_of_the_heads_file_is_named(
    db: None, django_capture_on_commit_callbacks: Capture, audit_heads_file: Path
) -> None:
    events(2)
    head = seal(django_capture_on_commit_callbacks)
    header, line = audit_heads_file.read_text().splitlines()
    record = json.loads(line)
    record["event_id"] += 1
    audit_heads_file.write_text(f"{header}\n{json.dumps(record)}\n")
    _count, findings = heads_check()
    assert f"audit.heads_file: line 2: head #{head.pk}: forged or changed signature" in [
        str(finding) for finding in findings
    ]


def test_a_head_left_out_of_the_heads_file_is_named(
    db: None, django_capture_on_commit_callbacks: Capture, audit_heads_file: Path
) -> None:
    events(2)
    seal(django_capture_on_commit_callbacks)
    kept = audit_heads_file.read_text()
    events(1, start=2)
    second = seal(django_capture_on_commit_callbacks)
    audit_heads_file.write_text(kept)
    assert f"signed head #{second.pk} (event #{second.event_id}) is not in the heads file" in (
        verify_fails()
    )


def test_a_chain_of_the_old_unkeyed_scheme_still_verifies(
    db: None, django_capture_on_commit_callbacks: Capture
) -> None:
    old = events(3)
    rewrite(old[0].pk, unkeyed)  # as issue 10 wrote them
    new = events(2, start=3)
    report = audit_verify()
    assert (report.broken_id, report.last_unkeyed_id) == (None, old[2].pk)
    assert new[0].hash.startswith(KEYED)
    seal(django_capture_on_commit_callbacks)
    assert integrity_check(tables=()).ok


def test_keyed_events_without_the_key_are_not_vouched_for(
    db: None, settings: Any, tmp_path: Path
) -> None:
    events(2)
    settings.ZHURNAL_AUDIT_KEY = ""
    settings.VAR_DIR = tmp_path  # a server with no key file
    report = audit_verify()
    assert report.problem == "keyed hash cannot be checked: this server has no audit key"
    assert not list(tmp_path.iterdir())  # verifying never makes a key
