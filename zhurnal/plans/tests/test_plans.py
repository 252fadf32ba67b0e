"""Calendar plans: saving, approval, prefill of lesson topics, the grid's theme names, the
school's progress page and who may reach what."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.cast import Community
from zhurnal.accounts.models import User
from zhurnal.audit.models import AuditEvent
from zhurnal.plans.importing import parse_text
from zhurnal.plans.models import Plan, PlanStatus, PlanTemplate, PlanTopic
from zhurnal.plans.selectors import planned_topic, school_progress, theme_names
from zhurnal.plans.services import plan_approve, plan_return, plan_save, plan_submit
from zhurnal.schools.models import ClassGroup, Subject
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment

Login = Callable[[User], Client]

PLAN = """Тема 1. Натуральні числа (3 год)
Додавання натуральних чисел
Віднімання натуральних чисел | 2
Тема 2. Звичайні дроби
Поняття дробу
Порівняння дробів
"""
SEPT = [dt.date(2026, 9, day) for day in (1, 2, 3, 4, 7, 8, 9, 10)]


def save(c: Community, text: str = PLAN, assignment: TeachingAssignment | None = None) -> Plan:
    assignment = assignment or c.math_5a
    return plan_save(
        actor=assignment.teacher, assignment=assignment, term=c.term1, parsed=parse_text(text)
    )


def lesson(
    c: Community,
    day: dt.date,
    number: int = 1,
    topic: str = "",
    assignment: TeachingAssignment | None = None,
) -> Lesson:
    return Lesson.objects.create(
        assignment=assignment or c.math_5a,
        date=day,
        period=Period.objects.get(year=c.year, number=number),
        topic=topic,
    )


def plan_url(c: Community) -> str:
    return f"{reverse('plans:plan', args=[c.math_5a.pk])}?term={c.term1.pk}"


# --- services -------------------------------------------------------------------------------


def test_saving_numbers_themes_and_orders_topics_and_is_audited(community: Community) -> None:
    plan = save(community)

    assert [(t.number, t.name, t.hours) for t in plan.themes.order_by("number")] == [
        (1, "Натуральні числа", 3),
        (2, "Звичайні дроби", 2),
    ]
    assert list(PlanTopic.objects.filter(plan=plan).values_list("position", "title", "hours")) == [
        (1, "Додавання натуральних чисел", 1),
        (2, "Віднімання натуральних чисел", 2),
        (3, "Поняття дробу", 1),
        (4, "Порівняння дробів", 1),
    ]
    assert AuditEvent.objects.filter(action="plan.save", object_id=str(plan.pk)).count() == 1
    assert theme_names(community.math_5a, community.term1) == {
        1: "Натуральні числа",
        2: "Звичайні дроби",
    }


def test_only_the_teacher_saves_and_bad_lines_save_nothing(community: Community) -> None:
    with pytest.raises(PermissionDenied):
        plan_save(
            actor=community.other_teacher,
            assignment=community.math_5a,
            term=community.term1,
            parsed=parse_text(PLAN),
        )
    with pytest.raises(ValidationError):
        save(community, "Тема 1. Дроби\nПоняття | 0\n")
    assert not Plan.objects.exists()


def test_approval_flow_and_an_edit_sends_an_approved_plan_back_to_draft(
    community: Community,
) -> None:
    plan = save(community)
    with pytest.raises(PermissionDenied):
        plan_submit(actor=community.other_teacher, plan=plan)
    plan_submit(actor=community.teacher, plan=plan)
    with pytest.raises(PermissionDenied):
        plan_approve(actor=community.teacher, plan=plan)
    with pytest.raises(PermissionDenied):
        plan_approve(actor=community.department, plan=plan)
    plan_approve(actor=community.deputy, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.decided_by == community.deputy

    with pytest.raises(ValidationError):
        plan_return(actor=community.director, plan=plan, note="  ")
    plan_return(actor=community.director, plan=plan, note="Додайте контрольну роботу")
    assert plan.status == PlanStatus.RETURNED

    plan_submit(actor=community.teacher, plan=plan)
    plan_approve(actor=community.director, plan=plan)
    save(community, PLAN + "Контрольна робота\n")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    edit = AuditEvent.objects.filter(action="plan.save").order_by("-id").first()
    assert edit is not None and edit.before["status"] == PlanStatus.APPROVED
    assert edit.after["status"] == PlanStatus.DRAFT
    actions = list(
        AuditEvent.objects.filter(object_id=str(plan.pk)).values_list("action", flat=True)
    )
    assert actions.count("plan.approve") == 2 and "plan.return" in actions


def test_a_closed_year_refuses_every_plan_write(community: Community) -> None:
    plan = save(community)
    community.year.closed_at = timezone.now()
    community.year.save()
    community.math_5a.refresh_from_db()
    plan = Plan.objects.select_related("assignment__year", "assignment__class_group__year").get()
    with pytest.raises(ValidationError):
        save(community)
    with pytest.raises(ValidationError):
        plan_submit(actor=community.teacher, plan=plan)


# --- the topic prefill and the grid -----------------------------------------------------------


def test_planned_topics_follow_held_lessons_counting_hours(community: Community) -> None:
    save(community)
    lessons = [lesson(community, day) for day in SEPT[:6]]
    lessons[1].is_cancelled = True
    lessons[1].save()
    # A second lesson on the last day comes after the first one of that day.
    late = lesson(community, SEPT[5], number=2)

    titles = [(p.title, p.lesson_number) if p else None for p in map(planned_topic, lessons)]

    assert titles == [
        ("Додавання натуральних чисел", 1),
        ("Віднімання натуральних чисел", 2),  # the cancelled lesson counts for nothing
        ("Віднімання натуральних чисел", 2),
        ("Віднімання натуральних чисел", 3),  # a topic of two hours covers two lessons
        ("Поняття дробу", 4),
        ("Порівняння дробів", 5),
    ]
    assert planned_topic(late) is None  # the plan ran out


def test_a_lesson_topic_is_prefilled_from_the_approved_plan(
    community: Community, login: Login, django_assert_max_num_queries: Any
) -> None:
    plan = save(community)
    plan_submit(actor=community.teacher, plan=plan)
    plan_approve(actor=community.deputy, plan=plan)
    first = lesson(community, SEPT[0], topic="Вступ")
    second = lesson(community, SEPT[1])
    client = login(community.teacher)

    with translation.override("en"), django_assert_max_num_queries(13):
        page = client.get(reverse("journal:lesson", args=[second.pk])).content.decode()

    assert 'value="Віднімання натуральних чисел"' in page
    with translation.override("uk"):  # the teacher's language
        hint = gettext(
            "From the calendar plan (lesson %(number)s of the term, theme %(theme)s): "
            "saving confirms it; edit it if the lesson went otherwise."
        ) % {"number": 2, "theme": 1}
    assert hint.split(":")[0] in page and "From the calendar plan" not in hint
    # A topic already recorded is kept as it is.
    page = client.get(reverse("journal:lesson", args=[first.pk])).content.decode()
    assert 'value="Вступ"' in page and hint.split(":")[0] not in page


def test_the_grid_names_thematic_columns_after_the_plans_themes(
    community: Community, login: Login
) -> None:
    save(community)

    page = login(community.teacher).get(
        reverse("journal:grid", args=[community.math_5a.pk]) + f"?term={community.term1.pk}"
    )

    assert "Натуральні числа" in page.content.decode()


# --- pages and access -------------------------------------------------------------------------


def test_the_teacher_writes_the_plan_on_its_page(community: Community, login: Login) -> None:
    client = login(community.teacher)
    assert client.get(plan_url(community)).status_code == 200

    response = client.post(
        reverse("plans:save", args=[community.math_5a.pk]),
        {"term": community.term1.pk, "text": PLAN},
    )

    assert response.status_code == 302
    assert PlanTopic.objects.filter(plan__assignment=community.math_5a).count() == 4
    page = client.get(plan_url(community)).content.decode()
    assert "Звичайні дроби" in page


def test_bad_lines_come_back_with_the_row_and_nothing_saved(
    community: Community, login: Login
) -> None:
    client = login(community.teacher)
    with translation.override("en"):
        response = client.post(
            reverse("plans:save", args=[community.math_5a.pk]),
            {"term": community.term1.pk, "text": "Тема 1. Дроби\nПоняття | 0\n"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 400
    with translation.override("uk"):  # the teacher's language
        row = gettext("Row %(row)s: %(message)s") % {"row": 2, "message": ""}
    assert row.strip().rstrip(":") in response.content.decode()
    assert "Поняття | 0" in response.content.decode()  # the typed text is kept
    assert not Plan.objects.exists()


def test_an_import_shows_a_preview_and_saves_nothing_until_confirmed(
    community: Community, login: Login
) -> None:
    save(community)
    client = login(community.teacher)

    response = client.post(
        reverse("plans:import", args=[community.math_5a.pk]),
        {"term": community.term1.pk, "pasted": "Тема 1. Інша тема\n1 | Нова тема уроку | 1\n"},
    )

    page = response.content.decode()
    assert response.status_code == 200 and "Нова тема уроку" in page
    assert PlanTopic.objects.filter(title="Нова тема уроку").count() == 0
    assert PlanTopic.objects.count() == 4


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("other_teacher", 404),
        ("guardian", 404),
        ("student_user", 404),
        ("department", 404),
        ("outsider", 404),
        ("other_school_admin", 404),
    ],
)
def test_outsiders_neither_read_nor_write_a_plan(
    community: Community, login: Login, who: str, status: int
) -> None:
    plan = save(community)
    client = login(getattr(community, who))

    assert client.get(plan_url(community)).status_code == status
    response = client.post(
        reverse("plans:save", args=[community.math_5a.pk]),
        {"term": community.term1.pk, "text": "Тема 1. Чуже\nЧужа тема\n"},
    )
    assert response.status_code == status
    assert client.post(reverse("plans:submit", args=[plan.pk])).status_code == status
    assert client.post(reverse("plans:approve", args=[plan.pk])).status_code == status
    assert not PlanTopic.objects.filter(title="Чужа тема").exists()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_readers_read_but_do_not_write_and_the_deputy_approves(
    community: Community, login: Login
) -> None:
    plan = save(community)
    plan_submit(actor=community.teacher, plan=plan)
    for reader in (community.class_teacher, community.school_admin):
        client = login(reader)
        assert client.get(plan_url(community)).status_code == 200
        assert client.post(reverse("plans:approve", args=[plan.pk])).status_code == 404
    client = login(community.class_teacher)
    response = client.post(
        reverse("plans:save", args=[community.math_5a.pk]),
        {"term": community.term1.pk, "text": "Тема 1. Чуже\nЧужа тема\n"},
    )
    assert response.status_code == 404

    client = login(community.deputy)
    assert (
        reverse("plans:approve", args=[plan.pk]) in client.get(plan_url(community)).content.decode()
    )
    assert client.post(reverse("plans:approve", args=[plan.pk])).status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED


# --- the school's progress --------------------------------------------------------------------


def fill_school(c: Community, classes: int) -> None:
    """`classes` more classes, each with a maths plan and held lessons with topics."""
    teacher = c.teacher
    subject = Subject.objects.create(school=c.school, name=f"Предмет {classes}")
    for index in range(classes):
        group = ClassGroup.objects.create(year=c.year, grade=6, letter=f"Z{index}")
        assignment = TeachingAssignment.objects.create(
            year=c.year, teacher=teacher, subject=subject, class_group=group, hours_per_week=2
        )
        save(c, PLAN, assignment)
        for day in SEPT[:3]:
            lesson(c, day, topic="Додавання натуральних чисел", assignment=assignment)


def test_behind_the_plan(community: Community) -> None:
    plan = save(community)
    plan_submit(actor=community.teacher, plan=plan)
    lesson(community, SEPT[0], topic="Додавання натуральних чисел")
    lesson(community, SEPT[1], topic="Віднімання натуральних чисел")
    lesson(community, SEPT[2], topic="Повторення")  # not a plan topic
    lesson(community, SEPT[3])
    lesson(community, SEPT[4]).__class__.objects.filter(date=SEPT[4]).update(is_cancelled=True)

    progress = school_progress(community.school, dt.date(2026, 9, 30))

    rows = {row.assignment.pk: row for row in progress.rows}
    math = rows[community.math_5a.pk]
    assert (math.planned_hours, math.held, math.with_topic, math.reached) == (5, 4, 3, 3)
    assert math.behind == 1 and math.status == PlanStatus.SUBMITTED
    assert [row.assignment for row in progress.waiting] == [community.math_5a]
    assert community.ukrainian_5a in [row.assignment for row in progress.without_plan]


REPEATING = """Тема 1. Вправи
Усні обчислення
Задачі на рух
Усні обчислення
Задачі на роботу
Усні обчислення
Повторення
"""


def test_a_topic_the_plan_repeats_counts_at_its_next_place_and_later_lessons_not_yet(
    community: Community,
) -> None:
    """Plans repeat topics (revision, oral arithmetic): a class that has given five of the
    plan's lessons in order is not behind, though its last topic first occurs at place 1;
    a lesson later today has not been held yet."""
    c = community
    save(c, REPEATING)
    titles = ["Усні обчислення", "Задачі на рух", "Усні обчислення", "Задачі на роботу"]
    for day, title in zip(SEPT, titles, strict=False):
        lesson(c, day, topic=title)
    lesson(c, SEPT[4], number=1, topic="Усні обчислення")
    lesson(c, SEPT[4], number=3)  # at 10:00, not begun by 9:00

    early = school_progress(c.school, SEPT[4], now_time=dt.time(9, 0))
    row = {r.assignment.pk: r for r in early.rows}[c.math_5a.pk]
    assert (row.held, row.with_topic, row.reached, row.behind) == (5, 5, 5, 0)

    later = school_progress(c.school, SEPT[4], now_time=dt.time(12, 0))
    row = {r.assignment.pk: r for r in later.rows}[c.math_5a.pk]
    assert (row.held, row.reached, row.behind) == (6, 5, 1)


@pytest.mark.parametrize("classes", [1, 8])
def test_the_school_page_takes_a_fixed_number_of_queries(
    community: Community,
    login: Login,
    django_assert_max_num_queries: Any,
    classes: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    moment = dt.datetime(2026, 9, 30, 12, 0, tzinfo=dt.UTC)
    monkeypatch.setattr("zhurnal.plans.views.timezone.now", lambda: moment)
    fill_school(community, classes)
    client = login(community.deputy)
    client.get(reverse("plans:school", args=[community.school.pk]))  # warm the session

    with django_assert_max_num_queries(10):
        response = client.get(reverse("plans:school", args=[community.school.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Z0" in page and f"Z{classes - 1}" in page
    assert (
        login(community.teacher)
        .get(reverse("plans:school", args=[community.school.pk]))
        .status_code
        == 404
    )
    assert (
        login(community.department)
        .get(reverse("plans:school", args=[community.school.pk]))
        .status_code
        == 404
    )


# --- templates --------------------------------------------------------------------------------


def test_a_template_is_published_listed_by_subject_and_copied_after_a_preview(
    community: Community, login: Login
) -> None:
    plan = save(community)
    client = login(community.teacher)
    response = client.post(
        reverse("plans:publish", args=[plan.pk]),
        {"title": "Математика 5, Мерзляк", "scope": "community"},
    )
    assert response.status_code == 302
    template = PlanTemplate.objects.get()
    assert (template.grade, template.subject_name) == (5, community.math.name)

    other = login(community.other_teacher)
    listing = other.get(reverse("plans:templates"), {"subject": "мат", "grade": 5})
    assert "Математика 5, Мерзляк" in listing.content.decode()
    assert (
        "Мерзляк"
        not in other.get(reverse("plans:templates"), {"subject": "історія"}).content.decode()
    )

    # The other teacher copies it into their own assignment: a preview first.
    target = community.ukrainian_5a
    preview = other.get(
        reverse("plans:template", args=[template.pk]),
        {"assignment": target.pk, "term": community.term1.pk},
    )
    assert preview.status_code == 200 and "Поняття дробу" in preview.content.decode()
    assert not Plan.objects.filter(assignment=target).exists()
    other.post(
        reverse("plans:save", args=[target.pk]), {"term": community.term1.pk, "text": template.text}
    )
    assert PlanTopic.objects.filter(plan__assignment=target).count() == 4

    # Not into someone else's assignment; families see no templates.
    assert (
        other.get(
            reverse("plans:template", args=[template.pk]),
            {"assignment": community.math_5a.pk, "term": community.term1.pk},
        ).status_code
        == 404
    )
    guardian = login(community.guardian)
    assert guardian.get(reverse("plans:template", args=[template.pk])).status_code == 404
    assert "Мерзляк" not in guardian.get(reverse("plans:templates")).content.decode()
    assert other.post(reverse("plans:template_delete", args=[template.pk])).status_code == 404
    client = login(community.teacher)  # the test client is one: log the author in again
    assert client.post(reverse("plans:template_delete", args=[template.pk])).status_code == 302
    assert not PlanTemplate.objects.exists()
