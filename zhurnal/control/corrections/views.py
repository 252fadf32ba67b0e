"""The deputy director's control of journal keeping: the register of corrections with
approval of changes waiting in locked terms, and the term locks themselves. For the
school's director and deputy directors only (everyone else: 404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from openpyxl.styles import Alignment

from zhurnal.control.access import correction_for_user, term_lock_for_user
from zhurnal.control.corrections.forms import (
    BulkLockForm,
    CorrectionFilterForm,
    DecisionForm,
    LockForm,
)
from zhurnal.control.corrections.selectors import (
    CorrectionRow,
    classes_for_term,
    classes_of,
    correction_rows,
    corrections_register,
    covering_lock,
    locks_of_year,
    pending_count,
    school_years,
    subjects_of,
    terms_of,
    whole_class_locked,
    year_from_query,
)
from zhurnal.core.exports import XLSX, download, new_workbook, titled_sheet, workbook_bytes
from zhurnal.core.forms import error_text, form_error_text
from zhurnal.core.http import AuthedRequest, with_query
from zhurnal.core.timeutil import school_today, school_tz
from zhurnal.journal.models import Correction, CorrectionStatus, TermLock
from zhurnal.journal.services import correction_decide, term_lock, term_unlock
from zhurnal.people.access import JOURNAL_CONTROLLERS, school_for_user
from zhurnal.people.models import Role
from zhurnal.people.selectors import school_staff
from zhurnal.schools.models import AcademicYear, School

PAGE_SIZE = 100
FILTER_KEYS = ("year", "teacher", "class_group", "status", "start", "end", "page")


# --- the register of corrections ----------------------------------------------------------


@dataclass
class RegisterQuery:
    """The register asked for: the year (the default one unless another is chosen) and the
    bound filter form."""

    year: AcademicYear | None
    form: CorrectionFilterForm

    def filter_query(self) -> dict[str, str]:
        """The filters as a query string, for the export link and coming back after a
        decision."""
        if not self.form.is_valid():
            return {}
        query = {"year": str(self.year.pk)} if self.year else {}
        for key in ("teacher", "class_group"):
            value = self.form.cleaned_data.get(key)
            if value is not None:
                query[key] = str(value.pk)
        if self.form.cleaned_data.get("status"):
            query["status"] = self.form.cleaned_data["status"]
        for key in ("start", "end"):
            day = self.form.cleaned_data.get(key)
            if day is not None:
                query[key] = day.isoformat()
        return query


def _register_form(
    request: AuthedRequest, school: School
) -> tuple[RegisterQuery, QuerySet[Correction] | None]:
    years = school_years(school)
    year = year_from_query(years, request.GET.get("year"), school_today(school))
    data = request.GET.copy()
    if year is not None:
        data["year"] = str(year.pk)
    form = CorrectionFilterForm(
        data,
        years=years,
        teachers=school_staff(school, role=Role.TEACHER, active_only=False),
        classes=classes_of(year),
    )
    query = RegisterQuery(year=year, form=form)
    if year is None or not form.is_valid():
        return query, None
    register = corrections_register(
        year=year,
        tz_name=school.municipality.time_zone,
        teacher=form.cleaned_data["teacher"],
        class_group=form.cleaned_data["class_group"],
        status=form.cleaned_data["status"],
        start=form.cleaned_data["start"],
        end=form.cleaned_data["end"],
    )
    return query, register


@login_required
def corrections(request: AuthedRequest, school_id: int) -> HttpResponse:
    """Реєстр виправлень: every change of a recorded mark or attendance entry in the year,
    changes waiting for approval first, each with Approve and Reject."""
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    query, register = _register_form(request, school)
    page = None
    rows: list[CorrectionRow] = []
    if register is not None:
        page = Paginator(register, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = correction_rows(list(page.object_list))
    filters = query.filter_query()
    back = dict(filters)
    if page is not None and page.number > 1:
        back["page"] = str(page.number)
    return render(
        request,
        "control/corrections/register.html",
        {
            "school": school,
            "year": query.year,
            "form": query.form,
            "page_obj": page,
            "rows": rows,
            "pending": pending_count(query.year) if query.year else 0,
            "pending_url": _corrections_url(school, {**filters, "status": "pending"}),
            "back": urlencode(back),
            "xlsx_url": reverse("control:corrections_xlsx", args=[school.pk])
            + "?"
            + urlencode(filters),
            "read_only": query.year is None or query.year.is_closed,
        },
    )


def _corrections_url(school: School, query: dict[str, str]) -> str:
    return with_query(reverse("control:corrections", args=[school.pk]), urlencode(query))


def _back_query(raw: str) -> dict[str, str]:
    """The register's filters carried through a decision: only the known keys, re-encoded."""
    parsed = QueryDict(raw)
    return {key: parsed[key] for key in FILTER_KEYS if parsed.get(key)}


