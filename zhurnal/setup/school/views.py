"""The school administrator's set-up screens: years, terms, holidays, classes and their
groups, subjects, curriculum and staff. Only the administrator of that very school may
open them; everyone else gets 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from zhurnal.accounts.services import user_set_temporary_password
from zhurnal.core.formats import date_ua
from zhurnal.core.forms import add_service_errors
from zhurnal.core.http import AuthedRequest
from zhurnal.core.timeutil import local_today
from zhurnal.people.access import (
    SETUP_ROLES,
    academic_year_for_user,
    class_group_for_user,
    holiday_for_user,
    staff_member_for_user,
    subgroup_for_user,
    subject_for_user,
    term_for_user,
)
from zhurnal.people.models import RoleAssignment, StaffMember
from zhurnal.people.selectors import staff_with_roles
from zhurnal.people.services import staff_create, staff_roles_set, subgroup_members_set
from zhurnal.schools.models import AcademicYear, ClassGroup, Holiday, Subgroup, Subject, Term
from zhurnal.schools.selectors import classes_with_counts, latest_year
from zhurnal.schools.services import (
    class_group_create,
    class_group_update,
    curriculum_fill_typical,
    curriculum_save,
    holiday_create,
    holiday_delete,
    holiday_update,
    subgroup_create,
    subgroup_delete,
    subject_create,
    subject_update,
    term_create,
    term_delete,
    term_update,
    year_create,
    year_create_standard,
    year_update,
)
from zhurnal.setup.school.forms import (
    ClassGroupForm,
    CurriculumGridForm,
    HolidayForm,
    SetupContext,
    StaffCreateForm,
    StaffRolesForm,
    StandardYearForm,
    SubgroupForm,
    SubgroupMembersForm,
    SubjectForm,
    TermForm,
    YearForm,
)
from zhurnal.setup.school.selectors import (
    curriculum_grid,
    enrolled_students,
    setup_status,
    subgroups_with_members,
)
from zhurnal.setup.screens import Label, Screen, render_setup, setup_context


def _year(ctx: SetupContext) -> AcademicYear:
    assert ctx.year is not None
    return ctx.year


@login_required
def setup_home(request: AuthedRequest, school_id: int) -> HttpResponse:
    """The dashboard: every section with what is done and what is still to do."""
    ctx = setup_context(request, school_id)
    year = latest_year(ctx.school)
    status = setup_status(school=ctx.school, year=year)
    return render_setup(
        request,
        "setup/home.html",
        ctx=SetupContext(user=ctx.user, school=ctx.school, year=year),
        section="home",
        title=gettext_lazy("School set-up"),
        status=status,
        context={"current": year},
    )


# --- academic years -------------------------------------------------------------------


class YearScreen(Screen[AcademicYear]):
    section = "years"
    slug = "years"
    title = gettext_lazy("Academic years")
    form_class = YearForm
    year_scoped = False
    deletable = False
    template_name = "setup/years.html"
    intro = gettext_lazy(
        "A year runs from 1 September to no later than 1 July. The quickest start is the "
        "standard year: terms and holidays are created for you and can be edited afterwards."
    )

    def queryset(self, ctx: SetupContext) -> QuerySet[AcademicYear]:
        return AcademicYear.objects.filter(school=ctx.school).order_by("-starts_on")

    def fetch(self, ctx: SetupContext, pk: int) -> AcademicYear:
        return academic_year_for_user(ctx.user, pk, within=ctx.school)

    def headers(self) -> list[Label]:
        return [_("name"), _("starts on"), _("ends on"), _("state")]

    def cells(self, obj: AcademicYear) -> list[Any]:
        state = _("closed") if obj.is_closed else _("open")
        return [obj.name, date_ua(obj.starts_on), date_ua(obj.ends_on), state]

    def links(self, ctx: SetupContext, obj: AcademicYear) -> list[tuple[Label, str]]:
        args = [ctx.school.pk, obj.pk]
        return [
            (_("Terms"), reverse("setup:setup_terms", args=args)),
            (_("Holidays"), reverse("setup:setup_holidays", args=args)),
            (_("Classes"), reverse("setup:setup_classes", args=args)),
        ]

    def extra_context(self, ctx: SetupContext, objects: list[AcademicYear]) -> dict[str, Any]:
        # Suggest the year after the newest one; for a new school, the coming September.
        newest = max((int(year.name[:4]) for year in objects if year.name[:4].isdigit()), default=0)
        today = local_today(ctx.school.municipality.time_zone)
        first = newest + 1 if newest else (today.year if today.month >= 3 else today.year - 1)
        return {"standard_form": StandardYearForm(initial={"first_year": first})}

    def create(self, ctx: SetupContext, data: dict[str, Any]) -> AcademicYear:
        return year_create(actor=ctx.user, school=ctx.school, **data)

    def update(self, ctx: SetupContext, obj: AcademicYear, data: dict[str, Any]) -> AcademicYear:
        return year_update(actor=ctx.user, year=obj, **data)


years = YearScreen()


@login_required
@require_POST
def year_standard(request: AuthedRequest, school_id: int) -> HttpResponse:
    """The wizard: create the standard year with terms and holidays in one step."""
    ctx = setup_context(request, school_id)
    form = StandardYearForm(request.POST)
    if form.is_valid():
        try:
            year = year_create_standard(
                actor=ctx.user, school=ctx.school, first_year=form.cleaned_data["first_year"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The year %(name)s has been created with its terms and holidays. Check them.")
                % {"name": year.name},
            )
            return redirect("setup:setup_terms", ctx.school.pk, year.pk)
    return years.render_list(request, ctx, YearForm(ctx=ctx), extra={"standard_form": form})


# --- terms and holidays ---------------------------------------------------------------


class TermScreen(Screen[Term]):
    section = "terms"
    slug = "terms"
    title = gettext_lazy("Terms")
    form_class = TermForm
    intro = gettext_lazy(
        "Terms of the same grades may not overlap. Grades with their own terms (for example "
        "quarters for grades 1–9 and half-years for 10–11) get a term each."
    )

    def queryset(self, ctx: SetupContext) -> QuerySet[Term]:
        return Term.objects.filter(year=ctx.year).order_by("grade_from", "starts_on")

    def fetch(self, ctx: SetupContext, pk: int) -> Term:
        return term_for_user(ctx.user, pk, within=_year(ctx))

    def headers(self) -> list[Label]:
        return [_("name"), _("kind"), _("grades"), _("starts on"), _("ends on")]

    def cells(self, obj: Term) -> list[Any]:
        return [
            obj.name,
            obj.get_kind_display(),
            f"{obj.grade_from}–{obj.grade_to}",
            date_ua(obj.starts_on),
            date_ua(obj.ends_on),
        ]

    def create(self, ctx: SetupContext, data: dict[str, Any]) -> Term:
        return term_create(actor=ctx.user, year=_year(ctx), **data)

    def update(self, ctx: SetupContext, obj: Term, data: dict[str, Any]) -> Term:
        obj.year = _year(ctx)
        return term_update(actor=ctx.user, term=obj, **data)

    def delete(self, ctx: SetupContext, obj: Term) -> None:
        obj.year = _year(ctx)
        term_delete(actor=ctx.user, term=obj)


class HolidayScreen(Screen[Holiday]):
    section = "holidays"
    slug = "holidays"
    title = gettext_lazy("Holidays")
    form_class = HolidayForm
    intro = gettext_lazy("No lessons are created on the days of holidays (both dates included).")

    def queryset(self, ctx: SetupContext) -> QuerySet[Holiday]:
        return Holiday.objects.filter(year=ctx.year).order_by("starts_on")

    def fetch(self, ctx: SetupContext, pk: int) -> Holiday:
        return holiday_for_user(ctx.user, pk, within=_year(ctx))

    def headers(self) -> list[Label]:
        return [_("name"), _("starts on"), _("ends on")]

    def cells(self, obj: Holiday) -> list[Any]:
        return [obj.name, date_ua(obj.starts_on), date_ua(obj.ends_on)]

    def create(self, ctx: SetupContext, data: dict[str, Any]) -> Holiday:
        return holiday_create(actor=ctx.user, year=_year(ctx), **data)

    def update(self, ctx: SetupContext, obj: Holiday, data: dict[str, Any]) -> Holiday:
        obj.year = _year(ctx)
        return holiday_update(actor=ctx.user, holiday=obj, **data)

    def delete(self, ctx: SetupContext, obj: Holiday) -> None:
        obj.year = _year(ctx)
        holiday_delete(actor=ctx.user, holiday=obj)


# --- classes and their groups ---------------------------------------------------------


class ClassScreen(Screen[ClassGroup]):
    section = "classes"
    slug = "classes"
    title = gettext_lazy("Classes")
    form_class = ClassGroupForm
    deletable = False

    def queryset(self, ctx: SetupContext) -> QuerySet[ClassGroup]:
        return classes_with_counts(_year(ctx), local_today(ctx.school.municipality.time_zone))

    def fetch(self, ctx: SetupContext, pk: int) -> ClassGroup:
        return _class_of(ctx, pk)

    def headers(self) -> list[Label]:
        return [_("class"), _("class teacher"), _("students")]

    def cells(self, obj: ClassGroup) -> list[Any]:
        teacher = obj.class_teacher.full_name if obj.class_teacher else "—"
        return [obj.name, teacher, getattr(obj, "student_count", "")]

    def links(self, ctx: SetupContext, obj: ClassGroup) -> list[tuple[Label, str]]:
        url = reverse("setup:setup_subgroups", args=[ctx.school.pk, _year(ctx).pk, obj.pk])
        return [(_("Groups"), url)]

    def create(self, ctx: SetupContext, data: dict[str, Any]) -> ClassGroup:
        return class_group_create(actor=ctx.user, year=_year(ctx), **data)

    def update(self, ctx: SetupContext, obj: ClassGroup, data: dict[str, Any]) -> ClassGroup:
        obj.year = _year(ctx)
        return class_group_update(actor=ctx.user, class_group=obj, **data)


def _class_of(ctx: SetupContext, class_id: int) -> ClassGroup:
    return class_group_for_user(ctx.user, class_id, roles=SETUP_ROLES, within=_year(ctx))


@login_required
def subgroups(request: AuthedRequest, school_id: int, year_id: int, class_id: int) -> HttpResponse:
    """The groups of a class (поділ на групи) with their members; a form adds a group."""
    ctx = setup_context(request, school_id, year_id)
    class_group = _class_of(ctx, class_id)
    form = SubgroupForm(request.POST if request.method == "POST" else None, school=ctx.school)
    if request.method == "POST" and form.is_valid():
        try:
            subgroup_create(actor=ctx.user, class_group=class_group, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The group has been created."))
            return redirect(request.path)
    students = enrolled_students(class_group)
    groups = [
        (
            group,
            SubgroupMembersForm(
                initial={"students": sorted(members)}, students=students, prefix=f"g{group.pk}"
            ),
        )
        for group, members in subgroups_with_members(class_group)
    ]
    return render_setup(
        request,
        "setup/subgroups.html",
        ctx=ctx,
        section="classes",
        title=_("Groups of the class %(name)s") % {"name": class_group},
        context={"class_group": class_group, "form": form, "groups": groups, "students": students},
    )


def _subgroup_of(ctx: SetupContext, class_group: ClassGroup, subgroup_id: int) -> Subgroup:
    return subgroup_for_user(ctx.user, subgroup_id, within=class_group)


@login_required
@require_POST
def subgroup_members(
    request: AuthedRequest, school_id: int, year_id: int, class_id: int, subgroup_id: int
) -> HttpResponse:
    ctx = setup_context(request, school_id, year_id)
    class_group = _class_of(ctx, class_id)
    subgroup = _subgroup_of(ctx, class_group, subgroup_id)
    form = SubgroupMembersForm(
        request.POST, students=enrolled_students(class_group), prefix=f"g{subgroup.pk}"
    )
    if form.is_valid():
        try:
            subgroup_members_set(
                actor=ctx.user, subgroup=subgroup, student_ids=form.cleaned_data["students"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("The members of “%(name)s” have been saved.") % {"name": subgroup.name}
            )
    else:
        messages.error(request, _("Choose students of this class."))
    return redirect("setup:setup_subgroups", ctx.school.pk, year_id, class_group.pk)


@login_required
@require_POST
def subgroup_remove(
    request: AuthedRequest, school_id: int, year_id: int, class_id: int, subgroup_id: int
) -> HttpResponse:
    ctx = setup_context(request, school_id, year_id)
    class_group = _class_of(ctx, class_id)
    subgroup = _subgroup_of(ctx, class_group, subgroup_id)
    try:
        subgroup_delete(actor=ctx.user, subgroup=subgroup)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The group has been deleted."))
    return redirect("setup:setup_subgroups", ctx.school.pk, year_id, class_group.pk)


# --- subjects and curriculum ----------------------------------------------------------


class SubjectScreen(Screen[Subject]):
    section = "subjects"
    slug = "subjects"
    title = gettext_lazy("Subjects")
    form_class = SubjectForm
    year_scoped = False
    deletable = False
    intro = gettext_lazy(
        "Subject names are printed in the journal as written here. The curriculum page can "
        "create the subjects of the typical programme for you."
    )

    def queryset(self, ctx: SetupContext) -> QuerySet[Subject]:
        return Subject.objects.filter(school=ctx.school).order_by("name")

    def fetch(self, ctx: SetupContext, pk: int) -> Subject:
        return subject_for_user(ctx.user, pk, within=ctx.school)

    def headers(self) -> list[Label]:
        return [_("name"), _("short name"), _("physical education"), _("homework expected")]

    def cells(self, obj: Subject) -> list[Any]:
        return [
            obj.name,
            obj.short_name,
            _("yes") if obj.is_physical_education else "",
            _("yes") if obj.homework_expected else _("no"),
        ]

    def create(self, ctx: SetupContext, data: dict[str, Any]) -> Subject:
        return subject_create(actor=ctx.user, school=ctx.school, **data)

    def update(self, ctx: SetupContext, obj: Subject, data: dict[str, Any]) -> Subject:
        obj.school = ctx.school
        return subject_update(actor=ctx.user, subject=obj, **data)


@login_required
def curriculum(request: AuthedRequest, school_id: int, year_id: int) -> HttpResponse:
    """The plan as a grid: subjects × grades, weekly hours and the split into groups."""
    ctx = setup_context(request, school_id, year_id)
    year = _year(ctx)
    grid = curriculum_grid(year=year)
    initial: dict[str, Any] = {}
    for (grade, subject_id), entry in grid.entries.items():
        initial[f"h_{subject_id}_{grade}"] = entry.hours_per_week
        initial[f"s_{subject_id}_{grade}"] = entry.split_into_groups
    form = CurriculumGridForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        grades=grid.grades,
        subjects=grid.subjects,
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = curriculum_save(actor=ctx.user, year=year, cells=form.cells())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Curriculum saved: %(count)d change.",
                    "Curriculum saved: %(count)d changes.",
                    changed,
                )
                % {"count": changed},
            )
            return redirect(request.path)
    rows = [
        (
            subject,
            [
                (grade, form[f"h_{subject.pk}_{grade}"], form[f"s_{subject.pk}_{grade}"])
                for grade in grid.grades
            ],
        )
        for subject in grid.subjects
    ]
    return render_setup(
        request,
        "setup/curriculum.html",
        ctx=ctx,
        section="curriculum",
        title=_("Curriculum %(year)s") % {"year": year.name},
        context={
            "form": form,
            "grid": grid,
            "rows": rows,
            "totals": [grid.totals.get(grade) for grade in grid.grades],
        },
    )


@login_required
@require_POST
def curriculum_typical(request: AuthedRequest, school_id: int, year_id: int) -> HttpResponse:
    ctx = setup_context(request, school_id, year_id)
    try:
        created = curriculum_fill_typical(actor=ctx.user, year=_year(ctx))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d row of the typical programme added; existing rows were kept.",
                "%(count)d rows of the typical programme added; existing rows were kept.",
                created,
            )
            % {"count": created},
        )
    return redirect("setup:setup_curriculum", ctx.school.pk, year_id)


# --- staff ----------------------------------------------------------------------------


@login_required
def staff(request: AuthedRequest, school_id: int) -> HttpResponse:
    """The school's staff with their roles; a form adds a person with a login."""
    ctx = setup_context(request, school_id)
    form = StaffCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            member = staff_create(actor=ctx.user, school=ctx.school, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s has been added. Issue a temporary password to hand over.")
                % {"name": member.user.full_name},
            )
            return redirect("setup:setup_staff_detail", ctx.school.pk, member.pk)
    return render_setup(
        request,
        "setup/staff.html",
        ctx=ctx,
        section="staff",
        title=_("Staff"),
        context={"staff": staff_with_roles(ctx.school), "form": form},
    )


