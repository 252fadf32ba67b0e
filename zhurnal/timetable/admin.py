from __future__ import annotations

from django.contrib import admin

from zhurnal.audit.admin import AuditedModelAdmin
from zhurnal.timetable.models import Period, TeachingAssignment, Timetable, TimetableEntry

for model in (TeachingAssignment, Period, Timetable, TimetableEntry):
    admin.site.register(model, AuditedModelAdmin)
