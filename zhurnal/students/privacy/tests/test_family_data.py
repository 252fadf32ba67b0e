"""The family's download of everything held about the child (issue 11, S8)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from tests.cast import Community
from zhurnal.accounts.twofactor import AUTHENTICATED_AT
from zhurnal.audit.models import AuditEvent
from zhurnal.journal.models import AttendanceStatus
from zhurnal.journal.services import attendance_set, mark_set, remark_add
from zhurnal.people.privacy.services import consent_give
from zhurnal.timetable.models import Lesson, Period

pytestmark = pytest.mark.django_db


def json_url(community: Community, student_id: int | None = None) -> str:
    return reverse("students:family_data_json", args=[student_id or community.student.pk])


def pdf_url(community: Community, student_id: int | None = None) -> str:
    return reverse("students:family_data_pdf", args=[student_id or community.student.pk])


@pytest.fixture
def journal(community: Community) -> Community:
    """Marks, an absence and a remark for the child and for a classmate; the child's record
    opened by the class teacher."""
    period = Period.objects.get(year=community.year, number=1)
    lesson = Lesson.objects.create(
        assignment=community.math_5a, date=dt.date(2026, 10, 5), period=period
    )
    for student, value, comment in (
        (community.student, "11", "own-mark-comment"),
        (community.other_student, "3", "classmate-mark-ZQSECRET"),
    ):
        mark_set(
            actor=community.teacher,
            assignment=community.math_5a,
            student=student,
            value=value,
            lesson=lesson,
            comment=comment,
        )
        attendance_set(
            actor=community.teacher, lesson=lesson, student=student, status=AttendanceStatus.LATE
        )
    remark_add(
        actor=community.teacher,
        lesson=lesson,
        student=community.other_student,
        text="classmate-remark-ZQSECRET",
        kind="remark",
    )
    consent_give(actor=community.guardian, student=community.student, purpose="photos")
    return community


def test_family_data_holds_the_childs_marks_attendance_and_access_log_and_nobody_else(
    journal: Community, login
) -> None:
    community = journal
    login(community.class_teacher).get(
        reverse("students:student_record", args=[community.student.pk])
    )
    response = login(community.guardian).get(json_url(community))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["student"]["surname"] == community.student.surname
    assert [(m["subject"], m["value"]) for m in data["marks"]] == [("Математика", "11")]
    assert len(data["attendance"]) == 1
    assert data["access_log"][0]["who"] == str(community.class_teacher)
    assert [g["surname"] for g in data["guardians"]] == [community.guardian_record.surname]
    assert data["consents"][0]["form"]
    body = response.content.decode()
    for foreign in (
        "ZQSECRET",
        community.other_student.surname,
        community.other_student.given_name,
        community.student_5b.surname,
        community.other_guardian_record.surname,
    ):
        assert foreign not in body
    assert AuditEvent.objects.filter(
        action="family_data.download", object_id=str(community.student.pk)
    ).exists()


def test_family_data_pdf(journal: Community, login) -> None:
    response = login(journal.guardian).get(pdf_url(journal))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("who", ["other_guardian", "teacher", "class_teacher", "outsider"])
def test_nobody_else_downloads_the_childs_data(community: Community, login, who: str) -> None:
    client = login(getattr(community, who))
    assert client.get(json_url(community)).status_code == 404
    assert not AuditEvent.objects.filter(action="family_data.download").exists()


def test_a_minor_student_does_not_download_but_an_adult_does(community: Community, login) -> None:
    client = login(community.student_user)
    assert client.get(json_url(community)).status_code == 404
    community.student.birth_date = dt.date(2008, 1, 1)
    community.student.save()
    response = client.get(json_url(community))
    assert response.status_code == 200
    assert json.loads(response.content)["student"]["given_name"] == "Андрій"


def test_family_page_links_the_download_and_the_access_log(community: Community, login) -> None:
    page = login(community.guardian).get(
        reverse("people:family_privacy", args=[community.student.pk])
    )
    body = page.content.decode()
    assert json_url(community) in body
    assert pdf_url(community) in body
    assert reverse("students:family_record_access", args=[community.student.pk]) in body


def test_download_asks_for_the_password_again_after_a_while(community: Community, login) -> None:
    client = login(community.guardian)
    session = client.session
    session[AUTHENTICATED_AT] = 0
    session.save()
    response = client.get(json_url(community))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="family_data.download").exists()
