from __future__ import annotations

from django.contrib import admin

from zhurnal.audit.admin import AuditedModelAdmin
from zhurnal.schools.models import (
    AcademicYear,
    ClassGroup,
    CurriculumEntry,
    Holiday,
    Municipality,
    School,
    Subgroup,
    Subject,
    Term,
)

for model in (
    Municipality,
    AcademicYear,
    Term,
    Holiday,
    ClassGroup,
    Subgroup,
    Subject,
    CurriculumEntry,
):
    admin.site.register(model, AuditedModelAdmin)


@admin.register(School)
class SchoolAdmin(AuditedModelAdmin):
    list_display = ("short_name", "code", "kind", "municipality")
    search_fields = ("name", "short_name", "code")
