from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "zhurnal.journal"
    label = "journal"
