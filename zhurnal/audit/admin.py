"""The operators' Django admin: the audit log read-only, and a base admin that audits every
save and delete made through it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from zhurnal.audit.models import AuditEvent
from zhurnal.audit.services import audit_record, snapshot

if TYPE_CHECKING:
    _AuditEventAdmin = admin.ModelAdmin[AuditEvent]
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    # ModelAdmin is generic in django-stubs only; Django's class takes no [...].
    _AuditEventAdmin = _ModelAdmin = admin.ModelAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(_AuditEventAdmin):
    """Read-only: the audit log is never edited through the application."""

    list_display = ("id", "at", "actor_repr", "role", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor_repr", "object_id", "action")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AuditedModelAdmin(_ModelAdmin):
    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = None
            if change and obj.pk is not None:
                previous = type(obj)._default_manager.filter(pk=obj.pk).first()
                before = snapshot(previous) if previous is not None else None
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                action=f"operator.{'update' if change else 'create'}",
                obj=obj,
                before=before,
                after=snapshot(obj),
                role="operator",
            )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            before = snapshot(obj)
            object_type, object_id = obj._meta.label_lower, str(obj.pk)
            super().delete_model(request, obj)
            audit_record(
                actor=request.user,
                action="operator.delete",
                object_type=object_type,
                object_id=object_id,
                before=before,
                role="operator",
            )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
