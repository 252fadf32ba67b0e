"""What the set-up screens share: access, the sub-navigation, and a generic
list / create / edit / delete screen whose every write goes through a service."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from zhurnal.core.forms import add_service_errors
from zhurnal.core.http import AuthedRequest
from zhurnal.people.access import SETUP_ROLES, academic_year_for_user, school_for_user
from zhurnal.schools.models import AcademicYear, School
from zhurnal.schools.selectors import latest_year
from zhurnal.setup.school.forms import SetupContext, SetupModelForm
from zhurnal.setup.school.selectors import SetupStatus

M = TypeVar("M", bound=models.Model)
Label = str | Promise


def setup_context(
    request: AuthedRequest, school_id: int, year_id: int | None = None
) -> SetupContext:
    """The school (and year) of the address, through their chokepoints: for the school's
    own administrator; anyone else gets 404."""
    user = request.user
    school = school_for_user(user, school_id, roles=SETUP_ROLES)
    year = None
    if year_id is not None:
        year = academic_year_for_user(user, year_id, within=school)
    return SetupContext(user=user, school=school, year=year)


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Label
    url: str
    status: str = ""
    todo: bool = False


def setup_nav(
    school: School, year: AcademicYear | None, status: SetupStatus | None = None
) -> list[NavItem]:
    """The set-up sections in the order a new year is prepared, with their progress
    (taken from `status`; the dashboard passes it, other pages leave it out)."""
    s = status or SetupStatus()
    timetable_text = ngettext("%(count)d timetable", "%(count)d timetables", s.timetables) % {
        "count": s.timetables
    }
    # (key, label, URL name, scoped to the year?, progress text, count that must not be 0)
    sections: list[tuple[str, Label, str, bool, str, int]] = [
        (
            "years",
            _("Academic years"),
            "setup_years",
            False,
            ngettext("%(count)d academic year", "%(count)d academic years", s.years),
            s.years,
        ),
        (
            "terms",
            _("Terms"),
            "setup_terms",
            True,
            ngettext("%(count)d term", "%(count)d terms", s.terms),
            s.terms,
        ),
        (
            "holidays",
            _("Holidays"),
            "setup_holidays",
            True,
            ngettext("%(count)d holiday", "%(count)d holidays", s.holidays),
            s.holidays,
        ),
        (
            "classes",
            _("Classes"),
            "setup_classes",
            True,
            ngettext("%(count)d class", "%(count)d classes", s.classes),
            s.classes,
        ),
        (
            "subjects",
            _("Subjects"),
            "setup_subjects",
            False,
            ngettext("%(count)d subject", "%(count)d subjects", s.subjects),
            s.subjects,
        ),
        (
            "grading",
            _("Grading"),
            "setup_grading",
            False,
            ngettext("%(count)d scale rule", "%(count)d scale rules", s.scale_rules),
            s.scale_rules,
        ),
        (
            "curriculum",
            _("Curriculum"),
            "setup_curriculum",
            True,
            ngettext("%(count)d row", "%(count)d rows", s.curriculum),
            s.curriculum,
        ),
        (
            "staff",
            _("Staff"),
            "setup_staff",
            False,
            ngettext("%(count)d staff member", "%(count)d staff members", s.staff),
            s.staff,
        ),
        (
            "assignments",
            _("Teaching assignments"),
            "setup_assignments",
            True,
            ngettext(
                "%(count)d teaching assignment", "%(count)d teaching assignments", s.assignments
            ),
            s.assignments,
        ),
        (
            "periods",
            _("Bell schedule"),
            "setup_periods",
            True,
            ngettext("%(count)d lesson time", "%(count)d lesson times", s.periods),
            s.periods,
        ),
        (
            "timetables",
            _("Timetable"),
            "setup_timetables",
            True,
            timetable_text
            + ", "
            + ngettext("%(count)d entry", "%(count)d entries", s.timetable_entries),
            s.timetable_entries,
        ),
        (
            "lessons",
            _("Create lessons"),
            "setup_lessons",
            True,
            ngettext("%(count)d lesson created", "%(count)d lessons created", s.lessons),
            s.lessons,
        ),
    ]
    items = [NavItem("home", _("Overview"), reverse("setup:setup_home", args=[school.pk]))]
    for key, label, url_name, yearly, text, number in sections:
        if yearly and year is None:
            continue
        args = [school.pk, year.pk] if yearly and year is not None else [school.pk]
        items.append(
            NavItem(
                key,
                label,
                reverse(f"setup:{url_name}", args=args),
                text % {"count": number} if status else "",
                # Scale rules are optional: without any, the defaults by grade apply.
                status is not None and number == 0 and key != "grading",
            )
        )
    # The import screens belong to the imports app; plain paths keep this page working
    # whether or not they are installed yet.
    items.append(
        NavItem("import_students", _("Import students"), f"/school/{school.pk}/import/students/")
    )
    items.append(NavItem("import_staff", _("Import staff"), f"/school/{school.pk}/import/staff/"))
    items.append(
        NavItem(
            "notifications",
            _("Notifications"),
            reverse("notifications:school_policy", args=[school.pk]),
        )
    )
    return items


def render_setup(
    request: AuthedRequest,
    template: str,
    *,
    ctx: SetupContext,
    section: str,
    title: Label,
    context: dict[str, Any] | None = None,
    status: SetupStatus | None = None,
    http_status: int = 200,
) -> HttpResponse:
    nav_year = ctx.year if ctx.year is not None else latest_year(ctx.school)
    return render(
        request,
        template,
        {
            "ctx": ctx,
            "school": ctx.school,
            "year": ctx.year,
            "read_only": ctx.read_only,
            "nav": setup_nav(ctx.school, nav_year, status),
            "section": section,
            "title": title,
            **(context or {}),
        },
        status=http_status,
    )


@dataclass(frozen=True)
class Row:
    obj: Any
    cells: list[Any]
    edit_url: str
    delete_url: str
    links: list[tuple[Label, str]]


class Screen(Generic[M]):
    """A list of a school's (or a year's) objects with a create form, an edit page and
    a delete button. Subclasses name the service for each write."""

    section: ClassVar[str]
    slug: ClassVar[str]
    title: ClassVar[Label]
    form_class: ClassVar[type[SetupModelForm]]
    year_scoped: ClassVar[bool] = True
    deletable: ClassVar[bool] = True
    template_name: ClassVar[str] = "setup/screen.html"
    intro: ClassVar[Label] = ""

    # --- what a subclass says --------------------------------------------------------

    def queryset(self, ctx: SetupContext) -> QuerySet[M]:
        raise NotImplementedError

    def fetch(self, ctx: SetupContext, pk: int) -> M:
        """The row an address names, through its chokepoint (`<object>_for_user` with
        `within=` the screen's school or year)."""
        raise NotImplementedError

    def headers(self) -> list[Label]:
        raise NotImplementedError

    def cells(self, obj: M) -> list[Any]:
        raise NotImplementedError

    def create(self, ctx: SetupContext, data: dict[str, Any]) -> M:
        raise NotImplementedError

    def update(self, ctx: SetupContext, obj: M, data: dict[str, Any]) -> M:
        raise NotImplementedError

    def delete(self, ctx: SetupContext, obj: M) -> None:
        raise NotImplementedError

    def links(self, ctx: SetupContext, obj: M) -> list[tuple[Label, str]]:
        return []

    def extra_context(self, ctx: SetupContext, objects: list[M]) -> dict[str, Any]:
        return {}

    # --- addresses -------------------------------------------------------------------

    def _kwargs(self, ctx: SetupContext, **more: int) -> dict[str, int]:
        kwargs = {"school_id": ctx.school.pk, **more}
        if self.year_scoped:
            assert ctx.year is not None
            kwargs["year_id"] = ctx.year.pk
        return kwargs

    def list_url(self, ctx: SetupContext) -> str:
        return reverse(f"setup:setup_{self.section}", kwargs=self._kwargs(ctx))

    def edit_url(self, ctx: SetupContext, obj: M) -> str:
        return reverse(f"setup:setup_{self.section}_edit", kwargs=self._kwargs(ctx, pk=obj.pk))

    def delete_url(self, ctx: SetupContext, obj: M) -> str:
        if not self.deletable:
            return ""
        return reverse(f"setup:setup_{self.section}_delete", kwargs=self._kwargs(ctx, pk=obj.pk))

    def urls(self) -> list[URLPattern]:
        prefix = "school/<int:school_id>/setup/"
        if self.year_scoped:
            prefix += "year/<int:year_id>/"
        prefix += f"{self.slug}/"
        name = f"setup_{self.section}"
        patterns = [
            path(prefix, login_required(self.list_view), name=name),
            path(prefix + "<int:pk>/", login_required(self.edit_view), name=f"{name}_edit"),
        ]
        if self.deletable:
            patterns.append(
                path(
                    prefix + "<int:pk>/delete/",
                    login_required(require_POST(self.delete_view)),
                    name=f"{name}_delete",
                )
            )
        return patterns

    # --- pages -----------------------------------------------------------------------

    def render_list(
        self,
        request: AuthedRequest,
        ctx: SetupContext,
        form: forms.BaseForm,
        extra: dict[str, Any] | None = None,
    ) -> HttpResponse:
        objects = list(self.queryset(ctx))
        rows = [
            Row(
                obj=obj,
                cells=self.cells(obj),
                edit_url=self.edit_url(ctx, obj),
                delete_url=self.delete_url(ctx, obj),
                links=self.links(ctx, obj),
            )
            for obj in objects
        ]
        return render_setup(
            request,
            self.template_name,
            ctx=ctx,
            section=self.section,
            title=self.title,
            context={
                "screen": self,
                "intro": self.intro,
                "headers": self.headers(),
                "rows": rows,
                "form": form,
                "form_action": self.list_url(ctx),
                **self.extra_context(ctx, objects),
                **(extra or {}),
            },
        )

    def list_view(
        self, request: AuthedRequest, school_id: int, year_id: int | None = None
    ) -> HttpResponse:
        ctx = setup_context(request, school_id, year_id)
        form = self.form_class(request.POST if request.method == "POST" else None, ctx=ctx)
        if request.method == "POST" and form.is_valid():
            try:
                obj = self.create(ctx, form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("“%(name)s” saved.") % {"name": obj})
                return redirect(self.list_url(ctx))
        return self.render_list(request, ctx, form)

    def edit_view(
        self, request: AuthedRequest, school_id: int, pk: int, year_id: int | None = None
    ) -> HttpResponse:
        ctx = setup_context(request, school_id, year_id)
        obj = self.fetch(ctx, pk)
        # The form works on a copy: a refused update must leave `obj` as it was read.
        form = self.form_class(
            request.POST if request.method == "POST" else None, instance=copy.copy(obj), ctx=ctx
        )
        if request.method == "POST" and form.is_valid():
            try:
                obj = self.update(ctx, obj, form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("“%(name)s” saved.") % {"name": obj})
                return redirect(self.list_url(ctx))
        return render_setup(
            request,
            "setup/edit.html",
            ctx=ctx,
            section=self.section,
            title=self.title,
            context={
                "obj": obj,
                "form": form,
                "back_url": self.list_url(ctx),
                "delete_url": self.delete_url(ctx, obj),
            },
        )

    def delete_view(
        self, request: AuthedRequest, school_id: int, pk: int, year_id: int | None = None
    ) -> HttpResponse:
        ctx = setup_context(request, school_id, year_id)
        obj = self.fetch(ctx, pk)
        name = str(obj)
        try:
            self.delete(ctx, obj)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("“%(name)s” deleted.") % {"name": name})
        return redirect(self.list_url(ctx))
