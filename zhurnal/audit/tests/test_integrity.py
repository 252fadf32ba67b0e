"""Integrity of live data: writes made behind the application's back are named by
`zhurnal audit verify`, and so is the removal of the newest audit events."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import override_settings

from tests.cast import Community
from zhurnal.audit.integrity import (
    KEY_FILE,
    audit_head_seal,
    audit_rows_seal,
    heads_check,
    integrity_check,
)
from zhurnal.audit.models import AuditEvent, AuditHead
from zhurnal.audit.tasks import audit_head_seal_run
from zhurnal.core.timeutil import local_today
from zhurnal.demo.generator import DemoSummary, build_demo
from zhurnal.journal import services
from zhurnal.journal.models import Attendance, AttendanceStatus, Mark
from zhurnal.people.models import Enrollment
from zhurnal.people.services import enrollment_create, enrollment_end
from zhurnal.schools.models import School
from zhurnal.students.movement.services import student_transfer_class, year_promote
from zhurnal.students.movement.tests.test_movement_services import Promotion
from zhurnal.timetable.models import Lesson, Period

PAST = dt.date(2026, 11, 16)  # a Monday of the I semester, before today
KEY = "a test key that is not the secret key"


@pytest.fixture(autouse=True)
def audit_key() -> Iterator[None]:
    with override_settings(ZHURNAL_AUDIT_KEY=KEY):
        yield


@pytest.fixture
def sealed(community: Community) -> Community:
    """The cast's rows are written without services, as a bulk import would: sealed."""
    for school in (community.school, community.other_school):
        audit_rows_seal(actor=None, school_id=school.pk, reason="test set-up")
    return community


def lesson_on(community: Community, day: dt.date, number: int = 1) -> Lesson:
    return Lesson.objects.create(
        assignment=community.math_5a,
        date=day,
        period=Period.objects.get(year=community.year, number=number),
    )


def put(community: Community, lesson: Lesson, value: str, **kwargs: Any) -> services.WriteResult:
    return services.mark_set(
        actor=kwargs.pop("actor", community.teacher),
        assignment=lesson.assignment,
        student=kwargs.pop("student", community.student),
        lesson=lesson,
        value=value,
        **kwargs,
    )


def verify(*args: str) -> str:
    out = io.StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def verify_fails(*args: str) -> str:
    out = io.StringIO()
    with pytest.raises(CommandError, match="Integrity check failed"):
        call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def journal(sealed: Community) -> dict[str, Any]:
    """A day of ordinary work through the services: marks entered, changed and removed,
    the register taken and changed, lesson records, a term mark, a correction approved in
    a locked term, an excused absence, enrollments created, ended and moved."""
    c = sealed
    today = lesson_on(c, local_today())
    past = lesson_on(c, PAST)
    first = put(c, today, "7").mark
    assert first is not None
    put(c, today, "9", mark=first, reason="перевірена робота")
    services.attendance_take(
        actor=c.teacher, lesson=today, statuses={c.other_student.pk: AttendanceStatus.ABSENT}
    )
    services.attendance_take(
        actor=c.teacher,
        lesson=today,
        statuses={c.other_student.pk: AttendanceStatus.LATE},
        reason="прийшов",
    )
    services.lesson_record(actor=c.teacher, lesson=today, topic="Дроби", homework="№ 12")
    services.lesson_record(
        actor=c.teacher, lesson=today, topic="Дроби", homework="№ 13", place="shelter"
    )
    term_mark = services.mark_set(
        actor=c.teacher,
        assignment=c.math_5a,
        student=c.student,
        value="10",
        kind="term",
        term=c.term1,
    ).mark
    gone = put(c, past, "5", reason="пізно").mark
    assert gone is not None
    services.mark_delete(actor=c.teacher, mark=gone, reason="помилка")
    kept = put(c, past, "6", reason="пізно").mark
    services.term_lock(actor=c.deputy, term=c.term1, class_group=c.class_5a)
    pending = put(c, past, "8", mark=kept, reason="перевірена робота")
    services.correction_decide(actor=c.deputy, correction=pending.correction, approve=True)  # type: ignore[arg-type]
    enrollment = Enrollment.objects.get(student=c.student_5b)
    moved = student_transfer_class(
        actor=c.school_admin,
        enrollment=enrollment,
        target=c.class_5a,
        on=dt.date(2026, 11, 2),
        order="№ 7-у",
    )
    enrollment_end(actor=c.school_admin, enrollment=moved, ends_on=dt.date(2026, 11, 30))
    enrollment_create(
        actor=c.school_admin,
        student=c.student_5b,
        class_group=c.class_5b,
        starts_on=dt.date(2026, 12, 1),
    )
    return {"community": c, "today": today, "mark": first, "term_mark": term_mark}


