"""Set-up screens of teaching assignments, the bell schedule, timetables and lesson
creation, for the school administrator of that school only (everyone else: 404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from zhurnal.core.formats import date_ua
from zhurnal.core.forms import add_service_errors
from zhurnal.core.http import AuthedRequest
from zhurnal.people.access import SETUP_ROLES, class_group_for_user
from zhurnal.schools.models import AcademicYear
from zhurnal.setup.school.forms import SetupContext, hours_display
from zhurnal.setup.screens import Label, Screen, render_setup, setup_context
from zhurnal.setup.timetable.forms import (
    WEEKDAYS,
    AssignmentForm,
    LessonsForm,
    PeriodForm,
    TimetableEntryForm,
    TimetableForm,
)
from zhurnal.setup.timetable.selectors import (
    assignments_of_year,
    loads,
    timetable_classes,
    timetable_grid,
)
from zhurnal.timetable.access import (
    assignment_for_user,
    period_for_user,
    timetable_entry_for_user,
    timetable_for_user,
)
from zhurnal.timetable.models import Period, TeachingAssignment, Timetable
from zhurnal.timetable.services import (
    assignment_create,
    assignment_delete,
    assignment_update,
    lessons_materialise,
    period_create,
    period_delete,
    period_update,
    timetable_create,
    timetable_delete,
    timetable_entry_create,
    timetable_entry_delete,
    timetable_update,
)


def _year(ctx: SetupContext) -> AcademicYear:
    assert ctx.year is not None
    return ctx.year


class AssignmentScreen(Screen[TeachingAssignment]):
    section = "assignments"
    slug = "assignments"
    title = gettext_lazy("Teaching assignments")
    form_class = AssignmentForm
    template_name = "setup/assignments.html"
    intro = gettext_lazy(
        "Who teaches which subject in which class (or group of a class), and for how many "
        "hours a week."
    )

    def queryset(self, ctx: SetupContext) -> QuerySet[TeachingAssignment]:
        return assignments_of_year(_year(ctx))

    def fetch(self, ctx: SetupContext, pk: int) -> TeachingAssignment:
        return assignment_for_user(ctx.user, pk, roles=SETUP_ROLES, within=_year(ctx))

    def headers(self) -> list[Label]:
        return [_("subject"), _("group"), _("teacher"), _("hours per week")]

    def cells(self, obj: TeachingAssignment) -> list[Any]:
        group = obj.subgroup.name if obj.subgroup else ""
        return [obj.subject.name, group, obj.teacher.full_name, hours_display(obj.hours_per_week)]

    def extra_context(self, ctx: SetupContext, objects: list[TeachingAssignment]) -> dict[str, Any]:
        class_loads, teacher_loads = loads(year=_year(ctx), assignments=objects)
        return {"class_loads": class_loads, "teacher_loads": teacher_loads}

    def create(self, ctx: SetupContext, data: dict[str, Any]) -> TeachingAssignment:
        return assignment_create(actor=ctx.user, year=_year(ctx), **data)

    def update(
        self, ctx: SetupContext, obj: TeachingAssignment, data: dict[str, Any]
    ) -> TeachingAssignment:
        obj.year = _year(ctx)
        return assignment_update(actor=ctx.user, assignment=obj, **data)

    def delete(self, ctx: SetupContext, obj: TeachingAssignment) -> None:
        obj.year = _year(ctx)
        assignment_delete(actor=ctx.user, assignment=obj)


class PeriodScreen(Screen[Period]):
    section = "periods"
    slug = "periods"
    title = gettext_lazy("Bell schedule")
    form_class = PeriodForm
    intro = gettext_lazy(
        "Lessons follow one another in the order of their numbers, without overlaps."
    )

    def queryset(self, ctx: SetupContext) -> QuerySet[Period]:
        return Period.objects.filter(year=ctx.year).order_by("number")

    def fetch(self, ctx: SetupContext, pk: int) -> Period:
        return period_for_user(ctx.user, pk, within=_year(ctx))

    def headers(self) -> list[Label]:
        return [_("lesson number"), _("starts at"), _("ends at")]

    def cells(self, obj: Period) -> list[Any]:
        return [obj.number, f"{obj.starts_at:%H:%M}", f"{obj.ends_at:%H:%M}"]

    def create(self, ctx: SetupContext, data: dict[str, Any]) -> Period:
        return period_create(actor=ctx.user, year=_year(ctx), **data)

    def update(self, ctx: SetupContext, obj: Period, data: dict[str, Any]) -> Period:
        obj.year = _year(ctx)
        return period_update(actor=ctx.user, period=obj, **data)

    def delete(self, ctx: SetupContext, obj: Period) -> None:
        obj.year = _year(ctx)
        period_delete(actor=ctx.user, period=obj)


class TimetableScreen(Screen[Timetable]):
    section = "timetables"
    slug = "timetables"
    title = gettext_lazy("Timetable")
    form_class = TimetableForm
    intro = gettext_lazy(
        "A timetable is valid for a span of dates. To change it from a date, end the current "
        "one the day before and create a new one."
    )

    def queryset(self, ctx: SetupContext) -> QuerySet[Timetable]:
        return Timetable.objects.filter(year=ctx.year).order_by("valid_from")

    def fetch(self, ctx: SetupContext, pk: int) -> Timetable:
        return _timetable_of(ctx, pk)

    def headers(self) -> list[Label]:
        return [_("name"), _("valid from"), _("valid until")]

    def cells(self, obj: Timetable) -> list[Any]:
        return [obj.name, date_ua(obj.valid_from), date_ua(obj.valid_to)]

    def links(self, ctx: SetupContext, obj: Timetable) -> list[tuple[Label, str]]:
        url = reverse("setup:setup_timetable_classes", args=[ctx.school.pk, _year(ctx).pk, obj.pk])
        return [(_("Lessons by class"), url)]

    def create(self, ctx: SetupContext, data: dict[str, Any]) -> Timetable:
        return timetable_create(actor=ctx.user, year=_year(ctx), **data)

    def update(self, ctx: SetupContext, obj: Timetable, data: dict[str, Any]) -> Timetable:
        obj.year = _year(ctx)
        return timetable_update(actor=ctx.user, timetable=obj, **data)

    def delete(self, ctx: SetupContext, obj: Timetable) -> None:
        obj.year = _year(ctx)
        timetable_delete(actor=ctx.user, timetable=obj)


assignments = AssignmentScreen()
periods = PeriodScreen()
timetables = TimetableScreen()


def _timetable_of(ctx: SetupContext, timetable_id: int) -> Timetable:
    return timetable_for_user(ctx.user, timetable_id, within=_year(ctx))


@login_required
def timetable_class_list(
    request: AuthedRequest, school_id: int, year_id: int, timetable_id: int
) -> HttpResponse:
    ctx = setup_context(request, school_id, year_id)
    timetable = _timetable_of(ctx, timetable_id)
    return render_setup(
        request,
        "setup/timetable_classes.html",
        ctx=ctx,
        section="timetables",
        title=str(timetable),
        context={"timetable": timetable, "classes": timetable_classes(timetable)},
    )


@login_required
def timetable_class_grid(
    request: AuthedRequest, school_id: int, year_id: int, timetable_id: int, class_id: int
) -> HttpResponse:
    """One class's week: Monday–Friday × lessons; a form below adds an entry."""
    ctx = setup_context(request, school_id, year_id)
    timetable = _timetable_of(ctx, timetable_id)
    class_group = class_group_for_user(ctx.user, class_id, roles=SETUP_ROLES, within=_year(ctx))
    # An "add" link in an empty cell pre-selects its day and lesson.
    initial = {key: request.GET[key] for key in ("weekday", "period") if key in request.GET}
    form = TimetableEntryForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        timetable=timetable,
        class_group=class_group,
    )
    if request.method == "POST" and form.is_valid():
        try:
            timetable_entry_create(actor=ctx.user, timetable=timetable, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The lesson has been added to the timetable."))
            return redirect(request.path)
    return render_setup(
        request,
        "setup/timetable_grid.html",
        ctx=ctx,
        section="timetables",
        title=_("%(class)s — %(timetable)s") % {"class": class_group, "timetable": timetable},
        context={
            "timetable": timetable,
            "class_group": class_group,
            "grid": timetable_grid(timetable=timetable, class_group=class_group),
            "weekdays": WEEKDAYS,
            "form": form,
        },
    )


@login_required
@require_POST
def timetable_entry_remove(
    request: AuthedRequest, school_id: int, year_id: int, timetable_id: int, entry_id: int
) -> HttpResponse:
    ctx = setup_context(request, school_id, year_id)
    timetable = _timetable_of(ctx, timetable_id)
    entry = timetable_entry_for_user(ctx.user, entry_id, within=timetable)
    try:
        timetable_entry_delete(actor=ctx.user, entry=entry)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The lesson has been removed from the timetable."))
    return redirect(
        "setup:setup_timetable_grid",
        ctx.school.pk,
        year_id,
        timetable.pk,
        entry.assignment.class_group_id,
    )


@login_required
def lessons(request: AuthedRequest, school_id: int, year_id: int) -> HttpResponse:
    """Create the lessons of a term or dates from the timetable (holidays skipped)."""
    ctx = setup_context(request, school_id, year_id)
    year = _year(ctx)
    form = LessonsForm(request.POST if request.method == "POST" else None, ctx=ctx)
    created: int | None = None
    if request.method == "POST" and form.is_valid():
        try:
            created = lessons_materialise(
                actor=ctx.user,
                year=year,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext("%(count)d lesson created.", "%(count)d lessons created.", created)
                % {"count": created},
            )
    existing = TeachingAssignment.objects.filter(year=year).aggregate(n=Count("lessons"))["n"]
    return render_setup(
        request,
        "setup/lessons.html",
        ctx=ctx,
        section="lessons",
        title=_("Create lessons"),
        context={"form": form, "created": created, "existing": existing},
    )
