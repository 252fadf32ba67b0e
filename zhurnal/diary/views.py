from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.messages import get_messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_safe

from zhurnal.core.http import AuthedRequest
from zhurnal.core.timeutil import local_today, week_start
from zhurnal.diary import ical
from zhurnal.diary.cache import (
    cached,
    diary_read_versions,
    mark_revalidated,
    not_modified,
    page_etag,
    week_key,
)
from zhurnal.diary.home import child_today, family_today
from zhurnal.diary.selectors import (
    NewSince,
    active_calendar_feed,
    calendar_feed_events,
    calendar_feed_for_token,
    current_class,
    current_class_name,
    diary_marks,
    diary_new_since,
    diary_week,
    terms_for_class,
)
from zhurnal.diary.services import calendar_feed_create, calendar_feed_revoke, diary_visit_record
from zhurnal.journal.access import homework_file_for_user
from zhurnal.people.access import StudentScope, children_for_user, student_for_user
from zhurnal.people.models import Student
from zhurnal.timetable.models import LessonPlace


def _asked_week_start(request: HttpRequest) -> dt.date:
    """The Monday of the week asked for (?week=, any day of it), else of this week."""
    raw = request.GET.get("week", "")
    try:
        day = dt.date.fromisoformat(raw) if raw else local_today()
    except ValueError:
        day = local_today()
    return week_start(day)


def _common(
    request: AuthedRequest, student: Student, page: str
) -> tuple[dict[str, object], dt.datetime | None]:
    """What every diary page shows: the child switcher (one nav for all children), the
    diary's sections, and what is new since the previous visit (returned as well)."""
    is_self = student.user_id == request.user.pk
    since = diary_visit_record(user=request.user, student=student)
    context: dict[str, object] = {
        "student": student,
        "is_self": is_self,
        "children": [] if is_self else children_for_user(request.user),
        "page": page,
        "since": since,
        "new_since": diary_new_since(student=student, since=since),
        "class_name": current_class_name(student=student, day=local_today()),
        "today": local_today(),
    }
    return context, since


@dataclass(frozen=True)
class WeekPart:
    """The part of the week page that is cached: everything drawn from the journal."""

    days_html: str
    new_since: NewSince
    class_name: str


@dataclass(frozen=True)
class WeekPage:
    context: dict[str, object]
    etag: str


def _week_page(request: AuthedRequest, student: Student) -> WeekPage:
    """The week page's context, its journal part from the cache (see diary/cache.py): the
    visit is recorded, the read versions read (one query), and only a miss renders."""
    monday = _asked_week_start(request)
    today = local_today()
    is_self = student.user_id == request.user.pk
    since = diary_visit_record(user=request.user, student=student)
    # The versions first, the data after: a write in between can make the stored part
    # newer than its key, never older.
    versions = diary_read_versions(student=student)
    key = week_key(
        view="page",
        student=student,
        monday=monday,
        versions=versions,
        today=today,
        language=get_language(),
        since=since,
    )

    def build() -> WeekPart:
        days = diary_week(student=student, monday=monday, since=since)
        html = render_to_string(
            "diary/_week_days.html", {"days": days, "today": today, "student": student}
        )
        return WeekPart(
            days_html=html,
            new_since=diary_new_since(student=student, since=since),
            class_name=current_class_name(student=student, day=today),
        )

    part = cached(key, build)
    children = [] if is_self else children_for_user(request.user)
    context: dict[str, object] = {
        "student": student,
        "is_self": is_self,
        "children": children,
        "page": "week",
        "since": since,
        "new_since": part.new_since,
        "class_name": part.class_name,
        "today": today,
        "days_html": mark_safe(part.days_html),  # noqa: S308 — rendered by our template
        "monday": monday,
        "previous_week": monday - dt.timedelta(days=7),
        "next_week": monday + dt.timedelta(days=7),
    }
    etag = page_etag(
        key,
        request=request,
        user=request.user,
        extra=[(child.pk, child.given_name, child.surname) for child in children],
    )
    return WeekPage(context=context, etag=etag)


@login_required
def student_home(request: AuthedRequest) -> HttpResponse:
    """The student's own start: what is new, today's absences and tomorrow's homework
    (read before this visit is recorded), then the diary's week. The summary depends on
    the hour, so the page is never answered with 304; its week part is cached."""
    student = Student.objects.filter(user=request.user).first()
    if student is None:
        raise Http404(_("Not found"))
    summary = child_today(
        user=request.user, student=student, today=local_today(), now=timezone.now()
    )
    page = _week_page(request, student)
    return render(request, "diary/week.html", page.context | {"summary": summary})


