"""The movement pages: who may open and write them, what a transfer, leaving and the
promotion do through the page, the student's history across schools, and query counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.cast import Community, make_staff
from zhurnal.audit.models import AuditEvent, RecordAccess
from zhurnal.journal.models import Attendance, Mark
from zhurnal.people.models import Enrollment, LeaveReason, Role, Sex, Student
from zhurnal.schools.models import AcademicYear, ClassGroup, School
from zhurnal.timetable.models import Lesson, Period

NOW = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 11, 16)
NO_ACCESS = ["teacher", "class_teacher", "guardian", "department", "outsider", "other_school_admin"]


@pytest.fixture(autouse=True)
def _now(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    with translation.override("uk"):
        yield


def movement_url(community: Community, **query: object) -> str:
    url = reverse("students:movement", args=[community.school.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def transfer_url(community: Community, student: Student | None = None) -> str:
    student = student or community.student
    return reverse("students:movement_transfer", args=[community.school.pk, student.pk])


def leave_url(community: Community) -> str:
    return reverse("students:movement_leave", args=[community.school.pk, community.student.pk])


def promotion_url(community: Community) -> str:
    return reverse("students:promotion", args=[community.school.pk])


def history_url(student: Student) -> str:
    return reverse("students:student_history", args=[student.pk])


def enrollments() -> list[tuple[object, ...]]:
    return sorted(
        Enrollment.objects.values_list("student_id", "class_group_id", "starts_on", "ends_on")
    )


# --- access -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["school_admin", "director"])
def test_administration_opens_the_movement_page_with_actions(
    community: Community, login, who: str
) -> None:
    response = login(getattr(community, who)).get(
        movement_url(community, **{"class": community.class_5a.pk})
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert community.student.full_name in page
    assert transfer_url(community) in page
    assert leave_url(community) in page
    assert promotion_url(community) in page


def test_deputy_reads_the_movement_page_without_actions(community: Community, login) -> None:
    response = login(community.deputy).get(
        movement_url(community, **{"class": community.class_5a.pk})
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert community.student.full_name in page
    assert transfer_url(community) not in page
    assert login(community.deputy).get(transfer_url(community)).status_code == 404


@pytest.mark.parametrize("who", NO_ACCESS)
def test_others_get_404_on_every_movement_page(community: Community, login, who: str) -> None:
    client = login(getattr(community, who))
    for url in (
        movement_url(community),
        transfer_url(community),
        leave_url(community),
        promotion_url(community),
    ):
        assert client.get(url).status_code == 404, url


def test_anonymous_is_sent_to_log_in(client, community: Community) -> None:
    response = client.get(movement_url(community))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("who", ["deputy", *NO_ACCESS])
def test_post_by_a_reader_or_outsider_is_refused_and_changes_nothing(
    community: Community, login, who: str
) -> None:
    client = login(getattr(community, who))
    was, events = enrollments(), AuditEvent.objects.count()

    responses = [
        client.post(
            transfer_url(community),
            {"target": community.class_5b.pk, "on": "2026-11-16", "order": "1"},
        ),
        client.post(leave_url(community), {"on": "2026-11-16", "order": "1", "reason": "abroad"}),
        client.post(promotion_url(community), {}),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert enrollments() == was
    assert AuditEvent.objects.count() == events


# --- transfer ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["school_admin", "director"])
def test_transfer_to_another_class_through_the_page(community: Community, login, who: str) -> None:
    client = login(getattr(community, who))

    response = client.post(
        transfer_url(community),
        {
            "school": community.school.pk,
            "target": community.class_5b.pk,
            "on": "2026-11-16",
            "order": "15-у",
        },
    )

    assert response.status_code == 302
    new = Enrollment.objects.get(student=community.student, ends_on__isnull=True)
    assert (new.class_group, new.starts_on, new.order_in) == (community.class_5b, DAY, "15-у")
    old = Enrollment.objects.get(student=community.student, class_group=community.class_5a)
    assert (old.ends_on, old.leave_reason) == (dt.date(2026, 11, 15), LeaveReason.CLASS_TRANSFER)
    assert AuditEvent.objects.filter(
        action="enrollment.create", actor=getattr(community, who)
    ).exists()
    page = client.get(movement_url(community)).content.decode()
    assert "15-у" in page  # listed among the transfers within the school


@pytest.mark.parametrize(
    "data, field_error",
    [
        ({"target": "class_5a"}, "already studies in"),
        ({"on": "2026-09-01"}, "after the start of the current enrollment"),
        ({"on": "2027-08-01"}, "within the academic year"),
        ({"order": ""}, None),
    ],
)
def test_refused_transfer_shows_why_in_the_users_language_and_changes_nothing(
    community: Community, login, data: dict[str, str], field_error: str | None
) -> None:
    client = login(community.school_admin)
    post = {
        "school": community.school.pk,
        "target": community.class_5b.pk,
        "on": "2026-11-16",
        "order": "1",
    }
    post |= {k: (getattr(community, v).pk if v == "class_5a" else v) for k, v in data.items()}
    was, events = enrollments(), AuditEvent.objects.count()

    response = client.post(transfer_url(community), post)

    assert response.status_code == 200
    assert response.context["form"].errors
    if field_error == "already studies in":
        expected = gettext("%(student)s already studies in %(class)s.") % {
            "student": community.student.full_name,
            "class": community.class_5a,
        }
        assert expected in response.content.decode()
    assert enrollments() == was
    assert AuditEvent.objects.count() == events


def test_transfer_in_a_closed_year_is_refused(community: Community, login) -> None:
    AcademicYear.objects.filter(pk=community.year.pk).update(closed_at=NOW)
    was = enrollments()

    response = login(community.school_admin).post(
        transfer_url(community),
        {
            "school": community.school.pk,
            "target": community.class_5b.pk,
            "on": "2026-11-16",
            "order": "1",
        },
    )

    assert response.status_code == 200
    expected = gettext("The academic year %(year)s is closed: its data can only be read.") % {
        "year": community.year.name
    }
    assert expected in response.content.decode()
    assert enrollments() == was


def _marks_in_5a(community: Community) -> Lesson:
    lesson = Lesson.objects.create(
        assignment=community.math_5a,
        date=dt.date(2026, 10, 5),
        period=Period.objects.get(year=community.year, number=1),
    )
    Mark.objects.create(
        assignment=community.math_5a,
        lesson=lesson,
        student=community.student,
        kind="current",
        value="11",
        created_by=community.teacher,
    )
    Mark.objects.create(
        assignment=community.math_5a,
        term=community.term1,
        student=community.student,
        kind="term",
        value="9",
        created_by=community.teacher,
    )
    Attendance.objects.create(
        lesson=lesson, student=community.student, status="absent", recorded_by=community.teacher
    )
    return lesson


def _to_other_school(community: Community, login) -> None:  # type: ignore[no-untyped-def]
    response = login(community.school_admin).post(
        transfer_url(community),
        {
            "school": community.other_school.pk,
            "target": community.other_school_class.pk,
            "on": "2026-11-16",
            "order": "15-у",
        },
    )
    assert response.status_code == 302


def test_transfer_to_another_school_shows_as_arrival_there_and_departure_here(
    community: Community, login
) -> None:
    chooser = login(community.school_admin).get(
        transfer_url(community) + f"?school={community.other_school.pk}"
    )
    assert community.other_school_class.pk in [
        c.pk for c in chooser.context["form"].classes.values()
    ]

    _to_other_school(community, login)

    new = Enrollment.objects.get(student=community.student, ends_on__isnull=True)
    assert new.class_group == community.other_school_class
    assert AuditEvent.objects.get(action="enrollment.end").school_id == community.school.pk
    assert AuditEvent.objects.get(action="enrollment.create").school_id == community.other_school.pk
    there = login(community.other_school_admin).get(
        reverse("students:movement", args=[community.other_school.pk])
    )
    arrivals = there.context["overview"].arrivals
    assert [(r.student.pk, r.on) for r in arrivals] == [(community.student.pk, DAY)]
    assert str(community.school) in arrivals[0].other
    here = login(community.school_admin).get(movement_url(community))
    departures = here.context["overview"].departures
    assert [(r.student.pk, r.order) for r in departures] == [(community.student.pk, "15-у")]


def test_receiving_school_reads_the_history_and_a_third_school_does_not(
    community: Community, login
) -> None:
    _marks_in_5a(community)
    _to_other_school(community, login)
    third = School.objects.create(
        municipality=community.municipality,
        name="Школа № 3",
        short_name="Школа № 3",
        code="100003",
        kind="general",
    )
    third_admin = make_staff(third, "third_admin", "Третя", "Адмін", Role.SCHOOL_ADMIN)
    community.other_school_class.class_teacher = make_staff(
        community.other_school, "new_ct", "Нова", "Класна", Role.TEACHER
    )
    community.other_school_class.save()

    for user in (
        community.other_school_admin,
        community.other_school_class.class_teacher,
        community.school_admin,
        community.deputy,
    ):
        response = login(user).get(history_url(community.student))
        assert response.status_code == 200, user
        history = response.context["history"]
        (old_block,) = [b for b in history.classes if b.class_group == community.class_5a]
        (math,) = old_block.subjects
        assert (math.subject, math.term_marks, math.absences) == ("Математика", ["9"], 1)
        assert old_block.term_headers == ["І семестр"]
    assert RecordAccess.objects.filter(object_id=str(community.student.pk)).count() == 4

    for user in (
        third_admin,
        community.class_teacher,
        community.teacher,
        community.guardian,
        community.department,
        community.outsider,
    ):
        assert login(user).get(history_url(community.student)).status_code == 404, user


def test_guardian_keeps_the_diary_after_the_transfer(community: Community, login) -> None:
    lesson = _marks_in_5a(community)
    _to_other_school(community, login)

    response = login(community.guardian).get(
        reverse("diary:child_week", args=[community.student.pk]) + "?week=2026-10-05"
    )

    assert response.status_code == 200
    marks = [
        m.value for day in response.context["days"] for item in day.lessons for m in item.marks
    ]
    assert marks == ["11"]
    assert Mark.objects.get(kind="current").lesson == lesson


# --- leaving ----------------------------------------------------------------------------


def test_leaving_through_the_page_shows_the_student_as_left(community: Community, login) -> None:
    client = login(community.director)

    response = client.post(
        leave_url(community), {"on": "2026-11-16", "order": "20-у", "reason": "abroad", "note": ""}
    )

    assert response.status_code == 302
    enrollment = Enrollment.objects.get(student=community.student)
    assert (enrollment.ends_on, enrollment.leave_reason, enrollment.order_out) == (
        dt.date(2026, 11, 15),
        LeaveReason.ABROAD,
        "20-у",
    )
    page = client.get(movement_url(community, **{"class": community.class_5a.pk}))
    (row,) = [r for r in page.context["overview"].class_rows if r.student == community.student]
    assert (row.current, row.left_on) == (False, DAY)
    assert gettext("left from %(day)s") % {"day": "16.11.2026"} in page.content.decode()
    assert [r.student for r in page.context["overview"].departures] == [community.student]


def test_leaving_for_another_reason_needs_a_note(community: Community, login) -> None:
    was = enrollments()

    response = login(community.school_admin).post(
        leave_url(community), {"on": "2026-11-16", "order": "20-у", "reason": "other", "note": ""}
    )

    assert response.status_code == 200
    assert gettext("Say why the student leaves.") in response.content.decode()
    assert enrollments() == was


# --- promotion --------------------------------------------------------------------------


def test_promotion_without_a_next_year_links_to_the_year_set_up(
    community: Community, login
) -> None:
    response = login(community.school_admin).get(promotion_url(community))

    assert response.status_code == 200
    assert reverse("setup:setup_years", args=[community.school.pk]) in response.content.decode()
    assert login(community.director).get(promotion_url(community)).status_code == 200


def _next_year(community: Community) -> AcademicYear:
    return AcademicYear.objects.create(
        school=community.school,
        name="2027/2028",
        starts_on=dt.date(2027, 9, 1),
        ends_on=dt.date(2028, 6, 30),
    )


def test_promotion_preview_then_run_then_nothing_left(community: Community, login) -> None:
    next_year = _next_year(community)
    client = login(community.school_admin)

    preview = client.get(promotion_url(community) + f"?kept={community.other_student.pk}")
    plan = preview.context["plan"]
    assert [(c.source.name, c.target_name) for c in plan.classes] == [
        ("5-А", "6-А"),
        ("5-Б", "6-Б"),
    ]
    kept = [row.student for row in plan.rows() if row.kept_back]
    assert kept == [community.other_student]
    assert ClassGroup.objects.filter(year=next_year).count() == 0  # a preview writes nothing

    response = client.post(
        promotion_url(community), {"kept": [community.other_student.pk]}, follow=True
    )

    assert response.status_code == 200
    six_a = ClassGroup.objects.get(year=next_year, grade=6, letter="А")
    assert six_a.class_teacher == community.class_teacher
    assert Enrollment.objects.get(
        student=community.student, class_group=six_a
    ).starts_on == dt.date(2027, 9, 1)
    assert (
        Enrollment.objects.get(
            student=community.other_student, class_group__year=next_year
        ).class_group.name
        == "5-А"
    )
    was, events = enrollments(), AuditEvent.objects.count()

    again = client.post(promotion_url(community), {}, follow=True)

    assert enrollments() == was
    assert AuditEvent.objects.count() == events
    expected = gettext("Nothing left to do: the promotion to %(year)s was already done.") % {
        "year": next_year.name
    }
    assert expected in again.content.decode()


def test_deputy_reads_the_promotion_preview_but_cannot_run_it(community: Community, login) -> None:
    _next_year(community)
    client = login(community.deputy)

    response = client.get(promotion_url(community))

    assert response.status_code == 200
    assert response.context["writable"] is False
    assert client.post(promotion_url(community), {}).status_code == 404
    assert Enrollment.objects.filter(class_group__year__name="2027/2028").count() == 0


# --- query counts -----------------------------------------------------------------------


def _fill(community: Community, group: ClassGroup, count: int) -> None:
    students = Student.objects.bulk_create(
        Student(
            municipality=community.municipality,
            surname=f"Учень{group.pk}-{i}",
            given_name="Тест",
            birth_date=dt.date(2015, 1, 1),
            sex=Sex.MALE,
        )
        for i in range(count)
    )
    Enrollment.objects.bulk_create(
        Enrollment(
            student=s,
            class_group=group,
            starts_on=dt.date(2026, 10, 1) if i % 3 else dt.date(2026, 9, 1),
            ends_on=dt.date(2026, 11, 1) if i % 5 == 0 else None,
            leave_reason="abroad" if i % 5 == 0 else "",
        )
        for i, s in enumerate(students)
    )


@pytest.mark.parametrize("size", [3, 40])
def test_movement_page_queries_do_not_grow_with_the_school(
    community: Community, login, django_assert_max_num_queries, size: int
) -> None:
    _fill(community, community.class_5a, size)
    client = login(community.school_admin)
    url = movement_url(community, **{"class": community.class_5a.pk, "q": "Учень"})

    with django_assert_max_num_queries(12):
        response = client.get(url)

    assert response.status_code == 200
    assert len(response.context["overview"].class_rows) >= size


@pytest.mark.parametrize("size", [3, 40])
def test_promotion_preview_queries_do_not_grow_with_the_school(
    community: Community, login, django_assert_max_num_queries, size: int
) -> None:
    _next_year(community)
    _fill(community, community.class_5b, size)
    client = login(community.school_admin)

    with django_assert_max_num_queries(12):
        response = client.get(promotion_url(community))

    assert response.status_code == 200


def test_history_queries_do_not_grow_with_the_record(
    community: Community, login, django_assert_max_num_queries
) -> None:
    _marks_in_5a(community)
    client = login(community.school_admin)

    with django_assert_max_num_queries(10):
        response = client.get(history_url(community.student))

    assert response.status_code == 200
