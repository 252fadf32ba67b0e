from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from zhurnal.accounts.reauth import recent_login_required
from zhurnal.accounts.services import username_suggest
from zhurnal.core.clientip import client_address
from zhurnal.core.http import AuthedRequest
from zhurnal.core.timeutil import local_today
from zhurnal.people.access import class_group_for_user
from zhurnal.people.access_codes import (
    AccessCodeError,
    IssuedCode,
    access_code_add_child,
    access_code_check,
    access_code_redeem,
    access_codes_issue,
    code_attempt_failed,
    code_attempts_blocked,
)
from zhurnal.people.forms import AddChildForm, CodeForm, IssueCodesForm, RegisterForm
from zhurnal.people.models import AccessCode, AccessCodeKind, Guardian, StudentGuardian
from zhurnal.people.privacy.selectors import (
    is_russian,
    notice_current,
    notice_texts,
    open_correction_requests,
)
from zhurnal.people.privacy.services import privacy_notice_accept
from zhurnal.people.selectors import class_roster, in_class_order
from zhurnal.schools.models import ClassGroup


def _tz_name(class_group: ClassGroup) -> str:
    return class_group.year.school.municipality.time_zone


@login_required
def class_home(request: AuthedRequest, class_group_id: int) -> HttpResponse:
    """The class list for its class teacher; the school's administration reads it too."""
    user = request.user
    class_group = class_group_for_user(user, class_group_id)
    tz_name = _tz_name(class_group)
    today = local_today(tz_name)
    rows = class_roster(class_group=class_group, day=today, tz_name=tz_name)
    return render(
        request,
        "people/class_home.html",
        {
            "class_group": class_group,
            "school": class_group.year.school,
            "rows": rows,
            "today": today,
            "is_class_teacher": class_group.class_teacher_id == user.pk,
            "open_requests": open_correction_requests(class_group).count(),
        },
    )


@dataclass(frozen=True)
class Slip:
    issued: IssuedCode
    for_whom: str
    url: str
    qr_svg: SafeString


def _slip(request: HttpRequest, issued: IssuedCode, relations: dict[int, str]) -> Slip:
    if issued.kind == AccessCodeKind.STUDENT:
        for_whom = _("for the student")
    elif issued.guardian is not None:
        for_whom = _("for the guardian: %(name)s") % {"name": issued.guardian.full_name}
        if relation := relations.get(issued.guardian.pk):
            for_whom = f"{for_whom} ({relation})"
    else:
        for_whom = _("for a parent or guardian")
    register_url = request.build_absolute_uri(reverse("people:register"))
    url = f"{register_url}?{urlencode({'code': issued.code})}"
    svg = segno.make(url, error="m").svg_inline(
        scale=3, omitsize=True, title=_("QR code with the registration address and the code")
    )
    # segno writes the SVG itself from the URL (ours) and its own markup: nothing to escape.
    return Slip(issued=issued, for_whom=for_whom, url=url, qr_svg=mark_safe(svg))  # noqa: S308


