from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("zhurnal.accounts.urls")),
    path("", include("zhurnal.home.urls")),
    path("", include("zhurnal.setup.urls")),
    path("", include("zhurnal.people.urls")),
    path("", include("zhurnal.students.urls")),
    path("", include("zhurnal.timetable.urls")),
    path("", include("zhurnal.journal.urls")),
    path("", include("zhurnal.plans.urls")),
    path("", include("zhurnal.diary.urls")),
    path("", include("zhurnal.imports.urls")),
    path("", include("zhurnal.notifications.urls")),
    path("", include("zhurnal.control.urls")),
    path("", include("zhurnal.monitoring.urls")),
    path("", include("zhurnal.archive.urls")),
    path("api/", include("zhurnal.api.urls")),
    path("operator/", admin.site.urls),
]

# A database that does not answer is 503 with Retry-After, not a 500 (zhurnal/core/unavailable.py).
handler500 = "zhurnal.core.unavailable.server_error"
