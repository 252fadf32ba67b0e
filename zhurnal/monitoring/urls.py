from django.urls import URLPattern, URLResolver, path

from zhurnal.monitoring import views

app_name = "monitoring"

MONITORING = "department/monitoring/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(MONITORING, views.monitoring, name="department_monitoring"),
    path(
        MONITORING + "school/<int:school_id>/",
        views.monitoring_school,
        name="department_school",
    ),
    path(MONITORING + "reports/", views.reports, name="department_reports"),
    path(
        MONITORING + "reports/produce/",
        views.reports_request,
        name="department_reports_request",
    ),
    path(
        MONITORING + "reports/<int:report_id>/xlsx/",
        views.report_xlsx,
        name="department_report_xlsx",
    ),
    path(
        MONITORING + "reports/<int:report_id>/pdf/",
        views.report_pdf,
        name="department_report_pdf",
    ),
]
