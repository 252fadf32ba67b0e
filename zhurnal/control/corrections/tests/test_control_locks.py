"""Term locks: the director and deputy directors lock a term for a class, one subject of
it, or every class; unlock; everyone else gets 404; a closed year is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.cast import Community, make_staff
from zhurnal.audit.models import AuditEvent
from zhurnal.journal.models import Correction, CorrectionStatus, Mark, TermLock
from zhurnal.journal.services import mark_set, term_lock
from zhurnal.people.models import Role
from zhurnal.schools.models import AcademicYear, ClassGroup, Term
from zhurnal.timetable.models import Lesson, Period

NON_CONTROLLERS = [
    "teacher",
    "class_teacher",
    "school_admin",
    "other_school_admin",
    "department",
    "outsider",
]


def locks_url(community: Community) -> str:
    return reverse("control:locks", args=[community.school.pk])


def add_url(community: Community) -> str:
    return reverse("control:lock_add", args=[community.school.pk])


def add_all_url(community: Community) -> str:
    return reverse("control:lock_add_all", args=[community.school.pk])


def unlock_url(community: Community, lock: TermLock) -> str:
    return reverse("control:lock_remove", args=[community.school.pk, lock.pk])


def lock_data(community: Community, **extra: object) -> dict[str, object]:
    return {
        "year": community.year.pk,
        "term": community.term1.pk,
        "class_group": community.class_5a.pk,
        **extra,
    }


def messages_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize("who", ["deputy", "director"])
def test_controller_locks_a_term_for_a_class(community: Community, login, who: str) -> None:
    actor = getattr(community, who)
    client = login(actor)

    response = client.post(add_url(community), lock_data(community), follow=True)

    assert response.status_code == 200
    lock = TermLock.objects.get()
    assert (lock.term, lock.class_group, lock.subject) == (
        community.term1,
        community.class_5a,
        None,
    )
    assert lock.locked_by == actor
    assert len(messages_of(response)) == 1
    assert unlock_url(community, lock) in response.content.decode()
    event = AuditEvent.objects.get(action="term.lock")
    assert event.actor == actor
    assert event.school_id == community.school.pk


def test_deputy_locks_one_subject_and_only_it_waits_for_approval(
    community: Community, login
) -> None:
    login(community.deputy).post(
        add_url(community), lock_data(community, subject=community.math.pk)
    )
    period = Period.objects.get(year=community.year, number=1)
    math_lesson = Lesson.objects.create(
        assignment=community.math_5a, date=dt.date(2026, 10, 5), period=period
    )
    ukrainian_lesson = Lesson.objects.create(
        assignment=community.ukrainian_5a, date=dt.date(2026, 10, 5), period=period
    )

    math = mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.student,
        value="9",
        lesson=math_lesson,
    )
    ukrainian = mark_set(
        actor=community.other_teacher,
        assignment=community.ukrainian_5a,
        student=community.student,
        value="9",
        lesson=ukrainian_lesson,
    )

    assert TermLock.objects.get().subject == community.math
    assert math.pending
    assert not ukrainian.pending
    assert list(Mark.objects.values_list("assignment", flat=True)) == [community.ukrainian_5a.pk]


def test_locking_twice_says_it_is_already_locked(community: Community, login) -> None:
    client = login(community.deputy)
    client.post(add_url(community), lock_data(community), follow=True)

    response = client.post(
        add_url(community), lock_data(community, subject=community.math.pk), follow=True
    )

    assert TermLock.objects.count() == 1  # the whole class is locked already
    assert len(messages_of(response)) == 1
    assert AuditEvent.objects.filter(action="term.lock").count() == 1


def test_lock_for_every_class_of_the_term(community: Community, login) -> None:
    eleven = ClassGroup.objects.create(year=community.year, grade=11, letter="А")
    juniors = Term.objects.create(
        year=community.year,
        number=1,
        kind="quarter",
        name="І чверть",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 10, 25),
        grade_from=5,
        grade_to=9,
    )
    client = login(community.deputy)
    term_lock(actor=community.deputy, term=juniors, class_group=community.class_5b)

    response = client.post(
        add_all_url(community), {"year": community.year.pk, "term": juniors.pk}, follow=True
    )

    assert response.status_code == 200
    locked = set(TermLock.objects.filter(term=juniors).values_list("class_group", flat=True))
    assert locked == {community.class_5a.pk, community.class_5b.pk}
    assert eleven.pk not in locked
    assert community.other_school_class.pk not in locked
    assert len(messages_of(response)) == 1
    assert "5-А" in messages_of(response)[0]
    assert "5-Б" not in messages_of(response)[0]  # it was locked already

    again = client.post(
        add_all_url(community), {"year": community.year.pk, "term": juniors.pk}, follow=True
    )
    assert TermLock.objects.filter(term=juniors).count() == 2
    assert len(messages_of(again)) == 1


def test_unlock_lets_changes_apply_at_once_again(community: Community, login) -> None:
    lock = term_lock(actor=community.deputy, term=community.term1, class_group=community.class_5a)
    client = login(community.director)

    response = client.post(unlock_url(community, lock), {}, follow=True)

    assert response.status_code == 200
    assert not TermLock.objects.exists()
    event = AuditEvent.objects.get(action="term.unlock")
    assert event.actor == community.director
    assert event.object_id == str(lock.pk)
    lesson = Lesson.objects.create(
        assignment=community.math_5a,
        date=dt.date(2026, 10, 5),
        period=Period.objects.get(year=community.year, number=1),
    )
    result = mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.student,
        value="11",
        lesson=lesson,
    )
    assert not result.pending
    assert Mark.objects.get().value == "11"


@pytest.mark.parametrize("who", NON_CONTROLLERS)
def test_others_get_404_and_lock_nothing(community: Community, login, who: str) -> None:
    lock = term_lock(actor=community.deputy, term=community.term2, class_group=community.class_5b)
    events = AuditEvent.objects.count()
    client = login(getattr(community, who))

    assert client.get(locks_url(community)).status_code == 404
    assert client.post(add_url(community), lock_data(community)).status_code == 404
    add_all = client.post(
        add_all_url(community), {"year": community.year.pk, "term": community.term1.pk}
    )
    assert add_all.status_code == 404
    assert client.post(unlock_url(community, lock)).status_code == 404

    assert list(TermLock.objects.all()) == [lock]
    assert AuditEvent.objects.count() == events


def test_controller_cannot_touch_another_schools_locks(community: Community, login) -> None:
    other_deputy = make_staff(
        community.other_school, "other_deputy", "Іваненко", "Ніна", Role.DEPUTY
    )
    other_term = Term.objects.create(
        year=community.other_year,
        number=1,
        name="І семестр",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 12, 24),
    )
    theirs = term_lock(
        actor=other_deputy, term=other_term, class_group=community.other_school_class
    )
    client = login(community.deputy)

    # Through school A's address the lock of school B is not found...
    assert client.post(unlock_url(community, theirs)).status_code == 404
    # ...school B's pages are not reachable...
    other_locks = reverse("control:locks", args=[community.other_school.pk])
    assert client.get(other_locks).status_code == 404
    # ...and school B's term or class cannot be smuggled into school A's form.
    response = client.post(
        add_url(community),
        {"year": community.year.pk, "term": other_term.pk, "class_group": community.class_5a.pk},
    )
    assert response.status_code == 400
    response = client.post(
        add_url(community), lock_data(community, class_group=community.other_school_class.pk)
    )
    assert response.status_code == 400
    assert list(TermLock.objects.all()) == [theirs]


def test_term_of_other_grades_cannot_be_locked_for_a_class(community: Community, login) -> None:
    seniors = Term.objects.create(
        year=community.year,
        number=1,
        kind="half_year",
        name="І півріччя",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 12, 24),
        grade_from=10,
        grade_to=11,
    )

    response = login(community.deputy).post(
        add_url(community), lock_data(community, term=seniors.pk)
    )

    assert response.status_code == 400
    assert response.context["form"].errors["class_group"]
    assert not TermLock.objects.exists()


def test_closed_year_is_refused_with_the_services_message(community: Community, login) -> None:
    lock = term_lock(actor=community.deputy, term=community.term2, class_group=community.class_5b)
    AcademicYear.objects.filter(pk=community.year.pk).update(closed_at=timezone.now())
    client = login(community.deputy)

    add = client.post(add_url(community), lock_data(community))
    add_all = client.post(
        add_all_url(community), {"year": community.year.pk, "term": community.term1.pk}
    )
    unlock = client.post(unlock_url(community, lock), follow=True)

    assert add.status_code == 400
    assert "2026/2027" in str(add.context["form"].non_field_errors())
    assert add_all.status_code == 400
    assert "2026/2027" in str(add_all.context["bulk_form"].non_field_errors())
    assert any("2026/2027" in message for message in messages_of(unlock))
    assert list(TermLock.objects.all()) == [lock]
    assert (
        not AuditEvent.objects.filter(action__in=["term.lock", "term.unlock"])
        .exclude(object_id=str(lock.pk))
        .exists()
    )
    assert AuditEvent.objects.filter(action="term.unlock").count() == 0
    # The closed year's locks are still shown, read-only.
    page = client.get(locks_url(community))
    assert page.context["read_only"]
    assert unlock_url(community, lock) not in page.content.decode()


def test_locks_page_defaults_to_the_open_year(community: Community, login) -> None:
    AcademicYear.objects.filter(pk=community.year.pk).update(closed_at=timezone.now())
    next_year = AcademicYear.objects.create(
        school=community.school,
        name="2027/2028",
        starts_on=dt.date(2027, 9, 1),
        ends_on=dt.date(2028, 6, 30),
    )
    client = login(community.deputy)

    response = client.get(locks_url(community))
    older = client.get(locks_url(community) + f"?year={community.year.pk}")
    foreign = client.get(locks_url(community) + f"?year={community.other_year.pk}")

    assert response.context["year"] == next_year
    assert not response.context["read_only"]
    assert older.context["year"] == community.year
    assert older.context["read_only"]
    assert foreign.context["year"] == next_year


def test_locks_page_shows_waiting_changes_and_runs_fixed_queries(
    community: Community, login
) -> None:
    period = Period.objects.get(year=community.year, number=1)
    lesson = Lesson.objects.create(
        assignment=community.math_5a, date=dt.date(2026, 10, 5), period=period
    )
    term_lock(actor=community.deputy, term=community.term1, class_group=community.class_5a)
    mark_set(
        actor=community.teacher,
        assignment=community.math_5a,
        student=community.student,
        value="10",
        lesson=lesson,
    )
    client = login(community.deputy)
    with CaptureQueriesContext(connection) as few:
        response = client.get(locks_url(community))
    rows = response.context["rows"]
    assert [(row.lock.class_group, row.pending) for row in rows] == [(community.class_5a, 1)]
    assert Correction.objects.get().status == CorrectionStatus.PENDING

    for letter in "ВГДЕЖ":
        group = ClassGroup.objects.create(year=community.year, grade=6, letter=letter)
        term_lock(actor=community.deputy, term=community.term1, class_group=group)
        term_lock(
            actor=community.deputy, term=community.term2, class_group=group, subject=community.math
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(locks_url(community))

    assert len(response.context["rows"]) == 11
    assert len(many) == len(few)
    assert len(many) <= 12
