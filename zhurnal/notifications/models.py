from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhurnal.core.models import TimestampedModel
from zhurnal.people.models import Student
from zhurnal.schools.models import School


class NotificationKind(models.TextChoices):
    MARK = "mark", _("new mark")
    ABSENCE = "absence", _("absence")
    REMARK = "remark", _("remark")
    HOMEWORK = "homework", _("homework")


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("immediate e-mail")
    DIGEST = "digest", _("daily digest")
    NONE = "none", _("nothing")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    SENT = "sent", _("sent")
    SKIPPED = "skipped", _("skipped")


class NotificationPreference(TimestampedModel):
    """How one user wants one kind of news; no row means the default for their role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    delivery = models.CharField(_("delivery"), max_length=16, choices=Delivery.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notifications_pref_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values) & Q(delivery__in=Delivery.values),
                name="notifications_pref_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.delivery}"


class QuietHours(TimestampedModel):
    """Hours in which a user gets no immediate e-mail (in the school's time zone); the
    interval may cross midnight (21:00–07:00)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="quiet_hours",
    )
    starts_at = models.TimeField(_("quiet from"))
    ends_at = models.TimeField(_("quiet until"))

    class Meta:
        verbose_name = _("quiet hours")
        verbose_name_plural = _("quiet hours")
        constraints = [
            models.CheckConstraint(
                condition=~Q(starts_at=models.F("ends_at")), name="notifications_quiet_nonempty"
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class SchoolNotificationPolicy(TimestampedModel):
    """A school's delay before a new mark reaches guardians, so the child can tell first."""

    school = models.OneToOneField(
        School,
        verbose_name=_("school"),
        on_delete=models.CASCADE,
        related_name="notification_policy",
    )
    mark_delay_minutes = models.PositiveIntegerField(
        _("delay before a new mark reaches guardians (minutes)"), default=0
    )

    class Meta:
        verbose_name = _("school notification policy")
        verbose_name_plural = _("school notification policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(mark_delay_minutes__lte=1440), name="notifications_delay_max_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_id}: {self.mark_delay_minutes}"


class Notification(TimestampedModel):
    """One piece of news for one recipient about one child; sent by a task, never inside
    the request that caused it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="+"
    )
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    delivery = models.CharField(_("delivery"), max_length=16, choices=Delivery.choices)
    subject_name = models.CharField(_("subject"), max_length=200)
    detail = models.CharField(_("detail"), max_length=40, blank=True)
    event_date = models.DateField(_("date"))
    send_after = models.DateTimeField(_("send after"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["status", "delivery"], name="notifications_pending")]
        constraints = [
            models.CheckConstraint(
                condition=Q(delivery__in=[Delivery.IMMEDIATE, Delivery.DIGEST]),
                name="notifications_delivery_sendable",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"
