"""The end of the year: the pre-closing check, closing a class or the school, the packaging's
progress, reopening by an act; the archive register with each document's page (download,
signature upload, verification, transfer, destruction); and the department's overview.

The director and deputies read these pages, only the director writes (the services refuse
anyone else); a class teacher reaches their class's documents to sign the summary sheet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhurnal.accounts.models import User
from zhurnal.accounts.reauth import reauthentication_response
from zhurnal.archive.access import (
    archive_document_for_user,
    archive_school_for_user,
    packaging_job_for_user,
)
from zhurnal.archive.closing.checks import CheckItem, closing_check
from zhurnal.archive.closing.selectors import (
    department_closing_summary,
    reopening_acts,
    school_closing_overview,
)
from zhurnal.archive.closing.services import (
    ClosingRefused,
    class_year_close,
    school_year_close,
    year_reopen,
)
from zhurnal.archive.containers import (
    ContainerError,
    container_add_signature,
    container_build_simple,
    container_read,
)
from zhurnal.archive.forms import CloseForm, DestroyForm, ReopenForm, SignatureUploadForm
from zhurnal.archive.models import (
    ArchiveDocument,
    ArchiveSignature,
    DocumentKind,
    DocumentState,
    JobState,
    PackagingJob,
    SignerRole,
)
from zhurnal.archive.packaging.services import packaging_start
from zhurnal.archive.register import (
    PACKAGE_NAME,
    archive_document_destroy,
    archive_document_transfer,
    archive_signature_add,
)
from zhurnal.archive.selectors import archive_department_summary, archive_register, trust_bundle
from zhurnal.archive.signatures import SignatureFormatError, signature_verify
from zhurnal.archive.verification import PackageReport, package_verify
from zhurnal.control.corrections.selectors import school_years, year_from_query
from zhurnal.core.exports import download
from zhurnal.core.forms import add_service_errors, error_text, form_error_text
from zhurnal.core.http import AuthedRequest, with_query
from zhurnal.core.timeutil import local_today, school_today
from zhurnal.people.access import (
    JOURNAL_CONTROLLERS,
    class_group_for_user,
    has_school_role,
    municipality_for_user,
    school_for_user,
)
from zhurnal.people.models import Role
from zhurnal.schools.models import AcademicYear, ClassGroup, School

ASICE = "application/vnd.etsi.asic-e+zip"


def _year(request: AuthedRequest, school: School) -> AcademicYear | None:
    years = school_years(school)
    return year_from_query(
        years, request.GET.get("year") or request.POST.get("year"), school_today(school)
    )


def _is_director(user: User, school: School) -> bool:
    return has_school_role(user, school.pk, [Role.DIRECTOR])


def _codes(items: Sequence[CheckItem]) -> list[tuple[str, str]]:
    return [(item.code, item.text) for item in items if item.acceptable]


def _year_end_url(school: School, year: AcademicYear) -> str:
    return with_query(reverse("archive:year_end", args=[school.pk]), f"year={year.pk}")


# --- the year's end: overview, checks, closing, reopening ----------------------------------


@login_required
def year_end(request: AuthedRequest, school_id: int) -> HttpResponse:
    """Кінець навчального року: every class with its state (open, closed, packaged, signed),
    what the pre-closing check still finds in each open class, the packaging jobs and the
    reopening acts."""
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    years = school_years(school)
    year = _year(request, school)
    rows = school_closing_overview(year) if year else []
    open_classes = [row.class_group for row in rows if row.closed_at is None]
    # The overview counts what is missing without reconciling every class with the audit
    # log (seconds for a lyceum): the class's own check page and the closing do that.
    checks = closing_check(year, open_classes, integrity=False) if year and open_classes else {}
    director = _is_director(request.user, school)
    return render(
        request,
        "archive/year_end.html",
        {
            "school": school,
            "years": years,
            "year": year,
            "table": [(row, checks.get(row.class_group.pk, [])) for row in rows],
            "open_count": len(open_classes),
            "director": director,
            "jobs": list(PackagingJob.objects.filter(year=year).order_by("-created_at", "-pk")[:10])
            if year
            else [],
            "acts": reopening_acts(school=school, year_name=year.name) if year else [],
            "reopen_form": ReopenForm(classes=ClassGroup.objects.filter(year=year))
            if year
            else None,
        },
    )


def _close_page(
    request: AuthedRequest,
    *,
    school: School,
    year: AcademicYear,
    class_group: ClassGroup | None,
) -> HttpResponse:
    classes = (
        [class_group]
        if class_group is not None
        else list(
            ClassGroup.objects.filter(year=year, closed_at__isnull=True).order_by("grade", "letter")
        )
    )
    checks = closing_check(year, classes) if classes else {}
    items = [item for group in classes for item in checks.get(group.pk, [])]
    director = _is_director(request.user, school)
    if request.method == "POST":
        if not director:
            raise Http404(_("Not found"))
        if (confirm := reauthentication_response(request)) is not None:
            return confirm  # closing is final: the password (and code) first
        form = CloseForm(request.POST, codes=_codes(items))
        refused_codes: set[str] = set()
        if form.is_valid():
            accepted = form.cleaned_data["accepted"]
            try:
                if class_group is not None:
                    job = class_year_close(
                        actor=request.user, class_group=class_group, accepted=accepted
                    )
                else:
                    job = school_year_close(actor=request.user, year=year, accepted=accepted)
            except PermissionDenied as exc:
                raise Http404(_("Not found")) from exc
            except ClosingRefused as exc:
                # The first message says why; the items themselves are marked in the list.
                form.add_error(None, exc.messages[0])
                refused_codes = {item.code for item in exc.items}
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The year is closed for %(what)s. Packaging has started.")
                    % {"what": class_group or _("the whole school")},
                )
                return redirect("archive:job", school.pk, job.pk)
        # Show what the check finds now: a refusal may have named new items.
        checks = closing_check(year, classes) if classes else {}
        items = [item for group in classes for item in checks.get(group.pk, [])]
        refused = refused_codes
        status = 400
    else:
        form = CloseForm(codes=_codes(items))
        refused = set()
        status = 200
    return render(
        request,
        "archive/close.html",
        {
            "school": school,
            "year": year,
            "class_group": class_group,
            "classes": classes,
            "groups": [(group, checks.get(group.pk, [])) for group in classes],
            "item_count": len(items),
            "form": form,
            "refused": refused,
            "director": director,
            "already_closed": class_group is not None and class_group.closed_at is not None,
        },
        status=status,
    )


@login_required
def class_close(request: AuthedRequest, school_id: int, class_id: int) -> HttpResponse:
    """The pre-closing check of one class and, for the director, closing its year."""
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    class_group = class_group_for_user(request.user, class_id, roles=JOURNAL_CONTROLLERS)
    if class_group.year.school_id != school.pk:
        raise Http404(_("Not found"))
    return _close_page(request, school=school, year=class_group.year, class_group=class_group)


@login_required
def school_close(request: AuthedRequest, school_id: int) -> HttpResponse:
    """The pre-closing check of every open class and, for the director, closing the
    school's whole year."""
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    year = _year(request, school)
    if year is None:
        raise Http404(_("Not found"))
    return _close_page(request, school=school, year=year, class_group=None)


