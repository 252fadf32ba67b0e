"""The offline journal's endpoints: the service worker, the list of pages it keeps, the
sync of entries made offline and the teacher's choice in a conflict."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from zhurnal.core.http import AuthedRequest
from zhurnal.journal.models import OfflineOutcome
from zhurnal.journal.offline.selectors import offline_pages
from zhurnal.journal.offline.services import (
    ATTENDANCE,
    OfflineInput,
    offline_resolve,
    offline_sync,
)

SERVICE_WORKER = Path(settings.BASE_DIR) / "static" / "js" / "sw.js"
# The most entries one sync takes; the browser sends the rest in the next.
MAX_ENTRIES = 500


_ASSET = re.compile(r'"/static/([^"]+)"')
_VERSION = re.compile(r'const VERSION = "([^"]+)";')


@functools.cache
def _service_worker_source() -> str:
    """sw.js with its files named as pages name them: the hashed names once static files
    are collected for production (`zhurnal serve`), and a cache version that changes with
    them, so a deployment's new files replace the old copies in every browser."""
    source = SERVICE_WORKER.read_text(encoding="utf-8")
    named = _ASSET.sub(lambda found: json.dumps(static(found.group(1))), source)
    digest = hashlib.sha256(named.encode()).hexdigest()[:10]
    return _VERSION.sub(lambda found: f'const VERSION = "{found.group(1)}-{digest}";', named)


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, from the site's root so that it may keep every page of the
    site (its scope is "/"); never stored by the HTTP cache, so an update reaches every
    browser at its next visit."""
    response = HttpResponse(
        _service_worker_source(), content_type="application/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache, no-store, must-revalidate"
    return response


@never_cache
@login_required
@require_GET
def pages(request: AuthedRequest) -> JsonResponse:
    """The pages the browser keeps for this user, and the user's id: the service worker
    keeps them in a cache of this user's own."""
    return JsonResponse({"user": request.user.pk, "pages": offline_pages(request.user)})


def _data(request: HttpRequest) -> dict[str, Any]:
    """The JSON body (as offline.js sends it), or the same as form fields whose values are
    JSON (`entries=[…]`)."""
    if request.content_type == "application/json":
        data = json.loads(request.body or b"{}")
        if not isinstance(data, dict):
            raise ValueError
        return data
    data = dict(request.POST.items())
    if "entries" in data:
        data["entries"] = json.loads(data["entries"])
    return data


def _bad(message: str) -> JsonResponse:
    return JsonResponse({"ok": False, "message": message}, status=400)


def _entry(raw: Any) -> OfflineInput:
    if not isinstance(raw, dict):
        raise ValueError
    made_at = dt.datetime.fromisoformat(str(raw["made_at"]).replace("Z", "+00:00"))
    late = raw.get("late_minutes")
    return OfflineInput(
        client_id=uuid.UUID(str(raw["id"])),
        lesson_id=int(raw["lesson"]),
        student_id=int(raw["student"]),
        target=str(raw["what"]),
        made_at=made_at,
        base=str(raw.get("base") or "")[:100],
        value=str(raw.get("value") or "")[:16],
        kind=str(raw.get("kind") or "current")[:16],
        comment=str(raw.get("comment") or "")[:500],
        status=(str(raw.get("status") or "") or None) if raw["what"] == ATTENDANCE else None,
        late_minutes=int(late) if late not in (None, "") else None,
    )


@never_cache
@login_required
@require_POST
def sync(request: AuthedRequest) -> JsonResponse:
    """POST {entries: [{id, lesson, student, what, value, kind, comment, status,
    late_minutes, made_at, base}]} → {ok, results: [{id, outcome, message, theirs, mine}]};
    400 with a message when the body cannot be read."""
    try:
        raw = _data(request)["entries"]
        if not isinstance(raw, list) or len(raw) > MAX_ENTRIES:
            raise ValueError
        entries = [_entry(item) for item in raw]
    except (ValueError, KeyError, TypeError):
        return _bad(_("The entries could not be read: nothing was saved."))
    answers = offline_sync(actor=request.user, entries=entries)
    # "ok": whether anything was written (applied, waiting for approval or kept as a
    # conflict); the page reads every entry's outcome from the results.
    written = any(answer.outcome != OfflineOutcome.REFUSED for answer in answers)
    return JsonResponse({"ok": written, "results": [answer.as_json() for answer in answers]})


@never_cache
@login_required
@require_POST
def resolve(request: AuthedRequest) -> JsonResponse:
    """POST {id, choice: "mine" | "theirs"} → {ok, result} or {ok: false, message}."""
    try:
        data = _data(request)
        client_id = uuid.UUID(str(data["id"]))
        choice = str(data["choice"])
    except (ValueError, KeyError, TypeError):
        return _bad(_("The choice could not be read: nothing was saved."))
    try:
        answer = offline_resolve(actor=request.user, client_id=client_id, choice=choice)
    except (ValidationError, PermissionDenied) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return JsonResponse({"ok": False, "message": message}, status=400)
    return JsonResponse({"ok": True, "result": answer.as_json()})