def _staff_of(ctx: SetupContext, staff_id: int) -> StaffMember:
    return staff_member_for_user(ctx.user, staff_id, within=ctx.school)


@login_required
def staff_detail(request: AuthedRequest, school_id: int, staff_id: int) -> HttpResponse:
    """A staff member's roles at this school, and the temporary-password action."""
    ctx = setup_context(request, school_id)
    member = _staff_of(ctx, staff_id)
    held = list(
        RoleAssignment.objects.filter(user_id=member.user_id, school=ctx.school).values_list(
            "role", flat=True
        )
    )
    form = StaffRolesForm(
        request.POST if request.method == "POST" else None, initial={"roles": held}
    )
    if request.method == "POST" and form.is_valid():
        try:
            staff_roles_set(actor=ctx.user, staff=member, roles=form.cleaned_data["roles"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The roles have been saved."))
            return redirect(request.path)
    return render_setup(
        request,
        "setup/staff_detail.html",
        ctx=ctx,
        section="staff",
        title=member.user.full_name,
        context={"member": member, "form": form},
    )


@never_cache
@login_required
@require_POST
def staff_password(request: AuthedRequest, school_id: int, staff_id: int) -> HttpResponse:
    """Issue a temporary password and show it once, to be handed over in person."""
    ctx = setup_context(request, school_id)
    member = _staff_of(ctx, staff_id)
    user = member.user
    # Resetting a login that also acts elsewhere would reach beyond this school.
    elsewhere = (
        user.is_superuser
        or user.pk == ctx.user.pk
        or RoleAssignment.objects.filter(user=user).exclude(school=ctx.school).exists()
    )
    if elsewhere:
        messages.error(
            request,
            _(
                "This login also has duties outside this school (or is your own): "
                "its password can only be changed by its owner or the department."
            ),
        )
        return redirect("setup:setup_staff_detail", ctx.school.pk, member.pk)
    password = user_set_temporary_password(actor=ctx.user, user=user, school_id=ctx.school.pk)
    return render_setup(
        request,
        "setup/password_issued.html",
        ctx=ctx,
        section="staff",
        title=_("Temporary password"),
        context={"member": member, "password": password},
    )


terms = TermScreen()
holidays = HolidayScreen()
classes = ClassScreen()
subjects = SubjectScreen()
