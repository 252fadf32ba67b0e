from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "zhurnal.people"
    label = "people"
