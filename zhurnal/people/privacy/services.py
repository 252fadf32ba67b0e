"""Writes on the privacy notice, the consent register and the family's correction requests
(DESIGN S8). Every write is audited; a withdrawal takes effect at once (the notifications
app reads the register before creating and before sending a guardian's e-mail)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.audit.services import audit_record, snapshot
from zhurnal.core.filetypes import scanned_document_check
from zhurnal.people.models import (
    Consent,
    ConsentChannel,
    ConsentPurpose,
    CorrectionRequest,
    FamilyRequestStatus,
    Guardian,
    PrivacyAcceptance,
    PrivacyNotice,
    Student,
    StudentGuardian,
)
from zhurnal.people.privacy.selectors import (
    NOTICE_FIELDS,
    current_class,
    is_adult,
    notice_version_cache_key,
)
from zhurnal.schools.models import ClassGroup, Municipality
from zhurnal.schools.services import ensure_class_open

CONSENT_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
NOTICE_TEXT_MAX = 5000
REQUEST_TEXT_MAX = 2000


class LegalDutyError(ValidationError):
    """A withdrawal of consent to processing the school must do by law: explained, not done."""


def legal_duty_explanation() -> str:
    return _(
        "The school keeps the class journal and the student's record because the law on "
        "education requires it; this processing does not rest on your consent, so "
        "withdrawing it cannot stop it. You can still ask for wrong data to be corrected, "
        "download everything held about your child, and see who opened the record. "
        "If you object to the processing itself, write to the school's director or to the "
        "contact named in the privacy notice."
    )


# --- the notice ---------------------------------------------------------------------------


def privacy_notice_publish(
    *, actor: User, municipality: Municipality, texts: dict[str, str]
) -> PrivacyNotice:
    """Publish a new version of the community's privacy notice (the old ones are kept);
    every family login is asked to read and accept it at its next request."""
    missing = [name for name in NOTICE_FIELDS if not (texts.get(name) or "").strip()]
    if missing:
        raise ValidationError(_("Every part of the notice must be filled in."))
    if any(len(texts[name]) > NOTICE_TEXT_MAX for name in NOTICE_FIELDS):
        raise ValidationError(
            _("A part of the notice is too long: %(max)s characters at most.")
            % {"max": NOTICE_TEXT_MAX}
        )
    with transaction.atomic():
        # Lock the community's row so that two publishes cannot take one version number.
        Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
        last = (
            PrivacyNotice.objects.filter(municipality=municipality).aggregate(last=Max("version"))[
                "last"
            ]
            or 0
        )
        notice = PrivacyNotice.objects.create(
            municipality=municipality,
            version=last + 1,
            published_at=timezone.now(),
            published_by=actor,
            **{name: texts[name].strip() for name in NOTICE_FIELDS},
        )
        audit_record(
            actor=actor,
            action="privacy_notice.publish",
            obj=notice,
            after=snapshot(notice),
        )
        # Now for this request's own reads, and again once committed, in case another
        # request cached the old version in between.
        cache.delete(notice_version_cache_key(municipality.pk))
        transaction.on_commit(lambda: cache.delete(notice_version_cache_key(municipality.pk)))
    return notice


def privacy_notice_accept(
    *, user: User, municipality: Municipality, notice: PrivacyNotice | None
) -> PrivacyAcceptance:
    """Record that the user read and accepted this version of the notice (None: the
    built-in notice of a community whose department has not published its own yet).
    Accepting a version twice keeps the first acceptance."""
    if notice is not None and notice.municipality_id != municipality.pk:
        raise ValidationError(_("This notice is not your community's."))
    version = notice.version if notice is not None else 0
    with transaction.atomic():
        found = PrivacyAcceptance.objects.filter(
            user=user, municipality=municipality, version=version
        ).first()
        if found is not None:
            return found
        acceptance = PrivacyAcceptance.objects.create(
            user=user,
            municipality=municipality,
            version=version,
            notice=notice,
            accepted_at=timezone.now(),
        )
        audit_record(
            actor=user,
            action="privacy_notice.accept",
            obj=acceptance,
            after={"municipality_id": municipality.pk, "version": version},
        )
    return acceptance


# --- consents -----------------------------------------------------------------------------


def _school_id(student: Student) -> int | None:
    class_group = current_class(student)
    return class_group.year.school_id if class_group is not None else None


def _consenter(actor: User, student: Student) -> Guardian | None:
    """The guardian record the actor consents as, or None for an adult student themself;
    PermissionDenied for anyone else."""
    if student.user_id is not None and student.user_id == actor.pk:
        if not is_adult(student):
            raise PermissionDenied(_("A guardian gives this consent until you are 18."))
        return None
    guardian = Guardian.objects.filter(user=actor).first()
    if (
        guardian is None
        or not StudentGuardian.objects.filter(student=student, guardian=guardian).exists()
    ):
        raise PermissionDenied(_("Only the child's guardian gives this consent."))
    return guardian


def _consent_create(
    *,
    actor: User,
    student: Student,
    guardian: Guardian | None,
    purpose: str,
    channel: str,
    document: UploadedFile[Any] | None = None,
    given_at: dt.datetime | None = None,
) -> Consent:
    if purpose not in ConsentPurpose.values:
        raise ValidationError(_("Choose what the consent is for."))
    document_name = (
        scanned_document_check(document, max_bytes=CONSENT_DOCUMENT_MAX_BYTES)
        if document is not None
        else ""
    )
    now = timezone.now()
    consent = Consent(
        student=student,
        guardian=guardian,
        purpose=purpose,
        channel=channel,
        given_at=min(given_at or now, now),
        document_name=document_name,
        recorded_by=actor,
    )
    if document is not None:
        consent.document.save(document_name, document, save=False)
    try:
        with transaction.atomic():
            consent.save()
            audit_record(
                actor=actor,
                action="consent.give",
                obj=consent,
                after=snapshot(consent),
                school_id=_school_id(student),
            )
    except IntegrityError as error:
        if consent.document:
            consent.document.delete(save=False)
        raise ValidationError(_("This consent has already been given.")) from error
    return consent


def consent_give(*, actor: User, student: Student, purpose: str) -> Consent:
    """A guardian (for their own child) or an adult student (for themself) gives a consent
    in the application."""
    guardian = _consenter(actor, student)
    return _consent_create(
        actor=actor,
        student=student,
        guardian=guardian,
        purpose=purpose,
        channel=ConsentChannel.APP,
    )


def consent_record_paper(
    *,
    actor: User,
    class_group: ClassGroup,
    student: Student,
    guardian: Guardian | None,
    purpose: str,
    document: UploadedFile[Any],
    given_on: dt.date | None = None,
) -> Consent:
    """The class teacher records a consent signed on paper, with its scan (checked by
    content, as excuse documents are). `guardian` None: the adult student's own."""
    if class_group.class_teacher_id != actor.pk:
        raise PermissionDenied(
            _("Only the class teacher of %(class)s records its consents.") % {"class": class_group}
        )
    ensure_class_open(class_group)
    if current_class(student) != class_group:
        raise ValidationError(
            _("%(student)s is not enrolled in %(class)s now.")
            % {"student": student.full_name, "class": class_group}
        )
    if guardian is None and not is_adult(student):
        raise ValidationError(_("Choose the guardian who signed the consent."))
    if (
        guardian is not None
        and not StudentGuardian.objects.filter(student=student, guardian=guardian).exists()
    ):
        raise ValidationError(_("Choose the guardian who signed the consent."))
    given_at = None
    if given_on is not None:
        given_at = dt.datetime.combine(given_on, dt.time(12), tzinfo=dt.UTC)
    return _consent_create(
        actor=actor,
        student=student,
        guardian=guardian,
        purpose=purpose,
        channel=ConsentChannel.PAPER,
        document=document,
        given_at=given_at,
    )


