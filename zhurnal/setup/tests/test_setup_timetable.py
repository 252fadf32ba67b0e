"""Teaching assignments, bell schedule, timetable conflicts and lesson creation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.cast import Community
from zhurnal.audit.models import AuditEvent
from zhurnal.schools.services import subgroup_create, subject_create
from zhurnal.setup.tests.builders import table_counts
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment, Timetable, TimetableEntry
from zhurnal.timetable.services import (
    assignment_create,
    assignment_delete,
    assignment_update,
    lessons_materialise,
    period_create,
    period_delete,
    period_update,
    timetable_create,
    timetable_entry_create,
    timetable_entry_delete,
    timetable_update,
)

pytestmark = pytest.mark.django_db


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture
def timetable(community: Community) -> Timetable:
    return timetable_create(
        actor=community.school_admin,
        year=community.year,
        name="Основний розклад",
        valid_from=d("2026-09-01"),
        valid_to=d("2027-05-31"),
    )


def period(community: Community, number: int) -> Period:
    return community.year.periods.get(number=number)


# --- teaching assignments -------------------------------------------------------------


def test_admin_creates_an_assignment_through_the_page(login, community: Community):
    c = community
    client = login(c.school_admin)
    url = reverse("setup:setup_assignments", args=[c.school.pk, c.year.pk])
    response = client.post(
        url,
        {
            "class_group": c.class_5b.pk,
            "subject": c.math.pk,
            "teacher": c.teacher.pk,
            "hours_per_week": "4,5",
        },
    )
    assert response.status_code == 302
    created = TeachingAssignment.objects.get(class_group=c.class_5b, subject=c.math)
    assert created.hours_per_week == Decimal("4.5")
    assert AuditEvent.objects.filter(action="assignment.create", object_id=str(created.pk)).exists()
    page = client.get(url)
    loads = {load.teacher: load.hours for load in page.context["teacher_loads"]}
    assert loads[c.teacher] == Decimal("9.5")


def test_assignment_rules_are_checked_and_nothing_is_written(login, community: Community):
    c = community
    client = login(c.school_admin)
    url = reverse("setup:setup_assignments", args=[c.school.pk, c.year.pk])
    before = table_counts()
    # the director holds no teacher role: not even a choice
    response = client.post(
        url,
        {
            "class_group": c.class_5b.pk,
            "subject": c.math.pk,
            "teacher": c.director.pk,
            "hours_per_week": "4",
        },
    )
    assert response.context["form"].errors["teacher"]
    # the same subject in the same class twice
    response = client.post(
        url,
        {
            "class_group": c.class_5a.pk,
            "subject": c.math.pk,
            "teacher": c.other_teacher.pk,
            "hours_per_week": "4",
        },
    )
    assert response.context["form"].errors["subject"]
    assert table_counts() == before
    with pytest.raises(ValidationError):
        assignment_create(
            actor=c.school_admin,
            year=c.year,
            teacher=c.director,
            subject=c.math,
            class_group=c.class_5b,
            hours_per_week=Decimal(4),
        )
    group = subgroup_create(
        actor=c.school_admin, class_group=c.class_5b, subject=c.ukrainian, name="г1"
    )
    with pytest.raises(ValidationError) as error:
        assignment_create(
            actor=c.school_admin,
            year=c.year,
            teacher=c.teacher,
            subject=c.math,
            class_group=c.class_5b,
            subgroup=group,
            hours_per_week=Decimal(4),
        )
    assert "subgroup" in error.value.error_dict


def test_class_loads_compare_curriculum_and_assigned_hours(login, community: Community):
    from zhurnal.schools.services import curriculum_set

    c = community
    curriculum_set(
        actor=c.school_admin, year=c.year, grade=5, subject=c.math, hours_per_week=Decimal(5)
    )
    curriculum_set(
        actor=c.school_admin,
        year=c.year,
        grade=5,
        subject=c.ukrainian,
        hours_per_week=Decimal("4.5"),
    )
    response = login(c.school_admin).get(
        reverse("setup:setup_assignments", args=[c.school.pk, c.year.pk])
    )
    loads = {str(load.class_group): load for load in response.context["class_loads"]}
    assert (loads["5-А"].curriculum_hours, loads["5-А"].assigned_hours) == (Decimal("9.5"), 9)
    assert loads["5-Б"].assigned_hours == 0


def test_assignment_with_lessons_keeps_its_class_and_cannot_be_deleted(
    community: Community, timetable: Timetable
):
    c = community
    timetable_entry_create(
        actor=c.school_admin,
        timetable=timetable,
        weekday=1,
        period=period(c, 1),
        assignment=c.math_5a,
    )
    lessons_materialise(
        actor=c.school_admin, year=c.year, start=d("2026-09-07"), end=d("2026-09-07")
    )
    with pytest.raises(ValidationError):
        assignment_delete(actor=c.school_admin, assignment=c.math_5a)
    with pytest.raises(ValidationError):
        assignment_update(
            actor=c.school_admin,
            assignment=c.math_5a,
            teacher=c.teacher,
            subject=c.math,
            class_group=c.class_5b,
            hours_per_week=Decimal(5),
        )
    assignment_update(
        actor=c.school_admin,
        assignment=c.math_5a,
        teacher=c.other_teacher,
        subject=c.math,
        class_group=c.class_5a,
        hours_per_week=Decimal(4),
    )
    c.math_5a.refresh_from_db()
    assert (c.math_5a.teacher, c.math_5a.class_group) == (c.other_teacher, c.class_5a)


# --- bell schedule --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "start", "end"),
    [
        (4, "11:00", "11:45"),  # overlaps lesson 3 (10:25–11:10)
        (4, "08:00", "08:25"),  # lesson 4 before lesson 1
        (2, "12:00", "12:45"),  # number taken
        (4, "12:00", "11:45"),  # ends before it starts
    ],
)
def test_bell_schedule_refuses_overlaps_and_disorder(
    login, community: Community, number: int, start: str, end: str
):
    c = community
    client = login(c.school_admin)
    before = table_counts()
    response = client.post(
        reverse("setup:setup_periods", args=[c.school.pk, c.year.pk]),
        {"number": number, "starts_at": start, "ends_at": end},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert table_counts() == before


def test_bell_schedule_writes_are_audited(community: Community):
    c = community
    admin = c.school_admin
    fourth = period_create(
        actor=admin, year=c.year, number=4, starts_at=dt.time(11, 20), ends_at=dt.time(12, 5)
    )
    period_update(
        actor=admin, period=fourth, number=4, starts_at=dt.time(11, 25), ends_at=dt.time(12, 10)
    )
    period_delete(actor=admin, period=fourth)
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions[-3:] == ["period.create", "period.update", "period.delete"]


# --- timetables -----------------------------------------------------------------------


def test_timetables_do_not_overlap(community: Community, timetable: Timetable):
    c = community
    with pytest.raises(ValidationError):
        timetable_create(
            actor=c.school_admin,
            year=c.year,
            name="Новий",
            valid_from=d("2027-01-12"),
            valid_to=d("2027-05-31"),
        )
    timetable_update(
        actor=c.school_admin,
        timetable=timetable,
        name=timetable.name,
        valid_from=d("2026-09-01"),
        valid_to=d("2027-01-11"),
    )
    second = timetable_create(
        actor=c.school_admin,
        year=c.year,
        name="Новий",
        valid_from=d("2027-01-12"),
        valid_to=d("2027-05-31"),
    )
    assert second.pk
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("timetable.create") == 2
    assert actions.count("timetable.update") == 1


def test_a_teacher_cannot_be_in_two_places_at_once(community: Community, timetable: Timetable):
    c = community
    math_5b = assignment_create(
        actor=c.school_admin,
        year=c.year,
        teacher=c.teacher,
        subject=c.math,
        class_group=c.class_5b,
        hours_per_week=Decimal(5),
    )
    timetable_entry_create(
        actor=c.school_admin,
        timetable=timetable,
        weekday=1,
        period=period(c, 1),
        assignment=c.math_5a,
    )
    before = table_counts()
    with pytest.raises(ValidationError, match="Коваленко"):
        timetable_entry_create(
            actor=c.school_admin,
            timetable=timetable,
            weekday=1,
            period=period(c, 1),
            assignment=math_5b,
        )
    assert table_counts() == before
    timetable_entry_create(
        actor=c.school_admin,
        timetable=timetable,
        weekday=1,
        period=period(c, 2),
        assignment=math_5b,
    )


def test_a_class_has_one_whole_class_lesson_per_slot_but_groups_may_share(
    community: Community, timetable: Timetable
):
    c = community
    admin = c.school_admin
    english = subject_create(actor=admin, school=c.school, name="Англійська мова")
    group_1 = subgroup_create(actor=admin, class_group=c.class_5a, subject=english, name="група 1")
    group_2 = subgroup_create(actor=admin, class_group=c.class_5a, subject=english, name="група 2")
    english_1 = assignment_create(
        actor=admin,
        year=c.year,
        teacher=c.deputy,
        subject=english,
        class_group=c.class_5a,
        subgroup=group_1,
        hours_per_week=Decimal(2),
    )
    english_2 = assignment_create(
        actor=admin,
        year=c.year,
        teacher=c.class_teacher,
        subject=english,
        class_group=c.class_5a,
        subgroup=group_2,
        hours_per_week=Decimal(2),
    )
    slot = {"actor": admin, "timetable": timetable, "weekday": 2, "period": period(c, 1)}
    timetable_entry_create(**slot, assignment=c.math_5a)
    with pytest.raises(ValidationError, match="5-А"):
        timetable_entry_create(**slot, assignment=c.ukrainian_5a)
    with pytest.raises(ValidationError):
        timetable_entry_create(**slot, assignment=english_1)
    other_slot = {**slot, "weekday": 3}
    timetable_entry_create(**other_slot, assignment=english_1)
    timetable_entry_create(**other_slot, assignment=english_2)
    with pytest.raises(ValidationError):
        timetable_entry_create(**other_slot, assignment=c.ukrainian_5a)
    assert TimetableEntry.objects.filter(timetable=timetable).count() == 3


def test_grid_page_adds_an_entry_and_shows_a_conflict_on_the_form(
    login, community: Community, timetable: Timetable
):
    c = community
    client = login(c.school_admin)
    url = reverse(
        "setup:setup_timetable_grid", args=[c.school.pk, c.year.pk, timetable.pk, c.class_5a.pk]
    )
    data = {"weekday": 1, "period": period(c, 1).pk, "assignment": c.math_5a.pk, "room": "12"}
    assert client.post(url, data).status_code == 302
    entry = TimetableEntry.objects.get()
    assert entry.room == "12"
    before = table_counts()
    response = client.post(url, {**data, "assignment": c.ukrainian_5a.pk})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert table_counts() == before
    page = client.get(url)
    assert page.context["grid"][0].cells[0][2] == [entry]
    prefilled = client.get(url, {"weekday": 3, "period": period(c, 2).pk})
    assert prefilled.context["form"]["weekday"].value() == "3"
    delete = reverse(
        "setup:setup_timetable_entry_delete",
        args=[c.school.pk, c.year.pk, timetable.pk, entry.pk],
    )
    assert client.post(delete).status_code == 302
    assert not TimetableEntry.objects.exists()
    assert AuditEvent.objects.filter(action="timetable_entry.delete").exists()


def test_grid_page_offers_only_the_class_assignments(
    login, community: Community, timetable: Timetable
):
    c = community
    client = login(c.school_admin)
    url = reverse(
        "setup:setup_timetable_grid", args=[c.school.pk, c.year.pk, timetable.pk, c.class_5b.pk]
    )
    before = table_counts()
    response = client.post(
        url, {"weekday": 1, "period": period(c, 1).pk, "assignment": c.math_5a.pk}
    )
    assert response.context["form"].errors["assignment"]
    assert table_counts() == before


def test_outsiders_cannot_touch_the_timetable(login, community: Community, timetable: Timetable):
    c = community
    entry = timetable_entry_create(
        actor=c.school_admin,
        timetable=timetable,
        weekday=1,
        period=period(c, 1),
        assignment=c.math_5a,
    )
    grid = reverse(
        "setup:setup_timetable_grid", args=[c.school.pk, c.year.pk, timetable.pk, c.class_5a.pk]
    )
    delete = reverse(
        "setup:setup_timetable_entry_delete",
        args=[c.school.pk, c.year.pk, timetable.pk, entry.pk],
    )
    before = table_counts()
    for user in (c.other_school_admin, c.teacher, c.director, c.outsider):
        client = login(user)
        assert client.get(grid).status_code == 404
        assert (
            client.post(
                grid, {"weekday": 2, "period": period(c, 1).pk, "assignment": c.math_5a.pk}
            ).status_code
            == 404
        )
        assert client.post(delete).status_code == 404
    assert table_counts() == before


# --- lessons --------------------------------------------------------------------------


def test_lessons_materialise_skips_weekends_and_holidays_and_is_idempotent(
    community: Community, timetable: Timetable
):
    c = community
    admin = c.school_admin
    timetable_entry_create(
        actor=admin, timetable=timetable, weekday=1, period=period(c, 1), assignment=c.math_5a
    )
    timetable_entry_create(
        actor=admin, timetable=timetable, weekday=1, period=period(c, 2), assignment=c.ukrainian_5a
    )
    timetable_entry_create(
        actor=admin, timetable=timetable, weekday=6, period=period(c, 1), assignment=c.math_5a
    )
    # 19 Oct – 8 Nov 2026: Mondays 19 Oct, 26 Oct (holiday 26 Oct – 1 Nov), 2 Nov
    events = AuditEvent.objects.filter(action="lesson.materialise").count()
    created = lessons_materialise(
        actor=admin, year=c.year, start=d("2026-10-19"), end=d("2026-11-08")
    )
    assert created == 4
    dates = sorted(set(Lesson.objects.values_list("date", flat=True)))
    assert dates == [d("2026-10-19"), d("2026-11-02")]
    lesson = Lesson.objects.get(date=d("2026-10-19"), period=period(c, 1))
    assert lesson.assignment == c.math_5a and lesson.timetable_entry is not None
    assert (
        lessons_materialise(actor=admin, year=c.year, start=d("2026-10-19"), end=d("2026-11-08"))
        == 0
    )
    assert Lesson.objects.count() == 4
    assert AuditEvent.objects.filter(action="lesson.materialise").count() == events + 2
    summary = AuditEvent.objects.filter(action="lesson.materialise").last()
    assert summary.after["created"] == 0


def test_lessons_follow_the_timetable_valid_on_each_day(community: Community, timetable: Timetable):
    c = community
    admin = c.school_admin
    timetable_update(
        actor=admin,
        timetable=timetable,
        name="Осінь",
        valid_from=d("2026-09-01"),
        valid_to=d("2026-09-13"),
    )
    winter = timetable_create(
        actor=admin, year=c.year, name="Зима", valid_from=d("2026-09-14"), valid_to=d("2027-05-31")
    )
    timetable_entry_create(
        actor=admin, timetable=timetable, weekday=1, period=period(c, 1), assignment=c.math_5a
    )
    timetable_entry_create(
        actor=admin, timetable=winter, weekday=1, period=period(c, 3), assignment=c.ukrainian_5a
    )
    created = lessons_materialise(
        actor=admin, year=c.year, start=d("2026-09-07"), end=d("2026-09-20")
    )
    assert created == 2
    assert set(Lesson.objects.values_list("date", "assignment_id")) == {
        (d("2026-09-07"), c.math_5a.pk),
        (d("2026-09-14"), c.ukrainian_5a.pk),
    }


def test_lessons_page_creates_lessons_for_a_term_and_shows_the_count(
    login, community: Community, timetable: Timetable
):
    c = community
    timetable_entry_create(
        actor=c.school_admin,
        timetable=timetable,
        weekday=5,
        period=period(c, 1),
        assignment=c.math_5a,
    )
    url = reverse("setup:setup_lessons", args=[c.school.pk, c.year.pk])
    client = login(c.school_admin)
    response = client.post(url, {"term": c.term1.pk})
    assert response.status_code == 200
    # Fridays of 1 Sep – 24 Dec 2026 minus the autumn holiday week (30 Oct)
    assert response.context["created"] == 15
    assert Lesson.objects.count() == 15
    assert "15" in response.content.decode()
    again = client.post(url, {"start": "2026-09-01", "end": "2026-12-24"})
    assert again.context["created"] == 0
    assert Lesson.objects.count() == 15
    empty = client.post(url, {})
    assert empty.context["form"].errors
    for user in (c.director, c.other_school_admin):
        assert login(user).post(url, {"term": c.term2.pk}).status_code == 404
    assert Lesson.objects.count() == 15


def test_removing_a_timetable_entry_is_audited(community: Community, timetable: Timetable):
    c = community
    entry = timetable_entry_create(
        actor=c.school_admin,
        timetable=timetable,
        weekday=1,
        period=period(c, 1),
        assignment=c.math_5a,
    )
    timetable_entry_delete(actor=c.school_admin, entry=entry)
    event = AuditEvent.objects.filter(action="timetable_entry.delete").get()
    assert event.before["assignment_id"] == c.math_5a.pk
