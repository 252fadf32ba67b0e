"""Imports: upload a file (checked, nothing else written), then apply it all or nothing.

Every record is written through the people services, so an imported student is the same
as one entered by hand, and each write has its own audit event.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.audit.services import audit_record, snapshot
from zhurnal.imports.models import ImportBatch, ImportKind, ImportStatus
from zhurnal.imports.parsing import ImportFileError, read_sheet
from zhurnal.imports.selectors import year_open_current
from zhurnal.imports.validation import (
    Preview,
    RowResult,
    StaffData,
    StudentData,
    guardian_existing,
    rows_validate,
)
from zhurnal.people.models import RoleAssignment
from zhurnal.people.services import (
    enrollment_create,
    guardian_create,
    guardian_link,
    staff_create,
    student_create,
)
from zhurnal.schools.models import ClassGroup, School
from zhurnal.schools.services import class_group_update


class ImportRejected(Exception):
    """The import was refused and nothing was written; `preview` names each bad row."""

    def __init__(self, preview: Preview, message: str = "") -> None:
        super().__init__(message or "import rejected")
        self.preview = preview
        self.message = message


def batch_preview(batch: ImportBatch) -> Preview:
    """Parse the stored file and check every row against the database as it is now."""
    try:
        sheet = read_sheet(content=bytes(batch.content), filename=batch.filename, kind=batch.kind)
    except ImportFileError as exc:  # the file was readable at upload; keep the message anyway
        raise ValidationError(str(exc)) from exc
    return rows_validate(school=batch.school, year=batch.year, kind=batch.kind, sheet=sheet)


def import_batch_create(
    *, actor: User, school: School, kind: str, filename: str, content: bytes
) -> ImportBatch:
    """Store an uploaded file for preview after checking that it can be read at all.

    Raises ValidationError (with a message for people) if the file cannot be read,
    lacks the needed columns, or the school has no open academic year.
    """
    if kind not in ImportKind.values:
        raise ValidationError(_("Unknown kind of import."))
    year = year_open_current(school)
    if year is None:
        raise ValidationError(
            _("The school has no open academic year: create the year and its classes first.")
        )
    try:
        sheet = read_sheet(content=content, filename=filename, kind=kind)
    except ImportFileError as exc:
        raise ValidationError(str(exc)) from exc
    preview = rows_validate(school=school, year=year, kind=kind, sheet=sheet)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            school=school,
            year=year,
            kind=kind,
            filename=filename[:255],
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            created_by=actor,
            rows_total=len(preview.rows),
            rows_with_errors=preview.error_count,
        )
        audit_record(
            actor=actor,
            action="import.upload",
            obj=batch,
            after=snapshot(batch, exclude=("content",)) | {"size": len(content)},
            school_id=school.pk,
        )
    return batch


def _apply_student(
    *, actor: User, school: School, data: StudentData, counts: dict[str, int]
) -> None:
    student = student_create(
        actor=actor,
        municipality=school.municipality,
        surname=data.surname,
        given_name=data.given_name,
        patronymic=data.patronymic,
        birth_date=data.birth_date,
        sex=data.sex,
        school_id=school.pk,
        personal_file_number=data.personal_file_number,
        education_form=data.education_form,
        health_group=data.health_group,
        pe_group=data.pe_group,
    )
    counts["students"] += 1
    enrollment_create(
        actor=actor, student=student, class_group=data.class_group, starts_on=data.enrolled_on
    )
    counts["enrollments"] += 1
    for entry in data.guardians:
        guardian = guardian_existing(school.municipality_id, entry)
        if guardian is None:
            guardian = guardian_create(
                actor=actor,
                municipality=school.municipality,
                surname=entry.surname,
                given_name=entry.given_name,
                patronymic=entry.patronymic,
                phone=entry.phone,
                email=entry.email,
                school_id=school.pk,
            )
            counts["guardians_created"] += 1
        else:
            counts["guardians_reused"] += 1
        guardian_link(
            actor=actor,
            student=student,
            guardian=guardian,
            relation=entry.relation,
            school_id=school.pk,
        )
        counts["guardian_links"] += 1


def _apply_staff(*, actor: User, school: School, data: StaffData, counts: dict[str, int]) -> None:
    staff = staff_create(
        actor=actor,
        school=school,
        surname=data.surname,
        given_name=data.given_name,
        patronymic=data.patronymic,
        email=data.email,
        phone=data.phone,
        position=data.position,
        qualification=data.qualification,
        roles=data.roles,
    )
    counts["staff"] += 1
    counts["logins_reused" if data.existing_user else "logins_created"] += 1
    if data.class_group is not None:
        class_group = ClassGroup.objects.select_related("year__school").get(pk=data.class_group.pk)
        if class_group.class_teacher_id not in (None, staff.user_id):
            raise ValidationError(
                _("class %(class)s already has a class teacher") % {"class": class_group.name}
            )
        class_group_update(
            actor=actor,
            class_group=class_group,
            grade=class_group.grade,
            letter=class_group.letter,
            class_teacher=staff.user,
        )
        counts["class_teachers"] += 1


def _row_failed(preview: Preview, row: RowResult, exc: Exception) -> ImportRejected:
    if isinstance(exc, ValidationError):
        row.errors.extend(str(message) for message in exc.messages)
    else:
        row.errors.append(_("the database refused this row (%(problem)s)") % {"problem": exc})
    return ImportRejected(preview)


def import_batch_apply(*, actor: User, batch: ImportBatch) -> dict[str, Any]:
    """Write every row of a checked file in one transaction, or nothing at all.

    The rows are checked again inside the transaction (the database may have changed
    since the preview); any error, then or while writing, rolls everything back and
    raises ImportRejected, after which the batch is marked refused.
    """
    try:
        with transaction.atomic():
            locked = (
                ImportBatch.objects.select_for_update()
                .select_related("school__municipality", "year")
                .get(pk=batch.pk)
            )
            if locked.status != ImportStatus.PREVIEWED:
                raise ValidationError(_("This file has already been imported or refused."))
            if locked.year.closed_at is not None:
                raise ValidationError(
                    _("The academic year %(year)s is closed: its data can only be read.")
                    % {"year": locked.year.name}
                )
            preview = batch_preview(locked)
            if preview.has_errors:
                raise ImportRejected(preview)
            school = locked.school
            roles_before = RoleAssignment.objects.filter(school=school).count()
            counts: dict[str, int]
            if locked.kind == ImportKind.STUDENTS:
                counts = dict.fromkeys(
                    (
                        "students",
                        "enrollments",
                        "guardians_created",
                        "guardians_reused",
                        "guardian_links",
                    ),
                    0,
                )
            else:
                counts = dict.fromkeys(
                    ("staff", "logins_created", "logins_reused", "roles", "class_teachers"), 0
                )
            for row in preview.rows:
                try:
                    if isinstance(row.data, StudentData):
                        _apply_student(actor=actor, school=school, data=row.data, counts=counts)
                    elif isinstance(row.data, StaffData):
                        _apply_staff(actor=actor, school=school, data=row.data, counts=counts)
                except (ValidationError, IntegrityError) as exc:
                    raise _row_failed(preview, row, exc) from exc
            if locked.kind == ImportKind.STAFF:
                counts["roles"] = (
                    RoleAssignment.objects.filter(school=school).count() - roles_before
                )
            summary: dict[str, Any] = {"rows": len(preview.rows), **counts}
            locked.status = ImportStatus.APPLIED
            locked.applied_at = timezone.now()
            locked.counts = summary
            locked.rows_with_errors = 0
            locked.save(update_fields=["status", "applied_at", "counts", "rows_with_errors"])
            audit_record(
                actor=actor,
                action="import.apply",
                obj=locked,
                after={"kind": locked.kind, "filename": locked.filename, **summary},
                school_id=school.pk,
            )
    except ImportRejected as rejected:
        _batch_refuse(actor=actor, batch=batch, errors=rejected.preview.error_count)
        raise
    batch.refresh_from_db()
    return summary


def _batch_refuse(*, actor: User, batch: ImportBatch, errors: int) -> None:
    with transaction.atomic():
        updated = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.PREVIEWED).update(
            status=ImportStatus.FAILED, rows_with_errors=errors
        )
        if updated:
            audit_record(
                actor=actor,
                action="import.refuse",
                obj=batch,
                after={"status": ImportStatus.FAILED, "rows_with_errors": errors},
                school_id=batch.school_id,
            )
    batch.refresh_from_db()
