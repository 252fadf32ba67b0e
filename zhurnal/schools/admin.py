from __future__ import annotations

from django.contrib import admin

from zhurnal.audit.admin import AuditedModelAdmin
from zhurnal.schools import models

for model in (
    models.Municipality,
    models.AcademicYear,
    models.Term,
    models.Holiday,
    models.ClassGroup,
    models.Subgroup,
    models.Subject,
    models.CurriculumEntry,
):
    admin.site.register(model, AuditedModelAdmin)


@admin.register(models.School)
class SchoolAdmin(AuditedModelAdmin):
    list_display = ("short_name", "code", "kind", "municipality")
    search_fields = ("name", "short_name", "code")
