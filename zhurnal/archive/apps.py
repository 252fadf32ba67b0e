from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "zhurnal.archive"
    label = "archive"
