"""The student chokepoint's record scope lets through exactly those for whom `record_grant`
finds which parts to show — the two are written side by side in people.access, one as a
query, one over the enrollments — whoever the user and wherever the student studied."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from tests.cast import Community, make_staff
from zhurnal.accounts.models import User
from zhurnal.people.access import StudentScope, record_grant, student_for_user
from zhurnal.people.models import Enrollment, Role, Student
from zhurnal.schools.models import ClassGroup, Subject
from zhurnal.timetable.models import TeachingAssignment


def _opens(user: User, student: Student) -> bool:
    try:
        student_for_user(user, student.pk, scope=StudentScope.RECORD)
    except Http404:
        return False
    return True


def _granted(user: User, student: Student) -> bool:
    enrollments = list(
        Enrollment.objects.filter(student=student).select_related(
            "class_group__year__school", "class_group__class_teacher"
        )
    )
    try:
        record_grant(user, enrollments)
    except Http404:
        return False
    return True


@pytest.fixture
def moved(community: Community) -> Student:
    """A student who studied at the other school last term and is in 5-А now."""
    student = community.student
    Enrollment.objects.filter(student=student).update(starts_on=dt.date(2026, 11, 2))
    Enrollment.objects.create(
        student=student,
        class_group=community.other_school_class,
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 10, 30),
    )
    return student


def test_the_record_scope_and_the_record_grant_agree(community: Community, moved: Student) -> None:
    pe = Subject.objects.create(
        school=community.school, name="Фізична культура", is_physical_education=True
    )
    pe_teacher = make_staff(community.school, "pe", "Ткачук", "Олег", Role.TEACHER)
    TeachingAssignment.objects.create(
        year=community.year,
        teacher=pe_teacher,
        subject=pe,
        class_group=community.class_5a,
        hours_per_week=Decimal(3),
    )
    class_5b_teacher = make_staff(community.school, "ct5b", "Мельник", "Ольга", Role.TEACHER)
    ClassGroup.objects.filter(pk=community.class_5b.pk).update(class_teacher=class_5b_teacher)
    users = {
        "medical": make_staff(community.school, "nurse", "Руденко", "Ліна", Role.MEDICAL),
        "medical elsewhere": make_staff(
            community.other_school, "nurse2", "Кушнір", "Ліна", Role.MEDICAL
        ),
        "pe teacher": pe_teacher,
        "class teacher of 5-Б": class_5b_teacher,
        **{
            who: getattr(community, who)
            for who in (
                "teacher",
                "other_teacher",
                "class_teacher",
                "school_admin",
                "other_school_admin",
                "director",
                "deputy",
                "department",
                "guardian",
                "student_user",
                "outsider",
            )
        },
    }
    opens = {name: _opens(user, moved) for name, user in users.items()}
    assert opens == {name: _granted(user, moved) for name, user in users.items()}
    # the administration of a school where the student studied before opens it too
    assert opens["other_school_admin"] and opens["medical elsewhere"]
    assert opens["other_teacher"] and not opens["class teacher of 5-Б"]  # teaches 5-А
    assert not opens["guardian"] and not opens["department"]
