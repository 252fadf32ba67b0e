"""Who may reach which school, class, student and set-up row. Roles live here, so the
chokepoints of the objects of `schools` and `people` do too (see docs/permissions.md):
`<object>_for_user(user, <object>_id, …)`, where `within=` is the object the address names
around the one asked for (its school, year or class) and another's is 404 like a missing
one. Missing and not-yours are the same 404 everywhere."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet, Subquery

from zhurnal.accounts.models import User
from zhurnal.core.access import ensure_signed_in, first_or_404, not_found
from zhurnal.core.timeutil import local_today
from zhurnal.people.models import (
    DerivedRole,
    Enrollment,
    Role,
    RoleAssignment,
    StaffMember,
    Student,
)
from zhurnal.people.selectors import in_class_order
from zhurnal.schools.models import (
    AcademicYear,
    ClassGroup,
    Holiday,
    Municipality,
    School,
    Subgroup,
    Subject,
    Term,
)

M = TypeVar("M", bound=Model)

SCHOOL_MANAGERS = (Role.SCHOOL_ADMIN, Role.DIRECTOR, Role.DEPUTY)
# The journal's control: they read every journal of their school and do not write marks;
# the administrator reads them too.
JOURNAL_CONTROLLERS = (Role.DIRECTOR, Role.DEPUTY)
JOURNAL_READERS = (*JOURNAL_CONTROLLERS, Role.SCHOOL_ADMIN)
# The school administrator prepares the year: the set-up rows are theirs alone.
SETUP_ROLES = (Role.SCHOOL_ADMIN,)
# The administrator and the director move students; a deputy director reads the page.
MOVEMENT_WRITERS = (Role.SCHOOL_ADMIN, Role.DIRECTOR)
MOVEMENT_READERS = (*MOVEMENT_WRITERS, Role.DEPUTY)
# A student's record: the administration (in this order, for the access log) and the
# medical worker of a school where the student is or was enrolled.
RECORD_ORDER = (Role.DIRECTOR, Role.DEPUTY, Role.SCHOOL_ADMIN)
RECORD_ROLES = (*RECORD_ORDER, Role.MEDICAL)
# The role written to the access log for the teacher of physical education.
PE_TEACHER = "pe_teacher"


class StudentScope(StrEnum):
    """Who reaches a student, by what they open."""

    FAMILY = "family"  # the diary: the student themself and their guardians
    HISTORY = "history"  # the history in the community: its schools' administration
    RECORD = "record"  # the personal record: the staff who work with the student


# --- roles ---------------------------------------------------------------------------------


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
    """Whether the user holds one of `roles` at the school."""
    return RoleAssignment.objects.filter(
        user=user, school_id=school_id, role__in=list(roles)
    ).exists()


def can_move_students(user: User, school: School) -> bool:
    """Whether the user records movements of the school's students (not only reads them)."""
    return has_school_role(user, school.pk, MOVEMENT_WRITERS)


def role_school_ids(user: User, roles: Iterable[str]) -> QuerySet[RoleAssignment, Any]:
    """The ids of the schools where the user holds one of `roles`, as a subquery: what the
    chokepoints here and in the apps above build their school-role checks on."""
    return RoleAssignment.objects.filter(user=user, role__in=list(roles)).values("school_id")


def _communities(user: User) -> QuerySet[RoleAssignment, Any]:
    """The ids of the communities whose department the user works in, first one first."""
    return (
        RoleAssignment.objects.filter(user=user, role=Role.DEPARTMENT, municipality__isnull=False)
        .order_by("municipality_id")
        .values("municipality_id")
    )


def _school_reach(user: User, roles: Iterable[str]) -> Q:
    """The schools where the user holds one of `roles`; the department role reaches every
    school of its communities."""
    roles = list(roles)
    reach = Q(pk__in=role_school_ids(user, roles))
    if Role.DEPARTMENT in roles:
        reach |= Q(municipality_id__in=_communities(user))
    return reach


# --- communities and schools ------------------------------------------------------------------


def municipality_for_user(user: User) -> Municipality:
    """The community whose department the user works in (the first one, should a specialist
    serve several): the department's monitoring works with that one, else 404. There is no
    id to ask for: the community is the specialist's own."""
    ensure_signed_in(user)
    return first_or_404(Municipality.objects.filter(pk=Subquery(_communities(user)[:1])))


def school_for_user(
    user: User, school_id: int, *, roles: Iterable[str], within: Municipality | None = None
) -> School:
    """The school if the user holds one of `roles` there (the department: a school of its
    community), else 404."""
    ensure_signed_in(user)
    queryset = School.objects.filter(_school_reach(user, roles), pk=school_id)
    if within is not None:
        queryset = queryset.filter(municipality=within)
    return first_or_404(queryset.select_related("municipality"))


