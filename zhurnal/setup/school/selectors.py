"""Reads of the set-up screens: what is done, enrolled students, subgroups, curriculum."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count

from zhurnal.people.selectors import in_class_order
from zhurnal.schools.models import (
    AcademicYear,
    ClassGroup,
    CurriculumEntry,
    School,
    Subgroup,
    Subject,
)

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
    """(student id, full name) of the students currently in the class, in class-list order."""
    enrollments = class_group.enrollments.filter(ends_on__isnull=True).select_related("student")
    return [
        (e.student_id, e.student.full_name)
        for e in in_class_order(enrollments, student=lambda e: e.student)
    ]


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
