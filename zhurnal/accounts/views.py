from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from zhurnal.accounts.forms import (
    EnrolmentForm,
    LoginForm,
    PasswordResetByEmailForm,
    ReauthenticationForm,
    SecondFactorCodeForm,
)
from zhurnal.accounts.lockout import failed_logins_since, lockout_response
from zhurnal.accounts.models import User
from zhurnal.accounts.reauth import reauth_window_seconds, recent_login_required
from zhurnal.accounts.services import user_language_set, user_password_changed
from zhurnal.accounts.twofactor import (
    REQUIRED,
    SECOND_FACTOR,
    has_second_factor,
    recovery_codes_left,
    recovery_codes_regenerate,
    second_factor_check,
    second_factor_disable,
    session_reauthenticated,
    session_second_factor_passed,
    totp_enrolment_confirm,
    totp_enrolment_start,
)
from zhurnal.core.http import AuthedRequest


class LogoutView(auth_views.LogoutView):
    """Logging out also empties what the browser keeps of the site — the pages stored for
    offline use and the entries made offline (docs/offline.md): a shared device keeps
    nothing of the last user. "storage" covers the service worker's caches and IndexedDB;
    "cache" the HTTP cache, where the diary's week is kept (`private, no-cache` with an
    ETag: revalidated on every visit, see NoStoreMiddleware) so that the back button on a
    shared device cannot show it to the next person."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        previous_login = user.last_login  # login() moves it to now
        response = super().form_valid(form)
        self.request.session.pop("active_role", None)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
        _tell_failed_logins(self.request, user, since=previous_login)
        return response


def _tell_failed_logins(request: HttpRequest, user: User, *, since: dt.datetime | None) -> None:
    failed = failed_logins_since(user=user, since=since)
    if not failed.count or failed.last_at is None:
        return
    messages.warning(
        request,
        ngettext(
            "%(count)s failed login attempt to your account since your last login, the last "
            "from %(address)s at %(time)s. If it was not you, change your password.",
            "%(count)s failed login attempts to your account since your last login, the last "
            "from %(address)s at %(time)s. If it was not you, change your password.",
            failed.count,
        )
        % {
            "count": failed.count,
            "address": failed.last_address or "?",
            "time": date_format(timezone.localtime(failed.last_at), "d.m.Y H:i"),
        },
    )


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    next_url = request.POST.get("next") or "/"
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=language)
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home:home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = self.request.user
        assert isinstance(user, User)  # behind login: a real user, never AnonymousUser
        user_password_changed(user=user)
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = PasswordResetByEmailForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        # Each request counts against the account and the address like a wrong password
        # (django-axes), so that nobody floods an inbox or probes addresses without limit.
        credentials = {"username": form.cleaned_data["email"]}
        if not AxesProxyHandler.is_allowed(self.request, credentials):
            return lockout_response(self.request)
        user_login_failed.send(sender=type(self), credentials=credentials, request=self.request)
        if getattr(self.request, "axes_locked_out", False):
            return lockout_response(self.request)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user_password_changed(user=form.user, action="user.password_reset")
        return response


# --- the second factor -------------------------------------------------------------------


def _next_url(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@login_required
def second_factor_enrol(request: AuthedRequest) -> HttpResponse:
    """Set up an authenticator app: a QR code and the key typed by hand, confirmed by a
    code the app shows; the recovery codes are then shown once."""
    device = totp_enrolment_start(user=request.user)
    form = EnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = totp_enrolment_confirm(
            user=request.user, device=device, token=form.cleaned_data["code"]
        )
        if codes is not None:
            session_second_factor_passed(request.session)
            shown = {"codes": codes, "next": _next_url(request, reverse("home:home"))}
            return _no_store(render(request, "accounts/recovery_codes.html", shown))
        form.add_error("code", _("This code does not match. Check the time on your phone."))
    secret = base64.b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, omitsize=True)
    context: dict[str, Any] = {
        "form": form,
        # segno writes the SVG itself from the device's URL: nothing there to escape.
        "qr": mark_safe(qr),  # noqa: S308
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "next": _next_url(request, ""),
        "required": request.session.get(SECOND_FACTOR) == REQUIRED,
    }
    return _no_store(render(request, "accounts/second_factor_enrol.html", context))


@login_required
def second_factor_verify(request: AuthedRequest) -> HttpResponse:
    """The step after the password for a user with a second factor."""
    if request.session.get(SECOND_FACTOR) != REQUIRED:
        return redirect(_next_url(request, reverse("home:home")))
    if not has_second_factor(request.user):
        return redirect(reverse("accounts:second_factor_enrol"))
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor_check(user=request.user, token=form.cleaned_data["code"]):
            session_second_factor_passed(request.session)
            return redirect(_next_url(request, reverse("home:home")))
        form.add_error("code", _("Wrong or expired code. Try the code the app shows now."))
    context = {"form": form, "next": _next_url(request, "")}
    return render(request, "accounts/second_factor_verify.html", context)


@login_required
def security(request: AuthedRequest) -> HttpResponse:
    """My sign-in security: the second factor, the recovery codes, failed logins."""
    user = request.user
    since = timezone.now() - dt.timedelta(days=30)
    context = {
        "enrolled": has_second_factor(user),
        "codes_left": recovery_codes_left(user),
        "failed": failed_logins_since(user=user, since=since),
    }
    return render(request, "accounts/security.html", context)


@require_POST
@login_required
@recent_login_required
def recovery_codes_new(request: AuthedRequest) -> HttpResponse:
    if not has_second_factor(request.user):
        return redirect("accounts:security")
    codes = recovery_codes_regenerate(user=request.user)
    context = {"codes": codes, "next": reverse("accounts:security")}
    return _no_store(render(request, "accounts/recovery_codes.html", context))


@require_POST
@login_required
@recent_login_required
def second_factor_off(request: AuthedRequest) -> HttpResponse:
    second_factor_disable(actor=request.user, user=request.user)
    messages.success(
        request,
        _(
            "The second factor is off. If your role requires it, you will be asked to set "
            "it up again at your next login."
        ),
    )
    return redirect("accounts:security")


@login_required
def reauthenticate(request: AuthedRequest) -> HttpResponse:
    """Confirm it is still you: the password, and the code if you have a second factor."""
    user = request.user
    form = ReauthenticationForm(request.POST or None, needs_code=has_second_factor(user))
    if request.method == "POST" and form.is_valid():
        # Through authenticate(), so that wrong passwords here count towards the lockout.
        checked = authenticate(
            request, username=user.username, password=form.cleaned_data["password"]
        )
        if checked is None or checked.pk != user.pk:
            form.add_error("password", _("Wrong password."))
        elif form.needs_code and not second_factor_check(
            user=user, token=form.cleaned_data["code"]
        ):
            form.add_error("code", _("Wrong or expired code. Try the code the app shows now."))
        else:
            session_reauthenticated(request.session)
            return redirect(_next_url(request, reverse("home:home")))
    context = {
        "form": form,
        "next": _next_url(request, ""),
        "minutes": reauth_window_seconds() // 60,
    }
    return render(request, "accounts/reauthenticate.html", context)