def schools_for_user(user: User, *, roles: Iterable[str]) -> list[School]:
    """Every school where the user holds one of `roles` (the department: every school of
    its communities), by short name."""
    if not user.is_authenticated:
        return []
    return list(School.objects.filter(_school_reach(user, roles)).order_by("short_name"))


# --- the set-up rows of a school: its administrator's ------------------------------------------


def _setup_row(user: User, queryset: QuerySet[M], object_id: int, school: str) -> M:
    """A set-up row of a school the user administers (`school`: the path to the school's id)."""
    ensure_signed_in(user)
    return first_or_404(
        queryset.filter(pk=object_id, **{f"{school}__in": role_school_ids(user, SETUP_ROLES)})
    )


def academic_year_for_user(
    user: User, year_id: int, *, within: School | None = None
) -> AcademicYear:
    """An academic year, for the administrator of its school (the set-up), else 404."""
    queryset = (
        AcademicYear.objects.select_related("school__municipality")
        if within is None
        else AcademicYear.objects.filter(school=within)
    )
    year = _setup_row(user, queryset, year_id, "school_id")
    if within is not None:
        year.school = within
    return year


def term_for_user(user: User, term_id: int, *, within: AcademicYear | None = None) -> Term:
    """A term, for the administrator of its school (the set-up), else 404."""
    queryset = Term.objects.all() if within is None else Term.objects.filter(year=within)
    term = _setup_row(user, queryset, term_id, "year__school_id")
    if within is not None:
        term.year = within
    return term


def holiday_for_user(user: User, holiday_id: int, *, within: AcademicYear | None = None) -> Holiday:
    """A holiday, for the administrator of its school (the set-up), else 404."""
    queryset = Holiday.objects.all() if within is None else Holiday.objects.filter(year=within)
    holiday = _setup_row(user, queryset, holiday_id, "year__school_id")
    if within is not None:
        holiday.year = within
    return holiday


def subject_for_user(user: User, subject_id: int, *, within: School | None = None) -> Subject:
    """A subject of a school, for its administrator (the set-up), else 404."""
    queryset = Subject.objects.all() if within is None else Subject.objects.filter(school=within)
    subject = _setup_row(user, queryset, subject_id, "school_id")
    if within is not None:
        subject.school = within
    return subject


def subgroup_for_user(
    user: User, subgroup_id: int, *, within: ClassGroup | None = None
) -> Subgroup:
    """A group of a class, for the administrator of its school (the set-up), else 404."""
    queryset = Subgroup.objects.select_related("subject")
    if within is not None:
        queryset = queryset.filter(class_group=within)
    subgroup = _setup_row(user, queryset, subgroup_id, "class_group__year__school_id")
    if within is not None:
        subgroup.class_group = within
    return subgroup


def staff_member_for_user(
    user: User, staff_id: int, *, within: School | None = None
) -> StaffMember:
    """A staff member of a school with their login, for its administrator (the set-up),
    else 404."""
    queryset = StaffMember.objects.select_related("user")
    if within is not None:
        queryset = queryset.filter(school=within)
    member = _setup_row(user, queryset, staff_id, "school_id")
    if within is not None:
        member.school = within
    return member


# --- classes -----------------------------------------------------------------------------------


def class_group_for_user(
    user: User,
    class_group_id: int,
    *,
    write: bool = False,
    roles: Iterable[str] | None = None,
    within: AcademicYear | None = None,
) -> ClassGroup:
    """A class, else 404. Read by its class teacher and the school's administrator, director
    and deputies (the class pages); written — access codes for its students and guardians —
    by its class teacher only. With `roles`, for those who hold one of them at the class's
    school instead (the set-up: the school administrator)."""
    ensure_signed_in(user)
    if roles is not None:
        reach = Q(year__school_id__in=role_school_ids(user, roles))
    elif write:
        reach = Q(class_teacher=user)
    else:
        reach = Q(class_teacher=user) | Q(
            year__school_id__in=role_school_ids(user, SCHOOL_MANAGERS)
        )
    queryset = ClassGroup.objects.filter(reach, pk=class_group_id)
    if within is not None:
        queryset = queryset.filter(year=within)
    class_group = first_or_404(
        queryset.select_related("year__school__municipality", "class_teacher")
    )
    if within is not None:
        class_group.year = within
    return class_group


# --- staff -------------------------------------------------------------------------------------


def teacher_for_user(
    user: User, teacher_id: int, *, roles: Iterable[str], within: School | None = None
) -> User:
    """A teacher (a login with a teaching assignment) of a school where the user holds one
    of `roles` (the journal's control: the director and deputies), else 404."""
    ensure_signed_in(user)
    taught_at: dict[str, object] = {
        "teaching_assignments__year__school_id__in": role_school_ids(user, roles)
    }
    if within is not None:
        taught_at["teaching_assignments__year__school"] = within
    return first_or_404(User.objects.filter(pk=teacher_id, **taught_at).distinct())


