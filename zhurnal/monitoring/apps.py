from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "zhurnal.monitoring"
    label = "monitoring"
