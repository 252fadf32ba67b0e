from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from zhurnal.core.models import TimestampedModel


class Profile(models.TextChoices):
    UKRAINIAN = "ua", _("Ukrainian (12-point scale, semesters)")
    RUSSIAN = "ru", _("Russian (5-point scale, quarters)")


class SecondFactorPolicy(models.TextChoices):
    """Who must sign in with a second factor (zhurnal.people.security). A school's choice
    overrides its community's; the community's overrides ZHURNAL_2FA_REQUIRED_ROLES."""

    INHERIT = "", _("as set above (by default: directors, deputies, administrators, department)")
    STAFF = "staff", _("every member of staff")
    OFF = "off", _("nobody is required")


class Municipality(TimestampedModel):
    """A territorial community and its education department."""

    name = models.CharField(_("name"), max_length=200)
    department_name = models.CharField(_("education department"), max_length=300, blank=True)
    profile = models.CharField(
        _("profile"), max_length=2, choices=Profile.choices, default=Profile.UKRAINIAN
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Kyiv")
    second_factor_policy = models.CharField(
        _("second factor at sign-in"),
        max_length=8,
        choices=SecondFactorPolicy.choices,
        default=SecondFactorPolicy.INHERIT,
        blank=True,
    )

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name


class SchoolKind(models.TextChoices):
    PRIMARY = "primary", _("primary school (grades 1–4)")
    GYMNASIUM = "gymnasium", _("gymnasium (grades 5–9)")
    LYCEUM = "lyceum", _("lyceum (grades 10–11)")
    GENERAL = "general", _("general secondary school (grades 1–11)")


class TermMarkMethod(models.TextChoices):
    THEMATIC_MEAN = "thematic_mean", _("mean of thematic marks")
    WEIGHTED_MEAN = "weighted_mean", _("weighted mean of all marks")


class School(TimestampedModel):
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="schools",
    )
    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=100)
    code = models.CharField(_("official code"), max_length=32, unique=True)
    kind = models.CharField(_("type"), max_length=16, choices=SchoolKind.choices)
    address = models.CharField(_("address"), max_length=300, blank=True)
    grade_min = models.PositiveSmallIntegerField(_("lowest grade"), default=1)
    grade_max = models.PositiveSmallIntegerField(_("highest grade"), default=11)
    term_mark_method = models.CharField(
        _("term mark proposal"),
        max_length=16,
        choices=TermMarkMethod.choices,
        default=TermMarkMethod.THEMATIC_MEAN,
    )
    second_factor_policy = models.CharField(
        _("second factor at sign-in"),
        max_length=8,
        choices=SecondFactorPolicy.choices,
        default=SecondFactorPolicy.INHERIT,
        blank=True,
    )

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["short_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade_min__gte=1)
                & Q(grade_max__lte=12)
                & Q(grade_min__lte=F("grade_max")),
                name="schools_school_grade_range",
            )
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def grades(self) -> range:
        return range(self.grade_min, self.grade_max + 1)


