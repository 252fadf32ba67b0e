"""The diary's week from a cache that is never stale (issue 13, item 1): after any write
through the services the cached page and API body equal a fresh render; an unchanged week
answers 304; a cached visit costs a fixed number of queries; nobody gets another's copy."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cast import Community
from zhurnal.api.tests.builders import token_for
from zhurnal.diary.tests.test_diary_pages import MONDAY, lesson, mark
from zhurnal.journal import services as journal
from zhurnal.journal.lesson.services import SheetRow, lesson_sheet_save
from zhurnal.journal.models import Excuse, Mark, RemarkKind, StudentRemark
from zhurnal.people.models import Relation, Student, StudentGuardian
from zhurnal.people.services import subgroup_members_set
from zhurnal.schools.models import ReadVersion, Subgroup
from zhurnal.schools.versions import read_versions_bump, read_versions_bump_where
from zhurnal.timetable import services as timetable
from zhurnal.timetable.models import Lesson

WEEK = f"?week={MONDAY.isoformat()}"
REASON = "the teacher's correction"


@pytest.fixture(autouse=True)
def _media_and_english(settings, tmp_path: Path, client: Client) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _page(community: Community, student: Student | None = None) -> str:
    return f"/family/child/{(student or community.student).pk}/{WEEK}"


def _api(community: Community) -> str:
    return f"/api/v1/students/{community.student.pk}/week?date={MONDAY.isoformat()}"


def _same_page(body: bytes) -> str:
    """The page without what differs between two renders of the same data: the masked
    CSRF token and the CSP nonces."""
    text = body.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r'nonce="[^"]+"', "", text)


def _version(class_id: int) -> int:
    row = ReadVersion.objects.filter(class_group_id=class_id).first()
    return row.version if row else 0


# --- the versions ---------------------------------------------------------------------------


def test_bump_is_one_statement_and_counts_up(
    community: Community, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(1):
        read_versions_bump(class_group_ids=[community.class_5a.pk, community.class_5b.pk])
    with django_assert_num_queries(1):
        read_versions_bump(class_group_ids=[community.class_5a.pk, community.class_5a.pk])
    assert _version(community.class_5a.pk) == 2
    assert _version(community.class_5b.pk) == 1
    with django_assert_num_queries(1):
        read_versions_bump_where(type(community.class_5a).objects.filter(year=community.year))
    assert _version(community.class_5a.pk) == 3
    assert _version(community.class_5b.pk) == 2
    assert _version(community.other_school_class.pk) == 0
    with django_assert_num_queries(0):
        read_versions_bump(class_group_ids=[])


def test_the_bulk_register_save_bumps_once_however_many_students(
    community: Community, django_assert_num_queries, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    item = lesson(community, MONDAY)
    students = journal.lesson_students(item)
    rows = {s.pk: SheetRow(status="absent") for s in students}
    with CaptureQueriesContext(connection) as queries:
        lesson_sheet_save(
            actor=community.teacher,
            lesson=item,
            topic=item.topic,
            homework=item.homework,
            rows=rows,
            reason=REASON,
        )
    bumps = [q for q in queries.captured_queries if ReadVersion._meta.db_table in q["sql"]]
    assert len(bumps) == 1
    assert _version(community.class_5a.pk) == 1


# --- (a) never stale: random writes through the services ------------------------------------


def _writes(community: Community, lessons: list[Lesson]) -> dict[str, Callable[[int, str], None]]:
    student = community.student

    def mark_set(index: int, value: str) -> None:
        existing = Mark.objects.filter(lesson=lessons[index], student=student).first()
        journal.mark_set(
            actor=community.teacher,
            assignment=lessons[index].assignment,
            student=student,
            value=value,
            lesson=lessons[index],
            mark=existing,
            reason=REASON,
        )

    def mark_delete(index: int, value: str) -> None:
        for found in Mark.objects.filter(lesson=lessons[index], student=student):
            journal.mark_delete(actor=community.teacher, mark=found, reason=REASON)

    def attendance(index: int, value: str) -> None:
        status = {"7": "absent", "8": "late", "9": None}.get(value, "remote")
        journal.attendance_set(
            actor=community.teacher,
            lesson=lessons[index],
            student=student,
            status=status,
            late_minutes=5 if status == "late" else None,
            reason=REASON,
        )

    def record(index: int, value: str) -> None:
        journal.lesson_record(
            actor=community.teacher,
            lesson=Lesson.objects.get(pk=lessons[index].pk),
            topic=f"Topic {value}",
            homework=f"Exercise {value}",
            place="shelter" if value == "7" else "classroom",
        )

    def remark(index: int, value: str) -> None:
        journal.remark_add(
            actor=community.teacher,
            lesson=lessons[index],
            student=student,
            text=f"Remark {value}",
            kind=RemarkKind.PRAISE if value == "9" else RemarkKind.REMARK,
        )

    def remark_delete(index: int, value: str) -> None:
        for found in StudentRemark.objects.filter(lesson=lessons[index], student=student):
            journal.remark_delete(actor=community.teacher, remark=found, reason=REASON)

    def excuse(index: int, value: str) -> None:
        journal.absences_excuse(
            actor=community.class_teacher,
            class_group=community.class_5a,
            student=student,
            starts_on=MONDAY,
            ends_on=MONDAY + dt.timedelta(days=4),
            reason=Excuse.ILLNESS if value == "7" else Excuse.FAMILY,
        )

    def substitute(index: int, value: str) -> None:
        current = Lesson.objects.get(pk=lessons[index].pk)
        if current.substitute_id:
            timetable.lesson_substitute_clear(actor=community.director, lesson=current)
        else:
            timetable.lesson_substitute(
                actor=community.director,
                lesson=current,
                substitute=community.other_teacher,
                reason="ill",
            )

    def cancel(index: int, value: str) -> None:
        current = Lesson.objects.get(pk=lessons[index].pk)
        if current.is_cancelled:
            timetable.lesson_cancel_undo(actor=community.director, lesson=current)
        else:
            timetable.lesson_cancel(actor=community.director, lesson=current, reason="trip")

    def sheet(index: int, value: str) -> None:
        current = Lesson.objects.get(pk=lessons[index].pk)
        lesson_sheet_save(
            actor=community.teacher,
            lesson=current,
            topic=current.topic,
            homework=current.homework,
            rows={student.pk: SheetRow(status="absent" if value == "7" else None)},
            reason=REASON,
        )

    def groups(index: int, value: str) -> None:
        group = Subgroup.objects.filter(class_group=community.class_5a).first()
        if group is not None:
            wanted = [] if value == "7" else [student.pk]
            subgroup_members_set(actor=community.school_admin, subgroup=group, student_ids=wanted)

    return {
        "mark_set": mark_set,
        "mark_delete": mark_delete,
        "attendance": attendance,
        "record": record,
        "remark": remark,
        "remark_delete": remark_delete,
        "excuse": excuse,
        "substitute": substitute,
        "cancel": cancel,
        "sheet": sheet,
        "groups": groups,
    }


WRITES = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "mark_set",
                "mark_delete",
                "attendance",
                "record",
                "remark",
                "remark_delete",
                "excuse",
                "substitute",
                "cancel",
                "sheet",
                "groups",
            ]
        ),
        st.integers(min_value=0, max_value=2),
        st.sampled_from(["7", "8", "9", "10"]),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=WRITES)
def test_cached_week_equals_a_fresh_render_after_every_write(
    client: Client, community: Community, steps: list[tuple[str, int, str]]
) -> None:
    # The database is kept between examples (one test's transaction): the lessons once.
    lessons = list(
        Lesson.objects.filter(assignment=community.math_5a, date__range=(MONDAY, MONDAY)).order_by(
            "period__number"
        )
    ) or [lesson(community, MONDAY, number) for number in (1, 2, 3)]
    client.force_login(community.guardian)
    api = Client()
    api_headers = {"Authorization": f"Bearer {token_for(community.guardian)}"}
    writes = _writes(community, lessons)
    client.get(_page(community))  # cached before the first write
    api.get(_api(community), headers=api_headers)
    for name, index, value in steps:
        # A refused write changes nothing, and the diary must say so too.
        with contextlib.suppress(ValidationError, PermissionDenied):
            writes[name](index, value)
        page = client.get(_page(community))
        body = api.get(_api(community), headers=api_headers)
        assert page.status_code == body.status_code == 200
        again = client.get(_page(community))  # now certainly from the cache
        cache.clear()
        fresh_page = client.get(_page(community))
        fresh_body = api.get(_api(community), headers=api_headers)
        assert _same_page(page.content) == _same_page(fresh_page.content), name
        assert _same_page(again.content) == _same_page(fresh_page.content), name
        assert body.json() == fresh_body.json(), name


# --- (b) ETag and 304 ---------------------------------------------------------------------------


def test_unchanged_week_answers_304_and_a_write_a_new_body(
    client: Client, community: Community
) -> None:
    item = lesson(community, MONDAY)
    client.force_login(community.guardian)
    first = client.get(_page(community))
    assert first.status_code == 200
    etag = first["ETag"]
    assert first["Cache-Control"] == "private, no-cache"

    again = client.get(_page(community), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again.content == b""

    journal.mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.student,
        value="11",
        lesson=item,
        reason=REASON,
    )
    changed = client.get(_page(community), headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "<strong>11</strong>" in changed.content.decode()
    # Another week has its own tag.
    other = client.get(
        f"/family/child/{community.student.pk}/?week=2026-11-23",
        headers={"If-None-Match": changed["ETag"]},
    )
    assert other.status_code == 200


def test_api_week_answers_304_and_a_write_a_new_body(community: Community) -> None:
    item = lesson(community, MONDAY)
    api = Client()
    headers = {"Authorization": f"Bearer {token_for(community.guardian)}"}
    first = api.get(_api(community), headers=headers)
    assert first.status_code == 200
    assert first["Cache-Control"] == "private, no-cache"
    assert first["Content-Type"] == "application/json; charset=utf-8"
    etag = first["ETag"]
    assert api.get(_api(community), headers={**headers, "If-None-Match": etag}).status_code == 304
    journal.lesson_record(actor=community.teacher, lesson=item, topic="Дроби", homework="§ 2")
    changed = api.get(_api(community), headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.json()["days"][0]["lessons"][0]["topic"] == "Дроби"


def test_a_message_waiting_is_shown_not_answered_304(client: Client, community: Community) -> None:
    client.force_login(community.guardian)
    etag = client.get(_page(community))["ETag"]
    # Creating a calendar address leaves a message for the next page.
    client.post(f"/diary/{community.student.pk}/calendar/", {"action": "create"})
    shown = client.get(_page(community), headers={"If-None-Match": etag})
    assert shown.status_code == 200


def test_other_diary_pages_stay_no_store(client: Client, community: Community) -> None:
    client.force_login(community.guardian)
    response = client.get(f"/diary/{community.student.pk}/marks/")
    assert response["Cache-Control"] == "no-store, private"


# --- (c) a cached visit costs a fixed number of queries -------------------------------------------


@pytest.mark.parametrize("count", [2, 20])
def test_cached_week_costs_a_fixed_number_of_queries(
    client: Client, community: Community, count: int, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for index in range(count):
        assignment = community.math_5a if index < 10 else community.ukrainian_5a
        item = lesson(
            community,
            MONDAY + dt.timedelta(days=index % 5),
            index // 5 % 3 + 1,
            assignment=assignment,
        )
        mark(community, community.student, "10", on=item)
    client.force_login(community.guardian)
    etag = client.get(_page(community))["ETag"]
    with django_assert_num_queries(HIT_QUERIES):
        assert client.get(_page(community)).status_code == 200
    with django_assert_num_queries(HIT_QUERIES):
        assert client.get(_page(community), headers={"If-None-Match": etag}).status_code == 304

    api = Client()
    headers = {"Authorization": f"Bearer {token_for(community.guardian)}"}
    etag = api.get(_api(community), headers=headers)["ETag"]
    with django_assert_num_queries(API_HIT_QUERIES):
        assert api.get(_api(community), headers=headers).status_code == 200
    with django_assert_num_queries(API_HIT_QUERIES):
        assert (
            api.get(_api(community), headers={**headers, "If-None-Match": etag}).status_code == 304
        )


# The page: session, user, the child (access), the visit (savepoint, read, write, release:
# "new since your last visit" is kept on every visit), the read versions, the guardian and
# their children (the switcher). The API: token with its user, the child, the versions.
HIT_QUERIES = 10
API_HIT_QUERIES = 3


# --- (d) nobody gets another's copy ---------------------------------------------------------------


def test_no_one_gets_someone_elses_copy(community: Community) -> None:
    lesson(community, MONDAY)
    mine = Client()
    mine.cookies["django_language"] = "en"
    mine.force_login(community.guardian)
    first = mine.get(_page(community))
    assert first.status_code == 200

    # Another guardian of the same child: the journal part is shared, the page is theirs.
    second = community.other_guardian
    StudentGuardian.objects.create(
        student=community.student,
        guardian=community.other_guardian_record,
        relation=Relation.FATHER,
    )
    theirs = Client()
    theirs.cookies["django_language"] = "en"
    theirs.force_login(second)
    answer = theirs.get(_page(community), headers={"If-None-Match": first["ETag"]})
    assert answer.status_code == 200
    assert answer["ETag"] != first["ETag"]
    assert second.short_name in answer.content.decode()
    assert community.guardian.short_name not in answer.content.decode()
    # …and their own other child's week is another key (and names the other child).
    own = theirs.get(_page(community, community.other_student))
    assert own.status_code == 200
    assert own["ETag"] != answer["ETag"]
    assert community.other_student.given_name in own.content.decode()

    # Someone else's child: 404 whatever is cached, with or without the tag.
    outsider = Client()
    outsider.force_login(community.outsider)
    assert outsider.get(_page(community)).status_code == 404
    tagged = outsider.get(_page(community), headers={"If-None-Match": first["ETag"]})
    assert tagged.status_code == 404
    api = Client()
    other = {"Authorization": f"Bearer {token_for(community.outsider)}"}
    assert api.get(_api(community), headers={**other, "If-None-Match": "*"}).status_code == 404
