"""The privacy notice, the family's consents and requests, and the consent register of a
class and a school (DESIGN S8)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from zhurnal.accounts.models import User
from zhurnal.core.access import not_found
from zhurnal.core.forms import add_service_errors, error_text, form_error_text
from zhurnal.core.http import AuthedRequest
from zhurnal.core.timeutil import local_today
from zhurnal.people.access import (
    JOURNAL_READERS,
    StudentScope,
    children_for_user,
    class_group_for_user,
    municipality_for_user,
    school_for_user,
    student_for_user,
)
from zhurnal.people.models import Guardian, Student, StudentGuardian
from zhurnal.people.privacy.access import (
    consent_for_user,
    correction_request_for_user,
    paper_consent_for_user,
    privacy_notice_for_user,
)
from zhurnal.people.privacy.forms import (
    AcceptNoticeForm,
    CorrectionRequestForm,
    NoticeForm,
    PaperConsentForm,
    ResolveRequestForm,
)
from zhurnal.people.privacy.middleware import privacy_session_forget
from zhurnal.people.privacy.selectors import (
    NOTICE_FIELDS,
    acceptances_of,
    class_consent_register,
    consents_of_student,
    correction_requests_of,
    family_consents,
    family_municipality,
    is_adult,
    is_russian,
    notice_current,
    notice_defaults,
    notice_texts,
    notice_versions,
    open_correction_requests,
    school_consent_summary,
)
from zhurnal.people.privacy.services import (
    LegalDutyError,
    consent_give,
    consent_record_paper,
    consent_withdraw,
    correction_request_create,
    correction_request_resolve,
    privacy_notice_accept,
    privacy_notice_publish,
)


def _family_students(user: User) -> list[Student]:
    """The students whose privacy page the user opens: a guardian's children, and the
    adult student themself."""
    students = children_for_user(user)
    own = Student.objects.filter(user=user).first()
    if own is not None and is_adult(own):
        students.insert(0, own)
    return students


@never_cache
@login_required
def privacy_notice(request: AuthedRequest) -> HttpResponse:
    """The family reads its community's notice and accepts the current version."""
    user = request.user
    municipality = family_municipality(user)
    if municipality is None:
        raise not_found()
    notice = notice_current(municipality)
    version = notice.version if notice is not None else 0
    accepted = acceptances_of(user).filter(municipality=municipality, version=version).first()
    form = AcceptNoticeForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if request.method == "POST" and form.is_valid():
        privacy_notice_accept(user=user, municipality=municipality, notice=notice)
        privacy_session_forget(request)
        messages.success(request, _("Thank you: your acceptance of the notice is recorded."))
        return redirect(next_url or "home:home")
    return render(
        request,
        "people/privacy/notice.html",
        {
            "municipality": municipality,
            "notice": notice,
            "texts": notice_texts(notice, municipality),
            "is_russian": is_russian(municipality),
            "accepted": accepted,
            "form": form,
            "next": next_url,
            "students": _family_students(user),
        },
    )


def _consenter_guardian(user: User, student: Student) -> Guardian | None:
    """The guardian record the user acts as for this student; None for the student
    themself."""
    if student.user_id == user.pk:
        return None
    link = StudentGuardian.objects.filter(student=student, guardian__user=user).first()
    if link is None:
        raise not_found()
    return link.guardian


@never_cache
@login_required
def family_privacy(request: AuthedRequest, student_id: int) -> HttpResponse:
    """A guardian's (or an adult student's) consents about the child, their withdrawal, the
    data download, the access log and requests for correction."""
    user = request.user
    student = student_for_user(user, student_id, scope=StudentScope.FAMILY)
    is_self = student.user_id == user.pk
    if is_self and not is_adult(student):
        raise not_found()
    guardian = _consenter_guardian(user, student)
    request_form = CorrectionRequestForm()
    explanation = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "give":
                consent_give(actor=user, student=student, purpose=request.POST.get("purpose", ""))
                messages.success(request, _("Your consent is recorded."))
                return redirect("people:family_privacy", student_id=student.pk)
            if action == "withdraw":
                consent = consent_for_user(
                    user, int(request.POST.get("consent") or 0), within=student
                )
                consent_withdraw(actor=user, consent=consent)
                messages.success(request, _("Your consent is withdrawn, from this moment."))
                return redirect("people:family_privacy", student_id=student.pk)
            if action == "request":
                request_form = CorrectionRequestForm(request.POST)
                if request_form.is_valid():
                    correction_request_create(
                        actor=user, student=student, text=request_form.cleaned_data["text"]
                    )
                    messages.success(
                        request, _("Your request is sent to the class teacher as a task.")
                    )
                    return redirect("people:family_privacy", student_id=student.pk)
        except LegalDutyError as error:
            explanation = error_text(error)
        except ValidationError as error:
            if action == "request":
                add_service_errors(request_form, error)
            else:
                messages.error(request, error_text(error))
        except (PermissionDenied, ValueError):
            raise not_found() from None
    return render(
        request,
        "people/privacy/family.html",
        {
            "student": student,
            "is_self": is_self,
            "students": _family_students(user),
            "purposes": family_consents(student, guardian),
            "history": consents_of_student(student).filter(
                guardian=guardian, withdrawn_at__isnull=False
            ),
            "requests": correction_requests_of(student).filter(requested_by=user),
            "request_form": request_form,
            "explanation": explanation,
            "page": "privacy",
        },
    )