@login_required
@require_POST
def reopen(request: AuthedRequest, school_id: int) -> HttpResponse:
    """The director's reasoned act reopening a class's or the school's year."""
    school = school_for_user(request.user, school_id, roles=[Role.DIRECTOR])
    if (confirm := reauthentication_response(request)) is not None:
        return confirm  # reopening a closed year: the password (and code) first
    year = _year(request, school)
    if year is None:
        raise Http404(_("Not found"))
    form = ReopenForm(request.POST, classes=ClassGroup.objects.filter(year=year))
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect(_year_end_url(school, year) + "#reopen")
    try:
        year_reopen(
            actor=request.user,
            year=year,
            class_group=form.cleaned_data["class_group"],
            reason=form.cleaned_data["reason"],
        )
    except PermissionDenied as exc:
        raise Http404(_("Not found")) from exc
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(_year_end_url(school, year) + "#reopen")
    messages.success(
        request,
        _("Reopened: %(what)s. The act is recorded and the department sees it.")
        % {"what": form.cleaned_data["class_group"] or _("the whole school")},
    )
    return redirect(_year_end_url(school, year))


# --- packaging progress -----------------------------------------------------------------------


def _job_status(job: PackagingJob) -> dict[str, object]:
    return {
        "state": job.state,
        "state_display": job.get_state_display(),
        "percent": job.percent,
        "steps_done": job.steps_done,
        "steps_total": job.steps_total,
        "current": job.current,
        "errors": list(job.errors),
        "finished": job.state in (JobState.DONE, JobState.FAILED),
    }


