from django.urls import URLPattern, URLResolver, path

from zhurnal.journal import control_views

CORRECTIONS = "school/<int:school_id>/corrections/"
LOCKS = "school/<int:school_id>/locks/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(CORRECTIONS, control_views.corrections, name="corrections"),
    path(CORRECTIONS + "xlsx/", control_views.corrections_xlsx, name="corrections_xlsx"),
    path(
        CORRECTIONS + "<int:correction_id>/decide/",
        control_views.correction_decide_view,
        name="correction_decide",
    ),
    path(LOCKS, control_views.locks, name="locks"),
    path(LOCKS + "add/", control_views.lock_add, name="lock_add"),
    path(LOCKS + "add-all/", control_views.lock_add_all, name="lock_add_all"),
    path(LOCKS + "<int:lock_id>/unlock/", control_views.lock_remove, name="lock_remove"),
]
