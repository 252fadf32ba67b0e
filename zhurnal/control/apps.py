from django.apps import AppConfig


class ControlConfig(AppConfig):
    name = "zhurnal.control"
    label = "control"