@login_required
def job(request: AuthedRequest, school_id: int, job_id: int) -> HttpResponse:
    """The packaging's progress; the page follows it by itself and lists the documents."""
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    packaging = packaging_job_for_user(request.user, job_id, within=school)
    return render(
        request,
        "archive/job.html",
        {
            "school": school,
            "job": packaging,
            "status": _job_status(packaging),
            "documents": list(
                packaging.documents.select_related("class_group").order_by(
                    "class_group__grade", "class_group__letter", "kind"
                )
            ),
            "classes": list(packaging.class_groups.order_by("grade", "letter")),
            "director": _is_director(request.user, school),
            "stalled": _stalled(packaging),
        },
    )


# A job still running after this long has lost its worker (a step takes seconds).
STALLED_AFTER = dt.timedelta(minutes=15)


def _stalled(job: PackagingJob) -> bool:
    started = job.started_at or job.created_at
    return job.state in (JobState.QUEUED, JobState.RUNNING) and (
        timezone.now() - started > STALLED_AFTER
    )


@login_required
@require_POST
def job_repeat(request: AuthedRequest, school_id: int, job_id: int) -> HttpResponse:
    """Package the job's classes again (after a failure, or a worker that stopped): each
    document gets a new version; nothing packaged before is touched."""
    school = school_for_user(request.user, school_id, roles=[Role.DIRECTOR])
    packaging = packaging_job_for_user(request.user, job_id, within=school)
    classes = [group for group in packaging.class_groups.all() if group.closed_at is not None]
    school_documents = packaging.school_documents and packaging.year.closed_at is not None
    if not classes and not school_documents:
        messages.error(request, _("Nothing to package: the year of these classes was reopened."))
        return redirect("archive:job", school.pk, packaging.pk)
    try:
        with transaction.atomic():
            repeated = packaging_start(
                actor=request.user,
                year=packaging.year,
                closing=packaging.closing,
                class_groups=classes,
                school_documents=school_documents,
            )
    except PermissionDenied as exc:
        raise Http404(_("Not found")) from exc
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("archive:job", school.pk, packaging.pk)
    messages.success(request, _("Packaging has started again."))
    return redirect("archive:job", school.pk, repeated.pk)


@login_required
def job_status(request: AuthedRequest, school_id: int, job_id: int) -> JsonResponse:
    """The progress as JSON, for the page's script."""
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    packaging = packaging_job_for_user(request.user, job_id, within=school)
    return JsonResponse(_job_status(packaging))


# --- the archive register and its documents ------------------------------------------------


@login_required
def register(request: AuthedRequest, school_id: int) -> HttpResponse:
    """The school's archive register: every document version, its signers and state."""
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    return render(
        request,
        "archive/register.html",
        {"school": school, "documents": archive_register(school), "class_group": None},
    )


@login_required
def class_documents(request: AuthedRequest, class_id: int) -> HttpResponse:
    """The archived documents of one class, for its class teacher (who signs the summary
    sheet) and the school's director and deputies."""
    class_group = class_group_for_user(request.user, class_id)
    school = class_group.year.school
    documents = [
        document
        for document in archive_register(school)
        if document.class_group_id == class_group.pk
    ]
    return render(
        request,
        "archive/register.html",
        {"school": school, "documents": documents, "class_group": class_group},
    )


def _signer_roles(user: User, document: ArchiveDocument) -> list[str]:
    roles: list[str] = []
    if _is_director(user, document.school):
        roles.append(SignerRole.DIRECTOR)
    if (
        document.kind == DocumentKind.SUMMARY_SHEET
        and document.class_group is not None
        and document.class_group.class_teacher_id == user.pk
    ):
        roles.append(SignerRole.CLASS_TEACHER)
    return roles


def _container_bytes(document: ArchiveDocument) -> bytes | None:
    if not document.container:
        return None
    with document.container.open("rb") as handle:
        data: bytes = handle.read()
    return data