@never_cache
@login_required
@recent_login_required  # codes in bulk let families in: the password (and code) first
def codes_issue(request: AuthedRequest, class_group_id: int) -> HttpResponse:
    """The class teacher chooses students and issues their codes; the answer is the slips."""
    user = request.user
    class_group = class_group_for_user(user, class_group_id, write=True)
    tz_name = _tz_name(class_group)
    rows = class_roster(class_group=class_group, day=local_today(tz_name), tz_name=tz_name)
    form = IssueCodesForm(request.POST or None, roster=rows)
    if request.method == "POST" and form.is_valid():
        try:
            issued = access_codes_issue(
                actor=user,
                class_group=class_group,
                students=form.chosen_students(),
                kinds=form.kinds,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            relations = {
                row.guardian_id: row.relation for roster_row in rows for row in roster_row.guardians
            }
            return render(
                request,
                "people/slips.html",
                {
                    "class_group": class_group,
                    "school": class_group.year.school,
                    "slips": [_slip(request, item, relations) for item in issued],
                    "register_url": request.build_absolute_uri(reverse("people:register")),
                },
            )
    return render(
        request,
        "people/codes_issue.html",
        {
            "class_group": class_group,
            "school": class_group.year.school,
            "rows": rows,
            "form": form,
            "chosen": request.POST.getlist("students"),
        },
    )


def _attempt_keys(request: HttpRequest) -> dict[str, str]:
    return {
        "session_key": request.session.session_key or "",
        # behind trusted proxies the real client's, so that one person guessing codes
        # cannot lock a whole community out of registration
        "address": client_address(request),
    }


def _attempt_failed(request: HttpRequest) -> None:
    if not request.session.session_key:
        request.session.save()
    code_attempt_failed(**_attempt_keys(request))


def _too_many_attempts() -> str:
    return _("Too many wrong codes. Wait 15 minutes and try again, or ask the class teacher.")


def _code_summary(access_code: AccessCode) -> str:
    student = access_code.student
    class_group = access_code.class_group
    if access_code.kind == AccessCodeKind.STUDENT:
        template = _("The login of the student %(student)s, class %(class)s, %(school)s.")
    elif access_code.guardian is not None:
        template = _(
            "The login of %(guardian)s, guardian of %(student)s, class %(class)s, %(school)s."
        )
    else:
        template = _(
            "The login of a parent or guardian of %(student)s, class %(class)s, %(school)s."
        )
    return template % {
        "student": student.full_name,
        "guardian": access_code.guardian.full_name if access_code.guardian else "",
        "class": class_group,
        "school": class_group.year.school.short_name,
    }


def _register_form(
    access_code: AccessCode, code: str, data: QueryDict | None = None
) -> RegisterForm:
    person = (
        access_code.student if access_code.kind == AccessCodeKind.STUDENT else access_code.guardian
    )
    names = (person.surname, person.given_name) if person is not None else ()
    initial = {"code": code}
    if data is None and person is not None:
        initial["username"] = username_suggest(surname=person.surname, given_name=person.given_name)
        if isinstance(person, Guardian):
            initial["email"] = person.email
            initial["phone"] = person.phone
    return RegisterForm(
        data,
        initial=initial,
        kind=access_code.kind,
        unbound=access_code.kind == AccessCodeKind.GUARDIAN and access_code.guardian is None,
        names=names,
    )


@never_cache
def register(request: HttpRequest) -> HttpResponse:
    """A student or guardian creates their own login with the code from the class teacher."""
    keys = _attempt_keys(request)
    blocked = code_attempts_blocked(**keys)
    step = request.POST.get("step", "code") if request.method == "POST" else "code"
    code_form = CodeForm(
        request.POST if request.method == "POST" else None,
        initial={"code": request.GET.get("code", "")[:32]},
    )
    context: dict[str, object] = {
        "code_form": code_form,
        "is_guardian": request.user.is_authenticated and hasattr(request.user, "guardian"),
    }
    if request.method != "POST" or not code_form.is_valid():
        return render(request, "people/register.html", context)
    if blocked:
        code_form.add_error("code", _too_many_attempts())
        return render(request, "people/register.html", context)
    code = code_form.cleaned_data["code"]
    try:
        access_code = access_code_check(code)
    except AccessCodeError as error:
        _attempt_failed(request)
        code_form.add_error("code", error)
        return render(request, "people/register.html", context)

    context["summary"] = _code_summary(access_code)
    municipality = access_code.student.municipality
    notice = notice_current(municipality)
    context["notice_texts"] = notice_texts(notice, municipality)
    context["notice"] = notice
    context["municipality"] = municipality
    context["is_russian"] = is_russian(municipality)
    if step != "account":
        form = _register_form(access_code, code)
        context["form"] = form
        return render(request, "people/register.html", context)

    form = _register_form(access_code, code, request.POST)
    context["form"] = form
    if form.is_valid():
        data = form.cleaned_data
        try:
            # The login and the acceptance of the notice it was created under: both or neither.
            with transaction.atomic():
                user = access_code_redeem(
                    code=code,
                    username=data["username"],
                    password=data["password1"],
                    email=data["email"],
                    surname=data.get("surname", ""),
                    given_name=data.get("given_name", ""),
                    patronymic=data.get("patronymic", ""),
                    relation=data.get("relation", ""),
                    phone=data.get("phone", ""),
                )
                privacy_notice_accept(user=user, municipality=municipality, notice=notice)
        except AccessCodeError as error:
            _attempt_failed(request)
            code_form.add_error("code", error)
            del context["form"]
            return render(request, "people/register.html", context)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            # The login was just created, not authenticated: name the backend that owns it
            # (the lockout backend listed first authenticates nobody).
            login(request, user, backend="zhurnal.accounts.backends.UsernameOrEmailBackend")
            request.session.pop("active_role", None)
            messages.success(
                request,
                _("Your login %(username)s is ready. Keep your password to yourself.")
                % {"username": user.username},
            )
            return redirect("home:home")
    return render(request, "people/register.html", context)


@never_cache
@login_required
def add_child(request: AuthedRequest) -> HttpResponse:
    """A guardian with a login adds another child with that child's guardian code."""
    user = request.user
    if not Guardian.objects.filter(user=user).exists():
        raise Http404(_("Not found"))
    form = AddChildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if code_attempts_blocked(**_attempt_keys(request)):
            form.add_error("code", _too_many_attempts())
        else:
            try:
                student = access_code_add_child(
                    user=user,
                    code=form.cleaned_data["code"],
                    relation=form.cleaned_data["relation"],
                )
            except AccessCodeError as error:
                _attempt_failed(request)
                form.add_error("code", error)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request,
                    _("%(student)s is now linked to your login.") % {"student": student.full_name},
                )
                return redirect("home:home")
    children = in_class_order(
        StudentGuardian.objects.filter(guardian__user=user).select_related("student"),
        student=lambda link: link.student,
    )
    return render(request, "people/add_child.html", {"form": form, "children": children})