def consent_withdraw(*, actor: User, consent: Consent) -> Consent:
    """Withdraw a consent, effective at once. Processing the school must do by law is not
    withdrawn: LegalDutyError explains why, and the attempt is audited."""
    student = consent.student
    guardian = _consenter(actor, student)
    if guardian != consent.guardian:
        raise PermissionDenied(_("Only who gave a consent withdraws it."))
    school_id = _school_id(student)
    if consent.purpose == ConsentPurpose.PROCESSING:
        audit_record(
            actor=actor,
            action="consent.withdraw_refused",
            obj=consent,
            reason="legal duty",
            school_id=school_id,
        )
        raise LegalDutyError(legal_duty_explanation(), code="legal_duty")
    with transaction.atomic():
        before = snapshot(consent)
        withdrawn = Consent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), withdrawn_by=actor, updated_at=timezone.now()
        )
        if withdrawn != 1:
            raise ValidationError(_("This consent has already been withdrawn."))
        consent.refresh_from_db()
        audit_record(
            actor=actor,
            action="consent.withdraw",
            obj=consent,
            before=before,
            after=snapshot(consent),
            school_id=school_id,
        )
    return consent


# --- correction requests ------------------------------------------------------------------


def correction_request_create(*, actor: User, student: Student, text: str) -> CorrectionRequest:
    """A guardian (or the student themself) asks for data about the child to be corrected:
    the request becomes a task of the class teacher of the child's current class."""
    text = text.strip()
    if not text:
        raise ValidationError(_("Describe what is wrong."))
    if len(text) > REQUEST_TEXT_MAX:
        raise ValidationError(
            _("The request is too long: %(max)s characters at most.") % {"max": REQUEST_TEXT_MAX}
        )
    is_family = (
        student.user_id == actor.pk
        or StudentGuardian.objects.filter(student=student, guardian__user=actor).exists()
    )
    if not is_family:
        raise PermissionDenied(_("Only the family asks for corrections of a child's data."))
    class_group = current_class(student)
    if class_group is None:
        raise ValidationError(
            _("%(student)s is not enrolled in a class now: write to the school.")
            % {"student": student.full_name}
        )
    with transaction.atomic():
        request = CorrectionRequest.objects.create(
            student=student, class_group=class_group, requested_by=actor, text=text
        )
        audit_record(
            actor=actor,
            action="correction_request.create",
            obj=request,
            after=snapshot(request),
            school_id=class_group.year.school_id,
        )
    return request


def correction_request_resolve(
    *, actor: User, request: CorrectionRequest, answer: str
) -> CorrectionRequest:
    """The class teacher answers a correction request and closes the task."""
    if request.class_group.class_teacher_id != actor.pk:
        raise PermissionDenied(_("Only the class teacher answers the class's requests."))
    answer = answer.strip()
    if not answer:
        raise ValidationError(_("Write what was done."))
    if len(answer) > REQUEST_TEXT_MAX:
        raise ValidationError(
            _("The answer is too long: %(max)s characters at most.") % {"max": REQUEST_TEXT_MAX}
        )
    with transaction.atomic():
        before = snapshot(request)
        now = timezone.now()
        done = CorrectionRequest.objects.filter(
            pk=request.pk, status=FamilyRequestStatus.OPEN
        ).update(
            status=FamilyRequestStatus.DONE,
            answer=answer,
            resolved_at=now,
            resolved_by=actor,
            updated_at=now,
        )
        if done != 1:
            raise ValidationError(_("This request has already been answered."))
        request.refresh_from_db()
        audit_record(
            actor=actor,
            action="correction_request.resolve",
            obj=request,
            before=before,
            after=snapshot(request),
            school_id=request.class_group.year.school_id,
        )
    return request
