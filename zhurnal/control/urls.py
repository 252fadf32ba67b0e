from django.urls import URLPattern, URLResolver

from zhurnal.control.corrections import urls as corrections
from zhurnal.control.fill import urls as fill
from zhurnal.control.remarks import urls as remarks
from zhurnal.control.weekly import urls as weekly

app_name = "control"

urlpatterns: list[URLPattern | URLResolver] = [
    *fill.urlpatterns,
    *remarks.urlpatterns,
    *weekly.urlpatterns,
    *corrections.urlpatterns,
]
