from django.urls import URLPattern, URLResolver, path

from zhurnal.control.corrections import views

CORRECTIONS = "school/<int:school_id>/corrections/"
LOCKS = "school/<int:school_id>/locks/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(CORRECTIONS, views.corrections, name="corrections"),
    path(CORRECTIONS + "xlsx/", views.corrections_xlsx, name="corrections_xlsx"),
    path(
        CORRECTIONS + "<int:correction_id>/decide/",
        views.correction_decide_view,
        name="correction_decide",
    ),
    path(LOCKS, views.locks, name="locks"),
    path(LOCKS + "add/", views.lock_add, name="lock_add"),
    path(LOCKS + "add-all/", views.lock_add_all, name="lock_add_all"),
    path(LOCKS + "<int:lock_id>/unlock/", views.lock_remove, name="lock_remove"),
]
