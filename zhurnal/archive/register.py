"""The archive register: document versions, their signatures, transfer and destruction.

Year closing and packaging write into it through `archive_document_add`; the director
uploads signatures, marks a version transferred to archival storage and, once its retention
has run out, destroys it by an act. Every write is audited in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from zhurnal.accounts.models import User
from zhurnal.archive.containers import Container, ContainerError, Manifest, container_read
from zhurnal.archive.models import (
    ArchiveDocument,
    ArchiveSignature,
    DestructionAct,
    DocumentKind,
    DocumentState,
    SignerRole,
)
from zhurnal.archive.selectors import trust_bundle
from zhurnal.archive.signatures import (
    Integrity,
    Revocation,
    SignatureFormatError,
    SignatureReport,
    Validity,
    signature_verify,
)
from zhurnal.audit.services import audit_record
from zhurnal.people.access import has_school_role
from zhurnal.people.models import Role
from zhurnal.schools.models import AcademicYear, ClassGroup, School

_RETENTION_SETTINGS = {
    DocumentKind.CLASS_JOURNAL: "ZHURNAL_RETENTION_JOURNAL_YEARS",
    DocumentKind.SUMMARY_SHEET: "ZHURNAL_RETENTION_SUMMARY_YEARS",
    DocumentKind.SUBSTITUTION_REGISTER: "ZHURNAL_RETENTION_REGISTER_YEARS",
}


def retention_years(kind: str) -> int:
    """The retention period of a document kind in whole years, from the settings."""
    return int(getattr(settings, _RETENTION_SETTINGS[DocumentKind(kind)]))


def keep_until(kind: str, closed_on: dt.date) -> dt.date:
    """The last day a document of `kind` closed on `closed_on` must be kept.

    The period is counted in whole calendar years from 1 January of the year after the
    closing, so it ends on 31 December of (closing year + years): a journal closed on any
    day of 2027 with 5 years is kept until 31.12.2032 inclusive and may be destroyed from
    1.1.2033 on. The day within the closing year does not matter (1.1.2027 and 31.12.2027
    give the same date).
    """
    return dt.date(closed_on.year + retention_years(kind), 12, 31)


def _require_director(actor: User, school_id: int) -> None:
    if not has_school_role(actor, school_id, [Role.DIRECTOR]):
        raise PermissionDenied(_("Only the school's director can do this."))


def _document_snapshot(document: ArchiveDocument) -> dict[str, Any]:
    return {
        "kind": document.kind,
        "nomenclature_index": document.nomenclature_index,
        "year_id": document.year_id,
        "class_group_id": document.class_group_id,
        "version": document.version,
        "state": document.state,
        "container": document.container.name or "",
        "sha256": document.sha256,
        "closed_on": document.closed_on.isoformat(),
        "keep_until": document.keep_until.isoformat(),
    }


def archive_document_add(
    *,
    actor: User,
    kind: str,
    school: School,
    year: AcademicYear,
    class_group: ClassGroup | None,
    closed_on: dt.date,
    container: bytes,
    nomenclature_index: str,
) -> ArchiveDocument:
    """Register the next version of a document and store its container.

    Earlier versions stay untouched. The container must be a readable ASiC container; its
    SHA-256 and the keep-until date are computed here. Only the school's director (on whose
    behalf the year is closed) may add. If anything fails, neither a row nor a file is left.
    """
    _require_director(actor, school.pk)
    kind = DocumentKind(kind)
    if year.school_id != school.pk or (class_group is not None and class_group.year_id != year.pk):
        raise ValidationError(_("The year and the class must belong to this school."))
    if not nomenclature_index.strip():
        raise ValidationError(_("Enter the nomenclature index of the case."))
    try:
        container_read(container)
    except ContainerError as error:
        raise ValidationError(
            _("The package is not a readable container: %(error)s") % {"error": error}
        ) from error
    storage_name = ""
    try:
        with transaction.atomic():
            # Lock the year row so two packagings of the same document cannot take one version.
            AcademicYear.objects.select_for_update().get(pk=year.pk)
            latest = ArchiveDocument.objects.filter(
                kind=kind, school=school, year=year, class_group=class_group
            ).aggregate(latest=Max("version"))["latest"]
            document = ArchiveDocument(
                kind=kind,
                nomenclature_index=nomenclature_index.strip(),
                school=school,
                year=year,
                class_group=class_group,
                version=(latest or 0) + 1,
                sha256=hashlib.sha256(container).hexdigest(),
                created_by=actor,
                closed_on=closed_on,
                keep_until=keep_until(kind, closed_on),
            )
            document.container.save("package.asice", ContentFile(container), save=False)
            storage_name = document.container.name or ""
            document.save()
            audit_record(
                actor=actor,
                action="archive.document_add",
                obj=document,
                after=_document_snapshot(document),
                school_id=school.pk,
                role=Role.DIRECTOR,
            )
    except BaseException:
        if storage_name:
            ArchiveDocument.container.field.storage.delete(storage_name)
        raise
    return document


def signature_accepted(report: SignatureReport) -> bool:
    """Whether one signer's report counts as a signature of the document.

    It does when the signature covers exactly this container's manifest (integrity ok),
    its cryptography is valid or cannot be checked by any installed adapter (a DSTU 4145
    signature: «signed, not verifiable here»), and its certificate is not known to be
    revoked. An invalid signature, a mismatching manifest or a revoked certificate never
    counts. The chain is not part of the rule: an unknown issuer is shown in the report for
    the reader to judge, as the operator's trust bundle may simply lack that CA.
    """
    return (
        report.integrity is Integrity.OK
        and report.validity in (Validity.VALID, Validity.NOT_VERIFIABLE)
        and report.revocation is not Revocation.REVOKED
    )


def _report_json(reports: list[SignatureReport]) -> list[dict[str, Any]]:
    return [asdict(report) | {"accepted": signature_accepted(report)} for report in reports]


def _may_sign(actor: User, document: ArchiveDocument, role: str) -> bool:
    if role == SignerRole.DIRECTOR:
        return has_school_role(actor, document.school_id, [Role.DIRECTOR])
    # The class teacher may sign the achievement summary sheet of their own class.
    return (
        document.kind == DocumentKind.SUMMARY_SHEET
        and document.class_group is not None
        and document.class_group.class_teacher_id == actor.pk
    )


_ZIP_MAGIC = b"PK\x03\x04"
# What a signature of the whole package file (rather than of its manifest) is reported to
# sign: the package as it is stored and downloaded.
PACKAGE_NAME = "package.asice"


def _files_signed_otherwise(signed: Manifest, files: Mapping[str, bytes]) -> list[str]:
    """The package's files a manifest lists with another digest or not at all, and the
    files it lists that the package does not have."""
    listed = {entry.name for entry in signed.entries}
    differing = {name for name in files if name not in listed}
    for entry in signed.entries:
        content = files.get(entry.name)
        if (
            content is None
            or entry.digest_algorithm not in hashlib.algorithms_guaranteed
            or hashlib.new(entry.digest_algorithm, content).digest() != entry.digest
        ):
            differing.add(entry.name)
    return sorted(differing)


def _signatures_in(upload: bytes, *, package: bytes, ours: Container) -> list[tuple[str, bytes]]:
    """The signature files of an upload, each to be verified against this package's manifest.

    A detached .p7s is one. An ASiC-E or ASiC-S container, as the director's tool returns
    it, gives each CAdES signature it holds, once it is checked to sign this package: its
    data files are this package's files, and what its signatures sign is this package's
    manifest (in an ASiC-S, the manifest is the one data file). Anything else is refused.
    """
    if not upload.startswith(_ZIP_MAGIC):
        return [("signature.p7s", upload)]
    manifest = ours.manifests[0]
    try:
        uploaded = container_read(upload)
    except ContainerError as error:
        raise ValidationError(
            _("The file is neither a signature nor a readable container: %(error)s")
            % {"error": error}
        ) from error
    if uploaded.kind == "asic-s":
        ((name, content),) = uploaded.files.items()
        if content == package:
            raise ValidationError(
                _(
                    "This container signs the package file itself; sign its manifest "
                    "(%(manifest)s), downloaded from the package page, instead."
                )
                % {"manifest": manifest.name}
            )
        if content != manifest.content:
            raise ValidationError(
                _("This container signs other files: %(files)s.") % {"files": name}
            )
    else:
        other = sorted(
            name for name, content in uploaded.files.items() if ours.files.get(name) != content
        )
        manifests = {m.name: m for m in uploaded.manifests}
        for signed in uploaded.signed_objects():
            if signed.signed_content is None or signed.signed_content == manifest.content:
                continue  # an unpaired signature is checked against this manifest below
            differing = _files_signed_otherwise(manifests[signed.signed_name], ours.files)
            if not differing:
                raise ValidationError(
                    _(
                        "%(signature)s signs a manifest of its own (%(manifest)s), not this "
                        "package's; sign the package's manifest, downloaded from the package "
                        "page."
                    )
                    % {"signature": signed.signature_name, "manifest": signed.signed_name}
                )
            other += differing
        if other:
            raise ValidationError(
                _("This container signs other files: %(files)s.")
                % {"files": ", ".join(sorted(set(other)))}
            )
    signatures = [(s.signature_name, s.signature) for s in uploaded.signed_objects()]
    if not signatures:
        raise ValidationError(_("The container holds no CAdES signature (.p7s)."))
    return signatures


def _signature_store(
    *,
    actor: User,
    document: ArchiveDocument,
    role: str,
    signature: bytes,
    digest: str,
    reports: list[SignatureReport],
) -> ArchiveSignature:
    first = reports[0]
    accepted = any(signature_accepted(report) for report in reports)
    stored = ArchiveSignature.objects.create(
        document=document,
        role=role,
        data=signature,
        sha256=digest,
        uploaded_by=actor,
        signer_name=first.signer.name[:300],
        signer_organisation=first.signer.organisation[:300],
        signer_edrpou=first.signer.edrpou[:20],
        signer_drfo=first.signer.drfo[:20],
        signing_time=first.signing_time,
        integrity=first.integrity,
        validity=first.validity,
        chain=first.chain,
        revocation=first.revocation,
        level=first.level,
        accepted=accepted,
        report={"signers": _report_json(reports)},
    )
    before = document.state
    if accepted and role == SignerRole.DIRECTOR and before == DocumentState.DRAFT:
        document.state = DocumentState.SIGNED
        document.save(update_fields=["state"])
    audit_record(
        actor=actor,
        action="archive.signature_add",
        obj=stored,
        before={"state": before},
        after={
            "document_id": document.pk,
            "state": document.state,
            "role": role,
            "sha256": digest,
            "signer": stored.signer_name,
            "validity": stored.validity,
            "chain": stored.chain,
            "accepted": accepted,
        },
        school_id=document.school_id,
        role=Role.DIRECTOR if role == SignerRole.DIRECTOR else "",
    )
    return stored


def archive_signature_add(
    *,
    actor: User,
    document: ArchiveDocument,
    signature: bytes,
    role: str = SignerRole.DIRECTOR,
) -> ArchiveSignature:
    """Verify and keep an uploaded signature over the document's manifest: a detached
    `.p7s`, or an ASiC-E/ASiC-S container holding one or more (as signing tools return them).

    The report is stored whatever it says, one row per signature file. A draft document
    becomes signed when a director's signature is accepted (see `signature_accepted`); a
    class teacher's signature is kept beside it and does not change the state. Bytes that
    are not a CMS signature at all, a container that signs other files than this package's,
    or an upload whose every signature was uploaded before are refused, and then nothing is
    kept. Returns the stored signature (from a container, the first accepted one).
    """
    role = SignerRole(role)
    if not _may_sign(actor, document, role):
        raise PermissionDenied(_("Only the school's director can upload signatures here."))
    if document.state == DocumentState.DESTROYED or not document.container:
        raise ValidationError(_("This document was destroyed; it cannot be signed."))
    with document.container.open("rb") as handle:
        package = handle.read()
    container = container_read(package)
    if not container.manifests:
        raise ValidationError(_("The package has no manifest to sign."))
    manifest = container.manifests[0]
    is_container = signature.startswith(_ZIP_MAGIC)
    verified: dict[str, tuple[bytes, list[SignatureReport]]] = {}
    for name, data in _signatures_in(signature, package=package, ours=container):
        try:
            reports = signature_verify(
                data,
                content=manifest.content,
                signature_name=name,
                signed_name=manifest.name,
                trust=trust_bundle(),
            )
            if not is_container and all(r.integrity == Integrity.MISMATCH for r in reports):
                # A detached signature of the whole downloaded package file, as a tool
                # signs "a file": it signs every byte of the package, manifest included.
                whole = signature_verify(
                    data,
                    content=package,
                    signature_name=name,
                    signed_name=PACKAGE_NAME,
                    trust=trust_bundle(),
                )
                if any(r.integrity == Integrity.OK for r in whole):
                    reports = whole
        except SignatureFormatError as error:
            if is_container:
                raise ValidationError(
                    _("%(file)s in the container is not a signature: %(error)s")
                    % {"file": name, "error": error}
                ) from error
            raise ValidationError(
                _("The file is not a signature: %(error)s") % {"error": error}
            ) from error
        verified.setdefault(hashlib.sha256(data).hexdigest(), (data, reports))
    with transaction.atomic():
        document = ArchiveDocument.objects.select_for_update().get(pk=document.pk)
        known = set(
            ArchiveSignature.objects.filter(document=document, sha256__in=verified).values_list(
                "sha256", flat=True
            )
        )
        if len(known) == len(verified):
            raise ValidationError(_("This signature has already been uploaded."))
        stored = [
            _signature_store(
                actor=actor,
                document=document,
                role=role,
                signature=data,
                digest=digest,
                reports=reports,
            )
            for digest, (data, reports) in verified.items()
            if digest not in known
        ]
    return next((row for row in stored if row.accepted), stored[0])


def archive_document_transfer(*, actor: User, document: ArchiveDocument) -> ArchiveDocument:
    """Record that a signed version was transferred to archival storage."""
    _require_director(actor, document.school_id)
    with transaction.atomic():
        document = ArchiveDocument.objects.select_for_update().get(pk=document.pk)
        if document.state != DocumentState.SIGNED:
            raise ValidationError(_("Only a signed document can be transferred to the archive."))
        document.state = DocumentState.TRANSFERRED
        document.save(update_fields=["state"])
        audit_record(
            actor=actor,
            action="archive.document_transfer",
            obj=document,
            before={"state": DocumentState.SIGNED},
            after={"state": document.state},
            school_id=document.school_id,
            role=Role.DIRECTOR,
        )
    return document


def archive_document_destroy(
    *, actor: User, document: ArchiveDocument, reason: str, today: dt.date
) -> DestructionAct:
    """Destroy a version whose keep-until date has passed: write the act, remove the file.

    Refused on or before keep-until (that day included). The register row stays with state
    destroyed and the act stays; the container file is removed once the transaction commits,
    so a failed write never loses a file.
    """
    _require_director(actor, document.school_id)
    if not reason.strip():
        raise ValidationError(_("State why the document is destroyed."))
    with transaction.atomic():
        document = ArchiveDocument.objects.select_for_update().get(pk=document.pk)
        if document.state == DocumentState.DESTROYED:
            raise ValidationError(_("This document has already been destroyed."))
        if today <= document.keep_until:
            raise ValidationError(
                _("This document must be kept until %(date)s; it cannot be destroyed before then.")
                % {"date": date_format(document.keep_until, "SHORT_DATE_FORMAT")}
            )
        before = _document_snapshot(document)
        now = timezone.now()
        file_name = document.container.name or ""
        act = DestructionAct.objects.create(
            document=document,
            destroyed_by=actor,
            destroyed_at=now,
            reason=reason.strip(),
            container_name=file_name,
            container_sha256=document.sha256,
        )
        document.state = DocumentState.DESTROYED
        document.destroyed_at = now
        document.container = ""
        document.save(update_fields=["state", "destroyed_at", "container"])
        audit_record(
            actor=actor,
            action="archive.document_destroy",
            obj=document,
            before=before,
            after=_document_snapshot(document) | {"act_id": act.pk},
            reason=act.reason,
            school_id=document.school_id,
            role=Role.DIRECTOR,
        )
        if file_name:
            storage = ArchiveDocument.container.field.storage
            transaction.on_commit(lambda: storage.delete(file_name))
    return act