@login_required
@require_POST
def correction_decide_view(
    request: AuthedRequest, school_id: int, correction_id: int
) -> HttpResponse:
    """Approve (apply) or reject one change waiting for approval."""
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    correction = correction_for_user(request.user, correction_id, within=school)
    back = _back_query(request.POST.get("back", ""))
    form = DecisionForm(request.POST)
    rows = correction_rows([correction])
    what = _("%(student)s, %(subject)s, %(column)s") % {
        "student": rows[0].student,
        "subject": rows[0].subject,
        "column": rows[0].column,
    }
    if not form.is_valid():
        messages.error(request, f"{what}: {form_error_text(form)}")
        return redirect(_corrections_url(school, back) + f"#correction-{correction.pk}")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        correction_decide(
            actor=request.user,
            correction=correction,
            approve=approve,
            note=form.cleaned_data["note"],
        )
    except PermissionDenied as exc:
        raise Http404(_("Not found")) from exc
    except ValidationError as exc:
        messages.error(request, f"{what}: {error_text(exc)}")
    else:
        if approve:
            messages.success(
                request,
                _("Approved and applied: %(what)s — %(before)s → %(after)s.")
                % {"what": what, "before": rows[0].before, "after": rows[0].after},
            )
        else:
            messages.success(
                request, _("Rejected: %(what)s. The journal stays as it was.") % {"what": what}
            )
    return redirect(_corrections_url(school, back))


@login_required
def corrections_xlsx(request: AuthedRequest, school_id: int) -> HttpResponse:
    """The filtered register as a spreadsheet."""
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    query, register = _register_form(request, school)
    if register is None or query.year is None:
        messages.error(request, form_error_text(query.form) or _("There is no academic year yet."))
        return redirect("control:corrections", school.pk)
    rows = correction_rows(list(register))
    return download(
        corrections_workbook(school=school, year=query.year, rows=rows),
        filename=f"corrections-{query.year.name.replace('/', '-')}.xlsx",
        content_type=XLSX,
    )


def corrections_workbook(*, school: School, year: AcademicYear, rows: list[CorrectionRow]) -> bytes:
    """The register as a spreadsheet: a title, then one row per correction; times are real
    date-times in the school's time zone."""
    workbook, sheet = new_workbook(_("Corrections"))
    headers = [
        (_("When"), 17),
        (_("Changed by"), 30),
        (_("Class"), 10),
        (_("Subject"), 26),
        (_("Student"), 30),
        (_("Lesson or column"), 22),
        (_("Before"), 18),
        (_("After"), 18),
        (_("Reason"), 36),
        (_("Status"), 20),
        (_("Approved by"), 30),
        (_("Decided at"), 17),
    ]
    titled_sheet(
        sheet,
        title=_("Register of corrections"),
        subtitle=f"{school.name}, {year.name}",
        headers=headers,
    )
    tz = school_tz(school.municipality.time_zone)

    def local(moment: dt.datetime | None) -> dt.datetime | None:
        # Spreadsheets have no time zones: write the school's wall-clock time.
        return timezone.localtime(moment, tz).replace(tzinfo=None) if moment else None

    for row in rows:
        correction = row.correction
        sheet.append(
            [
                local(correction.created_at),
                row.teacher,
                row.class_name,
                row.subject,
                row.student,
                row.column,
                row.before,
                row.after,
                correction.reason,
                correction.get_status_display(),
                (
                    f"{correction.decided_by.full_name} {correction.decision_note}".strip()
                    if correction.decided_by
                    else ""
                ),
                local(correction.decided_at),
            ]
        )
        line = sheet.max_row
        sheet.cell(row=line, column=1).number_format = "DD.MM.YYYY HH:MM"
        sheet.cell(row=line, column=len(headers)).number_format = "DD.MM.YYYY HH:MM"
    for cells in sheet.iter_rows(min_row=5, min_col=2, max_col=len(headers) - 1):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return workbook_bytes(workbook)


# --- term locks ---------------------------------------------------------------------------


def _locks_year(request: AuthedRequest, school: School) -> AcademicYear | None:
    raw = request.POST.get("year") if request.method == "POST" else request.GET.get("year")
    return year_from_query(school_years(school), raw, school_today(school))


def _locks_url(school: School, year: AcademicYear | None) -> str:
    query = urlencode({"year": year.pk}) if year is not None else ""
    return with_query(reverse("control:locks", args=[school.pk]), query)


def _lock_name(lock: TermLock) -> str:
    subject = lock.subject.name if lock.subject is not None else _("all subjects")
    return _("%(term)s, %(class)s, %(subject)s") % {
        "term": lock.term.name,
        "class": lock.class_group,
        "subject": subject,
    }


