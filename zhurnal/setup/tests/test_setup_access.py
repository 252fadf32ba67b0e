"""Who may open the set-up screens: the school administrator of that very school only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.cast import Community
from zhurnal.people.services import staff_create, subgroup_members_set
from zhurnal.schools.models import Subject
from zhurnal.schools.services import (
    class_group_create,
    curriculum_fill_typical,
    subgroup_create,
)
from zhurnal.setup.tests.builders import table_counts
from zhurnal.timetable.models import TimetableEntry
from zhurnal.timetable.services import (
    assignment_create,
    timetable_create,
    timetable_entry_create,
)

pytestmark = pytest.mark.django_db


def setup_urls(c: Community, school_pk: int, year_pk: int, class_pk: int) -> list[str]:
    """GET-able set-up pages of one school and year."""
    year_args = [school_pk, year_pk]
    return [
        reverse("setup:setup_home", args=[school_pk]),
        reverse("setup:setup_years", args=[school_pk]),
        reverse("setup:setup_years_edit", args=[school_pk, year_pk]),
        reverse("setup:setup_terms", args=year_args),
        reverse("setup:setup_holidays", args=year_args),
        reverse("setup:setup_classes", args=year_args),
        reverse("setup:setup_classes_edit", args=[*year_args, class_pk]),
        reverse("setup:setup_subgroups", args=[*year_args, class_pk]),
        reverse("setup:setup_subjects", args=[school_pk]),
        reverse("setup:setup_curriculum", args=year_args),
        reverse("setup:setup_staff", args=[school_pk]),
        reverse("setup:setup_assignments", args=year_args),
        reverse("setup:setup_periods", args=year_args),
        reverse("setup:setup_timetables", args=year_args),
        reverse("setup:setup_lessons", args=year_args),
    ]


def test_school_admin_of_school_a_cannot_see_or_change_school_b(login, community: Community):
    c = community
    client = login(c.school_admin)
    other = c.other_school
    year = c.other_year
    urls = setup_urls(c, other.pk, year.pk, c.other_school_class.pk)
    before = table_counts()
    for url in urls:
        assert client.get(url).status_code == 404, url
    other_staff = other.staff.get()
    posts = {
        reverse("setup:setup_years", args=[other.pk]): {
            "name": "2027/2028",
            "starts_on": "2027-09-01",
            "ends_on": "2028-06-30",
        },
        reverse("setup:setup_year_standard", args=[other.pk]): {"first_year": "2027"},
        reverse("setup:setup_terms", args=[other.pk, year.pk]): {
            "name": "І семестр",
            "kind": "semester",
            "number": "1",
            "starts_on": "2026-09-01",
            "ends_on": "2026-12-24",
            "grade_from": "5",
            "grade_to": "9",
        },
        reverse("setup:setup_classes", args=[other.pk, year.pk]): {"grade": "6", "letter": "А"},
        reverse("setup:setup_subjects", args=[other.pk]): {"name": "Хімія"},
        reverse("setup:setup_curriculum_typical", args=[other.pk, year.pk]): {},
        reverse("setup:setup_staff", args=[other.pk]): {
            "surname": "Новий",
            "given_name": "Вчитель",
            "position": "вчитель",
            "roles": ["teacher"],
        },
        reverse("setup:setup_staff_detail", args=[other.pk, other_staff.pk]): {
            "roles": ["teacher"]
        },
        reverse("setup:setup_staff_password", args=[other.pk, other_staff.pk]): {},
        reverse("setup:setup_periods", args=[other.pk, year.pk]): {
            "number": "1",
            "starts_at": "08:30",
            "ends_at": "09:15",
        },
        reverse("setup:setup_lessons", args=[other.pk, year.pk]): {
            "start": "2026-09-01",
            "end": "2026-09-30",
        },
        # School A's own id with school B's year, and school B's id with school A's objects.
        reverse("setup:setup_terms", args=[c.school.pk, year.pk]): {"name": "x"},
        reverse("setup:setup_terms_edit", args=[other.pk, year.pk, c.term1.pk]): {
            "name": "Змінений"
        },
        reverse("setup:setup_terms_delete", args=[c.school.pk, year.pk, c.term1.pk]): {},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    assert table_counts() == before
    other_staff.user.refresh_from_db()
    assert not other_staff.user.must_change_password


@pytest.mark.parametrize(
    "who", ["director", "deputy", "teacher", "class_teacher", "department", "guardian", "outsider"]
)
def test_only_the_school_admin_opens_set_up(login, community: Community, who: str):
    c = community
    client = login(getattr(c, who))
    before = table_counts()
    for url in setup_urls(c, c.school.pk, c.year.pk, c.class_5a.pk):
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("setup:setup_subjects", args=[c.school.pk]), {"name": "Астрономія"}
    )
    assert response.status_code == 404
    assert table_counts() == before


def test_anonymous_is_sent_to_log_in(client, community: Community):
    response = client.get(reverse("setup:setup_home", args=[community.school.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_every_set_up_page_opens_for_the_school_admin(
    login, community: Community, django_assert_max_num_queries
):
    c = community
    client = login(c.school_admin)
    timetable = timetable_create(
        actor=c.school_admin,
        year=c.year,
        name="Основний",
        valid_from=dt.date(2026, 9, 1),
        valid_to=dt.date(2027, 5, 31),
    )
    urls = [
        *setup_urls(c, c.school.pk, c.year.pk, c.class_5a.pk),
        reverse("setup:setup_terms_edit", args=[c.school.pk, c.year.pk, c.term1.pk]),
        reverse("setup:setup_timetable_classes", args=[c.school.pk, c.year.pk, timetable.pk]),
        reverse(
            "setup:setup_timetable_grid",
            args=[c.school.pk, c.year.pk, timetable.pk, c.class_5a.pk],
        ),
        reverse("setup:setup_staff_detail", args=[c.school.pk, c.school.staff.first().pk]),
    ]
    for url in urls:
        with django_assert_max_num_queries(16):
            response = client.get(url)
        assert response.status_code == 200, url
        assert b'<nav class="subnav"' in response.content


def test_list_pages_keep_their_query_count_as_data_grows(
    login, community: Community, django_assert_max_num_queries
):
    """The query count of list pages does not depend on the number of rows."""
    c = community
    client = login(c.school_admin)
    timetable = timetable_create(
        actor=c.school_admin,
        year=c.year,
        name="Основний",
        valid_from=dt.date(2026, 9, 1),
        valid_to=dt.date(2027, 5, 31),
    )
    urls = [
        reverse("setup:setup_home", args=[c.school.pk]),
        reverse("setup:setup_classes", args=[c.school.pk, c.year.pk]),
        reverse("setup:setup_subgroups", args=[c.school.pk, c.year.pk, c.class_5a.pk]),
        reverse("setup:setup_assignments", args=[c.school.pk, c.year.pk]),
        reverse("setup:setup_staff", args=[c.school.pk]),
        reverse("setup:setup_subjects", args=[c.school.pk]),
        reverse("setup:setup_curriculum", args=[c.school.pk, c.year.pk]),
        reverse("setup:setup_terms", args=[c.school.pk, c.year.pk]),
        reverse("setup:setup_periods", args=[c.school.pk, c.year.pk]),
        reverse(
            "setup:setup_timetable_grid",
            args=[c.school.pk, c.year.pk, timetable.pk, c.class_5a.pk],
        ),
        reverse("setup:setup_timetable_classes", args=[c.school.pk, c.year.pk, timetable.pk]),
    ]
    # One row of each kind first, so that the baseline already runs every query.
    admin = c.school_admin
    group_1 = subgroup_create(actor=admin, class_group=c.class_5a, subject=c.math, name="група 1")
    subgroup_members_set(actor=admin, subgroup=group_1, student_ids=[c.student.pk])
    period = c.year.periods.get(number=1)
    timetable_entry_create(
        actor=admin, timetable=timetable, weekday=1, period=period, assignment=c.math_5a
    )
    baseline = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        baseline[url] = len(queries.captured_queries)

    for letter in "ВГДЕЖ":
        class_group_create(actor=admin, year=c.year, grade=6, letter=letter)
    curriculum_fill_typical(actor=admin, year=c.year)
    for number in range(2):
        staff_create(
            actor=admin,
            school=c.school,
            surname=f"Вчитель{number}",
            given_name="Ніна",
            position="вчитель",
        )
    english = Subject.objects.get(school=c.school, name="Англійська мова")
    group_2 = subgroup_create(actor=admin, class_group=c.class_5a, subject=english, name="група 2")
    assignment_create(
        actor=admin,
        year=c.year,
        teacher=c.deputy,
        subject=english,
        class_group=c.class_5a,
        subgroup=group_2,
        hours_per_week=Decimal(2),
    )
    subgroup_members_set(
        actor=admin, subgroup=group_1, student_ids=[c.student.pk, c.other_student.pk]
    )
    for weekday, assignment in ((2, c.math_5a), (3, c.ukrainian_5a)):
        timetable_entry_create(
            actor=admin, timetable=timetable, weekday=weekday, period=period, assignment=assignment
        )
    assert TimetableEntry.objects.count() == 3
    for url in urls:
        with django_assert_max_num_queries(baseline[url], info=url):
            assert client.get(url).status_code == 200, url