@login_required
def family_home(request: AuthedRequest) -> HttpResponse:
    """A guardian's start: for each child what is new since the last visit, today's
    absences and the homework for the next school day; the settings one click away."""
    if not hasattr(request.user, "guardian"):
        raise Http404(_("Not found"))
    children = children_for_user(request.user)
    summaries = family_today(
        user=request.user, students=children, today=local_today(), now=timezone.now()
    )
    return render(request, "diary/family.html", {"children": children, "summaries": summaries})


@login_required
@require_safe
def child_week(request: AuthedRequest, student_id: int) -> HttpResponse:
    """A week of the diary of the user's child (or of the student themself)."""
    student = student_for_user(request.user, student_id, scope=StudentScope.FAMILY)
    page = _week_page(request, student)
    # Messages waiting to be shown are not in the ETag: such a visit is answered in full.
    if not len(get_messages(request)):
        unchanged = not_modified(request, page.etag)
        if unchanged is not None:
            return unchanged
    return mark_revalidated(render(request, "diary/week.html", page.context), page.etag)


@login_required
def marks(request: AuthedRequest, student_id: int) -> HttpResponse:
    """Marks by subject for a term, with averages and how term and annual marks formed."""
    student = student_for_user(request.user, student_id, scope=StudentScope.FAMILY)
    context, since = _common(request, student, "marks")
    class_group = current_class(student=student, day=local_today())
    terms = terms_for_class(class_group) if class_group else []
    term = None
    if terms:
        wanted = request.GET.get("term", "")
        started = [t for t in terms if t.starts_on <= local_today()]
        term = next((t for t in terms if str(t.pk) == wanted), None) or (
            started[-1] if started else terms[0]
        )
    subjects = (
        diary_marks(
            student=student,
            class_group=class_group,
            term=term,
            since=since,
        )
        if class_group and term
        else []
    )
    context |= {"terms": terms, "term": term, "subjects": subjects}
    return render(request, "diary/marks.html", context)


@login_required
@require_GET
def homework_file(request: AuthedRequest, student_id: int, file_id: int) -> FileResponse:
    """A homework file of one of the child's own lessons."""
    student = student_for_user(request.user, student_id, scope=StudentScope.FAMILY)
    attachment = homework_file_for_user(request.user, file_id, within=student)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Not found")) from exc
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name)


@login_required
def calendar(request: AuthedRequest, student_id: int) -> HttpResponse:
    """Create, show and revoke the private calendar address of the child's lessons."""
    student = student_for_user(request.user, student_id, scope=StudentScope.FAMILY)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            calendar_feed_create(actor=request.user, student=student)
            messages.success(request, _("A new calendar address is ready."))
        elif action == "revoke":
            feed = active_calendar_feed(user_id=request.user.pk, student=student)
            if feed is not None:
                calendar_feed_revoke(actor=request.user, feed=feed)
                messages.success(request, _("The calendar address no longer works."))
        return redirect("diary:calendar", student_id=student.pk)
    context, _since = _common(request, student, "calendar")
    feed = active_calendar_feed(user_id=request.user.pk, student=student)
    if feed is not None:
        https_url = request.build_absolute_uri(
            reverse("diary:calendar_feed", kwargs={"token": feed.token})
        )
        context |= {
            "feed": feed,
            "https_url": https_url,
            "webcal_url": "webcal://" + https_url.split("://", 1)[1],
        }
    return render(request, "diary/calendar.html", context)


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed behind a private address; no login, the token is the key."""
    feed = calendar_feed_for_token(token)
    if feed is None:
        raise Http404(_("Not found"))
    events = []
    for item in calendar_feed_events(student=feed.student, today=local_today()):
        lesson = item.lesson
        description = []
        if lesson.topic:
            description.append(_("Topic: %(topic)s") % {"topic": lesson.topic})
        if lesson.homework:
            description.append(_("Homework: %(homework)s") % {"homework": lesson.homework})
        location = lesson.room
        if lesson.place != LessonPlace.CLASSROOM:
            location = lesson.get_place_display()
        events.append(
            ical.Event(
                uid=f"lesson-{lesson.pk}-{feed.student_id}@zhurnal",
                starts=item.starts,
                ends=item.ends,
                summary=str(lesson.assignment.subject),
                description="\n".join(description),
                location=str(location),
            )
        )
    body = ical.calendar(
        name=_("Lessons: %(name)s") % {"name": feed.student.given_name},
        events=events,
        stamp=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


# --- the installable web app ---------------------------------------------------------------


@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": _("Zhurnal"),
        "short_name": _("Zhurnal"),
        "description": _("Zhurnal — electronic class journal and diary"),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5cad",
        "icons": [
            {
                "src": static("diary/icon.svg"),
                "sizes": "any",
                "type": "image/svg+xml",
                "purpose": "any",
            },
            # PNG icons (drawn from icon.svg) for browsers that install only with PNGs.
            {"src": static("diary/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("diary/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "diary/offline.html")
