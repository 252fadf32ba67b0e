from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "zhurnal.audit"
    label = "audit"
