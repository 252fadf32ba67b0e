"""One-time access codes with which students and guardians create their own logins.

The class teacher hands the code over on a printed slip (DESIGN S4: credentials handed
to others within one's authority). Only the SHA-256 of a code is stored, so a code
can be shown once only: on the slips page that issues it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.accounts.services import user_create
from zhurnal.audit.services import audit_record, snapshot
from zhurnal.core.timeutil import end_of_day, local_today
from zhurnal.people.models import (
    AccessCode,
    AccessCodeKind,
    Guardian,
    Relation,
    Student,
    StudentGuardian,
)
from zhurnal.people.selectors import enrollments_current, in_class_order
from zhurnal.people.services import guardian_create, guardian_link
from zhurnal.schools.models import ClassGroup
from zhurnal.schools.services import ensure_class_open

# No 0/O, 1/I/L, so that a code copied from paper is typed right the first time.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS = (4, 4, 2)  # K7QM-4TXP-9R: 10 symbols, about 50 bits
CODE_LENGTH = sum(CODE_GROUPS)

# Children often type on a Ukrainian keyboard layout: Cyrillic letters that look like
# Latin ones are read as those Latin letters.
_LOOKALIKES = str.maketrans(
    {
        "А": "A",
        "В": "B",
        "Е": "E",
        "К": "K",
        "М": "M",
        "Н": "H",
        "Р": "P",
        "С": "C",
        "Т": "T",
        "Х": "X",
        "У": "Y",
    }
)

FAILURE_WINDOW_SECONDS = 15 * 60
FAILURES_PER_SESSION = 10
# A whole class may register from one school computer lab behind one address.
FAILURES_PER_ADDRESS = 50


class AccessCodeError(ValidationError):
    """A code that cannot be used: unknown or revoked, expired, or already used."""


@dataclass(frozen=True)
class IssuedCode:
    """A freshly issued code: the only moment its plain text exists."""

    code: str
    access_code: AccessCode
    student: Student
    guardian: Guardian | None
    valid_until: dt.date

    @property
    def kind(self) -> str:
        return self.access_code.kind


def code_generate() -> str:
    """A random, human-friendly code such as `K7QM-4TXP-9R`."""
    symbols = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    parts, start = [], 0
    for size in CODE_GROUPS:
        parts.append(symbols[start : start + size])
        start += size
    return "-".join(parts)


def code_normalize(code: str) -> str:
    """Upper case, look-alike Cyrillic letters read as Latin, spaces and dashes dropped."""
    return "".join(ch for ch in code.upper().translate(_LOOKALIKES) if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(code_normalize(code).encode("ascii", "replace")).hexdigest()


def _tz_name(class_group: ClassGroup) -> str:
    return class_group.year.school.municipality.time_zone


def access_codes_issue(
    *,
    actor: User,
    class_group: ClassGroup,
    students: Sequence[Student],
    kinds: Iterable[str],
) -> list[IssuedCode]:
    """Issue one-time codes for students of the actor's own class, for the chosen kinds.

    Student codes go to students without a login. Guardian codes go to each guardian
    record without a login; a student without any guardian record gets one unbound
    guardian code, whose holder describes themself when registering. A new code
    revokes the earlier unused ones for the same student, kind and guardian. The codes
    (and so the slips) come in class-list order.
    """
    kinds = [kind for kind in AccessCodeKind.values if kind in set(kinds)]
    if not kinds:
        raise ValidationError(_("Choose for whom the codes are."))
    if class_group.class_teacher_id != actor.pk:
        raise ValidationError(
            _("Only the class teacher of %(class)s issues its access codes.")
            % {"class": class_group}
        )
    ensure_class_open(class_group)
    tz_name = _tz_name(class_group)
    today = local_today(tz_name)
    student_ids = [s.pk for s in in_class_order({s.pk: s for s in students}.values())]
    enrolled = set(
        enrollments_current(class_group, today)
        .filter(student_id__in=student_ids)
        .values_list("student_id", flat=True)
    )
    strangers = [student for student in students if student.pk not in enrolled]
    if strangers:
        raise ValidationError(
            _("%(student)s is not enrolled in %(class)s now.")
            % {"student": strangers[0].full_name, "class": class_group}
        )
    valid_until = today + dt.timedelta(days=settings.ZHURNAL_ACCESS_CODE_DAYS)
    expires_at = end_of_day(valid_until, tz_name)
    school_id = class_group.year.school_id
    fresh = (
        Student.objects.filter(pk__in=student_ids)
        .prefetch_related("studentguardian_set__guardian")
        .order_by()
    )
    by_id = {student.pk: student for student in fresh}
    issued: list[IssuedCode] = []
    with transaction.atomic():
        for student_id in student_ids:
            student = by_id[student_id]
            targets: list[tuple[str, Guardian | None]] = []
            if AccessCodeKind.STUDENT in kinds and student.user_id is None:
                targets.append((AccessCodeKind.STUDENT, None))
            if AccessCodeKind.GUARDIAN in kinds:
                links = list(student.studentguardian_set.all())
                if not links:
                    targets.append((AccessCodeKind.GUARDIAN, None))
                targets.extend(
                    (AccessCodeKind.GUARDIAN, link.guardian)
                    for link in links
                    if link.guardian.user_id is None
                )
            for kind, guardian in targets:
                issued.append(
                    _issue_one(
                        actor=actor,
                        class_group=class_group,
                        student=student,
                        kind=kind,
                        guardian=guardian,
                        expires_at=expires_at,
                        valid_until=valid_until,
                        school_id=school_id,
                    )
                )
        if not issued:
            raise ValidationError(_("Everyone chosen already has a login: no codes were issued."))
    return issued


def _issue_one(
    *,
    actor: User,
    class_group: ClassGroup,
    student: Student,
    kind: str,
    guardian: Guardian | None,
    expires_at: dt.datetime,
    valid_until: dt.date,
    school_id: int,
) -> IssuedCode:
    now = timezone.now()
    earlier = AccessCode.objects.filter(
        student=student, kind=kind, guardian=guardian, used_at__isnull=True, revoked_at__isnull=True
    )
    revoked = list(earlier.values_list("pk", flat=True))
    if revoked:
        AccessCode.objects.filter(pk__in=revoked).update(revoked_at=now)
    code = code_generate()
    access_code = AccessCode.objects.create(
        code_hash=code_hash(code),
        kind=kind,
        student=student,
        guardian=guardian,
        class_group=class_group,
        issued_by=actor,
        expires_at=expires_at,
    )
    audit_record(
        actor=actor,
        action="access_code.issue",
        obj=access_code,
        # Neither the code nor its hash: the audit log is read by more people than the codes.
        after={**snapshot(access_code, exclude=("code_hash",)), "revoked": revoked},
        school_id=school_id,
    )
    return IssuedCode(
        code=code,
        access_code=access_code,
        student=student,
        guardian=guardian,
        valid_until=valid_until,
    )


def access_code_check(code: str, *, for_update: bool = False) -> AccessCode:
    """The usable code with this text, or AccessCodeError saying why it is not usable."""
    normalized = code_normalize(code)
    found = None
    if len(normalized) == CODE_LENGTH:
        queryset = AccessCode.objects.select_related(
            "student", "guardian", "class_group__year__school"
        )
        if for_update:
            queryset = queryset.select_for_update(of=("self",))
        found = queryset.filter(code_hash=code_hash(normalized)).first()
    if found is None or found.revoked_at is not None:
        raise AccessCodeError(
            _(
                "This code is not valid. Check it against the slip, or ask the class teacher "
                "for a new one."
            ),
            code="invalid",
        )
    if found.used_at is not None:
        raise AccessCodeError(
            _(
                "This code has already been used. If it was not you who used it, "
                "tell the class teacher at once."
            ),
            code="used",
        )
    if found.expires_at <= timezone.now():
        raise AccessCodeError(
            _("This code has expired. Ask the class teacher for a new one."), code="expired"
        )
    return found


def _mark_used(access_code: AccessCode, user: User) -> None:
    # The conditional UPDATE is the last word when two people redeem one code at once.
    used = AccessCode.objects.filter(
        pk=access_code.pk, used_at__isnull=True, revoked_at__isnull=True
    ).update(used_at=timezone.now(), used_by=user)
    if used != 1:
        raise AccessCodeError(
            _(
                "This code has already been used. If it was not you who used it, "
                "tell the class teacher at once."
            ),
            code="used",
        )


def access_code_redeem(
    *,
    code: str,
    username: str,
    password: str,
    email: str = "",
    surname: str = "",
    given_name: str = "",
    patronymic: str = "",
    relation: str = "",
    phone: str = "",
) -> User:
    """Create the login of the student or guardian a code was issued for, and use the code up.

    An unbound guardian code needs the guardian's own name and relation: the guardian
    record and its link to the child are created with the login.
    """
    with transaction.atomic():
        access_code = access_code_check(code, for_update=True)
        student = access_code.student
        school_id = access_code.class_group.year.school_id
        guardian = access_code.guardian
        if access_code.kind == AccessCodeKind.STUDENT:
            if student.user_id is not None:
                raise ValidationError(_("This student already has a login."))
            names = (student.surname, student.given_name, student.patronymic)
        elif guardian is not None:
            if guardian.user_id is not None:
                raise ValidationError(_("This guardian already has a login."))
            names = (guardian.surname, guardian.given_name, guardian.patronymic)
        else:
            if not surname.strip() or not given_name.strip():
                raise ValidationError(_("Enter your surname and given name."))
            if relation not in Relation.values:
                raise ValidationError(_("Choose who you are to the child."))
            names = (surname.strip(), given_name.strip(), patronymic.strip())
        candidate = User(
            username=username, last_name=names[0], first_name=names[1], email=email.strip()
        )
        validate_password(password, candidate)
        user = user_create(
            actor=None,
            username=username.strip(),
            surname=names[0],
            given_name=names[1],
            patronymic=names[2],
            email=email,
            phone=phone.strip() if access_code.kind == AccessCodeKind.GUARDIAN else "",
            password=password,
            school_id=school_id,
        )
        if access_code.kind == AccessCodeKind.STUDENT:
            linked = Student.objects.filter(pk=student.pk, user__isnull=True).update(user=user)
        elif guardian is not None:
            linked = Guardian.objects.filter(pk=guardian.pk, user__isnull=True).update(user=user)
            updates = {
                field: value
                for field, value in (("email", email.strip()), ("phone", phone.strip()))
                if value and not getattr(guardian, field)
            }
            if updates:
                Guardian.objects.filter(pk=guardian.pk).update(**updates)
        else:
            guardian = guardian_create(
                actor=user,
                municipality=student.municipality,
                surname=names[0],
                given_name=names[1],
                patronymic=names[2],
                phone=phone,
                email=email,
                school_id=school_id,
            )
            linked = Guardian.objects.filter(pk=guardian.pk, user__isnull=True).update(user=user)
            guardian_link(
                actor=user,
                student=student,
                guardian=guardian,
                relation=relation,
                school_id=school_id,
            )
        if linked != 1:
            raise ValidationError(_("This login has just been created by someone else."))
        _redeemed(
            access_code,
            user,
            school_id=school_id,
            student_id=student.pk,
            guardian_id=guardian.pk if guardian else None,
        )
    return user


def _redeemed(access_code: AccessCode, user: User, *, school_id: int, **details: object) -> None:
    """Use the code up and record who redeemed it, for which student and guardian."""
    _mark_used(access_code, user)
    audit_record(
        actor=user,
        action="access_code.redeem",
        obj=access_code,
        after={"kind": access_code.kind, **details, "user_id": user.pk},
        school_id=school_id,
    )


def access_code_add_child(*, user: User, code: str, relation: str = "") -> Student:
    """Link a logged-in guardian to another child with that child's guardian code.

    A code bound to another guardian record (the same person, entered twice by the
    school) is accepted as long as that record has no login of its own.
    """
    guardian = Guardian.objects.filter(user=user).first()
    if guardian is None:
        raise ValidationError(_("Only a guardian's login can add a child."))
    with transaction.atomic():
        access_code = access_code_check(code, for_update=True)
        if access_code.kind != AccessCodeKind.GUARDIAN:
            raise ValidationError(
                _("This is a student's code: the student registers with it themself.")
            )
        student = access_code.student
        bound = access_code.guardian
        if bound is not None and bound.pk != guardian.pk and bound.user_id is not None:
            raise ValidationError(_("This code belongs to another guardian's login."))
        if StudentGuardian.objects.filter(student=student, guardian=guardian).exists():
            raise ValidationError(
                _("%(student)s is already linked to your login.") % {"student": student.full_name}
            )
        if bound is not None:
            relation = (
                StudentGuardian.objects.filter(student=student, guardian=bound)
                .values_list("relation", flat=True)
                .first()
                or relation
            )
        if relation not in Relation.values:
            raise ValidationError(_("Choose who you are to the child."))
        school_id = access_code.class_group.year.school_id
        guardian_link(
            actor=user, student=student, guardian=guardian, relation=relation, school_id=school_id
        )
        _redeemed(
            access_code,
            user,
            school_id=school_id,
            student_id=student.pk,
            guardian_id=guardian.pk,
            code_guardian_id=bound.pk if bound else None,
        )
    return student


def _failure_keys(session_key: str, address: str) -> list[tuple[str, int]]:
    keys = [(f"zhurnal:code-failures:address:{address}", FAILURES_PER_ADDRESS)]
    if session_key:
        keys.append((f"zhurnal:code-failures:session:{session_key}", FAILURES_PER_SESSION))
    return keys


def code_attempts_blocked(*, session_key: str, address: str) -> bool:
    """Too many wrong codes from this browser or address in the last quarter of an hour."""
    return any((cache.get(key) or 0) >= limit for key, limit in _failure_keys(session_key, address))


def code_attempt_failed(*, session_key: str, address: str) -> None:
    for key, _limit in _failure_keys(session_key, address):
        # A fixed window from the first failure: simple and good enough against guessing.
        cache.add(key, 0, timeout=FAILURE_WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=FAILURE_WINDOW_SECONDS)
