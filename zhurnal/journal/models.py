from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhurnal.core.models import TimestampedModel
from zhurnal.people.models import Student
from zhurnal.schools.models import School, Subject, Term
from zhurnal.timetable.models import Lesson, TeachingAssignment


class ScaleKind(models.TextChoices):
    NUMERIC = "numeric", _("points")
    LEVELS = "levels", _("levels")
    PASS_FAIL = "pass_fail", _("passed / not passed")
    COMMENTS = "comments", _("no marks — comments only")


class GradingScale(TimestampedModel):
    """A grading scale as data: its allowed values live in GradingScaleValue."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=ScaleKind.choices)

    class Meta:
        verbose_name = _("grading scale")
        verbose_name_plural = _("grading scales")

    def __str__(self) -> str:
        return self.name


class GradingScaleValue(models.Model):
    scale = models.ForeignKey(
        GradingScale, verbose_name=_("scale"), on_delete=models.CASCADE, related_name="values"
    )
    code = models.CharField(_("value"), max_length=16)
    label = models.CharField(_("label"), max_length=60)
    numeric_value = models.DecimalField(
        _("numeric equivalent"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("scale value")
        verbose_name_plural = _("scale values")
        ordering = ["scale", "order"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "code"], name="journal_scale_value_unique")
        ]

    def __str__(self) -> str:
        return self.code


class ScaleRule(TimestampedModel):
    """Which scale a school uses for a range of grades, optionally for one subject.

    The most specific rule wins: a subject rule over a whole-grade rule.
    """

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="scale_rules"
    )
    grade_from = models.PositiveSmallIntegerField(_("from grade"))
    grade_to = models.PositiveSmallIntegerField(_("to grade"))
    subject = models.ForeignKey(
        Subject,
        verbose_name=_("subject"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scale_rules",
    )
    scale = models.ForeignKey(
        GradingScale, verbose_name=_("scale"), on_delete=models.PROTECT, related_name="rules"
    )

    class Meta:
        verbose_name = _("scale rule")
        verbose_name_plural = _("scale rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(grade_from__lte=F("grade_to")), name="journal_scale_rule_grades_ordered"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.school}: {self.grade_from}–{self.grade_to} {self.subject or ''} → {self.scale}"
        )


class AttendanceStatus(models.TextChoices):
    ABSENT = "absent", _("absent")
    LATE = "late", _("late")
    REMOTE = "remote", _("present remotely")


class Attendance(TimestampedModel):
    """An exception to 'present' for one student in one lesson; no row means present
    once the lesson's register is taken (Lesson.attendance_taken_at)."""

    lesson = models.ForeignKey(
        Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="attendance"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.PROTECT, related_name="attendance"
    )
    status = models.CharField(_("status"), max_length=16, choices=AttendanceStatus.choices)
    excused = models.BooleanField(_("excused"), default=False)
    excuse_reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("attendance entry")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "student"], name="journal_attendance_unique")
        ]
        indexes = [models.Index(fields=["student", "lesson"], name="journal_att_student_idx")]


class MarkKind(models.TextChoices):
    CURRENT = "current", _("current")
    TEST = "test", _("test")
    NOTEBOOK = "notebook", _("notebook")
    ORAL = "oral", _("oral answer")
    PRACTICAL = "practical", _("practical work")
    THEMATIC = "thematic", _("thematic")
    TERM = "term", pgettext_lazy("mark kind", "term")
    CORRECTED = "corrected", _("corrected")
    ANNUAL = "annual", _("annual")
    STATE_EXAM = "state_exam", _("state exam")


LESSON_MARK_KINDS = (
    MarkKind.CURRENT,
    MarkKind.TEST,
    MarkKind.NOTEBOOK,
    MarkKind.ORAL,
    MarkKind.PRACTICAL,
)


class Mark(TimestampedModel):
    """A mark or comment for one student; dated marks belong to a lesson, undated
    ones (thematic, term, corrected, annual, state exam) to the assignment and term."""

    assignment = models.ForeignKey(
        TeachingAssignment,
        verbose_name=_("teaching assignment"),
        on_delete=models.PROTECT,
        related_name="marks",
    )
    lesson = models.ForeignKey(
        Lesson,
        verbose_name=_("lesson"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="marks",
    )
    term = models.ForeignKey(
        Term,
        verbose_name=_("term"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="marks",
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.PROTECT, related_name="marks"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MarkKind.choices)
    value = models.CharField(_("value"), max_length=16, blank=True)
    numeric_value = models.DecimalField(
        _("numeric value"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind__in=[k.value for k in LESSON_MARK_KINDS], lesson__isnull=False)
                    | (~Q(kind__in=[k.value for k in LESSON_MARK_KINDS]) & Q(lesson__isnull=True))
                ),
                name="journal_mark_lesson_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(value="") | ~Q(comment=""), name="journal_mark_not_empty"
            ),
        ]
        indexes = [
            models.Index(fields=["assignment", "student"], name="journal_mark_asg_student_idx"),
            models.Index(fields=["student", "created_at"], name="journal_mark_student_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.value or self.comment}"