@never_cache
@login_required
def class_consents(request: AuthedRequest, class_group_id: int) -> HttpResponse:
    """The consent register of a class: who accepted which version of the notice and when,
    who consented to what, who has not yet; paper consents recorded and the families'
    correction requests answered by the class teacher."""
    user = request.user
    class_group = class_group_for_user(user, class_group_id)
    is_class_teacher = class_group.class_teacher_id == user.pk
    tz_name = class_group.year.school.municipality.time_zone
    today = local_today(tz_name)
    rows = class_consent_register(class_group=class_group, day=today, tz_name=tz_name)
    form = PaperConsentForm(request.POST or None, request.FILES or None, rows=rows, prefix="paper")
    if request.method == "POST":
        if not is_class_teacher:
            raise not_found()
        if form.is_valid():
            student_id, guardian_id = form.chosen()
            row = next(row for row in rows if row.student.pk == student_id)
            guardian = None
            if guardian_id is not None:
                guardian = next(
                    link.guardian
                    for link in row.student.studentguardian_set.all()
                    if link.guardian_id == guardian_id
                )
            try:
                consent_record_paper(
                    actor=user,
                    class_group=class_group,
                    student=row.student,
                    guardian=guardian,
                    purpose=form.cleaned_data["purpose"],
                    document=form.cleaned_data["document"],
                    given_on=form.cleaned_data["given_on"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The paper consent is recorded."))
                return redirect("people:class_consents", class_group_id=class_group.pk)
    return render(
        request,
        "people/privacy/class_consents.html",
        {
            "class_group": class_group,
            "school": class_group.year.school,
            "rows": rows,
            "missing": [row for row in rows if not row.has_processing_consent],
            "requests": open_correction_requests(class_group),
            "form": form,
            "resolve_form": ResolveRequestForm(),
            "is_class_teacher": is_class_teacher,
        },
    )


@require_POST
@login_required
def correction_request_answer(request: AuthedRequest, request_id: int) -> HttpResponse:
    """The class teacher answers a family's correction request and closes the task."""
    task = correction_request_for_user(request.user, request_id, write=True)
    form = ResolveRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
    else:
        try:
            correction_request_resolve(
                actor=request.user, request=task, answer=form.cleaned_data["answer"]
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The request is answered."))
    return redirect("people:class_consents", class_group_id=task.class_group_id)


@never_cache
@login_required
def school_consents(request: AuthedRequest, school_id: int) -> HttpResponse:
    """The director's (deputies', administrator's) view: per class, how many students have
    no consent to journal and diary processing yet."""
    school = school_for_user(request.user, school_id, roles=JOURNAL_READERS)
    summary = school_consent_summary(school, local_today(school.municipality.time_zone))
    return render(
        request,
        "people/privacy/school_consents.html",
        {"school": school, "summary": summary},
    )


@never_cache
@login_required
def notice_edit(request: AuthedRequest) -> HttpResponse:
    """The department publishes a new version of its community's privacy notice."""
    municipality = municipality_for_user(request.user)
    current = notice_current(municipality)
    initial = (
        {name: getattr(current, name) for name in NOTICE_FIELDS}
        if current is not None
        else notice_defaults(municipality)
    )
    form = NoticeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            notice = privacy_notice_publish(
                actor=request.user, municipality=municipality, texts=form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Version %(version)s of the notice is published; families will be asked to "
                    "accept it."
                )
                % {"version": notice.version},
            )
            return redirect("people:privacy_notice_edit")
    return render(
        request,
        "people/privacy/notice_edit.html",
        {
            "municipality": municipality,
            "current": current,
            "versions": notice_versions(municipality),
            "form": form,
            "is_russian": is_russian(municipality),
        },
    )


@never_cache
@login_required
def notice_version(request: AuthedRequest, notice_id: int) -> HttpResponse:
    """One published version of the notice, as the families read it, for the department."""
    notice = privacy_notice_for_user(request.user, notice_id)
    return render(
        request,
        "people/privacy/notice_version.html",
        {
            "notice": notice,
            "municipality": notice.municipality,
            "texts": notice_texts(notice, notice.municipality),
            "is_russian": is_russian(notice.municipality),
        },
    )


@login_required
@require_GET
def consent_document(request: AuthedRequest, class_group_id: int, consent_id: int) -> FileResponse:
    """The scan of a consent signed on paper, for those who read the class's register."""
    class_group = class_group_for_user(request.user, class_group_id)
    consent = paper_consent_for_user(request.user, consent_id, within=class_group)
    try:
        handle = consent.document.open("rb")
    except FileNotFoundError as exc:
        raise not_found() from exc
    return FileResponse(handle, as_attachment=True, filename=consent.document_name or "consent")
