from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "zhurnal.plans"
    label = "plans"
