"""Reads on people: the class roster with families, logins and outstanding codes; the
school's staff."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

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

T = TypeVar("T")

# The order of a class list. Python, SQLite and a C-collated PostgreSQL compare code points,
# which put Є, І, Ї before А and Ґ after Я. The Ukrainian alphabet (А Б В Г Ґ Д Е Є Ж З И І
# Ї Й … Щ Ь Ю Я) and the Russian one (… Е Ё Ж З И Й … Щ Ъ Ы Ь Э Ю Я) are both
# subsequences of this one order, so a single key lists a class of either profile by its own
# alphabet — with no need to read the municipality's profile — and puts a name spelt in the
# other alphabet where a reader looks for it.
ALPHABET = "абвгґдеёєжзиіїйклмнопрстуфхцчшщъыьэюя"
# Letters map to the Private Use Area, above every other character, in alphabet order;
# apostrophes and hyphens are dropped, as Ukrainian lists ignore them
# («Мар’яненко» between «Марченко» and «Марчук» would be wrong: it sorts as «Маряненко»).
_ORDER_TABLE: dict[int, str | None] = {
    **{ord(letter): chr(0xE000 + index) for index, letter in enumerate(ALPHABET)},
    **{ord(mark): None for mark in "'’ʼ‘`-‐‑"},
}


def alphabetical_key(text: str) -> str:
    """Sort key of a name or a title in alphabetical order as Ukrainian (and Russian) lists
    keep it: case-insensitive, apostrophes and hyphens ignored. Use it rather than the
    code-point order of Python or of the database's collation."""
    return unicodedata.normalize("NFC", text).casefold().translate(_ORDER_TABLE)


def student_order_key(student: Student) -> tuple[str, str, str, dt.date, int]:
    """The place of a student in a class list: surname, given name, patronymic in
    alphabetical order, then the birth date and the id so that namesakes keep one order."""
    return (
        alphabetical_key(student.surname),
        alphabetical_key(student.given_name),
        alphabetical_key(student.patronymic),
        student.birth_date,
        student.pk,
    )


@overload
def in_class_order(items: Iterable[Student]) -> list[Student]: ...
@overload
def in_class_order(items: Iterable[T], *, student: Callable[[T], Student]) -> list[T]: ...
def in_class_order(
    items: Iterable[Any], *, student: Callable[[Any], Student] | None = None
) -> list[Any]:
    """Students — or rows that carry one (enrollments, roster rows; `student` picks it) —
    in class-list order, the same on every page. Sorted here after the query rather than by
    the database: no extra query, and the same order on SQLite and on PostgreSQL whatever
    its collation."""
    if student is None:
        return sorted(items, key=student_order_key)
    pick = student
    return sorted(items, key=lambda item: student_order_key(pick(item)))


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
    students = in_class_order(
        Student.objects.filter(pk__in=current.values("student_id"))
        .order_by()
        .prefetch_related(
            Prefetch(
                "studentguardian_set",
                queryset=StudentGuardian.objects.select_related("guardian").order_by(
                    "guardian__surname", "guardian__given_name", "pk"
                ),
            )
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


def school_staff(
    school: School, *, role: str | None = None, active_only: bool = True
) -> QuerySet[User]:
    """The school's people by surname: with `role`, those who hold it there (or held it:
    roles outlive a post), else everyone on its staff; with active_only, only those who
    still work at the school."""
    users = User.objects.all()
    if role is not None:
        users = users.filter(roles__school=school, roles__role=role)
    if active_only:
        users = users.filter(staff_posts__school=school, staff_posts__is_active=True)
    elif role is None:
        users = users.filter(staff_posts__school=school)
    return users.distinct().order_by("last_name", "first_name", "patronymic")
