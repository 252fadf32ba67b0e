"""The calendar plan of topics (календарно-тематичне планування) of a teaching assignment
in a term: numbered themes, each an ordered list of lesson topics with their hours; and the
templates teachers share across the school or the community."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhurnal.core.models import TimestampedModel
from zhurnal.schools.models import Municipality, School, Term
from zhurnal.timetable.models import TeachingAssignment


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("waiting for approval")
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned for changes")


class Plan(TimestampedModel):
    """One assignment's plan for one term. Its themes are numbered 1..n: the numbers of the
    journal's thematic columns."""

    assignment = models.ForeignKey(
        TeachingAssignment,
        verbose_name=_("teaching assignment"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.PROTECT, related_name="plans"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    note = models.TextField(_("note of the deputy director"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or returned by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("approved or returned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar plan")
        verbose_name_plural = _("calendar plans")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "term"], name="plans_plan_unique")
        ]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.term}"


class PlanTheme(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="themes")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("theme"), max_length=300, blank=True)
    hours = models.PositiveSmallIntegerField(_("hours"), default=0)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plans_theme_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="plans_theme_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class PlanTopic(models.Model):
    """A lesson topic; `position` orders the topics across the whole plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="topics")
    theme = models.ForeignKey(PlanTheme, on_delete=models.CASCADE, related_name="topics")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("topic"), max_length=500)
    hours = models.PositiveSmallIntegerField(_("hours"), default=1)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="plans_topic_unique"),
            models.CheckConstraint(
                condition=Q(hours__gte=1) & Q(hours__lte=40), name="plans_topic_hours"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TemplateScope(models.TextChoices):
    SCHOOL = "school", _("my school")
    COMMUNITY = "community", _("the whole community")


class PlanTemplate(TimestampedModel):
    """A plan published for others to copy: its text in the plan's line format."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="plan_templates"
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="plan_templates")
    scope = models.CharField(
        _("shared with"), max_length=16, choices=TemplateScope.choices, default=TemplateScope.SCHOOL
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plan_templates"
    )
    grade = models.PositiveSmallIntegerField(_("grade"))
    subject_name = models.CharField(_("subject"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("themes and topics"))

    class Meta:
        verbose_name = _("plan template")
        verbose_name_plural = _("plan templates")
        ordering = ["subject_name", "grade", "title"]

    def __str__(self) -> str:
        return self.title
