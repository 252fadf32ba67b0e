from django.urls import URLPattern, URLResolver, path

from zhurnal.timetable import substitution_views, views

app_name = "timetable"

SUBSTITUTIONS = "school/<int:school_id>/substitutions/"
LESSON = SUBSTITUTIONS + "<int:lesson_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("teacher/", views.teacher_home, name="teacher_home"),
    path(SUBSTITUTIONS, substitution_views.substitutions, name="substitutions"),
    path(LESSON + "substitute/", substitution_views.substitute_set, name="substitute_set"),
    path(
        LESSON + "substitute/clear/",
        substitution_views.substitute_clear,
        name="substitute_clear",
    ),
    path(LESSON + "not-held/", substitution_views.cancel, name="lesson_cancel"),
    path(LESSON + "held/", substitution_views.cancel_undo, name="lesson_cancel_undo"),
    path("school/<int:school_id>/register/", substitution_views.register, name="register"),
    path(
        "school/<int:school_id>/register/xlsx/",
        substitution_views.register_xlsx,
        name="register_xlsx",
    ),
]
