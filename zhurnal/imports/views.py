from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from zhurnal.accounts.models import User
from zhurnal.imports.access import IMPORT_ROLES, import_batch_for_user
from zhurnal.imports.forms import ImportUploadForm
from zhurnal.imports.models import ImportBatch, ImportKind, ImportStatus
from zhurnal.imports.parsing import columns_for, template_csv, template_xlsx
from zhurnal.imports.selectors import batches_recent, year_open_current
from zhurnal.imports.services import (
    ImportRejected,
    batch_preview,
    import_batch_apply,
    import_batch_create,
)
from zhurnal.imports.validation import Preview
from zhurnal.people.access import school_for_user
from zhurnal.schools.models import School

_TEMPLATE_NAMES: dict[str, str] = {
    ImportKind.STUDENTS: "uchni",
    ImportKind.STAFF: "pratsivnyky",
}
_COUNT_LABELS = {
    "rows": gettext_lazy("rows"),
    "students": gettext_lazy("students"),
    "enrollments": gettext_lazy("enrollments in classes"),
    "guardians_created": gettext_lazy("new guardians"),
    "guardians_reused": gettext_lazy("guardians already known"),
    "guardian_links": gettext_lazy("links of guardians to children"),
    "staff": gettext_lazy("staff members"),
    "logins_created": gettext_lazy("new logins"),
    "logins_reused": gettext_lazy("logins already known"),
    "roles": gettext_lazy("roles given"),
    "class_teachers": gettext_lazy("class teachers appointed"),
}
_CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _upload(request: HttpRequest, school_id: int, kind: str) -> HttpResponse:
    user = _user(request)
    school = school_for_user(user, school_id, roles=IMPORT_ROLES)
    posted = request.method == "POST"
    form = ImportUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = import_batch_create(
                actor=user,
                school=school,
                kind=kind,
                filename=upload.name or "",
                content=upload.read(),
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            return redirect("imports:preview", school_id=school.pk, batch_id=batch.pk)
    return render(
        request,
        "imports/upload.html",
        {
            "school": school,
            "kind": kind,
            "title": _("Import of students and guardians")
            if kind == ImportKind.STUDENTS
            else _("Import of staff"),
            "form": form,
            "year": year_open_current(school),
            "columns": columns_for(kind),
            "batches": batches_recent(school, kind),
        },
        status=400 if posted else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def students_upload(request: HttpRequest, school_id: int) -> HttpResponse:
    """Upload a list of students with their guardians."""
    return _upload(request, school_id, ImportKind.STUDENTS)


@login_required
@require_http_methods(["GET", "POST"])
def staff_upload(request: HttpRequest, school_id: int) -> HttpResponse:
    """Upload a list of staff with their roles and classes."""
    return _upload(request, school_id, ImportKind.STAFF)


@login_required
def template_download(request: HttpRequest, school_id: int, kind: str, fmt: str) -> HttpResponse:
    """The file to fill in, as XLSX or CSV."""
    school_for_user(_user(request), school_id, roles=IMPORT_ROLES)
    if kind not in ImportKind.values or fmt not in _CONTENT_TYPES:
        raise Http404(_("Not found"))
    content = template_xlsx(kind) if fmt == "xlsx" else template_csv(kind)
    response = HttpResponse(content, content_type=_CONTENT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="zhurnal-{_TEMPLATE_NAMES[kind]}.{fmt}"'
    )
    return response


def _preview_page(
    request: HttpRequest,
    school: School,
    batch: ImportBatch,
    preview: Preview | None,
    *,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "school": school,
        "batch": batch,
        "preview": preview,
        "problem": problem,
        "can_confirm": (
            batch.status == ImportStatus.PREVIEWED
            and preview is not None
            and not preview.has_errors
            and batch.year.closed_at is None
        ),
        "counts": [
            (_COUNT_LABELS.get(name, name), value) for name, value in (batch.counts or {}).items()
        ],
        "upload_url_name": "imports:students"
        if batch.kind == ImportKind.STUDENTS
        else "imports:staff",
    }
    return render(request, "imports/preview.html", context, status=status)


@login_required
def batch_show(request: HttpRequest, school_id: int, batch_id: int) -> HttpResponse:
    """Every row of the file with its errors; nothing is written."""
    user = _user(request)
    school = school_for_user(user, school_id, roles=IMPORT_ROLES)
    batch = import_batch_for_user(user, batch_id, within=school)
    preview: Preview | None = None
    problem = ""
    if batch.status != ImportStatus.APPLIED:
        try:
            preview = batch_preview(batch)
        except ValidationError as exc:
            problem = " ".join(exc.messages)
    return _preview_page(request, batch.school, batch, preview, problem=problem)


@login_required
@require_POST
def batch_confirm(request: HttpRequest, school_id: int, batch_id: int) -> HttpResponse:
    """Import every row, or nothing if any row fails."""
    user = _user(request)
    school = school_for_user(user, school_id, roles=IMPORT_ROLES)
    batch = import_batch_for_user(user, batch_id, within=school)
    try:
        counts = import_batch_apply(actor=user, batch=batch)
    except ImportRejected as rejected:
        batch.refresh_from_db()
        return _preview_page(
            request,
            batch.school,
            batch,
            rejected.preview,
            problem=_("Nothing was imported: correct the rows below and upload the file again."),
            status=409,
        )
    except ValidationError as exc:
        batch.refresh_from_db()
        return _preview_page(
            request, batch.school, batch, None, problem=" ".join(exc.messages), status=409
        )
    messages.success(
        request,
        ngettext("Imported %(rows)s row.", "Imported %(rows)s rows.", counts["rows"])
        % {"rows": counts["rows"]},
    )
    return redirect("imports:preview", school_id=batch.school.pk, batch_id=batch.pk)
