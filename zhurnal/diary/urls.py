from django.urls import URLPattern, URLResolver, path

from zhurnal.diary import views

app_name = "diary"

urlpatterns: list[URLPattern | URLResolver] = [
    path("diary/", views.student_home, name="student_home"),
    path("family/", views.family_home, name="family_home"),
    path("family/child/<int:student_id>/", views.child_week, name="child_week"),
]
