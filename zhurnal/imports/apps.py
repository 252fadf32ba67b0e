from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "zhurnal.imports"
    label = "imports"
