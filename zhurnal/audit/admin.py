"""The operators' Django admin: the audit log read-only, and a base admin that audits every
save and delete made through it and keeps a school's personal data out of reach unless the
school's director has granted access (zhurnal.audit.operators)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.utils import NestedObjects
from django.db import models, router, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from zhurnal.audit.models import AuditEvent, OperatorGrant
from zhurnal.audit.operators import OPERATOR_ROLE, granted_school_ids
from zhurnal.audit.services import audit_record, snapshot

if TYPE_CHECKING:
    _AuditEventAdmin = admin.ModelAdmin[AuditEvent]
    _OperatorGrantAdmin = admin.ModelAdmin[OperatorGrant]
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    # ModelAdmin is generic in django-stubs only; Django's class takes no [...].
    _AuditEventAdmin = _OperatorGrantAdmin = _ModelAdmin = admin.ModelAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(_AuditEventAdmin):
    """Read-only: the audit log is never edited through the application."""

    list_display = ("id", "at", "actor_repr", "role", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor_repr", "object_id", "action")

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent, AuditEvent]:
        # The audit of a school names its people: only the schools granted right now.
        return super().get_queryset(request).filter(school_id__in=granted_school_ids(request.user))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def scoped_to_granted_schools(
    queryset: QuerySet[Any, Any],
    request: HttpRequest,
    *,
    school_paths: tuple[str, ...],
    schoolless_visible: bool,
) -> QuerySet[Any, Any]:
    """The rows of `queryset` tied (through one of `school_paths`) to a school the operator
    holds a grant for right now; with `schoolless_visible`, also the rows tied to no school."""
    ids = granted_school_ids(request.user)
    manager = queryset.model._default_manager
    reach = Q(pk__in=manager.none().values("pk"))
    for path in school_paths:
        reach |= Q(pk__in=manager.filter(**{f"{path}__in": ids}).values("pk"))
    if schoolless_visible:
        schoolless = manager.all()
        for path in school_paths:
            schoolless = schoolless.exclude(**{f"{path}__isnull": False})
        reach |= Q(pk__in=schoolless.values("pk"))
    return queryset.filter(reach)


class AuditedModelAdmin(_ModelAdmin):
    """Every save and delete through the operators' admin is an audit event.

    An admin of a school's personal data names `school_paths`, the lookups from its model to
    a school's id (`class_group__year__school_id`): its lists, choices and rows then hold only
    the schools whose director has granted the operator access, and nothing else is reachable
    by id. Without `school_paths` the model is the school's structure, not personal data."""

    school_paths: tuple[str, ...] = ()
    # Rows tied to no school at all (a department's specialist, an account not yet given a
    # role) are nobody's school data: the operator sets them up.
    schoolless_visible = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any, Any]:
        queryset = super().get_queryset(request)
        if not self.school_paths:
            return queryset
        return scoped_to_granted_schools(
            queryset,
            request,
            school_paths=self.school_paths,
            schoolless_visible=self.schoolless_visible,
        )

    def _scoped_choices(self, db_field: Any, request: HttpRequest, kwargs: dict[str, Any]) -> None:
        # A select of students or users must not list the people of schools not granted.
        related_admin = self.admin_site._registry.get(db_field.related_model)
        if (
            isinstance(related_admin, AuditedModelAdmin)
            and related_admin.school_paths
            and "queryset" not in kwargs
        ):
            kwargs["queryset"] = related_admin.get_queryset(request)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        # Django lists every row a delete would take with it or is blocked by, by name —
        # children's names for a class. The operator sees how many of each kind, no names.
        _to_delete, model_count, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        summary: list[str] = []
        if protected:
            collector = NestedObjects(using=router.db_for_write(self.model))
            collector.collect(objs)
            counts = Counter(str(row._meta.verbose_name_plural) for row in collector.protected)
            summary = [f"{label}: {count}" for label, count in sorted(counts.items())]
        return [str(obj) for obj in objs], model_count, perms_needed, summary

    def _school_id(self, obj: models.Model) -> int | None:
        """The school the row belongs to, for the audit event: the school's administration
        reads what operators did with its rows."""
        direct = getattr(obj, "school_id", None)
        if isinstance(direct, int):
            return direct
        for path in self.school_paths:
            found = (
                type(obj)
                ._default_manager.filter(pk=obj.pk, **{f"{path}__isnull": False})
                .values_list(path, flat=True)
                .first()
            )
            if found is not None:
                return int(found)
        return None

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = None
            if change and obj.pk is not None:
                previous = type(obj)._default_manager.filter(pk=obj.pk).first()
                before = snapshot(previous) if previous is not None else None
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                action=f"operator.{'update' if change else 'create'}",
                obj=obj,
                before=before,
                after=snapshot(obj),
                role=OPERATOR_ROLE,
                school_id=self._school_id(obj),
            )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            before = snapshot(obj)
            object_type, object_id = obj._meta.label_lower, str(obj.pk)
            school_id = self._school_id(obj)
            super().delete_model(request, obj)
            audit_record(
                actor=request.user,
                action="operator.delete",
                object_type=object_type,
                object_id=object_id,
                before=before,
                role=OPERATOR_ROLE,
                school_id=school_id,
            )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


def rescope_registered(
    model: type[models.Model], *, school_paths: tuple[str, ...], schoolless_visible: bool
) -> None:
    """Give a library's admin of personal data (second-factor devices…) the same audit and
    grant scoping as ours, keeping the library's own screens and actions."""
    if not admin.site.is_registered(model):
        return
    current = type(admin.site._registry[model])
    if issubclass(current, AuditedModelAdmin):
        return
    scoped = type(
        f"Scoped{current.__name__}",
        (AuditedModelAdmin, current),
        {"school_paths": school_paths, "schoolless_visible": schoolless_visible},
    )
    admin.site.unregister(model)
    admin.site.register(model, scoped)


@admin.register(OperatorGrant)
class OperatorGrantAdmin(_OperatorGrantAdmin):
    """Read-only for operators: a grant is given and revoked by the school's director on
    the school's page, never by the operator who receives it."""

    list_display = ("operator", "school_id", "granted_by", "starts_at", "ends_at", "revoked_at")
    list_filter = ("school_id",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[OperatorGrant, OperatorGrant]:
        return super().get_queryset(request).filter(operator_id=request.user.pk)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
