"""Excusing a student's absences for a range of days: exactly the absences in range are
changed, invalid input changes nothing, everything is audited, the document is checked
and downloaded only by those who may read the class's pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.cast import Community
from zhurnal.audit.models import AuditEvent
from zhurnal.journal import services
from zhurnal.journal.models import AbsenceExcuse, Attendance, AttendanceStatus, Excuse
from zhurnal.journal.services import absences_excuse
from zhurnal.timetable.models import Lesson, Period

NOW = dt.datetime(2026, 10, 21, 12, 0, tzinfo=dt.UTC)
PDF_BYTES = b"%PDF-1.4\n%fake certificate\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def absent(
    community: Community,
    day: dt.date,
    number: int = 1,
    student=None,  # type: ignore[no-untyped-def]
    status: str = AttendanceStatus.ABSENT,
) -> Attendance:
    lesson, _created = Lesson.objects.get_or_create(
        assignment=community.math_5a,
        date=day,
        period=Period.objects.get(year=community.year, number=number),
    )
    return Attendance.objects.create(
        lesson=lesson,
        student=student or community.student,
        status=status,
        recorded_by=community.teacher,
    )


@pytest.fixture
def absences(community: Community) -> dict[str, Attendance]:
    return {
        "mon_1": absent(community, dt.date(2026, 10, 5), 1),
        "mon_2": absent(community, dt.date(2026, 10, 5), 2),
        "thu": absent(community, dt.date(2026, 10, 8), 1),
        "late": absent(community, dt.date(2026, 10, 6), 1, status=AttendanceStatus.LATE),
        "after": absent(community, dt.date(2026, 10, 20), 1),
        "before": absent(community, dt.date(2026, 10, 2), 1),
        "olena": absent(community, dt.date(2026, 10, 6), 2, student=community.other_student),
    }


def state() -> list[tuple[int, bool, str]]:
    return sorted(Attendance.objects.values_list("pk", "excused", "excuse_reason"))


def excuse(community: Community, **overrides: object) -> AbsenceExcuse:
    arguments: dict[str, object] = {
        "actor": community.class_teacher,
        "class_group": community.class_5a,
        "student": community.student,
        "starts_on": dt.date(2026, 10, 5),
        "ends_on": dt.date(2026, 10, 9),
        "reason": Excuse.ILLNESS,
    }
    return absences_excuse(**(arguments | overrides))  # type: ignore[arg-type]


def test_excuse_changes_exactly_the_absences_in_range(
    community: Community, absences: dict[str, Attendance]
) -> None:
    events_before = AuditEvent.objects.count()
    record = excuse(community, note="довідка № 15")
    changed = {absences[key].pk for key in ("mon_1", "mon_2", "thu")}
    for pk, excused, reason in state():
        assert excused == (pk in changed)
        assert reason == (Excuse.ILLNESS if pk in changed else "")
    assert record.absences_excused == 3
    assert record.note == "довідка № 15"
    assert record.created_by == community.class_teacher
    events = list(AuditEvent.objects.order_by("id")[events_before:])
    assert [event.action for event in events] == ["absence_excuse.create"] + [
        "attendance.excuse"
    ] * 3
    assert sorted(events[0].after["attendance_ids"]) == sorted(changed)
    assert {int(event.object_id) for event in events[1:]} == changed
    assert all(event.before["excused"] is False and event.after["excused"] for event in events[1:])


def test_excusing_again_updates_the_reason_and_is_recorded(
    community: Community, absences: dict[str, Attendance]
) -> None:
    excuse(community)
    events_before = AuditEvent.objects.count()
    second = excuse(
        community, starts_on=dt.date(2026, 10, 8), ends_on=dt.date(2026, 10, 8), reason="family"
    )
    assert second.absences_excused == 1
    assert AbsenceExcuse.objects.count() == 2
    thu = Attendance.objects.get(pk=absences["thu"].pk)
    assert (thu.excused, thu.excuse_reason) == (True, Excuse.FAMILY)
    assert Attendance.objects.get(pk=absences["mon_1"].pk).excuse_reason == Excuse.ILLNESS
    actions = list(
        AuditEvent.objects.order_by("id")[events_before:].values_list("action", flat=True)
    )
    assert actions == ["absence_excuse.create", "attendance.excuse"]


def test_director_and_deputy_may_excuse(
    community: Community, absences: dict[str, Attendance]
) -> None:
    assert excuse(community, actor=community.director).absences_excused == 3
    assert excuse(community, actor=community.deputy).absences_excused == 3


def test_absences_recorded_later_are_not_excused(
    community: Community, absences: dict[str, Attendance]
) -> None:
    excuse(community)
    later = absent(community, dt.date(2026, 10, 7), 1)
    assert Attendance.objects.get(pk=later.pk).excused is False


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"starts_on": dt.date(2026, 10, 9), "ends_on": dt.date(2026, 10, 5)}, ValidationError),
        ({"starts_on": dt.date(2026, 8, 25)}, ValidationError),
        ({"ends_on": dt.date(2027, 7, 5)}, ValidationError),
        ({"reason": "holiday"}, ValidationError),
        ({"note": "x" * 501}, ValidationError),
        ({"actor": "teacher"}, PermissionDenied),
        ({"actor": "school_admin"}, PermissionDenied),
        ({"student": "student_5b"}, ValidationError),
        ({"class_group": "class_5b"}, PermissionDenied),
    ],
)
def test_invalid_excuse_changes_nothing(
    community: Community,
    absences: dict[str, Attendance],
    overrides: dict[str, object],
    error: type[Exception],
) -> None:
    people = ("actor", "student", "class_group")
    arguments = {
        key: getattr(community, str(value)) if key in people else value
        for key, value in overrides.items()
    }
    before, events = state(), AuditEvent.objects.count()
    with pytest.raises(error):
        excuse(community, **arguments)
    assert state() == before
    assert AuditEvent.objects.count() == events
    assert not AbsenceExcuse.objects.exists()


def test_closed_year_refuses(community: Community, absences: dict[str, Attendance]) -> None:
    community.year.closed_at = NOW
    community.year.save()
    before = state()
    with pytest.raises(ValidationError):
        excuse(community)
    assert state() == before
    assert not AbsenceExcuse.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.exe", b"MZ\x90\x00"),
        ("certificate.pdf", b"GIF89a not a pdf"),
        ("photo.png", b"\xff\xd8\xff\xe0 jpeg named png"),
    ],
)
def test_bad_document_changes_nothing(
    community: Community, absences: dict[str, Attendance], name: str, content: bytes, tmp_path
) -> None:
    before = state()
    with pytest.raises(ValidationError):
        excuse(community, document=SimpleUploadedFile(name, content))
    assert state() == before
    assert not AbsenceExcuse.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_too_large_document_is_refused(
    community: Community, absences: dict[str, Attendance], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "EXCUSE_DOCUMENT_MAX_BYTES", 10)
    with pytest.raises(ValidationError) as caught:
        excuse(community, document=SimpleUploadedFile("c.pdf", PDF_BYTES))
    with translation.override("uk"):
        assert "МБ" in str(caught.value.messages[0])
    assert not AbsenceExcuse.objects.exists()


# --- the page -----------------------------------------------------------------------------


def excuses_url(community: Community) -> str:
    return reverse("journal:classteacher_excuses", args=[community.class_5a.pk])


def post_data(community: Community, **extra: object) -> dict[str, object]:
    return {
        "student": community.student.pk,
        "starts_on": "2026-10-05",
        "ends_on": "2026-10-09",
        "reason": "illness",
        "note": "довідка",
    } | extra


def test_class_teacher_excuses_with_a_document(
    community: Community, login, absences: dict[str, Attendance]
) -> None:
    client = login(community.class_teacher)
    page = client.get(excuses_url(community))
    assert page.status_code == 200
    with translation.override("uk"):
        warning = gettext(
            "Absences recorded later in this range are not excused automatically: excuse "
            "the range again once they are recorded."
        )
    assert warning in page.content.decode()
    response = client.post(
        excuses_url(community),
        post_data(community, document=SimpleUploadedFile("dovidka.pdf", PDF_BYTES)),
    )
    assert response.status_code == 302
    record = AbsenceExcuse.objects.get()
    assert record.document.name.startswith("excuses/")
    assert record.document_name == "dovidka.pdf"
    assert Attendance.objects.filter(excused=True).count() == 3
    download = reverse(
        "journal:classteacher_excuse_document", args=[community.class_5a.pk, record.pk]
    )
    got = client.get(download)
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == PDF_BYTES
    assert login(community.director).get(download).status_code == 200
    for who in ("teacher", "guardian", "department", "outsider"):
        assert login(getattr(community, who)).get(download).status_code == 404
    other_class = reverse(
        "journal:classteacher_excuse_document", args=[community.class_5b.pk, record.pk]
    )
    assert login(community.director).get(other_class).status_code == 404


def test_invalid_post_shows_errors_and_changes_nothing(
    community: Community, login, absences: dict[str, Attendance]
) -> None:
    client = login(community.class_teacher)
    before = state()
    response = client.post(
        excuses_url(community),
        post_data(community, starts_on="2026-10-09", ends_on="2026-10-05"),
    )
    assert response.status_code == 200
    with translation.override("uk"):
        assert gettext("The last day of the range is before its first day.") in (
            response.content.decode()
        )
    response = client.post(
        excuses_url(community),
        post_data(community, document=SimpleUploadedFile("scan.docx", b"PK\x03\x04")),
    )
    assert response.status_code == 200
    response = client.post(excuses_url(community), post_data(community, student=0))
    assert response.status_code == 200
    assert state() == before
    assert not AbsenceExcuse.objects.exists()


def test_school_admin_reads_the_list_but_cannot_excuse(
    community: Community, login, absences: dict[str, Attendance]
) -> None:
    client = login(community.school_admin)
    page = client.get(excuses_url(community))
    assert page.status_code == 200
    assert page.context["form"] is None
    assert client.post(excuses_url(community), post_data(community)).status_code == 404
    assert not AbsenceExcuse.objects.exists()


@pytest.mark.parametrize(
    "who", ["teacher", "other_teacher", "guardian", "other_guardian", "department", "outsider"]
)
def test_others_cannot_open_or_post(
    community: Community, login, absences: dict[str, Attendance], who: str
) -> None:
    client = login(getattr(community, who))
    assert client.get(excuses_url(community)).status_code == 404
    assert client.post(excuses_url(community), post_data(community)).status_code == 404
    assert not Attendance.objects.filter(excused=True).exists()


def test_excuses_page_query_count(
    community: Community, login, absences: dict[str, Attendance], django_assert_max_num_queries
) -> None:
    for day in (5, 6, 7):
        excuse(community, starts_on=dt.date(2026, 10, day), ends_on=dt.date(2026, 10, day))
    client = login(community.class_teacher)
    with django_assert_max_num_queries(10):
        assert client.get(excuses_url(community)).status_code == 200
