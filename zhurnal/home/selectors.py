"""Reads for the department's and the school's overview pages.

Every function here runs a fixed number of queries, whatever the size of the school.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from zhurnal.control.metrics import FillCounts, school_fill
from zhurnal.control.models import JournalRemark, JournalRemarkStatus
from zhurnal.core.timeutil import school_tz, week_start
from zhurnal.journal.models import Correction, CorrectionStatus
from zhurnal.people.selectors import StaffRow, staff_with_roles
from zhurnal.schools.models import (
    AcademicYear,
    ClassGroup,
    School,
    Term,
)
from zhurnal.schools.selectors import classes_with_counts, current_enrollment_q, current_year
from zhurnal.timetable.models import Lesson, TeacherAbsence

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
    # The teaching load: hours a week of all teaching assignments (what readers of
    # "педагогічне навантаження" expect, not a count of assignments).
    weekly_hours: Decimal = Decimal(0)


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
                "enrollments__student", filter=current_enrollment_q(today), distinct=True
            ),
        )
    }
    assignments = {
        pk: (count, hours or Decimal(0))
        for pk, count, hours in AcademicYear.objects.filter(pk__in=year_ids)
        .annotate(n=Count("assignments"), hours=Sum("assignments__hours_per_week"))
        .values_list("pk", "n", "hours")
    }
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
            assignments=assignments.get(school_year.pk, (0, 0))[0] if school_year else 0,
            weekly_hours=assignments.get(school_year.pk, (0, Decimal(0)))[1]
            if school_year
            else Decimal(0),
        )
        rows.append(row)
        totals.classes += row.classes
        totals.students += row.students
        totals.staff += row.staff
        totals.assignments += row.assignments
        totals.weekly_hours += row.weekly_hours
    return rows, totals


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


# --- the school today (director and deputy) --------------------------------------------

# A list on the home page is a pointer to the register that holds all of them.
LISTED = 15


@dataclass
class SchoolToday:
    """What the school's administration asks first: what is not right today, and where
    it is put right."""

    today: dt.date
    unrecorded: list[Lesson]
    unrecorded_count: int
    needing_substitute: list[Lesson]
    needing_substitute_count: int
    substituted: int
    cancelled: int
    pending_corrections: list[Correction]
    pending_corrections_count: int
    open_remarks: int
    week_fill: FillCounts


def school_today(*, school: School, now: dt.datetime | None = None) -> SchoolToday:
    """Today's lessons that have begun without a register or a topic, lessons of teachers
    recorded as away that have neither a substitute nor a mark as not held, today's
    substitutions and lessons not held, corrections waiting for approval, open remarks
    on journal keeping and this week's fill level. A fixed number of queries (fill
    level included), whatever the size of the school."""
    now = now or timezone.now()
    local = timezone.localtime(now, school_tz(school.municipality.time_zone))
    today = local.date()
    lessons_today = Lesson.objects.filter(assignment__year__school=school, date=today)
    missing = (
        lessons_today.filter(is_cancelled=False, period__starts_at__lte=local.time())
        .filter(Q(attendance_taken_at__isnull=True) | Q(topic=""))
        .select_related(
            "period",
            "assignment__class_group",
            "assignment__subject",
            "assignment__teacher",
            "substitute",
        )
        .order_by(
            "period__number", "assignment__class_group__grade", "assignment__class_group__letter"
        )
    )
    teacher_away = Exists(
        TeacherAbsence.objects.filter(
            school=school,
            teacher=OuterRef("assignment__teacher"),
            starts_on__lte=today,
            ends_on__gte=today,
        )
    )
    uncovered = Q(teacher_away, is_cancelled=False, substitute__isnull=True)
    needing = (
        lessons_today.filter(uncovered)
        .select_related(
            "period", "assignment__class_group", "assignment__subject", "assignment__teacher"
        )
        .order_by(
            "period__number", "assignment__class_group__grade", "assignment__class_group__letter"
        )
    )
    counts = lessons_today.aggregate(
        needing=Count("pk", filter=uncovered),
        unrecorded=Count(
            "pk",
            filter=Q(is_cancelled=False, period__starts_at__lte=local.time())
            & (Q(attendance_taken_at__isnull=True) | Q(topic="")),
        ),
        substituted=Count("pk", filter=Q(substitute__isnull=False, is_cancelled=False)),
        cancelled=Count("pk", filter=Q(is_cancelled=True)),
    )
    pending = Correction.objects.filter(
        assignment__year__school=school, status=CorrectionStatus.PENDING
    )
    monday = week_start(today)
    fill = school_fill(school=school, start=monday, end=today, now=now)
    return SchoolToday(
        today=today,
        unrecorded=list(missing[:LISTED]),
        unrecorded_count=counts["unrecorded"],
        needing_substitute=list(needing[:LISTED]),
        needing_substitute_count=counts["needing"],
        substituted=counts["substituted"],
        cancelled=counts["cancelled"],
        pending_corrections=list(
            pending.select_related(
                "assignment__class_group", "assignment__subject", "student", "requested_by"
            ).order_by("created_at")[:LISTED]
        ),
        pending_corrections_count=pending.count(),
        open_remarks=JournalRemark.objects.filter(
            school=school, status=JournalRemarkStatus.OPEN
        ).count(),
        week_fill=fill.total(),
    )