def _signs_whole_package(signature: ArchiveSignature) -> bool:
    signers = signature.report.get("signers") or [{}]
    return bool(signers[0].get("signed_name") == PACKAGE_NAME)


def _director_signature(document: ArchiveDocument) -> ArchiveSignature | None:
    return (
        ArchiveSignature.objects.filter(document=document, role=SignerRole.DIRECTOR, accepted=True)
        .order_by("-uploaded_at", "-pk")
        .first()
    )


def _signed_container(document: ArchiveDocument, container: bytes) -> bytes | None:
    """The package kept together with the director's accepted signature, which
    `zhurnal archive verify` checks offline: the ASiC-E with the signature of its manifest
    in it, or — for a signature of the whole package file — an ASiC-S holding the package
    and that signature. None while it is unsigned."""
    signature = _director_signature(document)
    if signature is None:
        return None
    try:
        if _signs_whole_package(signature):
            return container_build_simple(PACKAGE_NAME, container, bytes(signature.data))
        return container_add_signature(container, bytes(signature.data))
    except ContainerError:
        return None


def _verification(
    container: bytes | None, signatures: list[ArchiveSignature]
) -> PackageReport | None:
    """The package checked again now: every file against the manifest, and every kept
    signature against what it signs (the manifest, or the whole package file)."""
    if container is None:
        return None
    trust = trust_bundle()
    try:
        report = package_verify(container, trust=trust)
    except ContainerError:
        return None
    manifests = report.container.manifests
    for signature in signatures:
        whole = _signs_whole_package(signature)
        if not manifests and not whole:
            continue
        content, signed_name = (
            (container, PACKAGE_NAME) if whole else (manifests[0].content, manifests[0].name)
        )
        try:
            report.signatures += signature_verify(
                bytes(signature.data),
                content=content,
                signature_name=f"{signature.get_role_display()} #{signature.pk}",
                signed_name=signed_name,
                trust=trust,
            )
        except SignatureFormatError as error:
            report.signature_errors.append(str(error))
    return report


