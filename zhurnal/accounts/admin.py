from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from zhurnal.accounts.models import User
from zhurnal.audit.admin import AuditedModelAdmin


@admin.register(User)
class ZhurnalUserAdmin(AuditedModelAdmin, UserAdmin):  # type: ignore[type-arg]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Zhurnal", {"fields": ("patronymic", "phone", "language", "must_change_password")}),
    )
    list_display = ("username", "last_name", "first_name", "email", "is_active")
