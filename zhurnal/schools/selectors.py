"""Reads for the department's and the school's overview and the set-up screens.

Every function here runs a fixed number of queries, whatever the size of the school.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from zhurnal.accounts.models import User
from zhurnal.people.models import Role, RoleAssignment, StaffMember
from zhurnal.schools.models import (
    AcademicYear,
    ClassGroup,
    CurriculumEntry,
    School,
    Subgroup,
    Subject,
    Term,
)


def current_year(school: School, today: dt.date) -> AcademicYear | None:
    """The year that contains `today`, else the most recent one."""
    years = list(AcademicYear.objects.filter(school=school).order_by("-starts_on"))
    for year in years:
        if year.starts_on <= today <= year.ends_on:
            return year
    return years[0] if years else None


def latest_year(school: School) -> AcademicYear | None:
    """The newest year: the one the administrator is most likely setting up."""
    return AcademicYear.objects.filter(school=school).order_by("-starts_on").first()


def _current_enrollment(today: dt.date) -> Q:
    return Q(enrollments__ends_on__isnull=True) | Q(enrollments__ends_on__gte=today)


# --- the department -------------------------------------------------------------------


@dataclass
class SchoolFigures:
    """Aggregates of one school (or, for the totals row, of all of them); no person named."""

    school: School | None
    year_name: str = ""
    classes: int = 0
    students: int = 0
    staff: int = 0
    assignments: int = 0


def department_figures(
    *, schools: list[School], today: dt.date
) -> tuple[list[SchoolFigures], SchoolFigures]:
    """Per school of the municipality: classes, students enrolled now, active staff and
    teaching assignments in its current year; plus the totals."""
    school_ids = [school.pk for school in schools]
    chosen: dict[int, AcademicYear] = {}
    for year in AcademicYear.objects.filter(school_id__in=school_ids).order_by("-starts_on"):
        held = chosen.get(year.school_id)
        if held is None or (
            year.starts_on <= today <= year.ends_on and not held.starts_on <= today <= held.ends_on
        ):
            chosen[year.school_id] = year
    year_ids = [year.pk for year in chosen.values()]
    classes: dict[int, tuple[int, int]] = {
        row["year_id"]: (row["classes"], row["students"])
        for row in ClassGroup.objects.filter(year_id__in=year_ids)
        .values("year_id")
        .annotate(
            classes=Count("id", distinct=True),
            students=Count(
                "enrollments__student", filter=_current_enrollment(today), distinct=True
            ),
        )
    }
    assignments = dict(
        AcademicYear.objects.filter(pk__in=year_ids)
        .annotate(n=Count("assignments"))
        .values_list("pk", "n")
    )
    staff = dict(
        School.objects.filter(pk__in=school_ids)
        .annotate(n=Count("staff", filter=Q(staff__is_active=True)))
        .values_list("pk", "n")
    )
    rows: list[SchoolFigures] = []
    totals = SchoolFigures(school=None)
    for school in schools:
        school_year = chosen.get(school.pk)
        class_count, student_count = classes.get(school_year.pk, (0, 0)) if school_year else (0, 0)
        row = SchoolFigures(
            school=school,
            year_name=school_year.name if school_year else "",
            classes=class_count,
            students=student_count,
            staff=staff.get(school.pk, 0),
            assignments=assignments.get(school_year.pk, 0) if school_year else 0,
        )
        rows.append(row)
        totals.classes += row.classes
        totals.students += row.students
        totals.staff += row.staff
        totals.assignments += row.assignments
    return rows, totals


# --- the school -----------------------------------------------------------------------


@dataclass
class StaffRow:
    staff_id: int
    user: User
    position: str
    qualification: str
    is_active: bool
    roles: list[str] = field(default_factory=list)
    role_labels: list[str] = field(default_factory=list)


def staff_with_roles(school: School) -> list[StaffRow]:
    """The school's staff, each with the roles held at this school (two queries)."""
    labels = dict(Role.choices)
    roles: dict[int, list[str]] = defaultdict(list)
    for user_id, role in (
        RoleAssignment.objects.filter(school=school).order_by("role").values_list("user_id", "role")
    ):
        roles[user_id].append(role)
    staff = StaffMember.objects.filter(school=school).select_related("user")
    rows = [
        StaffRow(
            staff_id=member.pk,
            user=member.user,
            position=member.position,
            qualification=member.qualification,
            is_active=member.is_active,
            roles=roles.get(member.user_id, []),
            role_labels=[str(labels[role]) for role in roles.get(member.user_id, [])],
        )
        for member in staff
    ]
    rows.sort(key=lambda row: (row.user.last_name, row.user.first_name))
    return rows


