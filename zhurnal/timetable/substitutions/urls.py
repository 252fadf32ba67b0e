from django.urls import URLPattern, URLResolver, path

from zhurnal.timetable.substitutions import views

SUBSTITUTIONS = "school/<int:school_id>/substitutions/"
LESSON = SUBSTITUTIONS + "<int:lesson_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(SUBSTITUTIONS, views.substitutions, name="substitutions"),
    path(SUBSTITUTIONS + "away/", views.absence_create, name="absence_create"),
    path(
        SUBSTITUTIONS + "away/<int:absence_id>/back/",
        views.absence_cancel_day,
        name="absence_cancel_day",
    ),
    path(LESSON + "substitute/", views.substitute_set, name="substitute_set"),
    path(LESSON + "substitute/clear/", views.substitute_clear, name="substitute_clear"),
    path(LESSON + "not-held/", views.cancel, name="lesson_cancel"),
    path(LESSON + "held/", views.cancel_undo, name="lesson_cancel_undo"),
    path("school/<int:school_id>/register/", views.register, name="register"),
    path("school/<int:school_id>/register/xlsx/", views.register_xlsx, name="register_xlsx"),
]