def _document_page(
    request: AuthedRequest,
    document: ArchiveDocument,
    *,
    upload_form: SignatureUploadForm | None = None,
    destroy_form: DestroyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    roles = _signer_roles(request.user, document)
    container = _container_bytes(document)
    today = school_today(document.school)
    signatures = list(
        document.signatures.select_related("uploaded_by").order_by("uploaded_at", "pk")
    )
    return render(
        request,
        "archive/document.html",
        {
            "school": document.school,
            "document": document,
            "files": sorted(container_read(container).files.items()) if container else [],
            "signatures": signatures,
            "verification": _verification(container, signatures),
            "director": _is_director(request.user, document.school),
            "upload_form": upload_form or SignatureUploadForm(roles=roles),
            "can_sign": bool(roles) and document.state != DocumentState.DESTROYED,
            "destroy_form": destroy_form or DestroyForm(),
            "may_destroy": today > document.keep_until
            and document.state != DocumentState.DESTROYED,
            "act": getattr(document, "destruction_act", None),
        },
        status=status,
    )


@login_required
def document(request: AuthedRequest, school_id: int, document_id: int) -> HttpResponse:
    """One document version: files, signatures with their verification, and actions."""
    school = archive_school_for_user(request.user, school_id)
    found = archive_document_for_user(request.user, document_id, within=school)
    return _document_page(request, found)


@login_required
def document_download(
    request: AuthedRequest, school_id: int, document_id: int, what: str
) -> HttpResponse:
    """The package (as built), the manifest alone (what the signer signs), or the package
    with the director's signature in it."""
    school = archive_school_for_user(request.user, school_id)
    found = archive_document_for_user(request.user, document_id, within=school)
    container = _container_bytes(found)
    if container is None:
        raise Http404(_("Not found"))
    stem = _file_stem(found)
    if what == "package":
        return download(container, filename=f"{stem}.asice", content_type=ASICE)
    if what == "manifest":
        manifest = container_read(container).manifests[0]
        return download(
            manifest.content, filename=f"{stem}-ASiCManifest.xml", content_type="application/xml"
        )
    if what == "signed":
        signed = _signed_container(found, container)
        if signed is None:
            raise Http404(_("Not found"))
        return download(signed, filename=f"{stem}-signed.asice", content_type=ASICE)
    raise Http404(_("Not found"))


def _file_stem(document: ArchiveDocument) -> str:
    scope = f"{document.class_group}" if document.class_group else "school"
    return f"{document.kind}-{scope}-{document.year.name}-v{document.version}".replace(
        "/", "-"
    ).replace(" ", "")


@login_required
@require_POST
def signature_upload(request: AuthedRequest, school_id: int, document_id: int) -> HttpResponse:
    """Keep an uploaded signature with its verification report."""
    school = archive_school_for_user(request.user, school_id)
    found = archive_document_for_user(request.user, document_id, within=school)
    roles = _signer_roles(request.user, found)
    if not roles:
        raise Http404(_("Not found"))
    form = SignatureUploadForm(request.POST, request.FILES, roles=roles)
    if form.is_valid():
        try:
            stored = archive_signature_add(
                actor=request.user,
                document=found,
                signature=form.cleaned_data["file"],
                role=form.cleaned_data["role"],
            )
        except PermissionDenied as exc:
            raise Http404(_("Not found")) from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if stored.accepted:
                messages.success(
                    request,
                    _("The signature of %(signer)s is verified and kept.")
                    % {"signer": stored.signer_name or _("an unknown signer")},
                )
            else:
                messages.warning(
                    request,
                    _(
                        "The signature is kept, but it does not count as a valid signature: "
                        "see its verification report."
                    ),
                )
            return redirect("archive:document", school_id, found.pk)
    return _document_page(request, found, upload_form=form, status=400)


@login_required
@require_POST
def document_transfer(request: AuthedRequest, school_id: int, document_id: int) -> HttpResponse:
    """Record the transfer of a signed version to archival storage."""
    school = school_for_user(request.user, school_id, roles=[Role.DIRECTOR])
    found = archive_document_for_user(request.user, document_id, within=school)
    try:
        archive_document_transfer(actor=request.user, document=found)
    except PermissionDenied as exc:
        raise Http404(_("Not found")) from exc
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Recorded as transferred to archival storage."))
    return redirect("archive:document", school.pk, found.pk)


@login_required
@require_POST
def document_destroy(request: AuthedRequest, school_id: int, document_id: int) -> HttpResponse:
    """Destroy a version after its keep-until date, by an act."""
    school = school_for_user(request.user, school_id, roles=[Role.DIRECTOR])
    found = archive_document_for_user(request.user, document_id, within=school)
    if (confirm := reauthentication_response(request)) is not None:
        return confirm  # destroying an archived version: the password (and code) first
    form = DestroyForm(request.POST)
    if form.is_valid():
        try:
            archive_document_destroy(
                actor=request.user,
                document=found,
                reason=form.cleaned_data["reason"],
                today=school_today(school),
            )
        except PermissionDenied as exc:
            raise Http404(_("Not found")) from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The document is destroyed; the act is kept."))
            return redirect("archive:document", school.pk, found.pk)
    return _document_page(request, found, destroy_form=form, status=400)


# --- the department ---------------------------------------------------------------------------


def _year_names(municipality_id: int) -> list[str]:
    return list(
        AcademicYear.objects.filter(school__municipality_id=municipality_id)
        .order_by("-starts_on")
        .values_list("name", flat=True)
        .distinct()
    )


@login_required
def department(request: AuthedRequest) -> HttpResponse:
    """For every school of the community: classes closed, packaged and signed, who is late
    for 1 July, the archive's documents by kind and state, and the reopening acts. Aggregates
    and document metadata only."""
    municipality = municipality_for_user(request.user)
    names = list(dict.fromkeys(_year_names(municipality.pk)))
    year_name = request.GET.get("year") if request.GET.get("year") in names else None
    if year_name is None and names:
        year_name = names[0]
    today = local_today(municipality.time_zone)
    return render(
        request,
        "archive/department.html",
        {
            "municipality": municipality,
            "year_names": names,
            "year_name": year_name,
            "schools": department_closing_summary(municipality, year_name=year_name, today=today)
            if year_name
            else [],
            "archives": archive_department_summary(municipality, year_name=year_name)
            if year_name
            else [],
            "acts": reopening_acts(municipality=municipality, year_name=year_name)
            if year_name
            else [],
            "kinds": DocumentKind.choices,
        },
    )
