"""Writes on people: students, guardians, enrollments, staff and roles. Each one audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.accounts.services import user_create, username_suggest
from zhurnal.audit.services import audit_record, snapshot
from zhurnal.people.models import (
    Enrollment,
    Guardian,
    Role,
    RoleAssignment,
    StaffMember,
    Student,
    StudentGuardian,
    SubgroupMember,
)
from zhurnal.schools.models import ClassGroup, Municipality, School, Subgroup
from zhurnal.schools.services import ensure_class_open
from zhurnal.schools.versions import read_versions_bump


def student_create(
    *,
    actor: User | None,
    municipality: Municipality,
    surname: str,
    given_name: str,
    birth_date: dt.date,
    sex: str,
    patronymic: str = "",
    school_id: int | None = None,
    **fields: object,
) -> Student:
    """Create a student record (without a class: see enrollment_create)."""
    with transaction.atomic():
        student = Student(
            municipality=municipality,
            surname=surname.strip(),
            given_name=given_name.strip(),
            patronymic=patronymic.strip(),
            birth_date=birth_date,
            sex=sex,
            **fields,
        )
        student.full_clean()
        student.save()
        audit_record(
            actor=actor,
            action="student.create",
            obj=student,
            after=snapshot(student),
            school_id=school_id,
        )
    return student


def student_update(
    *, actor: User, student: Student, school_id: int | None = None, **changes: object
) -> Student:
    with transaction.atomic():
        before = snapshot(student)
        for name, value in changes.items():
            setattr(student, name, value)
        student.full_clean()
        student.save()
        audit_record(
            actor=actor,
            action="student.update",
            obj=student,
            before=before,
            after=snapshot(student),
            school_id=school_id,
        )
    return student


def enrollment_create(
    *,
    actor: User | None,
    student: Student,
    class_group: ClassGroup,
    starts_on: dt.date,
    order_in: str = "",
) -> Enrollment:
    """Enroll a student in a class from a date; an open enrollment elsewhere must be ended first."""
    ensure_class_open(class_group)
    with transaction.atomic():
        overlapping = Enrollment.objects.filter(student=student).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
        )
        if overlapping.exists():
            raise ValidationError(
                _("%(student)s is already enrolled in a class on %(date)s.")
                % {"student": student.full_name, "date": starts_on.strftime("%d.%m.%Y")}
            )
        enrollment = Enrollment(
            student=student, class_group=class_group, starts_on=starts_on, order_in=order_in
        )
        enrollment.full_clean()
        enrollment.save()
        audit_record(
            actor=actor,
            action="enrollment.create",
            obj=enrollment,
            after=snapshot(enrollment),
            school_id=class_group.year.school_id,
        )
    return enrollment


def enrollment_end(
    *,
    actor: User,
    enrollment: Enrollment,
    ends_on: dt.date,
    order_out: str = "",
    leave_reason: str = "",
    leave_note: str = "",
) -> Enrollment:
    """End an enrollment on its last day, with the order and (optionally) why."""
    ensure_class_open(enrollment.class_group)
    with transaction.atomic():
        before = snapshot(enrollment)
        enrollment.ends_on = ends_on
        enrollment.order_out = order_out
        enrollment.leave_reason = leave_reason
        enrollment.leave_note = leave_note
        enrollment.full_clean()
        enrollment.save()
        audit_record(
            actor=actor,
            action="enrollment.end",
            obj=enrollment,
            before=before,
            after=snapshot(enrollment),
            school_id=enrollment.class_group.year.school_id,
        )
    return enrollment


def guardian_create(
    *,
    actor: User | None,
    municipality: Municipality,
    surname: str,
    given_name: str,
    patronymic: str = "",
    phone: str = "",
    email: str = "",
    school_id: int | None = None,
) -> Guardian:
    with transaction.atomic():
        guardian = Guardian(
            municipality=municipality,
            surname=surname.strip(),
            given_name=given_name.strip(),
            patronymic=patronymic.strip(),
            phone=phone.strip(),
            email=email.strip(),
        )
        guardian.full_clean()
        guardian.save()
        audit_record(
            actor=actor,
            action="guardian.create",
            obj=guardian,
            after=snapshot(guardian),
            school_id=school_id,
        )
    return guardian


def guardian_link(
    *,
    actor: User | None,
    student: Student,
    guardian: Guardian,
    relation: str,
    school_id: int | None = None,
) -> StudentGuardian:
    """Link a guardian to a child; linking twice keeps one link."""
    with transaction.atomic():
        link, created = StudentGuardian.objects.get_or_create(
            student=student, guardian=guardian, defaults={"relation": relation}
        )
        if created:
            audit_record(
                actor=actor,
                action="guardian.link",
                obj=link,
                after=snapshot(link),
                school_id=school_id,
            )
    return link


def staff_create(
    *,
    actor: User,
    school: School,
    surname: str,
    given_name: str,
    patronymic: str = "",
    email: str = "",
    phone: str = "",
    position: str,
    qualification: str = "",
    roles: Iterable[str] = (Role.TEACHER,),
    username: str = "",
) -> StaffMember:
    """Create a staff login at a school with its roles. An existing login with the same
    e-mail is reused, so that a teacher of two schools has one account."""
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first() if email else None
        if user is None:
            user = user_create(
                actor=actor,
                username=username or username_suggest(surname=surname, given_name=given_name),
                surname=surname.strip(),
                given_name=given_name.strip(),
                patronymic=patronymic.strip(),
                email=email,
                phone=phone,
                school_id=school.pk,
            )
        if StaffMember.objects.filter(user=user, school=school).exists():
            raise ValidationError(
                _("%(name)s already works at this school.") % {"name": user.full_name}
            )
        staff = StaffMember(
            user=user, school=school, position=position, qualification=qualification
        )
        staff.full_clean()
        staff.save()
        audit_record(
            actor=actor,
            action="staff.create",
            obj=staff,
            after=snapshot(staff),
            school_id=school.pk,
        )
        for role in roles:
            role_assign(actor=actor, user=user, role=role, school=school)
    return staff


def role_assign(
    *,
    actor: User | None,
    user: User,
    role: str,
    school: School | None = None,
    municipality: Municipality | None = None,
) -> RoleAssignment:
    """Give a role at a school (or, for the department, in a municipality)."""
    if role not in Role.values:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": role})
    with transaction.atomic():
        existing = RoleAssignment.objects.filter(
            user=user, role=role, school=school, municipality=municipality
        ).first()
        if existing:
            return existing
        assignment = RoleAssignment(user=user, role=role, school=school, municipality=municipality)
        assignment.full_clean()
        assignment.save()
        audit_record(
            actor=actor,
            action="role.assign",
            obj=assignment,
            after=snapshot(assignment),
            school_id=school.pk if school else None,
        )
    return assignment


def role_revoke(*, actor: User, assignment: RoleAssignment) -> None:
    with transaction.atomic():
        before = snapshot(assignment)
        school_id = assignment.school_id
        assignment.delete()
        audit_record(
            actor=actor,
            action="role.revoke",
            object_type="people.roleassignment",
            object_id=str(before["id"]),
            before=before,
            school_id=school_id,
        )


# --- subgroup members -----------------------------------------------------------------


def subgroup_members_set(*, actor: User, subgroup: Subgroup, student_ids: Iterable[int]) -> None:
    """Make exactly these students (enrolled in the class) the members of the group.
    A student belongs to at most one group of the class for the same subject."""
    class_group = subgroup.class_group
    year = class_group.year
    ensure_class_open(class_group)
    wanted = set(student_ids)
    enrolled = set(
        Enrollment.objects.filter(class_group=class_group, ends_on__isnull=True).values_list(
            "student_id", flat=True
        )
    )
    if wanted - enrolled:
        raise ValidationError(_("Only students enrolled in the class can join its groups."))
    elsewhere = SubgroupMember.objects.filter(
        student_id__in=wanted,
        subgroup__class_group=class_group,
        subgroup__subject_id=subgroup.subject_id,
    ).exclude(subgroup=subgroup)
    clash = elsewhere.select_related("student", "subgroup").first()
    if clash is not None:
        raise ValidationError(
            _("%(student)s is already in the group “%(group)s” for this subject.")
            % {"student": clash.student.full_name, "group": clash.subgroup.name}
        )
    with transaction.atomic():
        current = set(subgroup.members.values_list("student_id", flat=True))
        before = {"students": sorted(current)}
        if current == wanted:
            return
        subgroup.members.filter(student_id__in=current - wanted).delete()
        SubgroupMember.objects.bulk_create(
            SubgroupMember(subgroup=subgroup, student_id=student_id)
            for student_id in sorted(wanted - current)
        )
        audit_record(
            actor=actor,
            action="subgroup.members",
            obj=subgroup,
            before=before,
            after={"students": sorted(wanted)},
            school_id=year.school_id,
        )
        # The diary shows a student only their own groups' lessons.
        read_versions_bump(class_group_ids=[class_group.pk])


# --- staff roles ----------------------------------------------------------------------

SCHOOL_ROLES = tuple(role for role in Role if role != Role.DEPARTMENT)


def staff_roles_set(*, actor: User, staff: StaffMember, roles: Iterable[str]) -> None:
    """Give a staff member exactly these roles at their school (never the department's)."""
    wanted = set(roles)
    if wanted - {str(role) for role in SCHOOL_ROLES}:
        raise ValidationError(_("Choose roles of this school only."))
    assignments = list(RoleAssignment.objects.filter(user_id=staff.user_id, school=staff.school))
    if (
        staff.user_id == actor.pk
        and Role.SCHOOL_ADMIN not in wanted
        and any(a.role == Role.SCHOOL_ADMIN for a in assignments)
    ):
        raise ValidationError(
            _("You cannot take the school administrator role from yourself; ask the director.")
        )
    with transaction.atomic():
        for assignment in assignments:
            if assignment.role not in wanted:
                role_revoke(actor=actor, assignment=assignment)
        held = {assignment.role for assignment in assignments}
        for role in sorted(wanted - held):
            role_assign(actor=actor, user=staff.user, role=role, school=staff.school)
