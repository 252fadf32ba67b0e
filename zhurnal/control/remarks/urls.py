from django.urls import URLPattern, URLResolver, path

from zhurnal.control.remarks import views

REMARKS = "school/<int:school_id>/control/remarks/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(REMARKS + "new/<int:assignment_id>/", views.remark_new, name="remark_new"),
    path(REMARKS, views.remarks, name="remarks"),
    path(REMARKS + "xlsx/", views.remarks_xlsx, name="remarks_xlsx"),
    path(REMARKS + "<int:remark_id>/reopen/", views.remark_reopen, name="remark_reopen"),
    # The teacher's side: no school in the address, the remark names its teacher.
    path("control/my-remarks/", views.my_remarks, name="my_remarks"),
    path("control/remarks/<int:remark_id>/resolve/", views.remark_resolve, name="remark_resolve"),
]
