from __future__ import annotations

from django.contrib import admin

from zhurnal.audit.admin import AuditedModelAdmin
from zhurnal.timetable.models import Period, TeachingAssignment, Timetable, TimetableEntry

for model in (Period, Timetable, TimetableEntry):
    admin.site.register(model, AuditedModelAdmin)


@admin.register(TeachingAssignment)
class TeachingAssignmentAdmin(AuditedModelAdmin):
    # Who teaches what is about a person: the school's, reached through a grant.
    school_paths = ("year__school_id",)
