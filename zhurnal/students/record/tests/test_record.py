"""A student's record: who may open it, the special-category data (health and PE group)
only for those entitled, one access-log line per opening by staff, the access log for
the administration, and the family's page of who opened their child's record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.cast import Community, make_staff
from zhurnal.audit.models import RecordAccess
from zhurnal.people.models import (
    Enrollment,
    Guardian,
    HealthGroup,
    PEGroup,
    Relation,
    Role,
    Sex,
    Student,
    StudentGuardian,
)
from zhurnal.schools.models import Subject
from zhurnal.timetable.models import TeachingAssignment

NOW = dt.datetime(2026, 10, 7, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def special(community: Community) -> Student:
    student = community.student
    student.health_group = HealthGroup.SPECIAL
    student.pe_group = PEGroup.EXEMPT
    student.address = "вул. Садова, 5"
    student.personal_file_number = "Г-17"
    student.save()
    community.guardian_record.phone = "+380671112233"
    community.guardian_record.save()
    return student


def record_url(student: Student) -> str:
    return reverse("students:student_record", args=[student.pk])


def accesses(student: Student) -> int:
    return RecordAccess.objects.filter(
        object_type="people.student", object_id=str(student.pk)
    ).count()


def special_labels() -> tuple[str, str]:
    with translation.override("uk"):
        return gettext("Health group"), gettext("PE group")


def test_class_teacher_sees_everything_and_each_opening_is_logged(
    community: Community, login, special: Student
) -> None:
    client = login(community.class_teacher)
    response = client.get(record_url(special))
    assert response.status_code == 200
    content = response.content.decode()
    for text in ("Г-17", "вул. Садова, 5", "+380671112233", "guardian@family.test"):
        assert text in content
    health, pe = special_labels()
    assert health in content and pe in content
    assert response.context["grant"].sees_special_category
    assert not response.context["grant"].sees_access_log
    client.get(record_url(special))
    entries = list(RecordAccess.objects.order_by("at", "pk"))
    assert len(entries) == 2
    assert {entry.actor_id for entry in entries} == {community.class_teacher.pk}
    assert entries[0].object_id == str(special.pk)
    assert entries[0].role == "class_teacher"
    assert entries[0].school_id == community.school.pk


def test_subject_teacher_does_not_see_health_or_pe_group(
    community: Community, login, special: Student
) -> None:
    response = login(community.teacher).get(record_url(special))
    assert response.status_code == 200
    assert not response.context["grant"].sees_special_category
    content = response.content.decode()
    health, pe = special_labels()
    assert health not in content and pe not in content
    with translation.override("uk"):
        assert str(HealthGroup.SPECIAL.label) not in content
    assert accesses(special) == 1


def test_pe_teacher_sees_health_and_pe_group(community: Community, login, special: Student) -> None:
    coach = make_staff(community.school, "coach", "Олійник", "Степан", Role.TEACHER)
    pe = Subject.objects.create(
        school=community.school, name="Фізична культура", is_physical_education=True
    )
    TeachingAssignment.objects.create(
        year=community.year,
        teacher=coach,
        subject=pe,
        class_group=community.class_5a,
        hours_per_week=Decimal(3),
    )
    response = login(coach).get(record_url(special))
    assert response.status_code == 200
    assert response.context["grant"].sees_special_category
    assert RecordAccess.objects.get().role == "pe_teacher"


@pytest.mark.parametrize("who", ["director", "deputy", "school_admin"])
def test_administration_sees_the_access_log(
    community: Community, login, special: Student, who: str
) -> None:
    login(community.class_teacher).get(record_url(special))
    response = login(getattr(community, who)).get(record_url(special))
    assert response.status_code == 200
    assert response.context["grant"].sees_special_category
    logged = [entry.actor_id for entry, _role in response.context["accesses"]]
    assert logged == [getattr(community, who).pk, community.class_teacher.pk]
    assert community.class_teacher.full_name in response.content.decode()


@pytest.mark.parametrize(
    "who",
    [
        "other_teacher_elsewhere",
        "guardian",
        "other_guardian",
        "student_user",
        "department",
        "outsider",
        "other_school_admin",
    ],
)
def test_others_get_404_and_nothing_is_logged(
    community: Community, login, special: Student, who: str
) -> None:
    if who == "other_teacher_elsewhere":
        user = make_staff(community.school, "pe2", "Інший", "Вчитель", Role.TEACHER)
    else:
        user = getattr(community, who)
    assert login(user).get(record_url(special)).status_code == 404
    assert accesses(special) == 0


def test_teacher_of_another_class_gets_404(community: Community, login) -> None:
    response = login(community.teacher).get(record_url(community.student_5b))
    assert response.status_code == 404


def test_anonymous_is_sent_to_login(client, community: Community) -> None:
    response = client.get(record_url(community.student))
    assert response.status_code == 302
    assert accesses(community.student) == 0


def test_enrollment_history_is_shown(community: Community, login) -> None:
    Enrollment.objects.filter(student=community.student).update(order_in="наказ № 12")
    response = login(community.director).get(record_url(community.student))
    assert [e.class_group for e in response.context["record"].enrollments] == [community.class_5a]
    assert "наказ № 12" in response.content.decode()


def test_record_query_count_is_fixed(
    community: Community, login, special: Student, django_assert_max_num_queries
) -> None:
    client = login(community.director)
    client.get(record_url(special))
    with django_assert_max_num_queries(12) as small:
        client.get(record_url(special))
    budget = len(small)  # the log is reset by every request
    for index in range(5):
        guardian = Guardian.objects.create(
            municipality=community.municipality, surname=f"Родич{index}", given_name="Ігор"
        )
        StudentGuardian.objects.create(student=special, guardian=guardian, relation=Relation.OTHER)
        login(community.class_teacher).get(record_url(special))
    client = login(community.director)
    with django_assert_max_num_queries(budget):
        response = client.get(record_url(special))
    assert len(response.context["record"].guardians) == 6


# --- the family's page ----------------------------------------------------------------------


def family_url(student: Student) -> str:
    return reverse("students:family_record_access", args=[student.pk])


def test_family_sees_who_opened_their_childs_record(community: Community, login) -> None:
    login(community.class_teacher).get(record_url(community.student))
    login(community.teacher).get(record_url(community.other_student))
    response = login(community.guardian).get(family_url(community.student))
    assert response.status_code == 200
    entries = [entry for entry, _role in response.context["accesses"]]
    assert [entry.actor_id for entry in entries] == [community.class_teacher.pk]
    content = response.content.decode()
    assert community.class_teacher.full_name in content
    assert community.teacher.full_name not in content
    with translation.override("uk"):
        assert gettext("class teacher") in content
    assert accesses(community.student) == 1  # the family's own look is not logged


def test_student_sees_their_own_log(community: Community, login) -> None:
    response = login(community.student_user).get(family_url(community.student))
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["other_guardian", "teacher", "class_teacher", "outsider"])
def test_others_cannot_open_the_childs_access_log(community: Community, login, who: str) -> None:
    assert login(getattr(community, who)).get(family_url(community.student)).status_code == 404


def test_family_page_query_count(
    community: Community, login, django_assert_max_num_queries
) -> None:
    for _ in range(5):
        login(community.class_teacher).get(record_url(community.student))
    client = login(community.guardian)
    with django_assert_max_num_queries(8):
        assert client.get(family_url(community.student)).status_code == 200


def test_student_sex_is_shown(community: Community, login) -> None:
    response = login(community.class_teacher).get(record_url(community.student))
    with translation.override("uk"):
        assert str(Sex.MALE.label) in response.content.decode()
