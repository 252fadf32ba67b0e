from __future__ import annotations

from django.contrib import admin

from zhurnal.audit.admin import AuditedModelAdmin
from zhurnal.people.models import (
    Enrollment,
    Guardian,
    RoleAssignment,
    StaffMember,
    Student,
    StudentGuardian,
)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedModelAdmin):
    list_display = ("user", "role", "school", "municipality")
    list_filter = ("role",)
    autocomplete_fields = ("user",)


@admin.register(Student)
class StudentAdmin(AuditedModelAdmin):
    list_display = ("surname", "given_name", "patronymic", "birth_date")
    search_fields = ("surname", "given_name")


for model in (StaffMember, Guardian, StudentGuardian, Enrollment):
    admin.site.register(model, AuditedModelAdmin)
