"""Control of journal keeping: remarks to teachers, kept reports, and the summaries the
department's monitoring reads instead of scanning every lesson and mark."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhurnal.core.models import TimestampedModel


class JournalRemarkStatus(models.TextChoices):
    OPEN = "open", _("to be put right")
    RESOLVED = "resolved", _("put right")


class JournalRemark(TimestampedModel):
    """A remark on journal keeping written by a deputy director or director to a teacher,
    about one teaching assignment (and optionally one lesson of it)."""

    school = models.ForeignKey(
        "schools.School", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    assignment = models.ForeignKey(
        "timetable.TeachingAssignment",
        verbose_name=_("teaching assignment"),
        on_delete=models.PROTECT,
        related_name="journal_remarks",
    )
    lesson = models.ForeignKey(
        "timetable.Lesson",
        verbose_name=_("lesson"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="journal_remarks",
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teacher"),
        on_delete=models.PROTECT,
        related_name="journal_remarks_received",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="journal_remarks_written",
    )
    text = models.TextField(_("remark"), max_length=2000)
    due_on = models.DateField(_("to be put right by"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=JournalRemarkStatus.choices,
        default=JournalRemarkStatus.OPEN,
    )
    resolved_at = models.DateTimeField(_("put right at"), null=True, blank=True)
    resolution_note = models.CharField(_("teacher's note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("remark on journal keeping")
        verbose_name_plural = _("remarks on journal keeping")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["teacher", "status"], name="remark_teacher_status_idx"),
            models.Index(fields=["school", "-created_at"], name="remark_school_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | Q(status="resolved", resolved_at__isnull=False),
                name="remark_resolved_has_time",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class ReportKind(models.TextChoices):
    WEEKLY_SCHOOL = "weekly_school", _("weekly analysis of journal keeping")
    QUARTERLY_SCHOOL = "quarterly_school", _("quarterly monitoring of a school")
    QUARTERLY_COMMUNITY = "quarterly_community", _("quarterly monitoring of the community")


# The department's reports; the weekly ones are the school's own.
QUARTERLY_KINDS = (ReportKind.QUARTERLY_SCHOOL, ReportKind.QUARTERLY_COMMUNITY)


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("being produced")
    READY = "ready", _("ready")
    FAILED = "failed", _("failed")


def report_upload_to(instance: Report, filename: str) -> str:
    return f"reports/{instance.kind}/{instance.period_start:%Y}/{filename}"


class Report(TimestampedModel):
    """A report produced in the background and kept: its figures as JSON (the page shows
    them) and the same figures as XLSX and PDF files."""

    kind = models.CharField(_("kind"), max_length=24, choices=ReportKind.choices)
    municipality = models.ForeignKey(
        "schools.Municipality",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    school = models.ForeignKey(
        "schools.School",
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress, %"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    data = models.JSONField(_("figures"), default=dict, blank=True)
    xlsx = models.FileField(_("spreadsheet"), upload_to=report_upload_to, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=report_upload_to, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "school", "period_start"],
                condition=Q(school__isnull=False),
                name="report_one_per_school_period",
            ),
            models.UniqueConstraint(
                fields=["kind", "municipality", "period_start"],
                condition=Q(school__isnull=True),
                name="report_one_per_community_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start}–{self.period_end}"


# --- summaries ---------------------------------------------------------------------------
# Kept up to date by the `summaries_refresh` task from the journal data (see
# docs/fill-level.md); the department's pages read only these.


class FillWeek(models.Model):
    """Fill-level counters of one teaching assignment in one week (Monday first), for the
    lessons that had taken place when the row was computed."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    assignment = models.ForeignKey(
        "timetable.TeachingAssignment", on_delete=models.CASCADE, related_name="+"
    )
    class_group = models.ForeignKey(
        "schools.ClassGroup", on_delete=models.CASCADE, related_name="+"
    )
    subject = models.ForeignKey("schools.Subject", on_delete=models.CASCADE, related_name="+")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    grade = models.PositiveSmallIntegerField()
    week_start = models.DateField()
    lessons = models.PositiveIntegerField(default=0)
    topics = models.PositiveIntegerField(default=0)
    attendance = models.PositiveIntegerField(default=0)
    homework_expected = models.PositiveIntegerField(default=0)
    homework = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    lesson_marks = models.PositiveIntegerField(default=0)
    late_marks = models.PositiveIntegerField(default=0)
    students = models.PositiveIntegerField(default=0)
    # students × months of the week that had lessons; 0 where the scale gives no marks
    student_months = models.FloatField(default=0)
    finals_due = models.PositiveIntegerField(default=0)
    finals_present = models.PositiveIntegerField(default=0)
    last_entry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "week_start"], name="fillweek_unique")
        ]
        indexes = [models.Index(fields=["week_start", "school"], name="fillweek_week_school_idx")]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.week_start}"


class SchoolDay(models.Model):
    """Attendance of one school on one day: student-lessons whose register was taken,
    absences among them, and the students absent or ill that day."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    students = models.PositiveIntegerField(default=0)
    student_lessons = models.PositiveIntegerField(default=0)
    absences = models.PositiveIntegerField(default=0)
    illness_absences = models.PositiveIntegerField(default=0)
    students_absent = models.PositiveIntegerField(default=0)
    students_ill = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "date"], name="schoolday_unique")]
        indexes = [models.Index(fields=["date"], name="schoolday_date_idx")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.date}"


class TermMarkCount(models.Model):
    """How many students of a grade got each term (or annual) mark in a subject at a
    school; the sum of a group's counts is its size, for suppressing small groups."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    term = models.ForeignKey(
        "schools.Term", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    year = models.ForeignKey("schools.AcademicYear", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)  # "term" or "annual"
    grade = models.PositiveSmallIntegerField()
    subject_name = models.CharField(max_length=200)
    value = models.CharField(max_length=16)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["school", "year"], name="termmarkcount_school_idx")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.grade} {self.subject_name} {self.value}"


class SummaryState(models.Model):
    """Where the last summary refresh stopped: audit events after `last_event_id` mark the
    schools and weeks to recompute."""

    last_event_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"summaries after event {self.last_event_id}"
