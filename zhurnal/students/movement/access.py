"""Who may record student movement and read a student's history. Missing and not-yours
are the same 404."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.people.access import SCHOOL_MANAGERS, has_school_role, school_for_user
from zhurnal.people.models import Enrollment, Role, RoleAssignment, Student
from zhurnal.schools.models import AcademicYear, School

# The administrator and the director move students; a deputy director reads the page.
MOVEMENT_WRITERS = (Role.SCHOOL_ADMIN, Role.DIRECTOR)
MOVEMENT_READERS = (*MOVEMENT_WRITERS, Role.DEPUTY)


def movement_school(user: User, school_id: int, *, write: bool = False) -> School:
    """The school's movement page: read by its administration, written by its
    administrator and director only."""
    return school_for_user(user, school_id, roles=MOVEMENT_WRITERS if write else MOVEMENT_READERS)


def can_move_students(user: User, school: School) -> bool:
    return has_school_role(user, school.pk, MOVEMENT_WRITERS)


def enrollment_for_movement(
    user: User, school: School, year: AcademicYear, student_id: int
) -> Enrollment:
    """The running enrollment of a student in a class of the school's `year`, for a user
    who may move students there (`school` comes from movement_school(write=True))."""
    if year.school_id != school.pk or not can_move_students(user, school):
        raise Http404(_("Not found"))
    enrollment = (
        Enrollment.objects.filter(
            student_id=student_id, class_group__year=year, ends_on__isnull=True
        )
        .select_related("student", "class_group__year__school__municipality")
        .first()
    )
    if enrollment is None:
        raise Http404(_("Not found"))
    return enrollment


def student_for_history(user: User, student_id: int, today: dt.date) -> Student:
    """A student's history: for the administration of every school where the student is
    or was enrolled, and for the class teacher of the student's current class. Anyone
    else (other schools, teachers, families, the department) gets 404."""
    if not user.is_authenticated:
        raise Http404(_("Not found"))
    school_ids = RoleAssignment.objects.filter(user=user, role__in=SCHOOL_MANAGERS).values(
        "school_id"
    )
    student = (
        Student.objects.filter(pk=student_id)
        .filter(
            Q(enrollments__class_group__year__school_id__in=school_ids)
            | (
                Q(enrollments__class_group__class_teacher=user)
                & (Q(enrollments__ends_on__isnull=True) | Q(enrollments__ends_on__gte=today))
            )
        )
        .distinct()
        .first()
    )
    if student is None:
        raise Http404(_("Not found"))
    return student
