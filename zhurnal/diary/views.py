from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhurnal.core.http import AuthedRequest
from zhurnal.core.timeutil import local_today
from zhurnal.diary.selectors import current_class_name, diary_week, week_start
from zhurnal.people.access import children_of, student_for_family
from zhurnal.people.models import Student


def _monday(request: HttpRequest) -> dt.date:
    raw = request.GET.get("week", "")
    try:
        day = dt.date.fromisoformat(raw) if raw else local_today()
    except ValueError:
        day = local_today()
    return week_start(day)


def _render_week(request: AuthedRequest, student: Student, **extra: object) -> HttpResponse:
    monday = _monday(request)
    context = {
        "student": student,
        "class_name": current_class_name(student=student, day=local_today()),
        "days": diary_week(student=student, monday=monday),
        "monday": monday,
        "previous_week": monday - dt.timedelta(days=7),
        "next_week": monday + dt.timedelta(days=7),
        "today": local_today(),
        **extra,
    }
    return render(request, "diary/week.html", context)


@login_required
def student_home(request: AuthedRequest) -> HttpResponse:
    """The student's own diary for a week."""
    student = Student.objects.filter(user=request.user).first()
    if student is None:
        raise Http404(_("Not found"))
    return _render_week(request, student)


@login_required
def family_home(request: AuthedRequest) -> HttpResponse:
    """A guardian's start: their children; with one child, straight to the diary."""
    children = children_of(request.user)
    if len(children) == 1:
        return redirect("diary:child_week", student_id=children[0].pk)
    return render(request, "diary/family.html", {"children": children})


@login_required
def child_week(request: AuthedRequest, student_id: int) -> HttpResponse:
    student = student_for_family(request.user, student_id)
    return _render_week(request, student, children=children_of(request.user))
