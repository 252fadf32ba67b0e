"""Who may reach which school, class and student. Missing and not-yours are the same 404."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.people.models import DerivedRole, Role, RoleAssignment, Student
from zhurnal.people.selectors import in_class_order
from zhurnal.schools.models import ClassGroup, School

SCHOOL_MANAGERS = (Role.SCHOOL_ADMIN, Role.DIRECTOR, Role.DEPUTY)
SCHOOL_READERS = (*SCHOOL_MANAGERS, Role.TEACHER, Role.MEDICAL)


@dataclass(frozen=True)
class RoleGrant:
    """One role a user holds, with its scope; the unit of the role picker."""

    role: str
    label: str
    school_id: int | None = None
    municipality_id: int | None = None
    class_group_id: int | None = None
    scope_name: str = ""

    @property
    def key(self) -> str:
        scope = self.class_group_id or self.school_id or self.municipality_id or 0
        return f"{self.role}:{scope}"


def user_grants(user: User) -> list[RoleGrant]:
    """Every role the user holds: assigned roles, class teacher duty, student, guardian."""
    if not user.is_authenticated:
        return []
    grants: list[RoleGrant] = []
    labels = dict(Role.choices) | dict(DerivedRole.choices)
    for assignment in RoleAssignment.objects.filter(user=user).select_related(
        "school", "municipality"
    ):
        grants.append(
            RoleGrant(
                role=assignment.role,
                label=str(labels[assignment.role]),
                school_id=assignment.school_id,
                municipality_id=assignment.municipality_id,
                scope_name=str(assignment.school or assignment.municipality),
            )
        )
    for class_group in ClassGroup.objects.filter(
        class_teacher=user, year__closed_at__isnull=True
    ).select_related("year__school"):
        grants.append(
            RoleGrant(
                role=DerivedRole.CLASS_TEACHER,
                label=str(labels[DerivedRole.CLASS_TEACHER]),
                school_id=class_group.year.school_id,
                class_group_id=class_group.pk,
                scope_name=f"{class_group} · {class_group.year.school}",
            )
        )
    if Student.objects.filter(user=user).exists():
        grants.append(RoleGrant(role=DerivedRole.STUDENT, label=str(labels[DerivedRole.STUDENT])))
    if hasattr(user, "guardian"):
        grants.append(RoleGrant(role=DerivedRole.GUARDIAN, label=str(labels[DerivedRole.GUARDIAN])))
    return grants


def has_school_role(user: User, school_id: int, roles: Iterable[str]) -> bool:
    return RoleAssignment.objects.filter(
        user=user, school_id=school_id, role__in=list(roles)
    ).exists()


def school_for_user(user: User, school_id: int, *, roles: Iterable[str]) -> School:
    """The school if the user holds one of `roles` there, else 404."""
    if not user.is_authenticated:
        raise Http404(_("Not found"))
    school = (
        School.objects.filter(
            pk=school_id,
            role_assignments__user=user,
            role_assignments__role__in=list(roles),
        )
        .select_related("municipality")
        .first()
    )
    if school is None:
        raise Http404(_("Not found"))
    return school


def schools_for_department(user: User) -> list[School]:
    municipality_ids = RoleAssignment.objects.filter(user=user, role=Role.DEPARTMENT).values(
        "municipality_id"
    )
    return list(School.objects.filter(municipality_id__in=municipality_ids).order_by("short_name"))


def class_group_for_user(user: User, class_group_id: int, *, manage: bool = False) -> ClassGroup:
    """A class for its class teacher, or for the school's administration; else 404.

    With manage=False, school teachers may also read it (for their own lessons).
    """
    if not user.is_authenticated:
        raise Http404(_("Not found"))
    roles = SCHOOL_MANAGERS if manage else SCHOOL_READERS
    school_ids = RoleAssignment.objects.filter(user=user, role__in=roles).values("school_id")
    class_group = (
        ClassGroup.objects.filter(pk=class_group_id)
        .filter(Q(class_teacher=user) | Q(year__school_id__in=school_ids))
        .select_related("year__school", "class_teacher")
        .first()
    )
    if class_group is None:
        raise Http404(_("Not found"))
    return class_group


def class_group_for_class_teacher(user: User, class_group_id: int) -> ClassGroup:
    """Only the class teacher of this very class (issuing access codes, family data)."""
    if not user.is_authenticated:
        raise Http404(_("Not found"))
    class_group = (
        ClassGroup.objects.filter(pk=class_group_id, class_teacher=user)
        .select_related("year__school")
        .first()
    )
    if class_group is None:
        raise Http404(_("Not found"))
    return class_group


def children_of(user: User) -> list[Student]:
    if not user.is_authenticated or not hasattr(user, "guardian"):
        return []
    return in_class_order(user.guardian.children.order_by())


def student_for_family(user: User, student_id: int) -> Student:
    """The student themself or a guardian's own child; anyone else gets 404."""
    if not user.is_authenticated:
        raise Http404(_("Not found"))
    student = (
        Student.objects.filter(pk=student_id)
        .filter(Q(user=user) | Q(guardians__user=user))
        .distinct()
        .first()
    )
    if student is None:
        raise Http404(_("Not found"))
    return student
