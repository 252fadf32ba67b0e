"""The school's page of operator access: the director lets an operator of the service reach
the school's personal data in the operators' admin for a few days, and revokes it; the
school's administration sees every grant and what operators did."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhurnal.accounts.models import User
from zhurnal.audit.operators import (
    grant_is_active,
    operator_events_of_school,
    operator_grant_create,
    operator_grant_revoke,
    operator_grants_of_school,
)
from zhurnal.core.http import AuthedRequest
from zhurnal.home.access import GRANT_READERS, GRANT_WRITERS, operator_grant_for_user
from zhurnal.people.access import has_school_role, school_for_user

REASON_MAX_LENGTH = 500


class OperatorChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name or obj.username} ({obj.username})"


class OperatorGrantForm(forms.Form):
    operator = OperatorChoiceField(
        label=gettext_lazy("Operator"),
        queryset=User.objects.filter(is_staff=True, is_active=True).order_by(
            "last_name", "first_name", "username"
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("Why the operator needs access"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The longest grant is a deployment setting, read when the form is made.
        self.fields["days"] = forms.IntegerField(
            label=gettext_lazy("For how many days"),
            min_value=1,
            max_value=settings.ZHURNAL_OPERATOR_GRANT_MAX_DAYS,
            initial=1,
        )
        self.order_fields(["operator", "days", "reason"])


@login_required
def school_operators(request: AuthedRequest, school_id: int) -> HttpResponse:
    """The school's grants and what operators did; the director gives a new grant here."""
    user = request.user
    school = school_for_user(user, school_id, roles=GRANT_READERS)
    can_grant = has_school_role(user, school.pk, GRANT_WRITERS)
    form = OperatorGrantForm(request.POST or None) if can_grant else None
    if request.method == "POST":
        if form is None:
            return redirect("home:school_operators", school_id=school.pk)
        if form.is_valid():
            try:
                operator_grant_create(
                    actor=user,
                    school_id=school.pk,
                    operator=form.cleaned_data["operator"],
                    days=form.cleaned_data["days"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The operator has access until the time shown."))
                return redirect("home:school_operators", school_id=school.pk)
    now = timezone.now()
    grants = [
        (grant, grant_is_active(grant, now=now))
        for grant in operator_grants_of_school(school_id=school.pk)
    ]
    return render(
        request,
        "home/operators.html",
        {
            "school": school,
            "form": form,
            "can_grant": can_grant,
            "grants": grants,
            "events": operator_events_of_school(school_id=school.pk),
        },
    )


@login_required
@require_POST
def school_operator_revoke(
    request: AuthedRequest, school_id: int, operator_grant_id: int
) -> HttpResponse:
    """End an operator's access now (the school's director only)."""
    user = request.user
    school = school_for_user(user, school_id, roles=GRANT_WRITERS)
    grant = operator_grant_for_user(user, operator_grant_id, within=school)
    try:
        operator_grant_revoke(actor=user, grant=grant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The operator's access has ended."))
    return redirect("home:school_operators", school_id=school.pk)