# --- students ----------------------------------------------------------------------------------


def children_for_user(user: User) -> list[Student]:
    """A guardian's own children, in class-list order; nobody's for anyone else."""
    if not user.is_authenticated or not hasattr(user, "guardian"):
        return []
    return in_class_order(user.guardian.children.order_by())


def _current_enrollment(today: dt.date) -> Q:
    return Q(
        enrollments__class_group__year__closed_at__isnull=True,
        enrollments__starts_on__lte=today,
    ) & (Q(enrollments__ends_on__isnull=True) | Q(enrollments__ends_on__gte=today))


def _student_reach(user: User, scope: StudentScope) -> Q:
    if scope == StudentScope.FAMILY:
        return Q(user=user) | Q(guardians__user=user)
    today = local_today()
    if scope == StudentScope.HISTORY:
        return Q(
            enrollments__class_group__year__school_id__in=role_school_ids(user, SCHOOL_MANAGERS)
        ) | (
            Q(enrollments__class_group__class_teacher=user)
            & (Q(enrollments__ends_on__isnull=True) | Q(enrollments__ends_on__gte=today))
        )
    # The record: as `record_grant` below decides which of its parts the user sees.
    return Q(enrollments__class_group__year__school_id__in=role_school_ids(user, RECORD_ROLES)) | (
        _current_enrollment(today)
        & (
            Q(enrollments__class_group__class_teacher=user)
            | Q(enrollments__class_group__assignments__teacher=user)
        )
    )


def student_for_user(user: User, student_id: int, *, scope: StudentScope) -> Student:
    """A student, else 404 (reading; the family writes only its own settings):

    - FAMILY: the student themself, or a guardian's own child (diary, homework files,
      calendar feed, the API's `/students/{id}/…`);
    - HISTORY: the administration (administrator, director, deputies) of every school where
      the student is or was enrolled, and the class teacher of a class the student is still
      enrolled in;
    - RECORD: the administration and the medical worker of every school where the student
      is or was enrolled, the class teacher and the teachers of a class the student studies
      in now.
    """
    ensure_signed_in(user)
    return first_or_404(
        Student.objects.filter(pk=student_id).filter(_student_reach(user, scope)).distinct()
    )


def enrollment_for_user(user: User, student_id: int, *, within: AcademicYear) -> Enrollment:
    """The running enrollment (not ended) of a student in a class of the year — the object of
    a transfer or a leaving, named by the student's id — for the administrator and the
    director of the year's school, who move students; else 404."""
    ensure_signed_in(user)
    return first_or_404(
        Enrollment.objects.filter(
            student_id=student_id,
            class_group__year=within,
            class_group__year__school_id__in=role_school_ids(user, MOVEMENT_WRITERS),
            ends_on__isnull=True,
        ).select_related("student", "class_group__year__school__municipality")
    )


# --- which parts of a student's record ------------------------------------------------------


@dataclass(frozen=True)
class RecordGrant:
    """Why the user may open the record, and which parts they see."""

    role: str
    school_id: int
    sees_special_category: bool  # health group and PE group
    sees_access_log: bool


def _current(enrollment: Enrollment, today: dt.date) -> bool:
    year = enrollment.class_group.year
    return (
        year.closed_at is None
        and enrollment.starts_on <= today
        and (enrollment.ends_on is None or enrollment.ends_on >= today)
    )


def record_grant(user: User, enrollments: list[Enrollment]) -> RecordGrant:
    """Which parts of a record the user — who reached its student through
    `student_for_user(scope=RECORD)` — sees, from the student's enrollments (with their
    class, year and school): health and PE group for the administration, the class teacher,
    the medical worker and the PE teacher; the access log for the administration only.
    One or two queries."""
    schools = {enrollment.class_group.year.school_id for enrollment in enrollments}
    roles = dict(
        RoleAssignment.objects.filter(
            user=user, school_id__in=schools, role__in=RECORD_ROLES
        ).values_list("role", "school_id")
    )
    for role in RECORD_ORDER:
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
        user.teaching_assignments.filter(class_group_id__in=classes).values_list(
            "class_group_id", "subject__is_physical_education"
        )
    )
    if not taught:
        raise not_found()
    physical = [class_id for class_id, is_pe in taught if is_pe]
    class_id = physical[0] if physical else taught[0][0]
    return RecordGrant(
        PE_TEACHER if physical else Role.TEACHER,
        classes[class_id].class_group.year.school_id,
        sees_special_category=bool(physical),
        sees_access_log=False,
    )