@login_required
def locks(request: AuthedRequest, school_id: int) -> HttpResponse:
    """The year's term locks, a form to lock a term for a class or one of its subjects,
    and locking a term for every class at once."""
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    years = school_years(school)
    year = year_from_query(years, request.GET.get("year"), school_today(school))
    return _locks_page(request, school, year, years)


def _locks_page(
    request: AuthedRequest,
    school: School,
    year: AcademicYear | None,
    years: list[AcademicYear],
    *,
    form: LockForm | None = None,
    bulk_form: BulkLockForm | None = None,
    status: int = 200,
) -> HttpResponse:
    terms = terms_of(year)
    if form is None:
        form = LockForm(terms=terms, classes=classes_of(year), subjects=subjects_of(school))
    if bulk_form is None:
        bulk_form = BulkLockForm(terms=terms)
    return render(
        request,
        "control/corrections/locks.html",
        {
            "school": school,
            "year": year,
            "years": years,
            "rows": locks_of_year(year) if year is not None else [],
            "form": form,
            "bulk_form": bulk_form,
            "read_only": year is None or year.is_closed,
            "corrections_url": _corrections_url(
                school,
                {"year": str(year.pk), "status": CorrectionStatus.PENDING} if year else {},
            ),
        },
        status=status,
    )


@login_required
@require_POST
def lock_add(request: AuthedRequest, school_id: int) -> HttpResponse:
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    year = _locks_year(request, school)
    form = LockForm(
        request.POST,
        terms=terms_of(year),
        classes=classes_of(year),
        subjects=subjects_of(school),
    )
    if not form.is_valid():
        return _locks_page(request, school, year, school_years(school), form=form, status=400)
    term = form.cleaned_data["term"]
    class_group = form.cleaned_data["class_group"]
    subject = form.cleaned_data["subject"]
    existing = covering_lock(term=term, class_group=class_group, subject=subject)
    if existing is not None:
        messages.info(request, _("Already locked: %(lock)s.") % {"lock": _lock_name(existing)})
        return redirect(_locks_url(school, year))
    try:
        lock = term_lock(actor=request.user, term=term, class_group=class_group, subject=subject)
    except PermissionDenied as exc:
        raise Http404(_("Not found")) from exc
    except ValidationError as exc:
        form.add_error(None, exc)
        return _locks_page(request, school, year, school_years(school), form=form, status=400)
    messages.success(
        request,
        _("Locked: %(lock)s. Changes there now wait for the approval of the director or a deputy.")
        % {"lock": _lock_name(lock)},
    )
    return redirect(_locks_url(school, year))


@login_required
@require_POST
def lock_add_all(request: AuthedRequest, school_id: int) -> HttpResponse:
    """Lock a term for every class of the grades it covers, all subjects; in one
    transaction, so a refusal leaves nothing half-locked."""
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    year = _locks_year(request, school)
    bulk_form = BulkLockForm(request.POST, terms=terms_of(year))
    if not bulk_form.is_valid():
        return _locks_page(
            request, school, year, school_years(school), bulk_form=bulk_form, status=400
        )
    term = bulk_form.cleaned_data["term"]
    classes = classes_for_term(term)
    already = whole_class_locked(term)
    try:
        with transaction.atomic():
            for class_group in classes:
                term_lock(actor=request.user, term=term, class_group=class_group)
    except PermissionDenied as exc:
        raise Http404(_("Not found")) from exc
    except ValidationError as exc:
        bulk_form.add_error(None, exc)
        return _locks_page(
            request, school, year, school_years(school), bulk_form=bulk_form, status=400
        )
    locked = [class_group for class_group in classes if class_group.pk not in already]
    if not classes:
        messages.warning(request, _("%(term)s: there are no classes to lock.") % {"term": term})
    elif locked:
        messages.success(
            request,
            ngettext(
                "%(term)s is locked for %(count)s class: %(classes)s.",
                "%(term)s is locked for %(count)s classes: %(classes)s.",
                len(locked),
            )
            % {
                "term": term.name,
                "count": len(locked),
                "classes": ", ".join(str(class_group) for class_group in locked),
            },
        )
    else:
        messages.info(
            request, _("%(term)s was already locked for every class.") % {"term": term.name}
        )
    return redirect(_locks_url(school, year))


@login_required
@require_POST
def lock_remove(request: AuthedRequest, school_id: int, lock_id: int) -> HttpResponse:
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    lock = term_lock_for_user(request.user, lock_id, within=school)
    year = lock.term.year
    name = _lock_name(lock)
    try:
        term_unlock(actor=request.user, lock=lock)
    except PermissionDenied as exc:
        raise Http404(_("Not found")) from exc
    except ValidationError as exc:
        messages.error(request, f"{name}: {error_text(exc)}")
    else:
        messages.success(
            request,
            _(
                "Unlocked: %(lock)s. New changes there apply at once; those already "
                "waiting still need a decision."
            )
            % {"lock": name},
        )
    return redirect(_locks_url(school, year))
