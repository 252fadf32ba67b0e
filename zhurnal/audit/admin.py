from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from zhurnal.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
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
