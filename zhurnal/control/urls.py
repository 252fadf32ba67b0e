from django.urls import URLPattern, URLResolver

from zhurnal.control import school_urls_tmp
from zhurnal.control.corrections import urls as corrections

app_name = "control"

urlpatterns: list[URLPattern | URLResolver] = [
    *school_urls_tmp.urlpatterns,
    *corrections.urlpatterns,
]
