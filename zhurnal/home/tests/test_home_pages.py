"""The department's overview of its schools and a school's own overview."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.cast import Community
from zhurnal.home.selectors import department_figures
from zhurnal.people.models import Enrollment, Sex, Student
from zhurnal.schools.models import ClassGroup, Municipality, School, SchoolKind
from zhurnal.setup.tests.builders import table_counts

pytestmark = pytest.mark.django_db


def test_department_sees_figures_of_every_school_and_no_student(login, community: Community):
    c = community
    before = table_counts()
    response = login(c.department).get(reverse("home:department_home"))
    assert response.status_code == 200
    rows = {row.school.pk: row for row in response.context["rows"]}
    assert set(rows) == {c.school.pk, c.other_school.pk}
    school_row = rows[c.school.pk]
    assert (school_row.classes, school_row.students, school_row.assignments) == (2, 3, 2)
    assert school_row.staff == 6
    assert rows[c.other_school.pk].classes == 1
    totals = response.context["totals"]
    assert (totals.classes, totals.students, totals.staff, totals.assignments) == (3, 3, 7, 2)
    # the teaching load is hours a week, not a count of assignments
    hours = c.math_5a.hours_per_week + c.ukrainian_5a.hours_per_week
    assert school_row.weekly_hours == totals.weekly_hours == hours
    content = response.content.decode()
    assert f"<td>{hours.normalize()}</td>" in content
    for student in (c.student, c.other_student, c.student_5b):
        assert student.surname not in content
    assert table_counts() == before


def test_department_figures_count_only_students_enrolled_on_the_day(community: Community):
    c = community
    Enrollment.objects.filter(student=c.student_5b).update(ends_on=dt.date(2026, 9, 30))
    schools = [c.school]
    rows, _totals = department_figures(schools=schools, today=dt.date(2026, 9, 30))
    assert rows[0].students == 3
    rows, totals = department_figures(schools=schools, today=dt.date(2026, 10, 1))
    assert rows[0].students == 2
    assert totals.students == 2


def test_department_home_does_not_show_other_municipalities(login, community: Community):
    elsewhere = Municipality.objects.create(name="Інша громада")
    School.objects.create(
        municipality=elsewhere,
        name="Чужа школа",
        short_name="Чужа школа",
        code="999",
        kind=SchoolKind.GENERAL,
    )
    response = login(community.department).get(reverse("home:department_home"))
    assert "Чужа школа" not in response.content.decode()


@pytest.mark.parametrize(
    "who", ["school_admin", "director", "teacher", "guardian", "student_user", "outsider"]
)
def test_department_home_is_for_the_department_only(login, community: Community, who: str):
    response = login(getattr(community, who)).get(reverse("home:department_home"))
    assert response.status_code == 404


def test_department_home_query_count_does_not_grow_with_schools(
    login, community: Community, django_assert_max_num_queries
):
    c = community
    client = login(c.department)
    with CaptureQueriesContext(connection) as baseline:
        client.get(reverse("home:department_home"))
    for number in range(5):
        school = School.objects.create(
            municipality=c.municipality,
            name=f"Школа {number}",
            short_name=f"Школа {number}",
            code=f"20000{number}",
            kind=SchoolKind.PRIMARY,
            grade_min=1,
            grade_max=4,
        )
        year = school.years.create(
            name="2026/2027", starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2027, 6, 30)
        )
        class_group = ClassGroup.objects.create(year=year, grade=1, letter="А")
        pupil = Student.objects.create(
            municipality=c.municipality,
            surname="Учень",
            given_name=str(number),
            birth_date=dt.date(2019, 1, 1),
            sex=Sex.MALE,
        )
        Enrollment.objects.create(
            student=pupil, class_group=class_group, starts_on=dt.date(2026, 9, 1)
        )
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        response = client.get(reverse("home:department_home"))
    assert len(response.context["rows"]) == 7
    assert len(baseline.captured_queries) <= 10


@pytest.mark.parametrize("who", ["school_admin", "director", "deputy"])
def test_school_administration_sees_the_school_overview(
    login, community: Community, who: str, django_assert_max_num_queries
):
    c = community
    before = table_counts()
    client = login(getattr(c, who))
    # The director and deputy also get today's school (issue 12): gaps, their count,
    # corrections (two), open remarks and the week's fill level (seven).
    with django_assert_max_num_queries(12 if who == "school_admin" else 24):
        response = client.get(reverse("home:school_home", args=[c.school.pk]))
    assert response.status_code == 200
    overview = response.context["overview"]
    assert overview.year == c.year
    assert [str(cg) for cg in overview.classes] == ["5-А", "5-Б"]
    assert overview.classes[0].student_count == 2
    assert [t.name for t in overview.terms] == ["І семестр", "ІІ семестр"]
    content = response.content.decode()
    assert c.class_teacher.full_name in content
    assert "school administrator" in content or "адміністратор" in content
    assert table_counts() == before


@pytest.mark.parametrize(
    "who", ["teacher", "class_teacher", "other_school_admin", "department", "guardian", "outsider"]
)
def test_school_overview_is_not_for_teachers_families_or_other_schools(
    login, community: Community, who: str
):
    c = community
    response = login(getattr(c, who)).get(reverse("home:school_home", args=[c.school.pk]))
    assert response.status_code == 404


def test_medical_worker_sees_the_school_overview(login, community: Community):
    from tests.cast import make_staff
    from zhurnal.people.models import Role

    nurse = make_staff(community.school, "nurse", "Гордієнко", "Лідія", Role.MEDICAL)
    response = login(nurse).get(reverse("home:school_home", args=[community.school.pk]))
    assert response.status_code == 200
    missing = login(nurse).get(reverse("home:school_home", args=[999999]))
    assert missing.status_code == 404