# --- clean runs ---------------------------------------------------------------------------


def test_service_writes_reconcile_clean(journal: dict[str, Any]) -> None:
    report = integrity_check()
    assert report.ok, [str(f) for f in report.findings]
    assert report.rows_checked["journal.mark"] == Mark.objects.count() == 3
    assert report.rows_checked["journal.attendance"] == Attendance.objects.count() == 1
    assert "Audit log and live data agree" in verify()


def test_a_class_reconciles_clean(journal: dict[str, Any]) -> None:
    c = journal["community"]
    report = integrity_check(class_group=c.class_5a, chain=False)
    assert report.ok, [str(f) for f in report.findings]
    assert report.rows_checked["journal.mark"] == 3
    other = integrity_check(class_group=c.other_school_class, chain=False)
    assert other.ok and other.rows_checked["journal.mark"] == 0


def test_a_promotion_reconciles_clean_and_a_promoted_enrollment_is_checked(
    community: Community,
) -> None:
    p = Promotion(community)  # in a school of its own
    for school_id in School.objects.values_list("pk", flat=True):
        audit_rows_seal(actor=None, school_id=school_id, reason="test set-up")
    year_promote(actor=p.admin, year=p.year, next_year=p.next_year, kept_back=[p.fives[2].pk])
    report = integrity_check()
    assert report.ok, [str(f) for f in report.findings]
    created = Enrollment.objects.filter(class_group__year=p.next_year).order_by("pk").first()
    ended = Enrollment.objects.get(student=p.elevens[0])
    assert created is not None
    raw(f"UPDATE {Enrollment._meta.db_table} SET order_in='x' WHERE id=%s", [created.pk])  # noqa: S608
    raw(f"UPDATE {Enrollment._meta.db_table} SET leave_reason='' WHERE id=%s", [ended.pk])  # noqa: S608
    findings = sorted(str(f) for f in integrity_check().findings)
    assert len(findings) == 2
    assert f"people.enrollment #{created.pk}: changed outside the application (order_in" in (
        " ".join(findings)
    )
    assert f"people.enrollment #{ended.pk}: changed outside the application (leave_reason" in (
        " ".join(findings)
    )


# --- writes behind the application's back --------------------------------------------------


def test_an_update_of_a_mark_is_named(journal: dict[str, Any]) -> None:
    mark = journal["mark"]
    raw(f"UPDATE {Mark._meta.db_table} SET value='12' WHERE id=%s", [mark.pk])  # noqa: S608
    out = verify_fails("--seal")
    assert f"journal.mark #{mark.pk}: changed outside the application (value: audited '9'" in out
    assert "now '12'" in out
    assert "Signed head #" in out  # the chain itself is sound


def test_a_deleted_mark_is_named(journal: dict[str, Any]) -> None:
    mark = journal["term_mark"]
    raw(f"DELETE FROM {Mark._meta.db_table} WHERE id=%s", [mark.pk])  # noqa: S608
    assert f"journal.mark #{mark.pk}: deleted outside the application" in verify_fails()


def test_an_inserted_mark_is_named(journal: dict[str, Any]) -> None:
    c = journal["community"]
    lesson = journal["today"]
    raw(
        f"INSERT INTO {Mark._meta.db_table} (assignment_id, lesson_id, student_id, kind, value, "  # noqa: S608
        "comment, requested_by, entered_late, created_by_id, created_at, updated_at) "
        "VALUES (%s, %s, %s, 'current', '11', '', '', %s, %s, %s, %s)",
        [c.math_5a.pk, lesson.pk, c.other_student.pk, False, c.teacher.pk, PAST, PAST],
    )
    inserted = Mark.objects.get(student=c.other_student, value="11")
    report = integrity_check()
    assert [str(f) for f in report.findings] == [
        f"journal.mark #{inserted.pk}: added outside the application (no audit event)"
    ]


