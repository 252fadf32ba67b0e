from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from zhurnal.api.access import api_token_for_user
from zhurnal.api.api import error
from zhurnal.api.models import ApiToken
from zhurnal.api.services import token_create, token_revoke
from zhurnal.core.http import AuthedRequest


@login_required
def tokens(request: AuthedRequest) -> HttpResponse:
    """My API tokens: make one (its secret is shown this once), see when each was used."""
    secret = ""
    error = ""
    name = ""
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            _token, secret = token_create(actor=request.user, name=name)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            name = ""
    context = {
        "tokens": ApiToken.objects.filter(user=request.user),
        "secret": secret,
        "error": error,
        "name": name,
    }
    response = render(request, "api/tokens.html", context)
    if secret:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke_view(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = api_token_for_user(request.user, token_id)
    token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token «%(name)s» is revoked.") % {"name": token.name})
    return redirect("api:tokens")


@csrf_exempt
def unknown(request: HttpRequest) -> HttpResponse:
    """An address under /api/ that the API does not have: 404 in the API's error shape."""
    response = error(request, "not_found", _("Not found"), 404)
    response["Cache-Control"] = "no-store"
    return response
