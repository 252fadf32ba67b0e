"""The operators' Django admin: every save and delete through it is audited too."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from zhurnal.audit.services import audit_record, snapshot


class AuditedModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
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
