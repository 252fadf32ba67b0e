from django.urls import URLPattern, URLResolver

from zhurnal.students.movement import urls as movement
from zhurnal.students.privacy import urls as privacy
from zhurnal.students.record import urls as record

app_name = "students"

urlpatterns: list[URLPattern | URLResolver] = [
    *movement.urlpatterns,
    *record.urlpatterns,
    *privacy.urlpatterns,
]
