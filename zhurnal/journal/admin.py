from __future__ import annotations

from django.contrib import admin

from zhurnal.audit.admin import AuditedModelAdmin
from zhurnal.journal.models import GradingScale, ScaleRule

for model in (GradingScale, ScaleRule):
    admin.site.register(model, AuditedModelAdmin)
