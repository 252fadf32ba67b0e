from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from zhurnal.accounts import views

app_name = "accounts"

urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg"), permanent=True)),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("language/", views.language_set, name="language"),
    path("security/", views.security, name="security"),
    path("security/second-factor/", views.second_factor_enrol, name="second_factor_enrol"),
    path("login/second-factor/", views.second_factor_verify, name="second_factor_verify"),
    path("security/recovery-codes/", views.recovery_codes_new, name="recovery_codes_new"),
    path("security/second-factor/off/", views.second_factor_off, name="second_factor_off"),
    path("reauthenticate/", views.reauthenticate, name="reauthenticate"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
