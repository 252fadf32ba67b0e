"""Student movement services: transfers within the school and across the community,
leaving, and the year-end promotion; each refusal changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.cast import Community, make_staff
from zhurnal.audit.models import AuditEvent
from zhurnal.journal.grid.selectors import journal_grid
from zhurnal.journal.models import Mark
from zhurnal.people.models import (
    Enrollment,
    LeaveReason,
    Role,
    Sex,
    Student,
    StudentGuardian,
    SubgroupMember,
)
from zhurnal.schools.models import AcademicYear, ClassGroup, Municipality, School, Subgroup
from zhurnal.students.movement.selectors import promotion_plan
from zhurnal.students.movement.services import (
    student_leave,
    student_transfer_class,
    student_transfer_school,
    year_promote,
)
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment

DAY = dt.date(2026, 11, 16)


def state() -> tuple[object, ...]:
    """Everything a refused movement must leave as it was."""
    return (
        sorted(
            Enrollment.objects.values_list(
                "pk", "student_id", "class_group_id", "starts_on", "ends_on", "leave_reason"
            )
        ),
        AuditEvent.objects.count(),
        ClassGroup.objects.count(),
        SubgroupMember.objects.count(),
    )


def current(community: Community, student: Student | None = None) -> Enrollment:
    return Enrollment.objects.select_related("class_group__year__school", "student").get(
        student=student or community.student, ends_on__isnull=True
    )


def lesson(community: Community, day: dt.date, assignment: TeachingAssignment) -> Lesson:
    return Lesson.objects.create(
        assignment=assignment,
        date=day,
        period=Period.objects.get(year=community.year, number=1),
    )


def test_transfer_within_the_school_ends_the_old_enrollment_and_starts_a_new_one(
    community: Community,
) -> None:
    old = current(community)

    new = student_transfer_class(
        actor=community.school_admin,
        enrollment=old,
        target=community.class_5b,
        on=DAY,
        order="15-у",
    )

    old.refresh_from_db()
    assert (old.ends_on, old.order_out, old.leave_reason) == (
        dt.date(2026, 11, 15),
        "15-у",
        LeaveReason.CLASS_TRANSFER,
    )
    assert (new.class_group, new.starts_on, new.order_in, new.ends_on) == (
        community.class_5b,
        DAY,
        "15-у",
        None,
    )
    events = AuditEvent.objects.filter(action__startswith="enrollment.").order_by("pk")
    assert [(e.action, e.school_id, e.object_id) for e in events] == [
        ("enrollment.end", community.school.pk, str(old.pk)),
        ("enrollment.create", community.school.pk, str(new.pk)),
    ]


def test_transfer_keeps_marks_on_their_lessons_and_the_old_group_journal_shows_them(
    community: Community,
) -> None:
    group = Subgroup.objects.create(
        class_group=community.class_5a, subject=community.math, name="1 група"
    )
    SubgroupMember.objects.create(subgroup=group, student=community.student)
    group_math = TeachingAssignment.objects.create(
        year=community.year,
        teacher=community.teacher,
        subject=community.math,
        class_group=community.class_5a,
        subgroup=group,
        hours_per_week=Decimal(2),
    )
    before = lesson(community, dt.date(2026, 10, 5), group_math)
    after = lesson(community, dt.date(2026, 11, 23), group_math)
    mark = Mark.objects.create(
        assignment=group_math,
        lesson=before,
        student=community.student,
        kind="current",
        value="10",
        created_by=community.teacher,
    )

    student_transfer_class(
        actor=community.school_admin,
        enrollment=current(community),
        target=community.class_5b,
        on=DAY,
        order="15-у",
    )

    mark.refresh_from_db()
    assert (mark.lesson_id, mark.assignment_id, mark.value) == (before.pk, group_math.pk, "10")
    # The membership ends with the enrollment: kept, so the group's journal still shows
    # the student's marks up to the transfer and nothing after it.
    assert SubgroupMember.objects.filter(subgroup=group, student=community.student).exists()
    grid = journal_grid(group_math, community.term1)
    (row,) = [r for r in grid.rows if r.student.pk == community.student.pk]
    cells = {column.lesson_id: cell for column, cell in zip(grid.columns, row.cells, strict=False)}
    assert cells[before.pk].value == "10"
    assert cells[after.pk].enrolled is False


def test_transfer_to_a_school_of_the_community_is_recorded_in_both_schools(
    community: Community,
) -> None:
    old = current(community)

    new = student_transfer_school(
        actor=community.school_admin,
        enrollment=old,
        target=community.other_school_class,
        on=DAY,
        order="15-у",
    )

    old.refresh_from_db()
    assert (old.ends_on, old.leave_reason) == (dt.date(2026, 11, 15), LeaveReason.SCHOOL_TRANSFER)
    assert (new.class_group, new.starts_on) == (community.other_school_class, DAY)
    assert StudentGuardian.objects.filter(
        student=community.student, guardian=community.guardian_record
    ).exists()
    assert AuditEvent.objects.get(action="enrollment.end").school_id == community.school.pk
    assert AuditEvent.objects.get(action="enrollment.create").school_id == (
        community.other_school.pk
    )


def _closed(community: Community) -> None:
    AcademicYear.objects.filter(pk=community.year.pk).update(closed_at=timezone.now())


REFUSALS = {
    "same class": lambda c: dict(target=c.class_5a),
    "before the enrollment began": lambda c: dict(on=dt.date(2026, 9, 1)),
    "outside the year": lambda c: dict(on=dt.date(2027, 7, 2)),
    "no order": lambda c: dict(order="  "),
    "another year's class": lambda c: dict(
        target=ClassGroup.objects.create(
            year=AcademicYear.objects.create(
                school=c.school,
                name="2027/2028",
                starts_on=dt.date(2027, 9, 1),
                ends_on=dt.date(2028, 6, 30),
            ),
            grade=6,
            letter="А",
        )
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refused_transfer_within_the_school_changes_nothing(
    community: Community, case: str
) -> None:
    arguments = {"target": community.class_5b, "on": DAY, "order": "15-у"}
    arguments |= REFUSALS[case](community)
    was = state()

    with pytest.raises(ValidationError):
        student_transfer_class(
            actor=community.school_admin,
            enrollment=current(community),
            **arguments,  # type: ignore[arg-type]
        )

    assert state() == was


def test_transfer_in_a_closed_year_is_refused(community: Community) -> None:
    enrollment = current(community)
    _closed(community)
    enrollment.class_group.year.refresh_from_db()
    was = state()

    with pytest.raises(ValidationError):
        student_transfer_class(
            actor=community.school_admin,
            enrollment=enrollment,
            target=community.class_5b,
            on=DAY,
            order="1",
        )

    assert state() == was


def test_transfer_to_a_school_of_another_community_is_refused(community: Community) -> None:
    elsewhere = School.objects.create(
        municipality=Municipality.objects.create(name="Інша громада"),
        name="Школа",
        short_name="Школа",
        code="900009",
        kind="general",
    )
    year = AcademicYear.objects.create(
        school=elsewhere,
        name="2026/2027",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2027, 6, 30),
    )
    target = ClassGroup.objects.create(year=year, grade=5, letter="А")
    was = state()

    with pytest.raises(ValidationError):
        student_transfer_school(
            actor=community.school_admin,
            enrollment=current(community),
            target=target,
            on=DAY,
            order="1",
        )

    assert state() == was


def test_leaving_ends_the_enrollment_with_reason_and_note(community: Community) -> None:
    enrollment = current(community)

    student_leave(
        actor=community.director,
        enrollment=enrollment,
        on=DAY,
        order="20-у",
        reason=LeaveReason.OTHER,
        note="сімейне навчання за кордоном",
    )

    enrollment.refresh_from_db()
    assert (enrollment.ends_on, enrollment.order_out, enrollment.leave_reason) == (
        dt.date(2026, 11, 15),
        "20-у",
        LeaveReason.OTHER,
    )
    assert enrollment.leave_note == "сімейне навчання за кордоном"
    event = AuditEvent.objects.get(action="enrollment.end")
    assert event.after["leave_reason"] == "other"
    assert event.school_id == community.school.pk


@pytest.mark.parametrize(
    "changes",
    [
        {"reason": LeaveReason.OTHER, "note": ""},
        {"reason": LeaveReason.GRADUATED},
        {"on": dt.date(2026, 8, 1)},
    ],
)
def test_refused_leaving_changes_nothing(community: Community, changes: dict[str, object]) -> None:
    arguments: dict[str, object] = {"on": DAY, "order": "20-у", "reason": LeaveReason.ABROAD}
    arguments |= changes
    was = state()

    with pytest.raises(ValidationError):
        student_leave(
            actor=community.director,
            enrollment=current(community),
            **arguments,  # type: ignore[arg-type]
        )

    assert state() == was


# --- promotion --------------------------------------------------------------------------


class Promotion:
    """A small school: 5-А (three students, one left in spring), 11-А (two students)."""

    def __init__(self, community: Community) -> None:
        self.school = School.objects.create(
            municipality=community.municipality,
            name="Ліцей № 3",
            short_name="Ліцей № 3",
            code="100003",
            kind="general",
        )
        self.admin = make_staff(self.school, "admin3", "Адмін", "Ганна", Role.SCHOOL_ADMIN)
        self.teacher = make_staff(self.school, "teacher3", "Вчителька", "Ніна", Role.TEACHER)
        self.year = AcademicYear.objects.create(
            school=self.school,
            name="2026/2027",
            starts_on=dt.date(2026, 9, 1),
            ends_on=dt.date(2027, 6, 30),
        )
        self.next_year = AcademicYear.objects.create(
            school=self.school,
            name="2027/2028",
            starts_on=dt.date(2027, 9, 1),
            ends_on=dt.date(2028, 6, 30),
        )
        self.class_5 = ClassGroup.objects.create(
            year=self.year, grade=5, letter="А", class_teacher=self.teacher
        )
        self.class_11 = ClassGroup.objects.create(year=self.year, grade=11, letter="А")
        self.fives = [self.pupil(f"П{i}", self.class_5) for i in range(3)]
        self.left = self.pupil("Вибула", self.class_5, ends_on=dt.date(2027, 3, 1))
        self.elevens = [self.pupil(f"О{i}", self.class_11) for i in range(2)]

    def pupil(self, surname: str, group: ClassGroup, ends_on: dt.date | None = None) -> Student:
        student = Student.objects.create(
            municipality=self.school.municipality,
            surname=surname,
            given_name="Учень",
            birth_date=dt.date(2015, 1, 1),
            sex=Sex.MALE,
        )
        Enrollment.objects.create(
            student=student,
            class_group=group,
            starts_on=self.year.starts_on,
            ends_on=ends_on,
            leave_reason=LeaveReason.ABROAD if ends_on else "",
        )
        return student


def test_promotion_moves_classes_up_graduates_the_top_grade_and_keeps_back(
    community: Community,
) -> None:
    p = Promotion(community)
    kept = p.fives[2]

    result = year_promote(actor=p.admin, year=p.year, next_year=p.next_year, kept_back=[kept.pk])

    assert (result.classes_created, result.promoted, result.kept_back, result.graduated) == (
        2,
        2,
        1,
        2,
    )
    six = ClassGroup.objects.get(year=p.next_year, grade=6, letter="А")
    assert six.class_teacher == p.teacher
    five = ClassGroup.objects.get(year=p.next_year, grade=5, letter="А")
    assert five.class_teacher is None
    assert not ClassGroup.objects.filter(year=p.next_year, grade=12).exists()
    for student in p.fives[:2]:
        old, new = Enrollment.objects.filter(student=student).order_by("starts_on")
        assert (old.ends_on, old.leave_reason) == (p.year.ends_on, LeaveReason.PROMOTED)
        assert (new.class_group, new.starts_on, new.ends_on) == (six, p.next_year.starts_on, None)
    old, new = Enrollment.objects.filter(student=kept).order_by("starts_on")
    assert (old.leave_reason, new.class_group) == (LeaveReason.REPEATS, five)
    for student in p.elevens:
        (only,) = Enrollment.objects.filter(student=student)
        assert (only.ends_on, only.leave_reason) == (p.year.ends_on, LeaveReason.GRADUATED)
    (left,) = Enrollment.objects.filter(student=p.left)
    assert (left.ends_on, left.leave_reason) == (dt.date(2027, 3, 1), LeaveReason.ABROAD)
    actions = list(
        AuditEvent.objects.filter(school_id=p.school.pk).values_list("action", flat=True)
    )
    assert actions.count("class.create") == 2
    assert actions.count("year.promote") == 1
    # One event per class names every enrollment it ended and created.
    events = {e.object_id: e for e in AuditEvent.objects.filter(action="enrollment.promote")}
    assert set(events) == {str(p.class_5.pk), str(p.class_11.pk)}
    five_event = events[str(p.class_5.pk)].after
    assert {row["student_id"] for row in five_event["ended"]} == {s.pk for s in p.fives}
    assert {row["student_id"] for row in five_event["created"]} == {s.pk for s in p.fives}
    eleven_event = events[str(p.class_11.pk)].after
    assert [row["leave_reason"] for row in eleven_event["ended"]] == ["graduated", "graduated"]
    assert eleven_event["created"] == []


def test_promotion_run_twice_changes_nothing_the_second_time(community: Community) -> None:
    p = Promotion(community)
    year_promote(actor=p.admin, year=p.year, next_year=p.next_year, kept_back=[p.fives[0].pk])
    was = state()

    again = year_promote(actor=p.admin, year=p.year, next_year=p.next_year, kept_back=[])

    assert state() == was
    assert again.changed == 0
    assert again.already_done == 5
    plan = promotion_plan(year=p.year, next_year=p.next_year)
    assert plan.to_do == 0


def test_promotion_uses_an_existing_class_of_the_next_year(community: Community) -> None:
    p = Promotion(community)
    six = ClassGroup.objects.create(year=p.next_year, grade=6, letter="А")

    result = year_promote(actor=p.admin, year=p.year, next_year=p.next_year)

    assert result.classes_created == 0
    assert ClassGroup.objects.filter(year=p.next_year).count() == 1
    assert Enrollment.objects.filter(class_group=six).count() == 3


def test_promotion_of_a_closed_year_is_refused(community: Community) -> None:
    p = Promotion(community)
    AcademicYear.objects.filter(pk=p.year.pk).update(closed_at=timezone.now())
    p.year.refresh_from_db()
    was = state()

    with pytest.raises(ValidationError):
        year_promote(actor=p.admin, year=p.year, next_year=p.next_year)

    assert state() == was


def test_promotion_of_a_large_school_moves_everyone_once(community: Community) -> None:
    # speed is measured in docs/performance.md, never asserted here
    p = Promotion(community)
    students = Student.objects.bulk_create(
        Student(
            municipality=community.municipality,
            surname=f"Учень{i}",
            given_name="Тест",
            birth_date=dt.date(2012, 1, 1),
            sex=Sex.FEMALE,
        )
        for i in range(1000)
    )
    classes = ClassGroup.objects.bulk_create(
        ClassGroup(year=p.year, grade=grade, letter=letter)
        for grade in range(1, 11)
        for letter in "БВД"
    )
    Enrollment.objects.bulk_create(
        Enrollment(student=s, class_group=classes[i % len(classes)], starts_on=p.year.starts_on)
        for i, s in enumerate(students)
    )

    result = year_promote(actor=p.admin, year=p.year, next_year=p.next_year)
    assert result.promoted == 1003
