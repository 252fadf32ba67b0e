"""Substitutions of the day and the register of missed and substituted lessons, for the
school's deputy director and director only (everyone else: 404)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Alignment

from zhurnal.core.exports import titled_sheet, workbook_bytes
from zhurnal.core.formats import date_ua
from zhurnal.core.http import AuthedRequest
from zhurnal.core.timeutil import local_today
from zhurnal.people.access import school_for_user
from zhurnal.schools.models import School
from zhurnal.timetable.access import absence_for_user, lesson_for_user
from zhurnal.timetable.models import Lesson
from zhurnal.timetable.services import (
    LESSON_CONTROLLERS,
    lesson_cancel,
    lesson_cancel_undo,
    lesson_substitute,
    lesson_substitute_clear,
    teacher_absence_cancel_day,
    teacher_absence_record,
)
from zhurnal.timetable.substitutions.forms import (
    AbsenceDayForm,
    AbsenceForm,
    CancelForm,
    DayForm,
    RegisterFilterForm,
    SubstituteForm,
)
from zhurnal.timetable.substitutions.selectors import (
    Register,
    SubstitutionDay,
    register_of,
    school_teachers,
    substitution_day,
)

GROUPINGS = ("period", "teacher")
# More teachers away than this in one school on one day is not a day of substitutions.
MAX_AWAY = 60
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _school(request: AuthedRequest, school_id: int) -> School:
    return school_for_user(request.user, school_id, roles=LESSON_CONTROLLERS)


def _today(school: School) -> dt.date:
    return local_today(school.municipality.time_zone)


def _grouping(value: str | None) -> str:
    return value if value in GROUPINGS else GROUPINGS[0]


def _lesson_name(lesson: Lesson) -> str:
    return _("%(lesson)s, %(date)s, lesson %(number)s") % {
        "lesson": lesson.assignment,
        "date": date_ua(lesson.date),
        "number": lesson.period.number,
    }


# --- the day's substitutions ----------------------------------------------------------


def _away_ids(values: list[str]) -> list[int]:
    """Teachers named away, from the query or a form (`away`, repeated); anything but a
    number is ignored, and the selector ignores ids that are not the school's teachers."""
    return sorted({int(value) for value in values if value.isdigit()})[:MAX_AWAY]


def _day_url(school: School, day: dt.date, grouping: str, away: list[int]) -> str:
    query = [("date", day.isoformat()), ("group", grouping)]
    query += [("away", str(pk)) for pk in away]
    return reverse("timetable:substitutions", args=[school.pk]) + "?" + urlencode(query)


def _in_place(request: AuthedRequest) -> bool:
    """An htmx request: answer with the changed part of the page, not a redirect."""
    return request.headers.get("HX-Request") == "true"


@login_required
def substitutions(request: AuthedRequest, school_id: int) -> HttpResponse:
    """The school's lessons of one day: the teachers away, their lessons with a short
    list of suggested substitutes, and who substitutes whom; lessons not held."""
    school = _school(request, school_id)
    form = DayForm(request.GET if "date" in request.GET else None)
    day = form.cleaned_data["date"] if form.is_valid() else _today(school)
    grouping = _grouping(request.GET.get("group"))
    plan = substitution_day(school=school, day=day, away=_away_ids(request.GET.getlist("away")))
    away = plan.named_away_ids
    groups = plan.by_teacher() if grouping == "teacher" else plan.by_period()

    def day_url(other: dt.date, group: str = grouping) -> str:
        return _day_url(school, other, group, away)

    return render(
        request,
        "timetable/substitutions/substitutions.html",
        {
            **_away_context(request, school, plan, grouping),
            "groups": groups,
            "day_form": DayForm(initial={"date": day}),
            "previous_url": day_url(day - dt.timedelta(days=1)),
            "next_url": day_url(day + dt.timedelta(days=1)),
            "today_url": day_url(_today(school)),
            "by_period_url": day_url(day, "period"),
            "by_teacher_url": day_url(day, "teacher"),
            "register_url": reverse("timetable:register", args=[school.pk])
            + "?"
            + urlencode(_month_of(day)),
        },
    )