def test_changed_attendance_lesson_record_and_enrollment_are_named(
    journal: dict[str, Any],
) -> None:
    c = journal["community"]
    lesson = journal["today"]
    raw(f"UPDATE {Attendance._meta.db_table} SET status='absent'", [])  # noqa: S608
    raw(f"UPDATE {Lesson._meta.db_table} SET topic='Інше' WHERE id=%s", [lesson.pk])  # noqa: S608
    untouched = lesson_on(c, PAST, number=2)  # made by the timetable: an empty record
    raw(f"UPDATE {Lesson._meta.db_table} SET homework='x' WHERE id=%s", [untouched.pk])  # noqa: S608
    sealed = Enrollment.objects.get(student=c.student)
    raw(f"UPDATE {Enrollment._meta.db_table} SET order_in='№ 1' WHERE id=%s", [sealed.pk])  # noqa: S608
    findings = {str(f).split(":")[0]: str(f) for f in integrity_check().findings}
    attendance = Attendance.objects.get()
    assert (
        "status: audited 'late', now 'absent'" in findings[f"journal.attendance #{attendance.pk}"]
    )
    assert "topic: audited 'Дроби', now 'Інше'" in findings[f"timetable.lesson #{lesson.pk}"]
    assert "recorded with no audit event" in findings[f"timetable.lesson #{untouched.pk}"]
    assert "since seal" in findings[f"people.enrollment #{sealed.pk}"]
    assert len(findings) == 4


def test_school_option_limits_the_reconciliation(journal: dict[str, Any]) -> None:
    c = journal["community"]
    raw(f"UPDATE {Mark._meta.db_table} SET value='12'", [])  # noqa: S608
    assert "Audit log and live data agree" in verify("--school", str(c.other_school.pk))
    assert "journal.mark" in verify_fails("--school", str(c.school.pk), "--tables", "mark")


# --- the signed head -----------------------------------------------------------------------


def test_a_deleted_newest_event_is_named_after_a_seal(journal: dict[str, Any]) -> None:
    assert "Signed head #" in verify("--seal")
    last = AuditEvent.objects.order_by("-id").first()
    assert last is not None
    raw(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id=%s", [last.pk])  # noqa: S608
    out = verify_fails("--tables", "mark")
    assert f"events after #{last.pk - 1} are missing (a signed head names event #{last.pk})" in out


def test_a_forged_head_is_named(sealed: Community) -> None:
    head = audit_head_seal()
    AuditHead.objects.filter(pk=head.pk).update(event_id=head.event_id + 5)
    out = verify_fails("--tables", "mark")
    assert f"signed head #{head.pk} (event #{head.event_id + 5}): forged or changed" in out


def test_a_head_signed_by_another_key_is_named(sealed: Community) -> None:
    with override_settings(ZHURNAL_AUDIT_KEY="someone else's key"):
        head = audit_head_seal()
    assert f"signed head #{head.pk}" in verify_fails("--tables", "mark")


def test_a_rewritten_head_event_is_named(sealed: Community) -> None:
    head = audit_head_seal()
    AuditEvent.objects.filter(pk=head.event_id).update(hash="f" * 64)
    out = verify_fails("--tables", "mark")
    assert f"event #{head.event_id} was rewritten" in out


def test_an_intact_chain_is_sealed_every_hour(sealed: Community) -> None:
    audit_head_seal_run.call(reschedule=False)
    head = AuditHead.objects.get()
    assert head.event_id == AuditEvent.objects.order_by("-id").values_list("id", flat=True)[0]
    assert "Signed heads checked: 1" in verify()


def test_the_key_file_is_created_once_and_private(
    sealed: Community, settings: Any, tmp_path: Any
) -> None:
    settings.ZHURNAL_AUDIT_KEY = ""
    settings.VAR_DIR = tmp_path
    first = audit_head_seal()
    path = tmp_path / KEY_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    second = audit_head_seal()
    assert first.key_id == second.key_id
    # The cast's events were hashed with the test key, so only the heads are checked here.
    assert heads_check() == (2, [])


# --- the demo ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoSummary]:
    """One small community for the module, rolled back at its end."""
    with django_db_blocker.unblock(), override_settings(ZHURNAL_AUDIT_KEY=KEY):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_demo(
                seed=7,
                schools=3,
                today=dt.date(2026, 11, 12),
                classes_per_grade=1,
                students_per_class=(6, 8),
            )
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_the_demo_reconciles_clean(demo: DemoSummary, db: None) -> None:
    with override_settings(ZHURNAL_AUDIT_KEY=KEY):
        report = integrity_check()
    assert report.ok, [str(f) for f in report.findings[:10]]
    assert report.rows_checked["journal.mark"] == Mark.objects.count() > 0
    assert report.rows_checked["timetable.lesson"] == Lesson.objects.count() > 0


def test_a_changed_demo_mark_is_named(demo: DemoSummary, db: None) -> None:
    mark = Mark.objects.order_by("pk").first()
    assert mark is not None
    raw(f"UPDATE {Mark._meta.db_table} SET comment='x' WHERE id=%s", [mark.pk])  # noqa: S608
    findings = [str(f) for f in integrity_check(chain=False).findings]
    assert len(findings) == 1
    assert findings[0].startswith(f"journal.mark #{mark.pk}: changed outside the application since")
