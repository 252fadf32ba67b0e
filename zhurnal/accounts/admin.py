from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhurnal.accounts.models import User
from zhurnal.audit.admin import AuditedModelAdmin, rescope_registered

if TYPE_CHECKING:
    _UserAdmin = UserAdmin[User]
else:
    # UserAdmin is generic in django-stubs only; Django's class takes no [...].
    _UserAdmin = UserAdmin


# An account belongs to the schools where its person works, studies or has a child.
ACCOUNT_SCHOOL_PATHS = (
    "roles__school_id",
    "staff_posts__school_id",
    "teaching_assignments__year__school_id",
    "led_classes__year__school_id",
    "student__enrollments__class_group__year__school_id",
    "guardian__children__enrollments__class_group__year__school_id",
)


@admin.register(User)
class ZhurnalUserAdmin(AuditedModelAdmin, _UserAdmin):
    # An account of no school (an operator, a department's specialist, one not yet given a
    # role) is set up by the operators.
    school_paths = ACCOUNT_SCHOOL_PATHS
    schoolless_visible = True
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Zhurnal", {"fields": ("patronymic", "phone", "language", "must_change_password")}),
    )
    list_display = ("username", "last_name", "first_name", "email", "is_active")


# The second-factor devices name their account: the account's schools, through a grant.
for _device in (TOTPDevice, StaticDevice):
    rescope_registered(
        _device,
        school_paths=tuple(f"user__{path}" for path in ACCOUNT_SCHOOL_PATHS),
        schoolless_visible=True,
    )


class _SecurityLogReadOnly:
    """The sign-in security log is evidence: operators read it, nobody edits or deletes a
    row here. An early end of a lockout goes through `zhurnal sign_in --unlock`, audited."""

    actions = None

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


for _model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(_model):
        _base = type(admin.site.get_model_admin(_model))
        admin.site.unregister(_model)
        admin.site.register(
            _model, type(f"ReadOnly{_base.__name__}", (_SecurityLogReadOnly, _base), {})
        )