def _away_context(
    request: AuthedRequest, school: School, plan: SubstitutionDay, grouping: str
) -> dict[str, Any]:
    """What the part of the page with the teachers away needs (the whole page renders it,
    and an in-place change renders only it)."""
    away = plan.named_away_ids
    away_teachers = [
        (
            item,
            _day_url(school, plan.day, grouping, [pk for pk in away if pk != item.teacher.pk])
            if item.named
            else "",
        )
        for item in plan.away
    ]
    expanded = request.GET.get("all", "")
    return {
        "school": school,
        "day": plan.day,
        "plan": plan,
        "grouping": grouping,
        "away_ids": away,
        "away_teachers": away_teachers,
        "away_lessons": plan.away_lessons,
        "expanded": int(expanded) if expanded.isdigit() else None,
        "base_url": reverse("timetable:substitutions", args=[school.pk]),
        "page_url": _day_url(school, plan.day, grouping, away),
    }


def _lesson_action(
    request: AuthedRequest,
    school_id: int,
    lesson_id: int,
    act: Callable[[School, Lesson], str],
) -> HttpResponse:
    """Run one change on a lesson of the school, then show its day with what happened:
    `act` returns the success message or raises the refusal. An htmx request gets the
    part with the teachers away back, in place; a plain POST goes back to the page."""
    school = _school(request, school_id)
    lesson = lesson_for_user(request.user, lesson_id, roles=LESSON_CONTROLLERS, within=school)
    grouping = _grouping(request.POST.get("group"))
    away = _away_ids(request.POST.getlist("away"))
    done, refused = "", ""
    try:
        done = act(school, lesson)
    except ValidationError as exc:
        refused = f"{_lesson_name(lesson)}: {' '.join(exc.messages)}"
    if _in_place(request):
        plan = substitution_day(school=school, day=lesson.date, away=away)
        context = _away_context(request, school, plan, grouping)
        context.update({"done": done, "refused": refused, "changed": lesson.pk})
        # A lesson that left the list (its teacher is no longer away) says what happened
        # at the top of the list instead.
        context["changed_gone"] = all(item.lesson.pk != lesson.pk for item in plan.away_lessons)
        return render(request, "timetable/substitutions/away.html", context)
    if refused:
        messages.error(request, refused)
    else:
        messages.success(request, done)
    return redirect(f"{_day_url(school, lesson.date, grouping, away)}#lesson-{lesson.pk}")


def _errors_text(errors: ValidationError) -> str:
    return " ".join(errors.messages)


