from django.urls import path

from zhurnal.plans import views

app_name = "plans"

urlpatterns = [
    path("plans/assignment/<int:assignment_id>/", views.plan_page, name="plan"),
    path("plans/assignment/<int:assignment_id>/save/", views.plan_save_view, name="save"),
    path("plans/assignment/<int:assignment_id>/import/", views.plan_import, name="import"),
    path("plans/<int:plan_id>/submit/", views.plan_submit_view, name="submit"),
    path("plans/<int:plan_id>/approve/", views.plan_approve_view, name="approve"),
    path("plans/<int:plan_id>/return/", views.plan_return_view, name="return"),
    path("plans/<int:plan_id>/publish/", views.template_publish_view, name="publish"),
    path("plans/template.xlsx", views.plan_xlsx_template, name="xlsx_template"),
    path("plans/school/<int:school_id>/", views.school_plans, name="school"),
    path("plans/templates/", views.template_list, name="templates"),
    path("plans/templates/<int:template_id>/", views.template_preview, name="template"),
    path(
        "plans/templates/<int:template_id>/delete/",
        views.template_delete_view,
        name="template_delete",
    ),
]
