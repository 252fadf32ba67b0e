from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from zhurnal.core.http import AuthedRequest
from zhurnal.notifications import services
from zhurnal.notifications.forms import KIND_LABELS, PreferencesForm, SchoolPolicyForm
from zhurnal.notifications.models import NotificationKind, SchoolNotificationPolicy
from zhurnal.notifications.selectors import is_family_user, preferences_of
from zhurnal.people.access import school_for_user
from zhurnal.people.models import Role


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthedRequest) -> HttpResponse:
    """A guardian's or student's own choice of e-mails; nobody else's is reachable."""
    family, _is_guardian = is_family_user(request.user)
    if not family:
        raise Http404(_("Not found"))
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            services.preferences_set(
                actor=request.user,
                deliveries=form.deliveries(),
                quiet_from=form.cleaned_data["quiet_from"],
                quiet_to=form.cleaned_data["quiet_to"],
            )
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    else:
        current = preferences_of(request.user)
        form = PreferencesForm(
            initial={
                **current["deliveries"],
                "quiet_from": current["quiet_from"],
                "quiet_to": current["quiet_to"],
            }
        )
    return render(request, "notifications/preferences.html", {"form": form})


# Mail clients send the one-click POST without a session or CSRF token (RFC 8058); the
# signed token in the address is what authorises it.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for confirmation; POST turns off that kind of e-mail. No login needed."""
    if request.method == "POST":
        try:
            _user, kind = services.unsubscribe(token=token)
        except ValueError as error:
            raise Http404(_("Not found")) from error
        return render(
            request,
            "notifications/unsubscribed.html",
            {"kind_label": KIND_LABELS[NotificationKind(kind)]},
        )
    try:
        kind = services.unsubscribe_kind(token=token)
    except ValueError as error:
        raise Http404(_("Not found")) from error
    return render(
        request,
        "notifications/unsubscribe.html",
        {"kind_label": KIND_LABELS[NotificationKind(kind)]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def school_policy(request: AuthedRequest, school_id: int) -> HttpResponse:
    """The school administrator's delay before new marks reach guardians."""
    school = school_for_user(request.user, school_id, roles=[Role.SCHOOL_ADMIN])
    policy = SchoolNotificationPolicy.objects.filter(school=school).first()
    if request.method == "POST":
        form = SchoolPolicyForm(request.POST)
        if form.is_valid():
            services.school_policy_set(
                actor=request.user,
                school=school,
                mark_delay_minutes=form.cleaned_data["mark_delay_minutes"],
            )
            messages.success(request, _("The notification settings of the school are saved."))
            return redirect("notifications:school_policy", school_id=school.pk)
    else:
        form = SchoolPolicyForm(
            initial={"mark_delay_minutes": policy.mark_delay_minutes if policy else 0}
        )
    return render(request, "notifications/school_policy.html", {"form": form, "school": school})
