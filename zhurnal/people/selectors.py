"""Reads on people: the class roster with families, logins and outstanding codes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from zhurnal.accounts.models import User
from zhurnal.core.timeutil import school_tz
from zhurnal.people.models import (
    AccessCode,
    AccessCodeKind,
    Enrollment,
    Role,
    RoleAssignment,
    StaffMember,
    Student,
    StudentGuardian,
)
from zhurnal.schools.models import ClassGroup, School

# Ukrainian alphabetical order; code points put Є, І, Ї and Ґ out of place.
_UK_ALPHABET = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
_UK_ORDER = {letter: index for index, letter in enumerate(_UK_ALPHABET)}


def ukrainian_sort_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders Ukrainian names as a class list does (А Б В Г Ґ … Є … І Ї Й …)."""
    return tuple(
        (0, _UK_ORDER[ch]) if ch in _UK_ORDER else (1, ch) for ch in text.lower().replace("'", "")
    )


@dataclass
class GuardianRow:
    guardian_id: int
    full_name: str
    relation: str
    phone: str
    has_login: bool
    code_valid_until: dt.date | None = None


@dataclass
class RosterRow:
    number: int
    student: Student
    has_login: bool
    guardians: list[GuardianRow] = field(default_factory=list)
    student_code_valid_until: dt.date | None = None
    # A guardian code not bound to a guardian record (the student had none when issued).
    unbound_guardian_code_valid_until: dt.date | None = None

    @property
    def needs_student_login(self) -> bool:
        return not self.has_login

    @property
    def needs_guardian_login(self) -> bool:
        return not self.guardians or any(not row.has_login for row in self.guardians)


def code_valid_until(expires_at: dt.datetime, tz_name: str | None = None) -> dt.date:
    """The last school day on which a code still works (expires_at is the instant after it)."""
    return (expires_at - dt.timedelta(microseconds=1)).astimezone(school_tz(tz_name)).date()


def enrollments_current(class_group: ClassGroup, day: dt.date) -> QuerySet[Enrollment]:
    """The class's enrollments that include `day` (history is kept, so most rows do not)."""
    return Enrollment.objects.filter(class_group=class_group, starts_on__lte=day).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day)
    )


def class_roster(
    *, class_group: ClassGroup, day: dt.date, tz_name: str | None = None
) -> list[RosterRow]:
    """The class list for its class teacher: numbered students enrolled on `day`, their
    guardians, who already has a login and which valid codes are outstanding.

    Three queries, whatever the size of the class.
    """
    current = enrollments_current(class_group, day)
    students = list(
        Student.objects.filter(pk__in=current.values("student_id")).prefetch_related(
            Prefetch(
                "studentguardian_set",
                queryset=StudentGuardian.objects.select_related("guardian").order_by(
                    "guardian__surname", "guardian__given_name", "pk"
                ),
            )
        )
    )
    students.sort(
        key=lambda s: (
            ukrainian_sort_key(s.surname),
            ukrainian_sort_key(s.given_name),
            ukrainian_sort_key(s.patronymic),
        )
    )
    outstanding = AccessCode.objects.filter(
        student_id__in=[s.pk for s in students],
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).values_list("student_id", "kind", "guardian_id", "expires_at")
    codes: dict[tuple[int, str, int | None], dt.date] = {}
    for student_id, kind, guardian_id, expires_at in outstanding:
        key = (student_id, kind, guardian_id)
        valid_until = code_valid_until(expires_at, tz_name)
        codes[key] = max(valid_until, codes.get(key, valid_until))

    rows: list[RosterRow] = []
    for number, student in enumerate(students, 1):
        guardians = [
            GuardianRow(
                guardian_id=link.guardian_id,
                full_name=link.guardian.full_name,
                relation=link.get_relation_display(),
                phone=link.guardian.phone,
                has_login=link.guardian.user_id is not None,
                code_valid_until=codes.get((student.pk, AccessCodeKind.GUARDIAN, link.guardian_id)),
            )
            for link in student.studentguardian_set.all()
        ]
        rows.append(
            RosterRow(
                number=number,
                student=student,
                has_login=student.user_id is not None,
                guardians=guardians,
                student_code_valid_until=codes.get((student.pk, AccessCodeKind.STUDENT, None)),
                unbound_guardian_code_valid_until=codes.get(
                    (student.pk, AccessCodeKind.GUARDIAN, None)
                ),
            )
        )
    return rows


@dataclass
class StaffRow:
    staff_id: int
    user: User
    position: str
    qualification: str
    is_active: bool
    roles: list[str] = field(default_factory=list)
    role_labels: list[str] = field(default_factory=list)


def staff_with_roles(school: School) -> list[StaffRow]:
    """The school's staff, each with the roles held at this school (two queries)."""
    labels = dict(Role.choices)
    roles: dict[int, list[str]] = defaultdict(list)
    for user_id, role in (
        RoleAssignment.objects.filter(school=school).order_by("role").values_list("user_id", "role")
    ):
        roles[user_id].append(role)
    staff = StaffMember.objects.filter(school=school).select_related("user")
    rows = [
        StaffRow(
            staff_id=member.pk,
            user=member.user,
            position=member.position,
            qualification=member.qualification,
            is_active=member.is_active,
            roles=roles.get(member.user_id, []),
            role_labels=[str(labels[role]) for role in roles.get(member.user_id, [])],
        )
        for member in staff
    ]
    rows.sort(key=lambda row: (row.user.last_name, row.user.first_name))
    return rows
