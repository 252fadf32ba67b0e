"""Who must sign in with a second factor: the department decides for its community, a
school's director for the school (whose choice wins); the school's administration and the
department read it (docs/permissions.md, "Sign-in security")."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhurnal.core.http import AuthedRequest
from zhurnal.home.access import GRANT_READERS, GRANT_WRITERS
from zhurnal.people.access import has_school_role, municipality_for_user, school_for_user
from zhurnal.people.models import Role
from zhurnal.people.security import second_factor_policy_set
from zhurnal.schools.models import Municipality, School, SecondFactorPolicy


class SignInPolicyForm(forms.Form):
    policy = forms.ChoiceField(
        label=gettext_lazy("Who must sign in with a second factor"),
        choices=SecondFactorPolicy.choices,
        required=False,
        widget=forms.RadioSelect,
    )


def _page(
    request: AuthedRequest, target: School | Municipality, *, can_change: bool, back: str
) -> HttpResponse:
    form = SignInPolicyForm(
        request.POST if request.method == "POST" and can_change else None,
        initial={"policy": target.second_factor_policy},
    )
    if request.method == "POST" and can_change and form.is_valid():
        try:
            second_factor_policy_set(
                actor=request.user, target=target, policy=form.cleaned_data["policy"]
            )
        except ValidationError as exc:
            form.add_error("policy", exc)
        else:
            messages.success(
                request, _("The sign-in policy is saved; it applies from each user's next login.")
            )
            return redirect(request.path)
    community = target.municipality if isinstance(target, School) else None
    return render(
        request,
        "home/signin_policy.html",
        {
            "target": target,
            "school": target if isinstance(target, School) else None,
            "community": community,
            "form": form,
            "can_change": can_change,
            "default_roles": [
                str(Role(role).label)
                for role in settings.ZHURNAL_2FA_REQUIRED_ROLES
                if role in Role.values
            ],
            "back": back,
        },
    )


@login_required
def school_signin_policy(request: AuthedRequest, school_id: int) -> HttpResponse:
    """The school's choice; the director changes it, deputies and the administrator read it."""
    user = request.user
    school = school_for_user(user, school_id, roles=GRANT_READERS)
    can_change = has_school_role(user, school.pk, GRANT_WRITERS)
    return _page(
        request, school, can_change=can_change, back=reverse("home:school_home", args=[school.pk])
    )


@login_required
def department_signin_policy(request: AuthedRequest) -> HttpResponse:
    """The community's choice, made by its department."""
    municipality = municipality_for_user(request.user)
    return _page(request, municipality, can_change=True, back=reverse("home:department_home"))
