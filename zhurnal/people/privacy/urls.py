from django.urls import URLPattern, URLResolver, path

from zhurnal.people.privacy import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("privacy/", views.privacy_notice, name="privacy_notice"),
    path("privacy/child/<int:student_id>/", views.family_privacy, name="family_privacy"),
    path("privacy/class/<int:class_group_id>/", views.class_consents, name="class_consents"),
    path(
        "privacy/class/<int:class_group_id>/consent/<int:consent_id>/scan/",
        views.consent_document,
        name="consent_document",
    ),
    path(
        "privacy/request/<int:request_id>/answer/",
        views.correction_request_answer,
        name="correction_request_answer",
    ),
    path("privacy/school/<int:school_id>/", views.school_consents, name="school_consents"),
    path("privacy/notice/", views.notice_edit, name="privacy_notice_edit"),
    path("privacy/notice/<int:notice_id>/", views.notice_version, name="privacy_notice_version"),
]
