"""Reads for a student's record (особова справа): who may open it and what they see, and
the access log of the record. Health and PE group are special-category data: the class
teacher, the administration, the medical worker and the student's PE teacher only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.audit.models import RecordAccess
from zhurnal.core.timeutil import local_today
from zhurnal.people.models import (
    DerivedRole,
    Enrollment,
    Role,
    RoleAssignment,
    Student,
    StudentGuardian,
)
from zhurnal.timetable.models import TeachingAssignment

ADMINISTRATION = (Role.DIRECTOR, Role.DEPUTY, Role.SCHOOL_ADMIN)
# Roles written to the access log for those who open the record as a teacher of the class.
PE_TEACHER = "pe_teacher"
RECORD_OBJECT_TYPE = "people.student"


@dataclass(frozen=True)
class RecordGrant:
    """Why the user may open the record, and which parts they see."""

    role: str
    school_id: int
    sees_special_category: bool  # health group and PE group
    sees_access_log: bool


@dataclass(frozen=True)
class StudentRecord:
    student: Student
    grant: RecordGrant
    enrollments: list[Enrollment]
    guardians: list[StudentGuardian]


def _current(enrollment: Enrollment, today: dt.date) -> bool:
    year = enrollment.class_group.year
    return (
        year.closed_at is None
        and enrollment.starts_on <= today
        and (enrollment.ends_on is None or enrollment.ends_on >= today)
    )


def _grant(user: User, enrollments: list[Enrollment]) -> RecordGrant | None:
    schools = {enrollment.class_group.year.school_id for enrollment in enrollments}
    roles = dict(
        RoleAssignment.objects.filter(
            user=user, school_id__in=schools, role__in=[*ADMINISTRATION, Role.MEDICAL]
        ).values_list("role", "school_id")
    )
    for role in ADMINISTRATION:
        if role in roles:
            return RecordGrant(role, roles[role], sees_special_category=True, sees_access_log=True)
    today = local_today()
    current = [enrollment for enrollment in enrollments if _current(enrollment, today)]
    for enrollment in current:
        if enrollment.class_group.class_teacher_id == user.pk:
            return RecordGrant(
                DerivedRole.CLASS_TEACHER,
                enrollment.class_group.year.school_id,
                sees_special_category=True,
                sees_access_log=False,
            )
    if Role.MEDICAL in roles:
        return RecordGrant(
            Role.MEDICAL, roles[Role.MEDICAL], sees_special_category=True, sees_access_log=False
        )
    classes = {enrollment.class_group_id: enrollment for enrollment in current}
    taught = list(
        TeachingAssignment.objects.filter(teacher=user, class_group_id__in=classes).values_list(
            "class_group_id", "subject__is_physical_education"
        )
    )
    if not taught:
        return None
    physical = [class_id for class_id, is_pe in taught if is_pe]
    class_id = physical[0] if physical else taught[0][0]
    return RecordGrant(
        PE_TEACHER if physical else Role.TEACHER,
        classes[class_id].class_group.year.school_id,
        sees_special_category=bool(physical),
        sees_access_log=False,
    )


def student_record_for_user(user: User, student_id: int) -> StudentRecord:
    """A student's record for the staff who work with the student: the school's
    administration, the class teacher, the medical worker and the teachers of the
    student's current class; anyone else (families too) gets 404. Five queries."""
    if not user.is_authenticated:
        raise Http404(_("Not found"))
    student = Student.objects.filter(pk=student_id).first()
    if student is None:
        raise Http404(_("Not found"))
    enrollments = list(
        Enrollment.objects.filter(student=student)
        .select_related("class_group__year__school", "class_group__class_teacher")
        .order_by("starts_on", "pk")
    )
    grant = _grant(user, enrollments) if enrollments else None
    if grant is None:
        raise Http404(_("Not found"))
    guardians = list(
        StudentGuardian.objects.filter(student=student)
        .select_related("guardian")
        .order_by("guardian__surname", "guardian__given_name", "pk")
    )
    return StudentRecord(student=student, grant=grant, enrollments=enrollments, guardians=guardians)


def record_accesses(student: Student, *, limit: int = 200) -> QuerySet[RecordAccess]:
    """Who opened the student's record and when, newest first: one query."""
    return RecordAccess.objects.filter(
        object_type=RECORD_OBJECT_TYPE, object_id=str(student.pk)
    ).order_by("-at", "-pk")[:limit]


def role_label(role: str) -> str:
    """The role an access was made in, in words."""
    if role == PE_TEACHER:
        return _("physical education teacher")
    labels: dict[str, str] = {
        code: str(label) for code, label in (*Role.choices, *DerivedRole.choices)
    }
    return labels.get(role, role)