@login_required
@require_POST
def absence_create(request: AuthedRequest, school_id: int) -> HttpResponse:
    """Record a teacher as away (one day or a span); back to the day's page, where their
    lessons wait for substitutes."""
    school = _school(request, school_id)
    form = AbsenceForm(request.POST, teachers=school_teachers(school=school))
    grouping = _grouping(request.POST.get("group"))
    away = _away_ids(request.POST.getlist("away"))
    day = _today(school)
    if not form.is_valid():
        messages.error(request, _errors_text(_form_errors(form)))
        given = AbsenceDayForm({"date": request.POST.get("starts_on", "")})
        if given.is_valid():
            day = given.cleaned_data["date"]
        return redirect(_day_url(school, day, grouping, away))
    data = form.cleaned_data
    day = data["starts_on"]
    try:
        absence = teacher_absence_record(
            actor=request.user,
            school=school,
            teacher=data["teacher"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            reason=data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    else:
        messages.success(
            request,
            _("%(teacher)s is recorded as away from %(start)s to %(end)s.")
            % {
                "teacher": absence.teacher.short_name,
                "start": date_ua(absence.starts_on),
                "end": date_ua(absence.ends_on),
            },
        )
    return redirect(
        _day_url(school, day, grouping, [pk for pk in away if pk != data["teacher"].pk])
    )


@login_required
@require_POST
def absence_cancel_day(request: AuthedRequest, school_id: int, absence_id: int) -> HttpResponse:
    """The teacher is at school on the day after all."""
    school = _school(request, school_id)
    absence = absence_for_user(request.user, absence_id, roles=LESSON_CONTROLLERS, within=school)
    form = AbsenceDayForm(request.POST)
    grouping = _grouping(request.POST.get("group"))
    away = _away_ids(request.POST.getlist("away"))
    if not form.is_valid():
        messages.error(request, _errors_text(_form_errors(form)))
        return redirect(_day_url(school, _today(school), grouping, away))
    day = form.cleaned_data["date"]
    try:
        teacher_absence_cancel_day(actor=request.user, absence=absence, day=day)
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    else:
        messages.success(
            request,
            _("%(teacher)s is no longer recorded as away on %(date)s.")
            % {"teacher": absence.teacher.short_name, "date": date_ua(day)},
        )
    return redirect(_day_url(school, day, grouping, away))


def _form_errors(
    form: SubstituteForm | CancelForm | AbsenceForm | AbsenceDayForm,
) -> ValidationError:
    return ValidationError([error for errors in form.errors.values() for error in errors])


@login_required
@require_POST
def substitute_set(request: AuthedRequest, school_id: int, lesson_id: int) -> HttpResponse:
    def act(school: School, lesson: Lesson) -> str:
        form = SubstituteForm(request.POST, teachers=school_teachers(school=school))
        if not form.is_valid():
            raise _form_errors(form)
        lesson_substitute(
            actor=request.user,
            lesson=lesson,
            substitute=form.cleaned_data["substitute"],
            reason=form.cleaned_data["reason"],
        )
        return _("%(teacher)s substitutes %(lesson)s.") % {
            "teacher": form.cleaned_data["substitute"].short_name,
            "lesson": _lesson_name(lesson),
        }

    return _lesson_action(request, school_id, lesson_id, act)


@login_required
@require_POST
def substitute_clear(request: AuthedRequest, school_id: int, lesson_id: int) -> HttpResponse:
    def act(school: School, lesson: Lesson) -> str:
        lesson_substitute_clear(actor=request.user, lesson=lesson)
        return _("The substitution of %(lesson)s has been removed.") % {
            "lesson": _lesson_name(lesson)
        }

    return _lesson_action(request, school_id, lesson_id, act)


@login_required
@require_POST
def cancel(request: AuthedRequest, school_id: int, lesson_id: int) -> HttpResponse:
    def act(school: School, lesson: Lesson) -> str:
        form = CancelForm(request.POST)
        if not form.is_valid():
            raise _form_errors(form)
        lesson_cancel(actor=request.user, lesson=lesson, reason=form.cleaned_data["reason"])
        return _("%(lesson)s is marked as not held.") % {"lesson": _lesson_name(lesson)}

    return _lesson_action(request, school_id, lesson_id, act)


@login_required
@require_POST
def cancel_undo(request: AuthedRequest, school_id: int, lesson_id: int) -> HttpResponse:
    def act(school: School, lesson: Lesson) -> str:
        lesson_cancel_undo(actor=request.user, lesson=lesson)
        return _("%(lesson)s is marked as held again.") % {"lesson": _lesson_name(lesson)}

    return _lesson_action(request, school_id, lesson_id, act)


# --- the register ---------------------------------------------------------------------


def _month_of(day: dt.date) -> dict[str, str]:
    last = calendar.monthrange(day.year, day.month)[1]
    return {"start": day.replace(day=1).isoformat(), "end": day.replace(day=last).isoformat()}


def _register(request: AuthedRequest, school: School) -> tuple[RegisterFilterForm, Register | None]:
    """The register for the dates asked (the current month by default), or None with
    the form's errors when the dates are wrong."""
    teachers = school_teachers(school=school, active_only=False)
    data = request.GET if "start" in request.GET else _month_of(_today(school))
    form = RegisterFilterForm(data, teachers=teachers)
    if not form.is_valid():
        return form, None
    register = register_of(
        school=school,
        start=form.cleaned_data["start"],
        end=form.cleaned_data["end"],
        teacher=form.cleaned_data["teacher"],
    )
    return form, register


@login_required
def register(request: AuthedRequest, school_id: int) -> HttpResponse:
    """Журнал обліку пропущених і замінених уроків for a span of dates."""
    school = _school(request, school_id)
    form, register = _register(request, school)
    xlsx_url = ""
    if register is not None:
        query = {"start": register.start.isoformat(), "end": register.end.isoformat()}
        if register.teacher is not None:
            query["teacher"] = str(register.teacher.pk)
        xlsx_url = reverse("timetable:register_xlsx", args=[school.pk]) + "?" + urlencode(query)
    return render(
        request,
        "timetable/substitutions/register.html",
        {
            "school": school,
            "form": form,
            "register": register,
            "xlsx_url": xlsx_url,
            "substitutions_url": reverse("timetable:substitutions", args=[school.pk]),
        },
    )


@login_required
def register_xlsx(request: AuthedRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id)
    form, register = _register(request, school)
    if register is None:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("timetable:register", school.pk)
    response = HttpResponse(register_workbook(register), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_register_filename(register)}"'
    return response


def _register_filename(register: Register) -> str:
    start, end = register.start, register.end
    whole_month = (
        start.day == 1
        and (start.year, start.month) == (end.year, end.month)
        and end.day == calendar.monthrange(end.year, end.month)[1]
    )
    if whole_month:
        return f"register-{start:%Y-%m}.xlsx"
    return f"register-{start:%Y-%m-%d}-{end:%Y-%m-%d}.xlsx"


def register_workbook(register: Register) -> bytes:
    """The register as a spreadsheet: a title, then a row per lesson; totals per teacher
    on a second sheet. Dates are real dates shown as dd.mm.yyyy."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Register")[:31]
    headers = [
        (_("Date"), 12),
        (_("Lesson number"), 8),
        (_("Class"), 10),
        (_("Subject"), 28),
        (_("Absent teacher"), 30),
        (_("Substitute"), 30),
        (_("Reason"), 36),
    ]
    title = _("Register of missed and substituted lessons")
    span = f"{date_ua(register.start)} – {date_ua(register.end)}"
    subtitle = f"{register.school.name}, {span}"
    if register.teacher is not None:
        subtitle += f", {register.teacher.full_name}"
    titled_sheet(sheet, title=title, subtitle=subtitle, headers=headers)
    not_held = _("not held")
    for row in register.rows:
        lesson = row.lesson
        group = f" ({lesson.assignment.subgroup.name})" if lesson.assignment.subgroup else ""
        sheet.append(
            [
                lesson.date,
                lesson.period.number,
                f"{lesson.assignment.class_group}{group}",
                lesson.assignment.subject.name,
                lesson.assignment.teacher.full_name,
                lesson.substitute.full_name if lesson.substitute else not_held,
                row.reason,
            ]
        )
        sheet.cell(row=sheet.max_row, column=1).number_format = "DD.MM.YYYY"
    for cells in sheet.iter_rows(min_row=5, min_col=3, max_col=len(headers)):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    titled_sheet(
        workbook.create_sheet(_("Totals")[:31]),
        title=f"{title}: {_('totals')}",
        subtitle=subtitle,
        headers=[(_("Teacher"), 36), (_("Lessons missed"), 16), (_("Substitutions given"), 16)],
        rows=[
            [total.teacher.full_name, total.missed, total.substituted_given]
            for total in register.totals
        ],
    )
    return workbook_bytes(workbook)
