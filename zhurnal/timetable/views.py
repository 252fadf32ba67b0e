from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from zhurnal.core.http import AuthedRequest
from zhurnal.core.timeutil import local_today
from zhurnal.timetable.selectors import assignments_of_teacher, lessons_of_teacher_on


@login_required
def teacher_home(request: AuthedRequest) -> HttpResponse:
    """The teacher's day: today's lessons with what is still missing, and their classes."""
    today = local_today()
    lessons = lessons_of_teacher_on(teacher=request.user, day=today)
    assignments = assignments_of_teacher(teacher=request.user)
    return render(
        request,
        "timetable/teacher_home.html",
        {"today": today, "lessons": lessons, "assignments": assignments},
    )
