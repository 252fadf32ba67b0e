"""Entries made offline reach the journal through the journal's rules, with the time they
were made; a replay is not applied twice; a conflict is never settled silently (issue 12,
item 7)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.cast import Community
from zhurnal.audit.models import AuditEvent
from zhurnal.audit.services import audit_verify
from zhurnal.core.timeutil import local_today
from zhurnal.journal.lesson.tests.builders import lesson_on
from zhurnal.journal.models import (
    Attendance,
    AttendanceStatus,
    Correction,
    Mark,
    OfflineEntry,
    OfflineOutcome,
)
from zhurnal.journal.offline.services import OfflineInput, offline_resolve, offline_sync
from zhurnal.people.models import Enrollment, Sex, Student
from zhurnal.timetable.models import Lesson

SYNC = "/journal/offline/sync/"
RESOLVE = "/journal/offline/resolve/"


def _students(community: Community) -> list[Student]:
    return list(Student.objects.filter(enrollments__class_group=community.class_5a).order_by("pk"))


def _add_students(community: Community, count: int) -> None:
    for number in range(count):
        student = Student.objects.create(
            municipality=community.municipality,
            surname=f"Учень{number:02d}",
            given_name="Тест",
            birth_date=dt.date(2015, 1, 1),
            sex=Sex.MALE,
        )
        Enrollment.objects.create(
            student=student, class_group=community.class_5a, starts_on=dt.date(2026, 9, 1)
        )


def _wire(lesson: Lesson, student: Student, made_at: dt.datetime, **fields: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "lesson": lesson.pk,
        "student": student.pk,
        "what": "mark",
        "value": "",
        "kind": "current",
        "comment": "",
        "status": None,
        "late_minutes": None,
        "made_at": made_at.isoformat(),
        "base": "",
    }
    entry.update(fields)
    return entry


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def _sync(client: Client, *entries: dict[str, Any]) -> dict[str, dict[str, Any]]:
    response = _post(client, SYNC, {"entries": list(entries)})
    assert response.status_code == 200, response.content
    return {result["id"]: result for result in response.json()["results"]}


def _entry(lesson: Lesson, student: Student, made_at: dt.datetime, **fields: Any) -> OfflineInput:
    return OfflineInput(
        client_id=uuid.uuid4(),
        lesson_id=lesson.pk,
        student_id=student.pk,
        target=fields.pop("target", "mark"),
        made_at=made_at,
        **fields,
    )


def test_entries_made_offline_are_stored_with_the_time_they_were_made(
    client: Client, community: Community
) -> None:
    client.force_login(community.teacher)
    lesson = lesson_on(community)
    andriy, olena = _students(community)
    made = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=40)
    sent = [
        _wire(lesson, andriy, made, value="10"),
        _wire(lesson, olena, made + dt.timedelta(seconds=5), what="attendance", status="absent"),
    ]
    before = timezone.now()
    answers = _sync(client, *sent)

    assert [answers[e["id"]]["outcome"] for e in sent] == ["applied", "applied"]
    mark = Mark.objects.get(lesson=lesson, student=andriy)
    assert (mark.value, mark.created_by, mark.created_at) == ("10", community.teacher, made)
    assert mark.entered_late is False
    absence = Attendance.objects.get(lesson=lesson, student=olena)
    assert absence.status == AttendanceStatus.ABSENT
    assert absence.created_at == made + dt.timedelta(seconds=5)
    assert absence.created_at < before
    stored = OfflineEntry.objects.get(client_id=sent[0]["id"])
    assert (stored.author, stored.made_at, stored.outcome) == (
        community.teacher,
        made,
        OfflineOutcome.APPLIED,
    )
    assert stored.created_at >= before  # the arrival
    event = AuditEvent.objects.get(action="offline.entry", object_id=str(stored.pk))
    assert event.after is not None
    assert event.after["made_at"] == made.isoformat()
    assert dt.datetime.fromisoformat(event.after["received_at"]) >= before
    assert AuditEvent.objects.filter(action="mark.create").count() == 1
    assert audit_verify().broken_id is None


def test_a_mark_made_offline_after_the_lesson_day_is_entered_late(
    community: Community,
) -> None:
    lesson = lesson_on(community, local_today() - dt.timedelta(days=2))
    andriy = _students(community)[0]
    made = timezone.now() - dt.timedelta(hours=1)
    (answer,) = offline_sync(
        actor=community.teacher, entries=[_entry(lesson, andriy, made, value="9")]
    )
    assert answer.outcome == OfflineOutcome.APPLIED
    assert Mark.objects.get(lesson=lesson).entered_late is True

    on_the_day = lesson_on(community, local_today() - dt.timedelta(days=2), number=2)
    made = timezone.now() - dt.timedelta(days=2)
    made = made.replace(hour=12)
    (answer,) = offline_sync(
        actor=community.teacher, entries=[_entry(on_the_day, andriy, made, value="8")]
    )
    assert answer.outcome == OfflineOutcome.APPLIED
    assert Mark.objects.get(lesson=on_the_day).entered_late is False


def test_a_replayed_entry_is_not_applied_twice(client: Client, community: Community) -> None:
    client.force_login(community.teacher)
    lesson = lesson_on(community)
    andriy = _students(community)[0]
    entry = _wire(lesson, andriy, timezone.now() - dt.timedelta(minutes=3), value="11")
    first = _sync(client, entry)
    again = _sync(client, entry, entry)
    assert first == again
    assert Mark.objects.filter(lesson=lesson).count() == 1
    assert OfflineEntry.objects.count() == 1


def test_entries_of_another_teachers_lesson_are_refused(community: Community) -> None:
    theirs = lesson_on(community, assignment=community.ukrainian_5a)
    andriy = _students(community)[0]
    with translation.override("en"):
        (answer,) = offline_sync(
            actor=community.teacher, entries=[_entry(theirs, andriy, timezone.now(), value="10")]
        )
    assert answer.outcome == OfflineOutcome.REFUSED
    assert "not one you write in" in answer.message
    assert not Mark.objects.exists()


def test_entries_for_a_lesson_not_begun_are_refused(community: Community) -> None:
    ahead = lesson_on(community, dt.date(2027, 3, 1))
    andriy, olena = _students(community)
    entries = [
        _entry(ahead, andriy, timezone.now(), value="10"),
        _entry(ahead, olena, timezone.now(), target="attendance", status="absent"),
    ]
    with translation.override("en"):
        answers = offline_sync(actor=community.teacher, entries=entries)
    assert {a.outcome for a in answers} == {OfflineOutcome.REFUSED}
    assert all("has not started yet" in a.message for a in answers)
    assert not Mark.objects.exists() and not Attendance.objects.exists()


def test_a_value_off_the_scale_is_refused_and_the_others_are_kept(
    client: Client, community: Community
) -> None:
    client.force_login(community.teacher)
    lesson = lesson_on(community)
    andriy, olena = _students(community)
    bad = _wire(lesson, andriy, timezone.now(), value="13")
    good = _wire(lesson, olena, timezone.now(), value="7")
    answers = _sync(client, bad, good)
    assert answers[bad["id"]]["outcome"] == "refused"
    assert answers[bad["id"]]["message"]
    assert answers[good["id"]]["outcome"] == "applied"
    assert list(Mark.objects.values_list("student_id", "value")) == [(olena.pk, "7")]


def test_entries_dated_in_the_future_or_too_long_ago_are_refused(community: Community) -> None:
    lesson = lesson_on(community)
    andriy, olena = _students(community)
    future = _entry(lesson, andriy, timezone.now() + dt.timedelta(hours=1), value="10")
    old = _entry(lesson, olena, timezone.now() - dt.timedelta(days=15), value="10")
    with translation.override("en"):
        answers = offline_sync(actor=community.teacher, entries=[future, old])
    messages = {a.id: a.message for a in answers}
    assert "in the future" in messages[str(future.client_id)]
    assert "more than 14 days ago" in messages[str(old.client_id)]
    assert not Mark.objects.exists()


def test_entries_in_a_closed_year_are_refused(client: Client, community: Community) -> None:
    client.force_login(community.teacher)
    lesson = lesson_on(community)
    community.year.closed_at = timezone.now()
    community.year.save()
    entry = _wire(lesson, _students(community)[0], timezone.now(), value="10")
    answer = _sync(client, entry)[entry["id"]]
    assert answer["outcome"] == "refused"
    assert not Mark.objects.exists()


def _conflict(community: Community) -> tuple[Lesson, Student, OfflineInput]:
    """The teacher gave a mark offline for a cell that was empty on the page; meanwhile the
    substitute gave one."""
    lesson = lesson_on(community, substitute=community.other_teacher)
    andriy = _students(community)[0]
    Mark.objects.create(
        assignment=lesson.assignment,
        lesson=lesson,
        student=andriy,
        kind="current",
        value="6",
        created_by=community.other_teacher,
    )
    mine = _entry(lesson, andriy, timezone.now() - dt.timedelta(minutes=30), value="10")
    (answer,) = offline_sync(actor=community.teacher, entries=[mine])
    assert answer.outcome == OfflineOutcome.CONFLICT
    assert answer.theirs is not None
    assert (answer.theirs["value"], answer.theirs["by"]) == ("6", "Бондар Петро")
    assert answer.mine is not None and answer.mine["value"] == "10"
    assert Mark.objects.filter(lesson=lesson).count() == 1  # nothing overwritten
    return lesson, andriy, mine


def test_keeping_mine_applies_it_as_a_correction_in_the_register(
    client: Client, community: Community
) -> None:
    lesson, andriy, mine = _conflict(community)
    client.force_login(community.teacher)
    with translation.override("en"):
        response = _post(client, RESOLVE, {"id": str(mine.client_id), "choice": "mine"})
    assert response.json()["result"]["outcome"] == "kept_mine"
    values = list(Mark.objects.filter(lesson=lesson).values_list("value", flat=True))
    assert sorted(values) == ["10", "6"]
    correction = Correction.objects.get(lesson=lesson, student=andriy)
    assert correction.requested_by == community.teacher
    # Written in the teacher's language (Ukrainian), as the register shows it.
    with translation.override("uk"):
        conflicted = gettext(
            "An offline entry made at %(time)s conflicted with a change by %(who)s."
        )
        kept = gettext("Conflict settled: the offline entry was kept.")
    assert conflicted.split("%(time)s")[1].split("%(who)s")[0] in correction.reason
    assert "Бондар Петро" in correction.reason and "conflicted" not in correction.reason
    assert correction.decision_note == kept
    assert (correction.before, correction.after) == ({"value": "6"}, {"value": "10"})
    assert OfflineEntry.objects.get().outcome == OfflineOutcome.KEPT_MINE

    client.force_login(community.deputy)
    page = client.get(f"/school/{community.school.pk}/corrections/").content.decode()
    assert correction.reason in page
    assert audit_verify().broken_id is None


def test_keeping_theirs_drops_mine_and_the_register_shows_it(
    client: Client, community: Community
) -> None:
    lesson, andriy, mine = _conflict(community)
    answer = offline_resolve(actor=community.teacher, client_id=mine.client_id, choice="theirs")
    assert answer.outcome == OfflineOutcome.KEPT_THEIRS
    assert list(Mark.objects.filter(lesson=lesson).values_list("value", flat=True)) == ["6"]
    correction = Correction.objects.get(lesson=lesson, student=andriy)
    assert correction.decided_by == community.teacher
    assert correction.decision_note
    assert AuditEvent.objects.filter(action="offline.resolve").count() == 1
    # settled once: asking again changes nothing
    offline_resolve(actor=community.teacher, client_id=mine.client_id, choice="mine")
    assert Mark.objects.filter(lesson=lesson).count() == 1
    assert Correction.objects.count() == 1


def test_an_attendance_conflict_kept_mine_is_a_correction(community: Community) -> None:
    lesson = lesson_on(community, substitute=community.other_teacher)
    olena = _students(community)[1]
    Attendance.objects.create(
        lesson=lesson, student=olena, status="absent", recorded_by=community.other_teacher
    )
    mine = _entry(lesson, olena, timezone.now(), target="attendance", status="late", late_minutes=5)
    (answer,) = offline_sync(actor=community.teacher, entries=[mine])
    assert answer.outcome == OfflineOutcome.CONFLICT
    offline_resolve(actor=community.teacher, client_id=mine.client_id, choice="mine")
    assert Attendance.objects.get(lesson=lesson, student=olena).status == "late"
    correction = Correction.objects.get(lesson=lesson, student=olena)
    assert correction.decision_note and correction.decided_by == community.teacher


def test_the_teachers_own_later_change_is_no_conflict(community: Community) -> None:
    lesson = lesson_on(community)
    andriy = _students(community)[0]
    Mark.objects.create(
        assignment=lesson.assignment,
        lesson=lesson,
        student=andriy,
        kind="current",
        value="9",
        created_by=community.teacher,
    )
    (answer,) = offline_sync(
        actor=community.teacher, entries=[_entry(lesson, andriy, timezone.now(), value="10")]
    )
    assert answer.outcome == OfflineOutcome.APPLIED


def test_only_the_author_settles_a_conflict(client: Client, community: Community) -> None:
    _lesson, _andriy, mine = _conflict(community)
    client.force_login(community.other_teacher)
    response = _post(client, RESOLVE, {"id": str(mine.client_id), "choice": "theirs"})
    assert response.status_code == 400
    assert OfflineEntry.objects.get().outcome == OfflineOutcome.CONFLICT


def test_a_sync_issues_the_same_queries_for_4_and_24_entries(
    client: Client, community: Community, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(community.teacher)
    _add_students(community, 10)
    students = _students(community)
    made = timezone.now() - dt.timedelta(minutes=10)

    def entries(lesson: Lesson, count: int) -> list[dict[str, Any]]:
        sent = []
        for student in students[:count]:
            sent.append(_wire(lesson, student, made, value="10"))
            sent.append(_wire(lesson, student, made, what="attendance", status="late"))
        return sent

    small, big = lesson_on(community, number=1), lesson_on(community, number=2)
    with django_assert_max_num_queries(40) as small_queries:
        _sync(client, *entries(small, 2))
    with django_assert_max_num_queries(40) as big_queries:
        _sync(client, *entries(big, 12))
    assert len(big_queries.captured_queries) == len(small_queries.captured_queries)
    assert Mark.objects.filter(lesson=big).count() == 12
    assert OfflineEntry.objects.filter(outcome="applied").count() == 28


@pytest.mark.parametrize("body", [b"", b"{", b'{"entries": 5}', b'{"entries": [{"id": "x"}]}'])
def test_a_sync_that_cannot_be_read_saves_nothing(
    client: Client, community: Community, body: bytes
) -> None:
    client.force_login(community.teacher)
    response = client.post(SYNC, body, content_type="application/json")
    assert response.status_code == 400
    assert not OfflineEntry.objects.exists()


def test_the_sync_needs_a_signed_in_user(client: Client, community: Community) -> None:
    lesson = lesson_on(community)
    entry = _wire(lesson, _students(community)[0], timezone.now(), value="10")
    response = _post(client, SYNC, {"entries": [entry]})
    assert response.status_code == 302
    assert not Mark.objects.exists()