def classes_with_counts(year: AcademicYear, today: dt.date) -> QuerySet[ClassGroup]:
    """The year's classes with their class teacher and the number of students enrolled now."""
    return (
        ClassGroup.objects.filter(year=year)
        .select_related("class_teacher")
        .annotate(
            student_count=Count(
                "enrollments__student", filter=_current_enrollment(today), distinct=True
            )
        )
        .order_by("grade", "letter")
    )


@dataclass
class SchoolOverview:
    year: AcademicYear | None
    terms: list[Term]
    classes: list[ClassGroup]
    staff: list[StaffRow]


def school_overview(*, school: School, today: dt.date) -> SchoolOverview:
    """The current year with its terms and classes, and the staff with their roles."""
    year = current_year(school, today)
    terms: list[Term] = []
    classes: list[ClassGroup] = []
    if year is not None:
        terms = list(year.terms.order_by("grade_from", "starts_on"))
        classes = list(classes_with_counts(year, today))
    return SchoolOverview(year=year, terms=terms, classes=classes, staff=staff_with_roles(school))


# --- set-up ---------------------------------------------------------------------------


@dataclass
class SetupStatus:
    years: int = 0
    terms: int = 0
    holidays: int = 0
    classes: int = 0
    subjects: int = 0
    curriculum: int = 0
    staff: int = 0
    assignments: int = 0
    periods: int = 0
    timetables: int = 0
    timetable_entries: int = 0
    lessons: int = 0
    scale_rules: int = 0


def setup_status(*, school: School, year: AcademicYear | None) -> SetupStatus:
    """How far the set-up has come, section by section, for the dashboard."""
    status = SetupStatus(
        years=AcademicYear.objects.filter(school=school).count(),
        subjects=Subject.objects.filter(school=school).count(),
        staff=school.staff.filter(is_active=True).count(),
        scale_rules=school.scale_rules.count(),
    )
    if year is None:
        return status
    counts = (
        AcademicYear.objects.filter(pk=year.pk)
        .annotate(
            n_terms=Count("terms", distinct=True),
            n_holidays=Count("holidays", distinct=True),
            n_classes=Count("classes", distinct=True),
            n_curriculum=Count("curriculum", distinct=True),
            n_periods=Count("periods", distinct=True),
            n_timetables=Count("timetables", distinct=True),
        )
        .values("n_terms", "n_holidays", "n_classes", "n_curriculum", "n_periods", "n_timetables")
        .get()
    )
    status.terms = counts["n_terms"]
    status.holidays = counts["n_holidays"]
    status.classes = counts["n_classes"]
    status.curriculum = counts["n_curriculum"]
    status.periods = counts["n_periods"]
    status.timetables = counts["n_timetables"]
    work = (
        AcademicYear.objects.filter(pk=year.pk)
        .annotate(
            n_assignments=Count("assignments", distinct=True),
            n_entries=Count("timetables__entries", distinct=True),
        )
        .values("n_assignments", "n_entries")
        .get()
    )
    status.assignments = work["n_assignments"]
    status.timetable_entries = work["n_entries"]
    status.lessons = AcademicYear.objects.filter(pk=year.pk).aggregate(
        n=Count("assignments__lessons")
    )["n"]
    return status


def enrolled_students(class_group: ClassGroup) -> list[tuple[int, str]]:
    """(student id, full name) of the students currently in the class."""
    enrollments = (
        class_group.enrollments.filter(ends_on__isnull=True)
        .select_related("student")
        .order_by("student__surname", "student__given_name")
    )
    return [(e.student_id, e.student.full_name) for e in enrollments]


def subgroups_with_members(class_group: ClassGroup) -> list[tuple[Subgroup, set[int]]]:
    subgroups = list(
        Subgroup.objects.filter(class_group=class_group)
        .select_related("subject")
        .prefetch_related("members")
        .order_by("subject__name", "name")
    )
    return [(group, {m.student_id for m in group.members.all()}) for group in subgroups]


@dataclass
class CurriculumGrid:
    grades: list[int]
    subjects: list[Subject]
    entries: dict[tuple[int, int], CurriculumEntry]
    totals: dict[int, Decimal]


def curriculum_grid(
    *, year: AcademicYear, subjects: Iterable[Subject] | None = None
) -> CurriculumGrid:
    """The plan as subject rows × grade columns, with the weekly total of each grade."""
    school = year.school
    subject_list = (
        list(subjects) if subjects is not None else list(Subject.objects.filter(school=school))
    )
    entries = {
        (entry.grade, entry.subject_id): entry
        for entry in CurriculumEntry.objects.filter(year=year)
    }
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for (grade, _subject), entry in entries.items():
        totals[grade] += entry.hours_per_week
    return CurriculumGrid(
        grades=list(school.grades), subjects=subject_list, entries=entries, totals=dict(totals)
    )
