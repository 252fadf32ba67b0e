from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.cast import Community
from zhurnal.audit.models import AuditEvent
from zhurnal.core.timeutil import local_today
from zhurnal.people.access_codes import access_codes_issue
from zhurnal.people.models import (
    AccessCode,
    AccessCodeKind,
    Enrollment,
    Guardian,
    Relation,
    Sex,
    Student,
    StudentGuardian,
)


def class_home_url(community: Community) -> str:
    return reverse("people:class_home", args=[community.class_5a.pk])


def test_class_teacher_sees_current_students_with_families(
    community: Community, login, pupil: Student
) -> None:
    today = local_today()
    left = Student.objects.create(
        municipality=community.municipality,
        surname="Вийшла",
        given_name="Ганна",
        birth_date=dt.date(2015, 2, 2),
        sex=Sex.FEMALE,
    )
    Enrollment.objects.create(
        student=left,
        class_group=community.class_5a,
        starts_on=dt.date(2026, 9, 1),
        ends_on=today - dt.timedelta(days=1),
    )
    coming = Student.objects.create(
        municipality=community.municipality,
        surname="Прийде",
        given_name="Богдан",
        birth_date=dt.date(2015, 2, 2),
        sex=Sex.MALE,
    )
    Enrollment.objects.create(
        student=coming, class_group=community.class_5a, starts_on=today + dt.timedelta(days=1)
    )
    community.other_guardian_record.phone = "+380501234567"
    community.other_guardian_record.save()
    access_codes_issue(
        actor=community.class_teacher,
        class_group=community.class_5a,
        students=[pupil],
        kinds=[AccessCodeKind.STUDENT],
    )
    events = AuditEvent.objects.count()

    response = login(community.class_teacher).get(class_home_url(community))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Гнатюк Андрій Петрович" in page
    assert "14.03.2015" in page
    assert "Савчук Олена Ігорівна" in page
    assert "Ярошенко Марія Олегівна" in page
    assert "Савчук Ігор" in page
    assert "+380501234567" in page
    assert "Вийшла" not in page
    assert "Прийде" not in page
    assert "Лисенко" not in page  # 5-Б
    assert reverse("people:codes_issue", args=[community.class_5a.pk]) in page
    rows = [row.student.surname for row in response.context["rows"]]
    assert rows == ["Гнатюк", "Савчук", "Ярошенко"]
    pupil_row = response.context["rows"][2]
    assert pupil_row.number == 3
    assert pupil_row.has_login is False
    assert pupil_row.student_code_valid_until is not None
    assert response.context["rows"][0].has_login is True
    assert response.context["rows"][0].guardians[0].has_login is True
    # Reading writes nothing.
    assert AuditEvent.objects.count() == events
    assert AccessCode.objects.count() == 1


@pytest.mark.parametrize("reader", ["school_admin", "director", "deputy"])
def test_school_administration_reads_class_page_without_issuing(
    community: Community, login, reader: str
) -> None:
    response = login(getattr(community, reader)).get(class_home_url(community))

    assert response.status_code == 200
    assert "Гнатюк Андрій Петрович" in response.content.decode()
    assert reverse("people:codes_issue", args=[community.class_5a.pk]) not in (
        response.content.decode()
    )
    assert AccessCode.objects.count() == 0


@pytest.mark.parametrize(
    "outsider",
    [
        "teacher",
        "other_teacher",
        "other_school_admin",
        "department",
        "guardian",
        "student_user",
        "outsider",
    ],
)
def test_others_get_404_on_class_page(community: Community, login, outsider: str) -> None:
    events = AuditEvent.objects.count()

    response = login(getattr(community, outsider)).get(class_home_url(community))

    assert response.status_code == 404
    assert AuditEvent.objects.count() == events


def test_anonymous_is_sent_to_login_from_class_page(community: Community, client) -> None:
    response = client.get(class_home_url(community))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_class_page_query_count_does_not_grow_with_class_size(
    community: Community, login, django_assert_max_num_queries
) -> None:
    client = login(community.class_teacher)
    url = class_home_url(community)
    issue_url = reverse("people:codes_issue", args=[community.class_5a.pk])
    client.get(url)  # warm up: session, content types
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as small_issue:
        assert client.get(issue_url).status_code == 200

    for number in range(15):
        student = Student.objects.create(
            municipality=community.municipality,
            surname=f"Учень{number}",
            given_name="Іван",
            birth_date=dt.date(2015, 1, 1),
            sex=Sex.MALE,
        )
        Enrollment.objects.create(
            student=student, class_group=community.class_5a, starts_on=dt.date(2026, 9, 1)
        )
        for relation in (Relation.MOTHER, Relation.FATHER):
            guardian = Guardian.objects.create(
                municipality=community.municipality, surname=f"Батько{number}", given_name="Іван"
            )
            StudentGuardian.objects.create(student=student, guardian=guardian, relation=relation)
    access_codes_issue(
        actor=community.class_teacher,
        class_group=community.class_5a,
        students=list(Student.objects.filter(surname__startswith="Учень")),
        kinds=[AccessCodeKind.STUDENT, AccessCodeKind.GUARDIAN],
    )

    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert len(response.context["rows"]) == 17
    with django_assert_max_num_queries(len(small_issue)):
        response = client.get(issue_url)
    assert len(response.context["rows"]) == 17
    # session, user, roles, class, municipality, students, families, codes; today's
    # absences, absences to excuse and their students' names (issue 12)
    assert len(small) <= 11
    assert len(small_issue) <= 8
