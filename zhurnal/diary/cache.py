"""The diary's week served from a cache that cannot be stale.

Correctness comes from the database, not from invalidation messages: every service that
changes what a class's diary shows raises the class's read version in its own transaction
(`zhurnal.schools.versions`). A request reads the versions of the student's classes — with
the student's enrollments, which are part of the key as they are — in one query *before*
reading anything else, and looks the rendered part up under a key made of them. A write
that commits after that read can only make the part stored under the old key newer than
its key says, never older; the next request reads the new version and misses.

What depends on the time or on the reader is in the key too: the day (today's heading),
the previous visit ("new since your last visit"), the language, and the code (templates,
this package and the API's schemas). The key names neither the user nor the session —
only what the part shows — while the ETag of a whole page (`page_etag`) adds the user,
their children, their CSRF cookie and their roles, so another user's copy never matches.
The school's delay before a mark reaches guardians applies to notifications only: the diary
shows marks at once, so it needs no place in the key.

The cache is Django's default one; LocMem is per process, which is fine: the version is
read from the database on every request, whichever process answers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import TypeVar

import django
from django.conf import settings
from django.core.cache import cache as django_cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.middleware.csrf import get_token

from zhurnal.accounts.models import User
from zhurnal.core.middleware import PRIVATE_REVALIDATE
from zhurnal.people.models import Enrollment, Student

# Long enough for a family's evening; the key changes with every write anyway. The limit
# only bounds what a write outside the services (a shell, a re-generated demo database)
# could leave behind.
TIMEOUT = 60 * 60

T = TypeVar("T")

ReadVersions = tuple[tuple[int, int, str, str, int], ...]


def diary_read_versions(*, student: Student) -> ReadVersions:
    """The student's enrollments (class, dates) with their classes' read versions: one
    query. Read it before the data it keys."""
    rows = (
        Enrollment.objects.filter(student=student)
        .order_by("pk")
        .values_list(
            "pk", "class_group_id", "starts_on", "ends_on", "class_group__read_version__version"
        )
    )
    return tuple(
        (pk, class_id, starts.isoformat(), ends.isoformat() if ends else "", version or 0)
        for pk, class_id, starts, ends, version in rows
    )


@cache
def code_version() -> str:
    """What the rendered week depends on besides the data: the templates, the diary's and
    the API's code, the translations and Django itself. Read once per process."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256(django.get_version().encode())
    paths = [
        *sorted((base / "templates" / "diary").glob("*.html")),
        base / "templates" / "base.html",
        *sorted((base / "zhurnal" / "diary").glob("*.py")),
        *(base / "zhurnal" / "api" / name for name in ("diary.py", "schemas.py", "convert.py")),
        *sorted((base / "locale").glob("*/LC_MESSAGES/django.mo")),
        Path(settings.STATIC_ROOT or base / "none") / "staticfiles.json",
    ]
    for path in paths:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _hash(parts: Iterable[object]) -> str:
    text = json.dumps([str(part) for part in parts], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def week_key(
    *,
    view: str,
    student: Student,
    monday: dt.date,
    versions: ReadVersions,
    today: dt.date,
    language: str,
    since: dt.datetime | None = None,
) -> str:
    """The cache key of a rendered week: everything it shows depends on is in it."""
    return "diary-week:" + _hash(
        [
            view,
            code_version(),
            student.pk,
            student.full_name,
            student.given_name,
            student.surname,
            student.user_id,
            monday.isoformat(),
            versions,
            today.isoformat(),
            language,
            since.isoformat() if since else "",
        ]
    )


def cached(key: str, build: Callable[[], T]) -> T:
    """The part stored under `key`, else built now and stored."""
    found: T | None = django_cache.get(key)
    if found is not None:
        return found
    value = build()
    django_cache.set(key, value, TIMEOUT)
    return value


def page_etag(key: str, *, request: HttpRequest, user: User, extra: Iterable[object] = ()) -> str:
    """The ETag of a whole answer: the part's key and what the rest of the answer shows of
    the reader (their id and name, their CSRF cookie, their roles, their children)."""
    session = getattr(request, "session", None)
    get_token(request)  # the page's forms carry it: the cookie must exist before the tag
    parts: list[object] = [
        key,
        user.pk,
        user.short_name,
        request.META.get("CSRF_COOKIE", ""),
        session.get("role_count", 0) if session is not None else "",
        session.get("active_role", "") if session is not None else "",
        *extra,
    ]
    return f'"{_hash(parts)}"'


def not_modified(request: HttpRequest, etag: str) -> HttpResponse | None:
    """A 304 when the client already holds this version of the answer."""
    if request.method not in ("GET", "HEAD"):
        return None
    asked = [
        tag.strip().removeprefix("W/")
        for tag in request.headers.get("If-None-Match", "").split(",")
    ]
    if etag not in asked and "*" not in asked:
        return None
    response = HttpResponseNotModified()
    return mark_revalidated(response, etag)


def mark_revalidated(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = PRIVATE_REVALIDATE
    return response