class AcademicYear(TimestampedModel):
    """A school's year: from 1 September to no later than 1 July."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="years"
    )
    name = models.CharField(_("name"), max_length=20, help_text=_("for example 2026/2027"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("academic year")
        verbose_name_plural = _("academic years")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="schools_year_unique_name"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="schools_year_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class TermKind(models.TextChoices):
    SEMESTER = "semester", _("semester")
    QUARTER = "quarter", _("quarter")
    TRIMESTER = "trimester", _("trimester")
    HALF_YEAR = "half_year", _("half-year")


class Term(TimestampedModel):
    """A semester (Ukrainian profile) or quarter / half-year (Russian profile) for some grades."""

    year = models.ForeignKey(
        AcademicYear,
        verbose_name=_("academic year"),
        on_delete=models.CASCADE,
        related_name="terms",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(
        _("kind"), max_length=16, choices=TermKind.choices, default=TermKind.SEMESTER
    )
    name = models.CharField(_("name"), max_length=40, help_text=_("for example І семестр"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    grade_from = models.PositiveSmallIntegerField(_("from grade"), default=1)
    grade_to = models.PositiveSmallIntegerField(_("to grade"), default=11)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["year", "grade_from", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind", "number", "grade_from"], name="schools_term_unique"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="schools_term_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(grade_from__lte=F("grade_to")), name="schools_term_grades_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Holiday(TimestampedModel):
    """School holidays and other days without lessons."""

    year = models.ForeignKey(
        AcademicYear,
        verbose_name=_("academic year"),
        on_delete=models.CASCADE,
        related_name="holidays",
    )
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="schools_holiday_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ClassGroup(TimestampedModel):
    """A class such as «5-А» in one academic year."""

    year = models.ForeignKey(
        AcademicYear,
        verbose_name=_("academic year"),
        on_delete=models.PROTECT,
        related_name="classes",
    )
    grade = models.PositiveSmallIntegerField(_("grade"))
    letter = models.CharField(_("letter"), max_length=4)
    class_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("class teacher"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_classes",
    )
    closed_at = models.DateTimeField(
        _("year closed at"),
        null=True,
        blank=True,
        help_text=_("set when the director closes this class's year; its journal is read-only"),
    )

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["grade", "letter"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "grade", "letter"], name="schools_class_unique"
            ),
            models.CheckConstraint(
                condition=Q(grade__gte=1) & Q(grade__lte=12), name="schools_class_grade_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grade}-{self.letter}"

    @property
    def name(self) -> str:
        return str(self)

    @property
    def is_closed(self) -> bool:
        """Its year is closed: this class's own, or the whole school's (reads `year`)."""
        return self.closed_at is not None or self.year.closed_at is not None


class Subject(TimestampedModel):
    """A school subject; names are data, as in the school's curriculum."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="subjects"
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    is_physical_education = models.BooleanField(_("physical education"), default=False)
    # Music, art, physical education and labour training set no homework as a rule: the
    # fill level does not count a lesson without homework against them.
    homework_expected = models.BooleanField(
        _("homework expected"),
        default=True,
        help_text=_("Untick for subjects that set no homework, such as music, art or PE."),
    )

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="schools_subject_unique")
        ]

    def __str__(self) -> str:
        return self.name


class CurriculumEntry(TimestampedModel):
    """Weekly hours of one subject in one grade, per school and year (навчальний план)."""

    year = models.ForeignKey(
        AcademicYear,
        verbose_name=_("academic year"),
        on_delete=models.CASCADE,
        related_name="curriculum",
    )
    grade = models.PositiveSmallIntegerField(_("grade"))
    subject = models.ForeignKey(
        Subject, verbose_name=_("subject"), on_delete=models.PROTECT, related_name="curriculum"
    )
    hours_per_week = models.DecimalField(_("hours per week"), max_digits=4, decimal_places=1)
    split_into_groups = models.BooleanField(_("split into groups"), default=False)

    class Meta:
        verbose_name = _("curriculum entry")
        verbose_name_plural = _("curriculum")
        ordering = ["grade", "subject__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "grade", "subject"], name="schools_curriculum_unique"
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__gt=0) & Q(hours_per_week__lte=20),
                name="schools_curriculum_hours_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grade}: {self.subject} {self.hours_per_week}"


class Subgroup(TimestampedModel):
    """A group of a class for one subject (поділ на групи)."""

    class_group = models.ForeignKey(
        ClassGroup, verbose_name=_("class"), on_delete=models.CASCADE, related_name="subgroups"
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("subject"), on_delete=models.PROTECT, related_name="subgroups"
    )
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("subgroup")
        verbose_name_plural = _("subgroups")
        ordering = ["class_group", "subject", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["class_group", "subject", "name"], name="schools_subgroup_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.class_group} {self.subject}: {self.name}"


class ReadVersion(models.Model):
    """A counter per class that every service changing what the class's diary shows raises
    in its own transaction: a cached diary page is keyed by it, so it can never be stale
    (the read side reads the counter from the database on every request)."""

    class_group = models.OneToOneField(
        ClassGroup,
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="read_version",
    )
    version = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("read version")
        verbose_name_plural = _("read versions")

    def __str__(self) -> str:
        return f"{self.class_group_id}: {self.version}"
