"""The chokepoints the school's control of journal keeping goes through: the school's
director and deputies reach its control (`school_for_user` with JOURNAL_CONTROLLERS); what a
page names by id is found only inside that school (`within=`), and only for them; a remark
is reached by its teacher. Missing and not-yours are one 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model
from django.http import Http404

from tests.cast import Community, make_staff
from zhurnal.accounts.models import User
from zhurnal.control.access import (
    correction_for_user,
    remark_for_user,
    report_for_user,
    term_lock_for_user,
)
from zhurnal.control.models import JournalRemark, Report, ReportKind
from zhurnal.journal.models import Correction, TermLock
from zhurnal.people.access import JOURNAL_CONTROLLERS, school_for_user, teacher_for_user
from zhurnal.people.models import Role
from zhurnal.schools.models import AcademicYear, School, Subject, Term
from zhurnal.timetable.access import assignment_for_user, lesson_for_user
from zhurnal.timetable.models import Lesson, Period, TeachingAssignment

MONDAY = dt.date(2026, 11, 9)
MISSING = 999_999


def _control(user: User, school_id: int) -> School:
    return school_for_user(user, school_id, roles=JOURNAL_CONTROLLERS)


@pytest.mark.parametrize("who", ["director", "deputy"])
def test_controllers_reach_their_school(community: Community, who: str) -> None:
    user = getattr(community, who)
    assert _control(user, community.school.pk) == community.school
    with pytest.raises(Http404):
        _control(user, community.other_school.pk)
    with pytest.raises(Http404):
        _control(user, MISSING)


@pytest.mark.parametrize(
    "who",
    [
        "teacher",
        "class_teacher",
        "school_admin",
        "other_school_admin",
        "department",
        "guardian",
        "student_user",
        "outsider",
    ],
)
def test_nobody_else_reaches_the_schools_control(community: Community, who: str) -> None:
    with pytest.raises(Http404):
        _control(getattr(community, who), community.school.pk)


def test_anonymous_reaches_nothing(community: Community) -> None:
    anonymous: Any = AnonymousUser()
    with pytest.raises(Http404):
        _control(anonymous, community.school.pk)
    with pytest.raises(Http404):
        remark_for_user(anonymous, MISSING)
    for fetch in IN_SCHOOL.values():
        with pytest.raises(Http404):
            fetch(anonymous, community.school, MISSING)


def _lesson(assignment: TeachingAssignment, year: AcademicYear) -> Lesson:
    period = Period.objects.filter(year=year).first() or Period.objects.create(
        year=year, number=1, starts_at=dt.time(8, 30), ends_at=dt.time(9, 15)
    )
    return Lesson.objects.create(assignment=assignment, date=MONDAY, period=period)


def _journal_of(community: Community, school: School) -> dict[str, Model]:
    """One of each object a control page names by id, in `school`."""
    if school == community.school:
        assignment, year = community.math_5a, community.year
        teacher = community.teacher
        term = community.term1
        class_group = community.class_5a
    else:
        year = community.other_year
        teacher = make_staff(school, "elsewhere", "Іваненко", "Олег", Role.TEACHER)
        assignment = TeachingAssignment.objects.create(
            year=year,
            teacher=teacher,
            subject=Subject.objects.create(school=school, name="Історія"),
            class_group=community.other_school_class,
            hours_per_week=Decimal(2),
        )
        term = Term.objects.create(
            year=year,
            number=1,
            name="I семестр",
            starts_on=year.starts_on,
            ends_on=year.starts_on + dt.timedelta(days=100),
        )
        class_group = community.other_school_class
    lesson = _lesson(assignment, year)
    remark = JournalRemark.objects.create(
        school=school,
        assignment=assignment,
        teacher=teacher,
        author=community.deputy,
        text="Немає теми",
    )
    report = Report.objects.create(
        kind=ReportKind.WEEKLY_SCHOOL,
        municipality=school.municipality,
        school=school,
        period_start=MONDAY,
        period_end=MONDAY + dt.timedelta(days=6),
    )
    lock = TermLock.objects.create(term=term, class_group=class_group, locked_by=community.deputy)
    correction = Correction.objects.create(
        assignment=assignment,
        lesson=lesson,
        student=community.student,
        target="mark",
        requested_by=teacher,
    )
    return {
        "teacher": teacher,
        "assignment": assignment,
        "lesson": lesson,
        "remark": remark,
        "report": report,
        "lock": lock,
        "correction": correction,
    }


# What a control page names by id, each through its chokepoint inside the page's school.
IN_SCHOOL: dict[str, Callable[[User, School, int], Model]] = {
    "teacher": lambda user, school, pk: teacher_for_user(
        user, pk, roles=JOURNAL_CONTROLLERS, within=school
    ),
    "assignment": lambda user, school, pk: assignment_for_user(
        user, pk, roles=JOURNAL_CONTROLLERS, within=school
    ),
    "lesson": lambda user, school, pk: lesson_for_user(
        user, pk, roles=JOURNAL_CONTROLLERS, within=school
    ),
    "remark": lambda user, school, pk: remark_for_user(
        user, pk, roles=JOURNAL_CONTROLLERS, within=school
    ),
    "report": lambda user, school, pk: report_for_user(
        user, pk, roles=JOURNAL_CONTROLLERS, within=school
    ),
    "lock": lambda user, school, pk: term_lock_for_user(user, pk, within=school),
    "correction": lambda user, school, pk: correction_for_user(user, pk, within=school),
}


@pytest.mark.parametrize("kind", sorted(IN_SCHOOL))
def test_objects_are_found_only_inside_the_school(community: Community, kind: str) -> None:
    fetch = IN_SCHOOL[kind]
    own = _journal_of(community, community.school)[kind]
    elsewhere = _journal_of(community, community.other_school)[kind]
    for controller in (community.director, community.deputy):
        assert fetch(controller, community.school, own.pk) == own
        with pytest.raises(Http404):
            fetch(controller, community.school, elsewhere.pk)
        with pytest.raises(Http404):
            fetch(controller, community.school, MISSING)


@pytest.mark.parametrize("kind", sorted(IN_SCHOOL))
def test_the_chokepoint_itself_refuses_everyone_else(community: Community, kind: str) -> None:
    """Passing the school does not let anyone through: each chokepoint checks the user."""
    fetch = IN_SCHOOL[kind]
    own = _journal_of(community, community.school)[kind]
    for who in ("teacher", "class_teacher", "school_admin", "department", "guardian", "outsider"):
        with pytest.raises(Http404):
            fetch(getattr(community, who), community.school, own.pk)


def test_a_remark_is_reached_by_its_teacher_only(community: Community) -> None:
    remark = _journal_of(community, community.school)["remark"]
    assert remark_for_user(community.teacher, remark.pk) == remark
    for other in (community.other_teacher, community.deputy, community.director):
        with pytest.raises(Http404):
            remark_for_user(other, remark.pk)
