from django.apps import AppConfig


class StudentsConfig(AppConfig):
    name = "zhurnal.students"
    label = "students"
