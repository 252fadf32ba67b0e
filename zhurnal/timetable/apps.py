from django.apps import AppConfig


class TimetableConfig(AppConfig):
    name = "zhurnal.timetable"
    label = "timetable"
