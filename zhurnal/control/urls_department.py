from django.urls import URLPattern, URLResolver, path

from zhurnal.control import department_views

MONITORING = "department/monitoring/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(MONITORING, department_views.monitoring, name="department_monitoring"),
    path(
        MONITORING + "school/<int:school_id>/",
        department_views.monitoring_school,
        name="department_school",
    ),
    path(MONITORING + "reports/", department_views.reports, name="department_reports"),
    path(
        MONITORING + "reports/produce/",
        department_views.reports_request,
        name="department_reports_request",
    ),
    path(
        MONITORING + "reports/<int:report_id>/xlsx/",
        department_views.report_xlsx,
        name="department_report_xlsx",
    ),
    path(
        MONITORING + "reports/<int:report_id>/pdf/",
        department_views.report_pdf,
        name="department_report_pdf",
    ),
]
