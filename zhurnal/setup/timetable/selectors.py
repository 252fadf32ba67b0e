"""Reads for the timetable set-up screens: teaching loads and the weekly grid.
A fixed number of queries, whatever the size of the school."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet

from zhurnal.accounts.models import User
from zhurnal.schools.models import AcademicYear, ClassGroup, CurriculumEntry
from zhurnal.timetable.models import Period, TeachingAssignment, Timetable, TimetableEntry, Weekday


def assignments_of_year(year: AcademicYear) -> QuerySet[TeachingAssignment]:
    return TeachingAssignment.objects.filter(year=year).select_related(
        "teacher", "subject", "class_group", "subgroup"
    )


@dataclass
class ClassLoad:
    class_group: ClassGroup
    assignments: list[TeachingAssignment] = field(default_factory=list)
    curriculum_hours: Decimal = Decimal(0)
    assigned_hours: Decimal = Decimal(0)

    @property
    def missing(self) -> Decimal:
        return self.curriculum_hours - self.assigned_hours


@dataclass
class TeacherLoad:
    teacher: User
    hours: Decimal = Decimal(0)
    assignments: int = 0


def loads(
    *, year: AcademicYear, assignments: list[TeachingAssignment]
) -> tuple[list[ClassLoad], list[TeacherLoad]]:
    """Each class's curriculum hours against the hours covered by its assignments (a
    subject taught in groups counts once, at its largest group), and each teacher's total."""
    curriculum: dict[int, Decimal] = defaultdict(Decimal)
    for grade, hours in CurriculumEntry.objects.filter(year=year).values_list(
        "grade", "hours_per_week"
    ):
        curriculum[grade] += hours
    by_class: dict[int, ClassLoad] = {
        class_group.pk: ClassLoad(class_group, curriculum_hours=curriculum[class_group.grade])
        for class_group in ClassGroup.objects.filter(year=year).order_by("grade", "letter")
    }
    covered: dict[tuple[int, int], Decimal] = {}
    teachers: dict[int, TeacherLoad] = {}
    for assignment in assignments:
        load = by_class.get(assignment.class_group_id)
        if load is not None:
            load.assignments.append(assignment)
        key = (assignment.class_group_id, assignment.subject_id)
        covered[key] = max(covered.get(key, Decimal(0)), assignment.hours_per_week)
        teacher = teachers.setdefault(assignment.teacher_id, TeacherLoad(assignment.teacher))
        teacher.hours += assignment.hours_per_week
        teacher.assignments += 1
    for (class_id, _subject), hours in covered.items():
        if class_id in by_class:
            by_class[class_id].assigned_hours += hours
    teacher_list = sorted(
        teachers.values(), key=lambda t: (t.teacher.last_name, t.teacher.first_name)
    )
    return list(by_class.values()), teacher_list


def timetable_classes(timetable: Timetable) -> list[ClassGroup]:
    """The year's classes, each with the number of its entries in this timetable."""
    counts = dict(
        TimetableEntry.objects.filter(timetable=timetable)
        .values("assignment__class_group_id")
        .annotate(n=Count("id"))
        .values_list("assignment__class_group_id", "n")
    )
    classes = list(ClassGroup.objects.filter(year_id=timetable.year_id).order_by("grade", "letter"))
    for class_group in classes:
        # a count for the page carried on the class, as an annotation would be
        class_group.entry_count = counts.get(class_group.pk, 0)  # type: ignore[attr-defined]  # not a model field
    return classes


@dataclass
class GridRow:
    period: Period
    cells: list[tuple[int, str, list[TimetableEntry]]]


SCHOOL_WEEK = [day for day in Weekday if day != Weekday.SATURDAY]


def timetable_grid(*, timetable: Timetable, class_group: ClassGroup) -> list[GridRow]:
    """Periods × weekdays (Monday to Friday) of one class; a cell may hold several
    entries when the class works in groups."""
    entries: dict[tuple[int, int], list[TimetableEntry]] = defaultdict(list)
    for entry in TimetableEntry.objects.filter(
        timetable=timetable, assignment__class_group=class_group
    ).select_related(
        "period",
        "assignment__subject",
        "assignment__subgroup",
        "assignment__teacher",
        "assignment__class_group",
    ):
        entries[(entry.period_id, entry.weekday)].append(entry)
    return [
        GridRow(
            period,
            [
                (day.value, str(day.label), entries.get((period.pk, day.value), []))
                for day in SCHOOL_WEEK
            ],
        )
        for period in Period.objects.filter(year_id=timetable.year_id).order_by("number")
    ]
