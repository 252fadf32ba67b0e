from django.urls import URLPattern, URLResolver, path

from zhurnal.diary import views

app_name = "diary"

urlpatterns: list[URLPattern | URLResolver] = [
    path("diary/", views.student_home, name="student_home"),
    path("family/", views.family_home, name="family_home"),
    path("family/child/<int:student_id>/", views.child_week, name="child_week"),
    path("diary/<int:student_id>/marks/", views.marks, name="marks"),
    path("diary/<int:student_id>/calendar/", views.calendar, name="calendar"),
    path(
        "diary/<int:student_id>/files/<int:file_id>/",
        views.homework_file,
        name="homework_file",
    ),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("diary/offline/", views.offline, name="offline"),
    # The manifest lives at the root so that the app's scope is "/"; the service worker
    # (/sw.js, kept pages and the offline journal) is served by zhurnal.journal.offline.
    path("manifest.webmanifest", views.manifest, name="manifest"),
]
