from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "zhurnal.home"
    label = "home"
