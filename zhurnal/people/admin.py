"""The operators' admin of people: every list reaches only the schools whose director has
granted the operator access (zhurnal.audit.admin.AuditedModelAdmin.school_paths)."""

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
    school_paths = ("school_id",)
    # The department's roles belong to a community, not to a school.
    schoolless_visible = True
    list_display = ("user", "role", "school", "municipality")
    list_filter = ("role",)
    autocomplete_fields = ("user",)


@admin.register(Student)
class StudentAdmin(AuditedModelAdmin):
    school_paths = ("enrollments__class_group__year__school_id",)
    list_display = ("surname", "given_name", "patronymic", "birth_date")
    search_fields = ("surname", "given_name")


@admin.register(StaffMember)
class StaffMemberAdmin(AuditedModelAdmin):
    school_paths = ("school_id",)


@admin.register(Guardian)
class GuardianAdmin(AuditedModelAdmin):
    school_paths = ("children__enrollments__class_group__year__school_id",)


@admin.register(StudentGuardian)
class StudentGuardianAdmin(AuditedModelAdmin):
    school_paths = ("student__enrollments__class_group__year__school_id",)


@admin.register(Enrollment)
class EnrollmentAdmin(AuditedModelAdmin):
    school_paths = ("class_group__year__school_id",)
