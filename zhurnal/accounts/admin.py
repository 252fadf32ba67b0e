from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from zhurnal.accounts.models import User
from zhurnal.audit.admin import AuditedModelAdmin

if TYPE_CHECKING:
    _UserAdmin = UserAdmin[User]
else:
    # UserAdmin is generic in django-stubs only; Django's class takes no [...].
    _UserAdmin = UserAdmin


@admin.register(User)
class ZhurnalUserAdmin(AuditedModelAdmin, _UserAdmin):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Zhurnal", {"fields": ("patronymic", "phone", "language", "must_change_password")}),
    )
    list_display = ("username", "last_name", "first_name", "email", "is_active")
