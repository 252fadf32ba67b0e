"""Reads of the school's years and classes shared by every room above."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet

from zhurnal.schools.models import (
    AcademicYear,
    ClassGroup,
    School,
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


def current_enrollment_q(today: dt.date) -> Q:
    return Q(enrollments__ends_on__isnull=True) | Q(enrollments__ends_on__gte=today)


def classes_with_counts(year: AcademicYear, today: dt.date) -> QuerySet[ClassGroup]:
    """The year's classes with their class teacher and the number of students enrolled now."""
    return (
        ClassGroup.objects.filter(year=year)
        .select_related("class_teacher")
        .annotate(
            student_count=Count(
                "enrollments__student", filter=current_enrollment_q(today), distinct=True
            )
        )
        .order_by("grade", "letter")
    )
