from django.urls import URLPattern, URLResolver

from zhurnal.journal.classteacher import urls as classteacher
from zhurnal.journal.grid import urls as grid
from zhurnal.journal.lesson import urls as lesson
from zhurnal.journal.offline import urls as offline

app_name = "journal"

urlpatterns: list[URLPattern | URLResolver] = [
    *lesson.urlpatterns,
    *grid.urlpatterns,
    *classteacher.urlpatterns,
    *offline.urlpatterns,
]
