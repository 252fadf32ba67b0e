from django.urls import URLPattern, URLResolver

from zhurnal.journal import urls_classteacher, urls_control, urls_grid, urls_lesson

app_name = "journal"

urlpatterns: list[URLPattern | URLResolver] = [
    *urls_lesson.urlpatterns,
    *urls_grid.urlpatterns,
    *urls_control.urlpatterns,
    *urls_classteacher.urlpatterns,
]
