from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from zhurnal.core.models import TimestampedModel
from zhurnal.schools.models import AcademicYear, ClassGroup, Subgroup, Subject


class TeachingAssignment(TimestampedModel):
    """Педагогічне навантаження: a teacher teaches a subject to a class or one of its groups."""

    year = models.ForeignKey(
        AcademicYear,
        verbose_name=_("academic year"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.PROTECT,
        related_name="teaching_assignments",
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("subject"), on_delete=models.PROTECT, related_name="assignments"
    )
    class_group = models.ForeignKey(
        ClassGroup, verbose_name=_("class"), on_delete=models.PROTECT, related_name="assignments"
    )
    subgroup = models.ForeignKey(
        Subgroup,
        verbose_name=_("subgroup"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    hours_per_week = models.DecimalField(_("hours per week"), max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = _("teaching assignment")
        verbose_name_plural = _("teaching assignments")
        ordering = ["class_group__grade", "class_group__letter", "subject__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["class_group", "subject"],
                condition=Q(subgroup__isnull=True),
                name="timetable_assignment_unique_class",
            ),
            models.UniqueConstraint(
                fields=["class_group", "subject", "subgroup"],
                condition=Q(subgroup__isnull=False),
                name="timetable_assignment_unique_subgroup",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__gt=0) & Q(hours_per_week__lte=20),
                name="timetable_assignment_hours_range",
            ),
        ]

    def __str__(self) -> str:
        group = f" ({self.subgroup.name})" if self.subgroup_id and self.subgroup else ""
        return f"{self.class_group} · {self.subject}{group}"


class Period(TimestampedModel):
    """One line of the bell schedule: lesson number and its time."""

    year = models.ForeignKey(
        AcademicYear,
        verbose_name=_("academic year"),
        on_delete=models.CASCADE,
        related_name="periods",
    )
    number = models.PositiveSmallIntegerField(_("lesson number"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("bell schedule")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="timetable_period_unique"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="timetable_period_times_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class Weekday(models.IntegerChoices):
    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")


class Timetable(TimestampedModel):
    """A weekly timetable valid for a span of dates; a new one replaces it from a date."""

    year = models.ForeignKey(
        AcademicYear,
        verbose_name=_("academic year"),
        on_delete=models.CASCADE,
        related_name="timetables",
    )
    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"))

    class Meta:
        verbose_name = _("timetable")
        verbose_name_plural = _("timetables")
        ordering = ["valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="timetable_validity_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.name


class TimetableEntry(TimestampedModel):
    timetable = models.ForeignKey(
        Timetable, verbose_name=_("timetable"), on_delete=models.CASCADE, related_name="entries"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    period = models.ForeignKey(
        Period, verbose_name=_("lesson number"), on_delete=models.PROTECT, related_name="entries"
    )
    assignment = models.ForeignKey(
        TeachingAssignment,
        verbose_name=_("teaching assignment"),
        on_delete=models.CASCADE,
        related_name="timetable_entries",
    )
    room = models.CharField(_("room"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("timetable entry")
        verbose_name_plural = _("timetable entries")
        ordering = ["weekday", "period__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["timetable", "weekday", "period", "assignment"],
                name="timetable_entry_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.period.number}: {self.assignment}"


class LessonPlace(models.TextChoices):
    CLASSROOM = "classroom", _("in the classroom")
    ONLINE = "online", _("online")
    SHELTER = "shelter", _("moved to a shelter (air-raid alert)")


class Lesson(TimestampedModel):
    """One lesson on one date; a double lesson is two lessons."""

    assignment = models.ForeignKey(
        TeachingAssignment,
        verbose_name=_("teaching assignment"),
        on_delete=models.PROTECT,
        related_name="lessons",
    )
    date = models.DateField(_("date"))
    period = models.ForeignKey(
        Period, verbose_name=_("lesson number"), on_delete=models.PROTECT, related_name="lessons"
    )
    timetable_entry = models.ForeignKey(
        TimetableEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="lessons"
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("substitute teacher"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="substituted_lessons",
    )
    room = models.CharField(_("room"), max_length=40, blank=True)
    topic = models.CharField(_("topic"), max_length=500, blank=True)
    topic_recorded_at = models.DateTimeField(_("topic recorded at"), null=True, blank=True)
    homework = models.TextField(_("homework"), blank=True)
    homework_recorded_at = models.DateTimeField(_("homework recorded at"), null=True, blank=True)
    attendance_taken_at = models.DateTimeField(_("attendance taken at"), null=True, blank=True)
    place = models.CharField(
        _("where held"), max_length=16, choices=LessonPlace.choices, default=LessonPlace.CLASSROOM
    )
    place_changed_at = models.TimeField(_("moved at"), null=True, blank=True)
    substitution_reason = models.CharField(_("reason for substitution"), max_length=200, blank=True)
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    cancel_reason = models.CharField(
        _("reason the lesson was not held"), max_length=200, blank=True
    )

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["date", "period__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "date", "period"], name="timetable_lesson_unique"
            )
        ]
        indexes = [
            models.Index(fields=["assignment", "date"], name="timetable_lesson_asg_date_idx"),
            models.Index(fields=["date"], name="timetable_lesson_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} {self.date:%d.%m.%Y} #{self.period.number}"


class TeacherAbsence(TimestampedModel):
    """A teacher away from school for a span of days (sick leave, a training course, a
    business trip), recorded by the deputy director: their lessons of those days need a
    substitute or are marked as not held."""

    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        related_name="teacher_absences",
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.PROTECT,
        related_name="absences",
    )
    starts_on = models.DateField(_("away from"))
    ends_on = models.DateField(_("away until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("teacher absence")
        verbose_name_plural = _("teacher absences")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="timetable_absence_span"
            )
        ]
        indexes = [
            models.Index(fields=["school", "ends_on", "starts_on"], name="timetable_absence_idx")
        ]

    def __str__(self) -> str:
        return f"{self.teacher}: {self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"
