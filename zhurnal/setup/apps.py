from django.apps import AppConfig


class SetupConfig(AppConfig):
    name = "zhurnal.setup"
    label = "setup"
