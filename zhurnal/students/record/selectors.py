"""Reads for a student's record (особова справа) and its access log. Who may open it and
which parts they see is decided in `people.access` (`student_for_user(scope=RECORD)`,
`record_grant`): health and PE group are special-category data, for the class teacher, the
administration, the medical worker and the student's PE teacher only."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from zhurnal.audit.models import RecordAccess
from zhurnal.people.access import PE_TEACHER
from zhurnal.people.models import DerivedRole, Enrollment, Role, Student, StudentGuardian

RECORD_OBJECT_TYPE = "people.student"


@dataclass(frozen=True)
class StudentRecord:
    student: Student
    enrollments: list[Enrollment]
    guardians: list[StudentGuardian]


def record_of(student: Student) -> StudentRecord:
    """The record of a student reached through `people.access.student_for_user(scope=RECORD)`:
    enrollments (with class, class teacher, year and school) and guardians. Two queries."""
    enrollments = list(
        Enrollment.objects.filter(student=student)
        .select_related("class_group__year__school", "class_group__class_teacher")
        .order_by("starts_on", "pk")
    )
    guardians = list(
        StudentGuardian.objects.filter(student=student)
        .select_related("guardian")
        .order_by("guardian__surname", "guardian__given_name", "pk")
    )
    return StudentRecord(student=student, enrollments=enrollments, guardians=guardians)


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
