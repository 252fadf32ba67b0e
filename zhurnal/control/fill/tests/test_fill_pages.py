"""The fill level of a school's journals for its director and deputies: the page over a
period, the drill-down to a teacher and to an assignment's lessons with gaps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.cast import Community, make_staff
from zhurnal.people.models import Role
from zhurnal.schools.models import ClassGroup, Subject
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment

# Wednesday 18 November 2026: the previous week is 9–15 November.
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Europe/Kyiv"))
MONDAY = dt.date(2026, 11, 9)
RECORDED = dt.datetime(2026, 11, 9, 12, 0, tzinfo=ZoneInfo("Europe/Kyiv"))

OTHERS = [
    "teacher",
    "other_teacher",
    "class_teacher",
    "school_admin",
    "department",
    "guardian",
    "outsider",
    "other_school_admin",
    "student_user",
]


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(dt.UTC))


def uk(message: str) -> str:
    with translation.override("uk"):
        return gettext(message)


def lesson(
    community: Community,
    day: dt.date,
    *,
    number: int = 1,
    assignment: TeachingAssignment | None = None,
    topic: str = "",
) -> Lesson:
    """A lesson; with a topic it is fully recorded on its day (topic, register, homework)."""
    extra: dict[str, object] = {}
    if topic:
        moment = dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo("Europe/Kyiv"))
        extra = {
            "topic": topic,
            "topic_recorded_at": moment,
            "homework": "§ 1",
            "homework_recorded_at": moment,
            "attendance_taken_at": moment,
        }
    return Lesson.objects.create(
        assignment=assignment or community.math_5a,
        date=day,
        period=Period.objects.get(year=community.year, number=number),
        **extra,
    )


@pytest.fixture
def week(community: Community) -> dict[str, Lesson]:
    """Math (teacher): two lessons, one empty; Ukrainian (other teacher): both recorded."""
    return {
        "math_full": lesson(community, MONDAY, topic="Дроби"),
        "math_empty": lesson(community, MONDAY + dt.timedelta(days=1)),
        "ukr_1": lesson(
            community, MONDAY, number=2, assignment=community.ukrainian_5a, topic="Іменник"
        ),
        "ukr_2": lesson(
            community,
            MONDAY + dt.timedelta(days=2),
            number=2,
            assignment=community.ukrainian_5a,
            topic="Дієслово",
        ),
    }


def fill_url(community: Community, **query: str) -> str:
    url = reverse("control:fill", args=[community.school.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


@pytest.mark.parametrize("who", ["deputy", "director"])
def test_controllers_see_the_fill_level_of_the_previous_week(
    client: Client, community: Community, week: dict[str, Lesson], who: str
) -> None:
    client.force_login(getattr(community, who))
    response = client.get(fill_url(community))
    assert response.status_code == 200
    period = response.context["range"]
    assert (period.start, period.end) == (MONDAY, dt.date(2026, 11, 15))
    total = response.context["total"]
    assert total["lessons"] == 4
    assert total["missing_topics"] == 1
    assert total["topics"] == 75.0
    rows = response.context["rows"]
    # The worst kept first: the teacher with the empty lesson.
    assert [row["label"] for row in rows] == [
        community.teacher.short_name,
        community.other_teacher.short_name,
    ]
    assert rows[0]["figures"]["missing_topics"] == 1
    assert rows[0]["figures"]["level"] < rows[1]["figures"]["level"]
    body = response.content.decode()
    assert reverse("control:fill_teacher", args=[community.school.pk, community.teacher.pk]) in body


@pytest.mark.parametrize("who", OTHERS)
def test_everyone_else_gets_404_on_the_fill_pages(
    client: Client, community: Community, week: dict[str, Lesson], who: str
) -> None:
    client.force_login(getattr(community, who))
    school = community.school.pk
    for url in (
        fill_url(community),
        reverse("control:fill_teacher", args=[school, community.teacher.pk]),
        reverse("control:fill_assignment", args=[school, community.math_5a.pk]),
        reverse("control:weekly", args=[school]),
    ):
        assert client.get(url).status_code == 404, url


def test_anonymous_is_sent_to_log_in(client: Client, community: Community) -> None:
    response = client.get(fill_url(community))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_table_switches_to_classes_and_subjects(
    client: Client, community: Community, week: dict[str, Lesson]
) -> None:
    client.force_login(community.deputy)
    classes = client.get(fill_url(community, view="classes")).context["rows"]
    assert [row["label"] for row in classes] == [community.class_5a.name]
    subjects = client.get(fill_url(community, view="subjects")).context["rows"]
    assert [row["label"] for row in subjects] == ["Математика", "Українська мова"]
    # Each row drills down to the assignments and their teachers.
    assert subjects[0]["assignments"][0]["teacher"] == community.teacher.short_name


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("this_week", dt.date(2026, 11, 16), dt.date(2026, 11, 22)),
        ("previous_week", dt.date(2026, 11, 9), dt.date(2026, 11, 15)),
        ("this_month", dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
        ("this_term", dt.date(2026, 9, 1), dt.date(2026, 12, 24)),
    ],
)
def test_quick_choices_of_the_period(
    client: Client, community: Community, period: str, start: dt.date, end: dt.date
) -> None:
    client.force_login(community.deputy)
    chosen = client.get(fill_url(community, period=period)).context["range"]
    assert (chosen.start, chosen.end) == (start, end)


def test_custom_range_counts_only_its_lessons(
    client: Client, community: Community, week: dict[str, Lesson]
) -> None:
    client.force_login(community.deputy)
    response = client.get(
        fill_url(community, period="custom", start="2026-11-09", end="2026-11-09")
    )
    assert response.context["total"]["lessons"] == 2
    assert response.context["total"]["missing_topics"] == 0


def test_custom_range_is_validated_in_the_users_language(
    client: Client, community: Community
) -> None:
    client.force_login(community.deputy)
    response = client.get(
        fill_url(community, period="custom", start="2026-11-10", end="2026-11-01")
    )
    assert response.status_code == 200
    assert "total" not in response.context
    assert response.context["range"].form.errors["end"] == [
        uk("The end cannot come before the start.")
    ]
    response = client.get(fill_url(community, period="custom", end="2026-11-01"))
    assert response.context["range"].form.errors["start"] == [uk("Choose the first day.")]


def test_teacher_drill_down_shows_their_assignments(
    client: Client, community: Community, week: dict[str, Lesson]
) -> None:
    client.force_login(community.deputy)
    url = reverse("control:fill_teacher", args=[community.school.pk, community.teacher.pk])
    response = client.get(url)
    assert response.status_code == 200
    [row] = response.context["rows"]
    assert row["assignment"] == community.math_5a
    assert row["figures"]["lessons"] == 2 and row["figures"]["missing_topics"] == 1
    assert (
        reverse("control:fill_assignment", args=[community.school.pk, community.math_5a.pk])
        in (row["url"])
    )


@pytest.mark.parametrize("who", ["outsider", "other_school_admin", "school_admin"])
def test_teacher_drill_down_of_someone_not_teaching_here_is_404(
    client: Client, community: Community, who: str
) -> None:
    client.force_login(community.deputy)
    url = reverse("control:fill_teacher", args=[community.school.pk, getattr(community, who).pk])
    assert client.get(url).status_code == 404


def test_assignment_drill_down_lists_lessons_with_gaps(
    client: Client, community: Community, week: dict[str, Lesson]
) -> None:
    client.force_login(community.director)
    url = reverse("control:fill_assignment", args=[community.school.pk, community.math_5a.pk])
    response = client.get(url)
    assert response.status_code == 200
    [item] = response.context["gaps"]
    gap = item["gap"]
    assert gap.lesson == week["math_empty"]
    assert gap.no_topic and gap.no_attendance and gap.no_homework
    body = response.content.decode()
    assert reverse("journal:lesson", args=[week["math_empty"].pk]) in body
    assert reverse("journal:grid", args=[community.math_5a.pk]) in body
    assert f"lesson={week['math_empty'].pk}" in item["remark_url"]


def test_other_schools_assignment_is_404(client: Client, community: Community) -> None:
    other_teacher = make_staff(community.other_school, "t2", "Іваненко", "Олег", Role.TEACHER)
    subject = Subject.objects.create(school=community.other_school, name="Історія")
    other = TeachingAssignment.objects.create(
        year=community.other_year,
        teacher=other_teacher,
        subject=subject,
        class_group=community.other_school_class,
        hours_per_week=Decimal(2),
    )
    client.force_login(community.deputy)
    for url in (
        reverse("control:fill_assignment", args=[community.school.pk, other.pk]),
        reverse("control:remark_new", args=[community.school.pk, other.pk]),
        reverse("control:fill_teacher", args=[community.school.pk, other_teacher.pk]),
    ):
        assert client.get(url).status_code == 404


def _grow_school(community: Community, classes: int) -> None:
    """More classes, teachers and lessons: the page must not need more queries."""
    math = community.math
    for index in range(classes):
        group = ClassGroup.objects.create(
            year=community.year, grade=6 + index % 5, letter=f"В{index}"
        )
        teacher = make_staff(community.school, f"grow{index}", "Учитель", f"№{index}", Role.TEACHER)
        assignment = TeachingAssignment.objects.create(
            year=community.year,
            teacher=teacher,
            subject=math,
            class_group=group,
            hours_per_week=Decimal(3),
        )
        for day in range(3):
            lesson(
                community,
                MONDAY + dt.timedelta(days=day),
                assignment=assignment,
                topic="Тема" if day else "",
            )


@pytest.mark.parametrize("classes", [0, 6])
def test_fill_pages_query_count_is_fixed(
    client: Client,
    community: Community,
    week: dict[str, Lesson],
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
    classes: int,
) -> None:
    _grow_school(community, classes)
    client.force_login(community.deputy)
    school = community.school.pk
    for url, limit in (
        (fill_url(community), 12),
        (fill_url(community, view="classes"), 12),
        (reverse("control:fill_teacher", args=[school, community.teacher.pk]), 14),
        (reverse("control:fill_assignment", args=[school, community.math_5a.pk]), 9),
    ):
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200
