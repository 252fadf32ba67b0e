from django.urls import URLPattern, URLResolver, path

from zhurnal.control.weekly import views

WEEKLY = "school/<int:school_id>/control/weekly/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(WEEKLY, views.weekly, name="weekly"),
    path(WEEKLY + "produce/", views.weekly_produce, name="weekly_produce"),
    path(WEEKLY + "<int:report_id>/", views.weekly_report, name="weekly_report"),
    path(WEEKLY + "<int:report_id>/<str:kind>/", views.weekly_file, name="weekly_file"),
]
