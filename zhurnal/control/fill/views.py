"""Рівень заповнення журналів: the school's fill level over a period, with drill-down to
teachers, assignments and their lessons with gaps. For the school's director and deputy
directors (everyone else: 404)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from zhurnal.control.fill.forms import FillPeriodForm, Period
from zhurnal.control.fill.selectors import figures, period_range
from zhurnal.control.metrics import GroupFill, lesson_gaps, school_fill
from zhurnal.control.remarks.selectors import remarks_about
from zhurnal.core.http import AuthedRequest, with_query
from zhurnal.core.timeutil import previous_week, school_today
from zhurnal.people.access import JOURNAL_CONTROLLERS, school_for_user, teacher_for_user
from zhurnal.schools.models import School
from zhurnal.timetable.access import assignment_for_user

VIEWS = ("teachers", "classes", "subjects")


class FillRange:
    """The range the fill pages count, from the query string; its query is carried
    through the drill-down links."""

    def __init__(self, request: AuthedRequest, school: School) -> None:
        self.form = FillPeriodForm(request.GET or None)
        today = school_today(school)
        if self.form.is_bound and not self.form.is_valid():
            self.valid = False
            self.start, self.end = previous_week(today)
            self.period = Period.CUSTOM
            return
        self.valid = True
        data = self.form.cleaned_data if self.form.is_bound else {}
        self.period = data.get("period") or Period.PREVIOUS_WEEK
        self.start, self.end = period_range(
            school=school,
            period=self.period,
            start=data.get("start"),
            end=data.get("end"),
            today=today,
        )
        if not self.form.is_bound:
            self.form = FillPeriodForm(
                initial={"period": self.period, "start": self.start, "end": self.end}
            )

    @property
    def query(self) -> str:
        return urlencode(
            {
                "period": Period.CUSTOM,
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
            }
        )


def _group_rows(
    school: School, groups: list[GroupFill], view: str, query: str
) -> list[dict[str, Any]]:
    rows = []
    for group in groups:
        url = ""
        if view == "teachers":
            url = reverse("control:fill_teacher", args=[school.pk, group.key])
        rows.append(
            {
                "label": group.label,
                "url": with_query(url, query) if url else "",
                "figures": figures(group.counts),
                "assignments": [
                    {
                        "label": str(item.assignment),
                        "teacher": item.assignment.teacher.short_name,
                        "teacher_url": with_query(
                            reverse(
                                "control:fill_teacher", args=[school.pk, item.assignment.teacher_id]
                            ),
                            query,
                        ),
                        "url": with_query(
                            reverse(
                                "control:fill_assignment", args=[school.pk, item.assignment.pk]
                            ),
                            query,
                        ),
                        "level": item.counts.level,
                    }
                    for item in group.assignments
                ],
            }
        )
    return rows


@login_required
def fill(request: AuthedRequest, school_id: int) -> HttpResponse:
    """Рівень заповнення журналів: the school total over a period and its teachers (or
    classes, or subjects), the worst kept first."""
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    period = FillRange(request, school)
    asked = request.GET.get("view", "")
    view = asked if asked in VIEWS else "teachers"
    context: dict[str, Any] = {"school": school, "range": period, "view": view}
    if period.valid:
        result = school_fill(school=school, start=period.start, end=period.end)
        groups = {
            "teachers": result.by_teacher,
            "classes": result.by_class,
            "subjects": result.by_subject,
        }[view]()
        context |= {
            "total": figures(result.total()),
            "rows": _group_rows(school, groups, view, period.query),
            "view_urls": [
                (
                    name,
                    label,
                    with_query(
                        reverse("control:fill", args=[school.pk]), f"{period.query}&view={name}"
                    ),
                )
                for name, label in (
                    ("teachers", _("by teacher")),
                    ("classes", _("by class")),
                    ("subjects", _("by subject")),
                )
            ],
        }
    return render(request, "control/fill/fill.html", context)


@login_required
def fill_teacher(request: AuthedRequest, school_id: int, teacher_id: int) -> HttpResponse:
    """One teacher's assignments with the same figures, each drilling down to its lessons
    with gaps; the remarks written about them."""
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    teacher = teacher_for_user(request.user, teacher_id, roles=JOURNAL_CONTROLLERS, within=school)
    period = FillRange(request, school)
    context: dict[str, Any] = {"school": school, "teacher": teacher, "range": period}
    if period.valid:
        result = school_fill(
            school=school, start=period.start, end=period.end, teacher_id=teacher.pk
        )
        context |= {
            "total": figures(result.total()),
            "rows": [
                {
                    "assignment": row.assignment,
                    "label": str(row.assignment),
                    "figures": figures(row.counts),
                    "url": with_query(
                        reverse("control:fill_assignment", args=[school.pk, row.assignment.pk]),
                        period.query,
                    ),
                    "remark_url": with_query(
                        reverse("control:remark_new", args=[school.pk, row.assignment.pk]),
                        urlencode({"back": request.get_full_path()}),
                    ),
                }
                for row in result.rows
            ],
            "remarks": remarks_about(school=school, teacher=teacher),
        }
    return render(request, "control/fill/teacher.html", context)


@login_required
def fill_assignment(request: AuthedRequest, school_id: int, assignment_id: int) -> HttpResponse:
    """The lessons of one assignment with gaps in the period, each linking to the lesson
    and the journal grid, with a remark to write about it."""
    school = school_for_user(request.user, school_id, roles=JOURNAL_CONTROLLERS)
    assignment = assignment_for_user(
        request.user, assignment_id, roles=JOURNAL_CONTROLLERS, within=school
    )
    period = FillRange(request, school)
    gaps = (
        lesson_gaps(assignment=assignment, start=period.start, end=period.end)
        if period.valid
        else []
    )
    back = request.get_full_path()
    new_url = reverse("control:remark_new", args=[school.pk, assignment.pk])
    return render(
        request,
        "control/fill/assignment.html",
        {
            "school": school,
            "assignment": assignment,
            "label": str(assignment),
            "range": period,
            "gaps": [
                {
                    "gap": gap,
                    "remark_url": with_query(
                        new_url, urlencode({"lesson": gap.lesson.pk, "back": back})
                    ),
                }
                for gap in gaps
            ],
            "teacher_url": with_query(
                reverse("control:fill_teacher", args=[school.pk, assignment.teacher_id]),
                period.query,
            ),
            "remark_url": with_query(new_url, urlencode({"back": back})),
            "remarks": remarks_about(school=school, assignment=assignment),
        },
    )
