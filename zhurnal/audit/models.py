from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One append-only entry of the audit log, chained to its predecessor by hash.

    Never updated or deleted by the application; `zhurnal audit verify` recomputes
    the chain so that an edit made behind the application's back is detected.
    """

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_repr = models.CharField(_("actor name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40)
    school_id = models.BigIntegerField(_("school"), null=True, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"


class RecordAccess(models.Model):
    """Who opened a protected record (a student's personal record, …) and when.

    Reads are not audit events (nothing changed), but special-category data must show
    who looked at it: the log is append-only and families can see the staff who opened
    their child's record.
    """

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_repr = models.CharField(_("who"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=64, blank=True)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40)
    school_id = models.BigIntegerField(_("school"), null=True, blank=True)
    what = models.CharField(_("what was opened"), max_length=120)

    class Meta:
        verbose_name = _("record access")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"], name="access_object_idx")
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_repr} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The head of the audit chain (last event id and hash) signed with the server's own
    key, kept outside the database; append-only. A chain that ends before a signed head
    has lost its newest events."""

    at = models.DateTimeField(_("time"))
    event_id = models.BigIntegerField(_("last event"))
    event_hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("signed audit head")
        verbose_name_plural = _("signed audit heads")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"head #{self.pk}: event #{self.event_id}"


class OperatorGrant(models.Model):
    """A school director's permission for one operator of the service to reach the school's
    personal data in the operators' admin (/operator/) for a limited time.

    Without an active grant the admin lists nothing of the school and answers its rows'
    addresses as missing; the grant ends by itself at `ends_at` or earlier when revoked.
    Granting and revoking are audit events the school's administration can read."""

    school_id = models.BigIntegerField(_("school"), db_index=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="operator_grants",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.TextField(_("reason"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("operator access grant")
        verbose_name_plural = _("operator access grants")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="audit_operator_grant_ends_after_start",
            )
        ]
        indexes = [
            models.Index(fields=["operator", "ends_at"], name="audit_operator_grant_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.operator} → school {self.school_id} until {self.ends_at:%Y-%m-%d %H:%M}"
