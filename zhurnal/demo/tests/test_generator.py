"""The demo community: invariants of the generated data, determinism, working logins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.urls import NoReverseMatch

from zhurnal.audit.models import AuditEvent
from zhurnal.demo import names
from zhurnal.demo.generator import DEMO_PASSWORD, DemoSummary, build_demo, term_hours
from zhurnal.journal.models import Attendance, Mark
from zhurnal.people.models import Enrollment, Student
from zhurnal.schools.models import ClassGroup, Holiday
from zhurnal.timetable.models import Lesson, TimetableEntry

TODAY = dt.date(2026, 11, 12)  # after the autumn holidays, mid-term
STUDENTS = (6, 8)


def _build(seed: int = 7, schools: int = 3) -> DemoSummary:
    return build_demo(
        seed=seed, schools=schools, today=TODAY, classes_per_grade=1, students_per_class=STUDENTS
    )


@pytest.fixture(scope="module")
def built(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoSummary]:
    """One small community for the whole module, rolled back at its end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(built: DemoSummary, db: None) -> DemoSummary:
    return built


def test_classes_hold_the_requested_number_of_students(demo: DemoSummary) -> None:
    sizes = ClassGroup.objects.annotate(n=Count("enrollments")).values_list("n", flat=True)
    assert sizes
    assert all(STUDENTS[0] <= size <= STUDENTS[1] for size in sizes)
    assert ClassGroup.objects.filter(class_teacher__isnull=True).count() == 0


def test_no_teacher_is_in_two_places_at_once(demo: DemoSummary) -> None:
    clashes = (
        TimetableEntry.objects.values("timetable", "weekday", "period", "assignment__teacher")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not clashes.exists()
    lesson_clashes = (
        Lesson.objects.values("date", "period", "assignment__teacher")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not lesson_clashes.exists()


def test_a_class_has_one_lesson_per_slot_except_its_groups(demo: DemoSummary) -> None:
    slots = (
        TimetableEntry.objects.filter(assignment__subgroup__isnull=True)
        .values("timetable", "weekday", "period", "assignment__class_group")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not slots.exists()
    # Groups of one class for one subject share their slot, and nothing else is in it.
    for entry in TimetableEntry.objects.filter(assignment__subgroup__isnull=False):
        same_slot = TimetableEntry.objects.filter(
            timetable=entry.timetable_id,
            weekday=entry.weekday,
            period=entry.period_id,
            assignment__class_group=entry.assignment.class_group_id,
        )
        assert {e.assignment.subject_id for e in same_slot} == {entry.assignment.subject_id}
        assert same_slot.count() == 2


def test_no_lesson_on_a_weekend_or_holiday(demo: DemoSummary) -> None:
    dates = set(Lesson.objects.values_list("date", flat=True))
    assert dates
    assert all(day.isoweekday() <= 5 for day in dates)
    for holiday in Holiday.objects.all():
        assert not any(holiday.starts_on <= day <= holiday.ends_on for day in dates)


def test_lessons_are_filled_in_up_to_yesterday_only(demo: DemoSummary) -> None:
    past = Lesson.objects.filter(date__lt=TODAY)
    assert past.exclude(topic="").count() > 0.9 * past.count()
    assert not Lesson.objects.filter(date__gte=TODAY).exclude(topic="").exists()
    assert not Mark.objects.filter(lesson__date__gte=TODAY).exists()


def test_an_absent_student_never_has_a_mark_in_the_same_lesson(demo: DemoSummary) -> None:
    assert Attendance.objects.filter(status="absent").exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM journal_mark m JOIN journal_attendance a "
            "ON a.lesson_id = m.lesson_id AND a.student_id = m.student_id "
            "WHERE a.status = 'absent'"
        )
        assert cursor.fetchone()[0] == 0


def test_marks_follow_the_scale_of_the_grade(demo: DemoSummary) -> None:
    rows = Mark.objects.values_list("lesson__assignment__class_group__grade", "value", "comment")
    by_grade: dict[str, set[str]] = {"1-2": set(), "3-4": set(), "5-11": set()}
    for grade, value, comment in rows:
        band = "1-2" if grade <= 2 else "3-4" if grade <= 4 else "5-11"
        by_grade[band].add(value)
        if band == "1-2":
            assert comment
    assert by_grade["1-2"] == {""}  # comments only
    assert by_grade["3-4"] <= {"П", "С", "Д", "В"} and by_grade["3-4"]
    assert by_grade["5-11"] <= {str(n) for n in range(1, 13)} and by_grade["5-11"]
    numeric = set(Mark.objects.exclude(value="").values_list("numeric_value", flat=True))
    assert None not in numeric


def test_marks_and_entries_carry_the_time_a_teacher_made_them(demo: DemoSummary) -> None:
    mark = Mark.objects.select_related("lesson").first()
    assert mark is not None and mark.lesson is not None
    assert mark.created_at.date() >= mark.lesson.date
    assert mark.created_at.date() < TODAY


def test_one_audit_event_records_the_build(demo: DemoSummary) -> None:
    events = AuditEvent.objects.filter(action="demo.generate")
    assert events.count() == 1
    assert events.get().after["students"] == Student.objects.count()


@pytest.mark.parametrize(
    "role",
    [
        "department specialist",
        "school administrator",
        "director",
        "deputy director",
        "teacher",
        "class teacher",
        "student",
        "guardian",
    ],
)
def test_every_printed_login_works(demo: DemoSummary, client, role: str) -> None:  # type: ignore[no-untyped-def]
    logins = {login.role: login for login in _english_logins(demo)}
    login = logins[role]
    assert client.login(username=login.username, password=DEMO_PASSWORD)
    try:
        response = client.get("/", follow=True)
    except NoReverseMatch:  # a role's home page not written yet
        return
    assert response.status_code == 200


def _english_logins(demo: DemoSummary) -> list:  # type: ignore[type-arg]
    """The summary's role labels follow the active language; tests name roles in English."""
    order = [
        "department specialist",
        "school administrator",
        "director",
        "deputy director",
        "teacher",
        "class teacher",
        "student",
        "guardian",
    ]
    assert len(demo.logins) == len(order)
    return [
        type(login)(role, login.username, login.who)
        for role, login in zip(order, demo.logins, strict=True)
    ]


def test_the_guardian_login_has_two_children_in_different_classes(demo: DemoSummary) -> None:
    from zhurnal.accounts.models import User

    parent = User.objects.get(username="parent1")
    children = list(parent.guardian.children.all())
    assert len(children) == 2
    classes = {Enrollment.objects.get(student=child).class_group_id for child in children}
    assert len(classes) == 2


def test_fractional_hours_are_taught_in_the_first_semester() -> None:
    assert term_hours(Decimal("1.5"), 1) == 2
    assert term_hours(Decimal("1.5"), 2) == 1
    assert term_hours(Decimal("0.5"), 2) == 0
    assert term_hours(Decimal(3), 2) == 3


def test_patronymics_follow_ukrainian_grammar() -> None:
    assert names.patronymic("Петро", female=False) == "Петрович"
    assert names.patronymic("Петро", female=True) == "Петрівна"
    assert names.patronymic("Микола", female=True) == "Миколаївна"
    assert names.patronymic("Андрій", female=False) == "Андрійович"
    assert names.patronymic("Матвій", female=True) == "Матвіївна"
    assert names.surname_for("Лозинський", female=True) == "Лозинська"
    assert names.surname_for("Шевченко", female=True) == "Шевченко"
