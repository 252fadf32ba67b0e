from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _

from zhurnal.people.models import Student


class DiaryVisit(models.Model):
    """When a user last opened a child's diary: what came after the previous visit is new."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="diary_visits",
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="diary_visits"
    )
    last_seen_at = models.DateTimeField(_("last seen at"))
    previous_seen_at = models.DateTimeField(_("previously seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("diary visit")
        verbose_name_plural = _("diary visits")
        constraints = [
            models.UniqueConstraint(fields=["user", "student"], name="diary_visit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.student_id}: {self.last_seen_at:%Y-%m-%d %H:%M}"


class CalendarFeed(models.Model):
    """A private iCalendar address of one child's lessons for one user; revocable."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "student"],
                condition=Q(revoked_at__isnull=True),
                name="diary_calendar_feed_one_active",
            ),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("token"), 32),
                name="diary_calendar_feed_token_long",
            ),
        ]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"{self.user_id} → {self.student_id} ({state})"
